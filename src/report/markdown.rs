//! `--format markdown`: a report to paste into a ticket for the app's owner; renders on GitHub. Every piece
//! of text that comes from the input or a rules file goes through `md`, so none of it can make markup.

use std::io::{self, Write};

use super::shape::messages;
use super::wording;
use super::writer::{all_resolved, app_name, some_users, status_line, unread_note, Writer};
use crate::group::{Incident, Report};
use crate::text::clean;

pub struct Markdown {
    /// `--brief`: the figures and the overview only.
    pub brief: bool,
}

/// How many users an incident lists before "and N more".
const USERS_SHOWN: usize = 25;

/// Characters backslashed wherever they stand: CommonMark's inline markup (code, emphasis, links, HTML,
/// entities), GFM's tables and strikethrough, GitHub's math (`$`), and the heading marks that would
/// otherwise close a heading (`## Box #`).
const ALWAYS: &str = "\\`*_[]<|~&$#^";

/// Characters that open a block (list, quote, heading underline, definition) when they start a line;
/// elsewhere they are plain text (`Dashboard > Tasks` stays readable in the raw document).
const AT_START: &str = "-+=:>";

/// Text from the input or a rules file made inert anywhere in the document, a line's start or a table cell
/// included: control characters and line breaks shown as escapes, surrounding space trimmed, markup
/// characters backslashed, and the shapes GitHub turns into links without any markup (`http://…`,
/// `www.…`, `someone@example.com`) broken by an escape. Rendered, it reads as the text itself.
pub(crate) fn md(s: &str) -> String {
    let cleaned = clean(s);
    let text = cleaned.trim();
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    // A leading number followed by `.` or `)` starts an ordered list.
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    for (i, &c) in chars.iter().enumerate() {
        let rest = &chars[i + 1..];
        let escape = ALWAYS.contains(c)
            || (i == 0 && AT_START.contains(c))
            || (i == digits && digits > 0 && matches!(c, '.' | ')'))
            || (c == ':' && rest.starts_with(&['/', '/']))
            || c == '@'
            || (c == '.' && www_before(&chars[..i]));
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// True if `before` ends with a word `www` (any case): GitHub links `www.example.com` on its own.
fn www_before(before: &[char]) -> bool {
    let n = before.len();
    n >= 3
        && before[n - 3..].iter().all(|c| c.eq_ignore_ascii_case(&'w'))
        && (n == 3 || !before[n - 4].is_alphanumeric())
}

/// A rule's source as a link that shows its own address, when it is a plain `https` URL; anything else is
/// shown as inert text, so a rules file cannot make a link say one thing and go elsewhere.
fn source(url: &str) -> String {
    let plain = url.strip_prefix("https://").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~:/?#@!$&'*+,;=%".contains(c))
    });
    if plain {
        format!("<{url}>")
    } else {
        md(url)
    }
}

