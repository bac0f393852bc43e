//! `--format markdown`: a report to paste into a ticket for the app's owner; renders on GitHub.

use std::io::{self, Write};

use super::{clean, shape::unrecognized, some_users, Writer};
use crate::diagnosis::Diagnosis;
use crate::rules::{self, RuleTable};

pub struct Markdown;

/// How many users an incident lists before "and N more".
const USERS_SHOWN: usize = 25;

/// Input text made inert for Markdown, where it never starts a line: control characters escaped, inline
/// markup characters backslashed.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean(s).chars() {
        if "\\`*_[]<>|~&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Writer for Markdown {
    fn finish(&mut self, out: &mut dyn Write, d: &Diagnosis, table: &RuleTable) -> io::Result<()> {
        let s = &d.summary;
        writeln!(out, "# Okta provisioning failures\n")?;
        writeln!(
            out,
            "| records | failures | diagnosed | unrecognized | ignored | malformed | duplicates |"
        )?;
        writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|")?;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            s.records, s.failures, s.diagnosed, s.unrecognized, s.ignored, s.malformed, s.duplicates
        )?;
        match (s.failures, d.unreadable_inputs) {
            (0, 0) => writeln!(out, "No provisioning failures found.\n")?,
            (0, n) => writeln!(out, "{}\n", super::unread_note(n))?,
            _ => {}
        }
        let groups = unrecognized(d);
        for (n, i) in d.incidents().iter().enumerate() {
            let rule = i.cause.map(|c| &table.rules()[c]);
            let title = rule.map_or(rules::UNRECOGNIZED_TITLE, |r| r.title.as_str());
            let app = i.app.as_deref().map_or("(app not named)".to_owned(), md);
            writeln!(out, "## {}. {}: {}\n", n + 1, title, app)?;
            let cause = rule.map_or("unrecognized".to_owned(), |r| format!("`{}`", r.id));
            write!(out, "**Cause:** {cause} · **Failures:** {}", i.failures)?;
            if let (Some(first), Some(last)) = (&i.first_seen, &i.last_seen) {
                write!(
                    out,
                    " · **First seen:** {} · **Last seen:** {}",
                    md(first),
                    md(last)
                )?;
            }
            writeln!(out, "\n")?;
            if let Some(rule) = rule {
                writeln!(out, "{}\n", rule.summary)?;
            } else {
                writeln!(out, "Messages:\n")?;
                for g in groups.iter().filter(|g| g.app == i.app.as_deref()) {
                    writeln!(out, "- {}× {}", g.count, md(&g.shape))?;
                }
                writeln!(out)?;
            }
            writeln!(out, "### What to do\n")?;
            for (k, step) in rules::steps(rule, i.app.as_deref()).iter().enumerate() {
                writeln!(out, "{}. {}", k + 1, clean(step))?;
            }
            writeln!(out)?;
            if !i.users.is_empty() {
                let users: Vec<String> = i.users.iter().map(|u| md(u)).collect();
                writeln!(
                    out,
                    "**Affected users ({}):** {}\n",
                    i.users.len(),
                    some_users(&users, USERS_SHOWN)
                )?;
            }
            if let Some(link) = rule.and_then(|r| r.source.as_deref()) {
                writeln!(out, "Okta: [Troubleshoot provisioning]({link})\n")?;
            }
        }
        if !d.errors.is_empty() {
            writeln!(out, "## Unreadable records\n")?;
            for e in &d.errors {
                writeln!(
                    out,
                    "- `{}:{}`: {}",
                    clean(&e.source.path).replace('`', "'"),
                    e.source.line,
                    md(&e.message)
                )?;
            }
            writeln!(out)?;
        }
        if !d.notes.is_empty() {
            writeln!(out, "## What these figures cannot tell\n")?;
            for note in &d.notes {
                writeln!(out, "- {}", md(note))?;
            }
            writeln!(out)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn markup_in_names_is_inert() {
        assert_eq!(
            md("a|b *c* <img> 2024-04-21"),
            "a\\|b \\*c\\* \\<img\\> 2024-04-21"
        );
        assert_eq!(md("x\u{1b}[31m"), "x\\\\u{1b}\\[31m");
    }
}
