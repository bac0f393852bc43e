//! `--format markdown`: a report to paste into a ticket for the app's owner; renders on GitHub.

use std::io::{self, Write};

use super::shape::messages;
use super::{app_name, clean, some_users, wording, Writer};
use crate::group::Report;

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
    fn finish(&mut self, out: &mut dyn Write, d: &Report) -> io::Result<()> {
        let s = &d.summary;
        writeln!(out, "# Okta provisioning failures\n")?;
        writeln!(
            out,
            "| records | failures | diagnosed | unrecognized | open | resolved | ignored | malformed | duplicates |"
        )?;
        writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|")?;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            s.records,
            s.failures,
            s.diagnosed,
            s.unrecognized,
            s.open,
            s.resolved,
            s.ignored,
            s.malformed,
            s.duplicates
        )?;
        match (s.failures, d.unreadable_inputs) {
            (0, 0) => writeln!(out, "No provisioning failures found.\n")?,
            (0, n) => writeln!(out, "{}\n", super::unread_note(n))?,
            _ => {}
        }
        write_apps(out, d)?;
        let open = d.incidents.iter().filter(|i| i.open > 0);
        for (n, i) in open.enumerate() {
            let (title, steps) = wording::title_and_steps(i);
            let app = md(&app_name(d, i.app.as_deref(), i.app_id.as_deref()));
            writeln!(out, "## {}. {}: {}\n", n + 1, md(title), app)?;
            let cause = i
                .cause
                .as_ref()
                .map_or("unrecognized".to_owned(), |c| format!("`{}`", c.id));
            write!(
                out,
                "**Cause:** {cause} · **Failures:** {} · **Open:** {} · **Resolved:** {}",
                i.failures, i.open, i.resolved
            )?;
            if let (Some(first), Some(last)) = (&i.first_seen, &i.last_seen) {
                write!(
                    out,
                    " · **First seen:** {} · **Last seen:** {}",
                    md(first),
                    md(last)
                )?;
            }
            writeln!(out, "\n")?;
            if let Some(c) = &i.cause {
                writeln!(out, "{}\n", md(&c.summary))?;
            }
            let said = messages(d, i);
            if !said.is_empty() {
                writeln!(out, "What {app} said:\n")?;
                for m in &said {
                    writeln!(out, "- {}× {}", m.count, md(&m.shape))?;
                }
                writeln!(out)?;
            }
            writeln!(out, "### What to do\n")?;
            for (k, step) in steps.iter().enumerate() {
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
            if let Some(link) = i.cause.as_ref().and_then(|c| c.source.as_deref()) {
                writeln!(out, "Source: [{}]({link})\n", md(link))?;
            }
        }
        write_resolved(out, d)?;
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

/// The apps as a table, when more than one is involved; an app whose last event failed is in bold.
fn write_apps(out: &mut dyn Write, d: &Report) -> io::Result<()> {
    if d.apps.len() < 2 {
        return Ok(());
    }
    writeln!(out, "## Apps\n")?;
    writeln!(
        out,
        "| app | successes | open | resolved | last success | last failure |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---|---|")?;
    for a in &d.apps {
        let name = md(&app_name(d, Some(&a.app), a.app_id.as_deref()));
        let name = if a.failing {
            format!("**{name}** (last event failed)")
        } else {
            name
        };
        let time = |t: &Option<String>| t.as_deref().map_or("".to_owned(), md);
        writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} |",
            a.successes,
            a.open,
            a.resolved,
            time(&a.last_success),
            time(&a.last_failure)
        )?;
    }
    writeln!(out)
}

/// Incidents that later successes resolved: a line each.
fn write_resolved(out: &mut dyn Write, d: &Report) -> io::Result<()> {
    let resolved: Vec<_> = d.incidents.iter().filter(|i| i.open == 0).collect();
    if resolved.is_empty() {
        return Ok(());
    }
    writeln!(out, "## Resolved by later successes\n")?;
    for i in resolved {
        let (title, _) = wording::title_and_steps(i);
        let cause = i
            .cause
            .as_ref()
            .map_or("unrecognized".to_owned(), |c| format!("`{}`", c.id));
        let when = i
            .resolved_at
            .as_deref()
            .map_or(String::new(), |t| format!(", last at {}", md(t)));
        writeln!(
            out,
            "- {} ({cause}) on {}: {} failure{} resolved{when}",
            md(title),
            md(&app_name(d, i.app.as_deref(), i.app_id.as_deref())),
            i.failures,
            if i.failures == 1 { "" } else { "s" }
        )?;
    }
    writeln!(out)
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
