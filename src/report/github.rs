//! `--format github`: GitHub Actions workflow commands. One `::error` per open diagnosed incident, one
//! `::warning` per group of open unrecognized failures, one `::notice` with the figures. What later successes
//! resolved is not annotated: it needs nobody's attention.

use std::io::{self, Write};

use super::shape::messages;
use super::{accounting, app_name, clean, some_users, Writer};
use crate::group::Report;
use crate::record::Source;

pub struct Github;

/// A message: `%`, CR and LF encoded (GitHub's rules for workflow command data). Text from the input is
/// `clean`ed before it gets here, so the only line breaks left are ours.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value: as data, plus `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `file=…,line=…,` when the place is a file in the workspace, not stdin or `-m`.
fn place(source: &Source) -> String {
    match &*source.path {
        "-" | "--message" => String::new(),
        path => format!("file={},line={},", property(&clean(path)), source.line),
    }
}

impl Writer for Github {
    fn finish(&mut self, out: &mut dyn Write, d: &Report) -> io::Result<()> {
        let open = d.incidents.iter().filter(|i| i.open > 0);
        for i in open.clone() {
            let Some(cause) = &i.cause else { continue };
            let app = app_name(d, i.app.as_deref(), i.app_id.as_deref());
            let mut msg = format!(
                "{} open failure{} on {app} [{}]",
                i.open,
                if i.open == 1 { "" } else { "s" },
                cause.id
            );
            if i.resolved > 0 {
                msg += &format!(" ({} resolved)", i.resolved);
            }
            if !i.users.is_empty() {
                msg += &format!("; users: {}", some_users(&i.users, 10));
            }
            let said = messages(d, i);
            if !said.is_empty() {
                msg += &format!("\n{app} said:");
                for m in said.iter().take(3) {
                    msg += &format!("\n{}× {}", m.count, clean(&m.shape));
                }
            }
            msg += "\nWhat to do:";
            for (k, step) in cause.remediation.iter().enumerate() {
                msg += &format!("\n{}. {}", k + 1, clean(step));
            }
            if let Some(source) = &cause.source {
                msg += &format!("\nMore: {}", clean(source));
            }
            let at = place(&d.failures[i.first(d)].finding.source);
            writeln!(
                out,
                "::error {at}title={}::{}",
                property(&format!("{} ({app})", cause.title)),
                data(&msg)
            )?;
        }
        for i in open.filter(|i| i.cause.is_none()) {
            let app = app_name(d, i.app.as_deref(), i.app_id.as_deref());
            for m in messages(d, i) {
                let at = place(&d.failures[m.first].finding.source);
                let title = property(&format!("Unrecognized provisioning failure ({app})"));
                writeln!(
                    out,
                    "::warning {at}title={title}::{}",
                    data(&format!("{}× {}", m.count, clean(&m.shape)))
                )?;
            }
        }
        for e in d.errors.iter().take(10) {
            let at = place(&e.source);
            writeln!(
                out,
                "::warning {at}title=Unreadable record::{}",
                data(&clean(&e.message))
            )?;
        }
        for note in &d.notes {
            writeln!(out, "::notice title=provdiag note::{}", data(&clean(note)))?;
        }
        writeln!(out, "::notice title=provdiag::{}", data(&accounting(d)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escaping_follows_githubs_rules() {
        assert_eq!(data("50% done\r\nnext: a,b"), "50%25 done%0D%0Anext: a,b");
        assert_eq!(property("Box: EU, prod 5%"), "Box%3A EU%2C prod 5%25");
    }
}