/// One row per incident, open first: state, cause, app, users, since when.
fn write_overview(out: &mut dyn Write, d: &Report) -> io::Result<()> {
    let rows = super::overview::rows(d);
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "## Overview\n")?;
    writeln!(out, "| state | cause | app | users | since |")?;
    writeln!(out, "|---|---|---|---:|---|")?;
    for row in rows {
        let since = row.since.as_deref().map(md).unwrap_or_default();
        writeln!(
            out,
            "| {} | {} | {} | {} | {since} |",
            row.state,
            md(&row.cause),
            md(&row.app),
            row.users
        )?;
    }
    writeln!(out)
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
            _ if d.incidents.iter().any(|i| i.carried > 0) => {}
            (0, 0) => writeln!(out, "No provisioning failures found.\n")?,
            (0, n) => writeln!(out, "{}\n", unread_note(n))?,
            _ if s.open == 0 => writeln!(out, "{}\n", all_resolved(d))?,
            _ => {}
        }
        write_overview(out, d)?;
        if self.brief {
            return Ok(());
        }
        write_apps(out, d)?;
        let open = d.incidents.iter().filter(|i| i.open > 0);
        for (n, i) in open.enumerate() {
            let (title, steps) = wording::title_and_steps(i);
            match app(d, i) {
                Some(app) => writeln!(out, "## {}. {}: {app}\n", n + 1, md(title))?,
                None => writeln!(out, "## {}. {}\n", n + 1, md(title))?,
            }
            // Rule ids are kebab-case (checked when a rules file is read): safe in a code span.
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
            if let Some(status) = status_line(i) {
                writeln!(out, "**Status:** {}\n", md(status.trim_start_matches("status: ")))?;
            }
            if let Some(c) = &i.cause {
                writeln!(out, "{}\n", md(&c.summary))?;
            }
            if let Some(w) = &i.why {
                let line = wording::why(w, &i.alternatives);
                writeln!(out, "{}\n", md(&line))?;
            }
            let said = messages(d, i);
            if !said.is_empty() {
                let who = app(d, i).unwrap_or_else(|| "The app".to_owned());
                writeln!(out, "What {who} said:\n")?;
                for m in &said {
                    writeln!(out, "- {}× {}", m.count, md(&m.shape))?;
                }
                writeln!(out)?;
            }
            writeln!(out, "### What to do\n")?;
            for (k, step) in steps.iter().enumerate() {
                writeln!(out, "{}. {}", k + 1, md(step))?;
            }
            writeln!(out)?;
            let (open, fixed) = i.users_apart(d);
            for (label, users) in [("Open users", open), ("Resolved users", fixed)] {
                if !users.is_empty() {
                    let shown: Vec<String> = users.iter().map(|u| md(u)).collect();
                    let list = some_users(&shown, USERS_SHOWN);
                    writeln!(out, "**{label} ({}):** {list}\n", users.len())?;
                }
            }
            // A ticket stands alone: the other documented causes are written out, not pointed at.
            if let Some(c) = i.cause.as_ref().filter(|c| !c.others.is_empty()) {
                writeln!(out, "**Other documented causes of this message:**\n")?;
                for o in &c.others {
                    let from = o.source.as_deref().map(|u| format!(" ({})", source(u)));
                    let (cause, tell, fix) = (md(&o.cause), md(&o.tell), md(&o.fix));
                    let stop = if cause.ends_with(['.', '!', '?']) { "" } else { "." };
                    writeln!(
                        out,
                        "- {cause}{stop} To tell: {tell} Fix: {fix}{}",
                        from.unwrap_or_default()
                    )?;
                }
                writeln!(out)?;
            }
            if let Some(url) = i.cause.as_ref().and_then(|c| c.source.as_deref()) {
                writeln!(out, "Source: {}\n", source(url))?;
            }
            for (name, url) in i.cause.iter().flat_map(|c| &c.app_sources) {
                writeln!(out, "An example from {}: {}\n", md(name), source(url))?;
            }
        }
        write_resolved(out, d)?;
        if !d.errors.is_empty() {
            writeln!(out, "## Unreadable records\n")?;
            for e in &d.errors {
                writeln!(
                    out,
                    "- {}:{}: {}",
                    md(&e.source.path),
                    e.source.line,
                    md(&e.message)
                )?;
            }
            // Past the first `ERRORS_LISTED`, as in the JSON report.
            let more = d.summary.malformed.saturating_sub(d.errors.len() as u64);
            if more > 0 {
                writeln!(out, "- and {more} more (`--format ndjson` lists them)")?;
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

/// The apps as a table, when more than one is involved; an app whose last event failed says so in bold (the
/// label only: no input text is ever set in bold).
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
            format!("{name} **(last event failed)**")
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
        let on = app(d, i).map_or(String::new(), |a| format!(" on {a}"));
        writeln!(
            out,
            "- {} ({cause}){on}: {} failure{} resolved{when}",
            md(title),
            i.failures,
            if i.failures == 1 { "" } else { "s" }
        )?;
    }
    writeln!(out)
}

/// An incident's app as the report names it, escaped; None when the input names none.
fn app(d: &Report, i: &Incident) -> Option<String> {
    i.app
        .as_deref()
        .map(|a| md(&app_name(d, Some(a), i.app_id.as_deref())))
}

#[cfg(test)]
mod tests {
    use super::{md, source};

    #[test]
    fn markup_in_names_is_inert() {
        assert_eq!(md("a|b *c* <img> 2024-04-21"), "a\\|b \\*c\\* \\<img> 2024-04-21");
        assert_eq!(md("x\u{1b}[31m"), "x\\\\u{1b}\\[31m");
        assert_eq!(md("  two\nlines "), "two\\\\nlines");
        assert_eq!(
            md("Evil](http://evil.example) *x*"),
            "Evil\\](http\\://evil.example) \\*x\\*"
        );
    }

    #[test]
    fn what_would_start_a_block_is_escaped_at_the_start_only() {
        assert_eq!(md("# Title #"), "\\# Title \\#");
        assert_eq!(md("> quote"), "\\> quote");
        assert_eq!(md("- item - x"), "\\- item - x");
        assert_eq!(md("+ item"), "\\+ item");
        assert_eq!(md("12. item 3. x"), "12\\. item 3. x");
        assert_eq!(md("1) item"), "1\\) item");
        assert_eq!(md("=== x"), "\\=== x");
        assert_eq!(md("2024-04-21"), "2024-04-21");
    }

    #[test]
    fn what_github_links_by_itself_is_broken() {
        assert_eq!(md("see https://x.io"), "see https\\://x.io");
        assert_eq!(
            md("WWW.x.io and www.y.io, awww.z"),
            "WWW\\.x.io and www\\.y.io, awww.z"
        );
        assert_eq!(md("ann@example.com"), "ann\\@example.com");
        assert_eq!(md("$x$ &amp;"), "\\$x\\$ \\&amp;");
    }

    #[test]
    fn only_a_plain_https_source_is_a_link() {
        assert_eq!(
            source("https://help.okta.com/a.htm"),
            "<https://help.okta.com/a.htm>"
        );
        assert_eq!(source("https://x.io/a>[b](c)"), "https\\://x.io/a>\\[b\\](c)");
        assert_eq!(source("javascript:alert(1)"), "javascript:alert(1)");
    }
}
