//! `--format github`: GitHub Actions workflow commands. One `::error` per diagnosed incident, one
//! `::warning` per group of unrecognized failures, one `::notice` with the figures.

use std::io::{self, Write};

use super::{accounting, clean, shape::unrecognized, some_users, Writer};
use crate::diagnosis::Diagnosis;
use crate::record::Source;
use crate::rules::RuleTable;

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
    fn finish(&mut self, out: &mut dyn Write, d: &Diagnosis, table: &RuleTable) -> io::Result<()> {
        let diagnosed = d
            .incidents()
            .into_iter()
            .filter_map(|i| Some((i, &table.rules()[i.cause?])));
        for (i, rule) in diagnosed {
            let app = clean(i.app.as_deref().unwrap_or("(app not named)")).into_owned();
            let mut msg = format!(
                "{} failure{} on {app} [{}]",
                i.failures,
                if i.failures == 1 { "" } else { "s" },
                rule.id
            );
            if !i.users.is_empty() {
                msg += &format!("; users: {}", some_users(&i.users, 10));
            }
            msg += "\nWhat to do:";
            for (k, step) in rule.steps_for(i.app.as_deref()).iter().enumerate() {
                msg += &format!("\n{}. {}", k + 1, clean(step));
            }
            let at = place(&d.findings[i.first_finding].finding.source);
            writeln!(
                out,
                "::error {at}title={}::{}",
                property(&format!("{} ({app})", rule.title)),
                data(&msg)
            )?;
        }
        for g in unrecognized(d) {
            let (count, shape) = (g.count, g.shape);
            let app = clean(g.app.unwrap_or("(app not named)")).into_owned();
            let at = place(&d.findings[g.first].finding.source);
            let title = property(&format!("Unrecognized provisioning failure ({app})"));
            writeln!(
                out,
                "::warning {at}title={title}::{}",
                data(&format!("{count}× {}", clean(&shape)))
            )?;
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
