//! `--format text`: for a person at a terminal. One line per app when several are involved (the ones whose
//! last event failed marked); open incidents (most open failures first), each with the app's own messages
//! and its steps once; then open unrecognized failures by the shape of their message; then, briefly, what
//! later successes resolved; then unreadable records; the accounting line last. Color helps reading, and
//! nothing depends on it.

use colored::Colorize;
use std::io::{self, Write};

use super::shape::messages;
use super::wording::{self, UNRECOGNIZED_HINT};
use super::writer::{
    accounting, all_resolved, app_name, plural, some_users, status_line, unread_note, Writer,
};
use crate::group::{Incident, Report};
use crate::text::clean;

pub struct Text {
    /// Where to wrap paragraphs: the terminal's width (at most `MAX_WIDTH`) when stdout is one; otherwise
    /// `MAX_WIDTH`, so that a report in a file, a pager or a CI log reads as it does at a terminal.
    width: Option<usize>,
    /// `--brief`: the overview and the figures only.
    brief: bool,
}

const MAX_WIDTH: usize = 100;

impl Text {
    pub fn new(to_terminal: bool) -> Self {
        let width = Some(match to_terminal {
            true => textwrap::termwidth().min(MAX_WIDTH),
            false => MAX_WIDTH,
        });
        Self { width, brief: false }
    }

    pub fn brief(self, brief: bool) -> Self {
        Self { brief, ..self }
    }

    /// `text` indented by `first` on its first line and `rest` after, wrapped to the width if there is one;
    /// never inside a word, so that cause ids and links stay whole.
    fn para(&self, text: &str, first: &str, rest: &str) -> String {
        match self.width {
            Some(w) => textwrap::fill(
                text,
                textwrap::Options::new(w)
                    .word_separator(textwrap::WordSeparator::AsciiSpace)
                    .word_splitter(textwrap::WordSplitter::NoHyphenation)
                    .break_words(false)
                    .initial_indent(first)
                    .subsequent_indent(rest),
            ),
            None => format!("{first}{text}"),
        }
    }
}

/// One line per incident, open first: state, cause, app, users, since when.
fn write_overview(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let rows = super::overview::rows(r);
    if rows.is_empty() {
        return Ok(());
    }
    let width = |f: &dyn Fn(&super::overview::Row) -> usize| rows.iter().map(f).max().unwrap_or(0);
    let cause_w = width(&|x| x.cause.chars().count());
    let app_w = width(&|x| clean(&x.app).chars().count());
    writeln!(out, "{}", "Overview".bold())?;
    for row in &rows {
        let state = format!("{:<8}", row.state);
        let state = if row.state == "open" {
            state.red()
        } else {
            state.green()
        };
        let since = row
            .since
            .as_deref()
            .map(|s| format!("  since {}", clean(s)))
            .unwrap_or_default();
        let users = super::overview::users(row.users);
        let rest = format!(
            "{:<cause_w$}  {:<app_w$}  {users:<13}{since}",
            row.cause,
            clean(&row.app)
        );
        writeln!(out, " {state}  {}", rest.trim_end())?;
    }
    writeln!(out)
}

/// How many users an incident names before "and N more".
const USERS_SHOWN: usize = 5;
/// How many of an app's messages an incident shows (`--format json` has them all).
const MESSAGES_SHOWN: usize = 5;
/// How many unreadable records the report lists (stderr has them too).
const ERRORS_SHOWN: usize = 10;

impl Writer for Text {
    fn finish(&mut self, out: &mut dyn Write, r: &Report) -> io::Result<()> {
        // With `--state`, failures of earlier runs may be open though this run read none.
        let carried = r.incidents.iter().any(|i| i.carried > 0);
        match (r.summary.failures, r.unreadable_inputs) {
            _ if carried => {}
            (0, 0) => writeln!(out, "{}", "No provisioning failures found.".green())?,
            (0, n) => writeln!(out, "{}", unread_note(n).yellow())?,
            _ if r.summary.open == 0 => writeln!(out, "{}\n", all_resolved(r).green())?,
            _ => {}
        }
        write_overview(out, r)?;
        if self.brief {
            return writeln!(out, "{}", accounting(r).bold());
        }
        write_apps(out, r)?;
        let mut explained = std::collections::HashSet::new();
        let open = r.incidents.iter().filter(|i| i.open > 0 && i.cause.is_some());
        for (n, incident) in open.enumerate() {
            // A cause's summary is said once, at its first incident; its steps come with every app.
            let first = explained.insert(incident.cause.as_ref().map(|c| c.id.clone()));
            self.write_incident(out, n + 1, incident, r, first)?;
        }
        write_unrecognized(out, r)?;
        write_resolved(out, r)?;
        write_errors(out, r)?;
        for note in &r.notes {
            writeln!(out, "{}", format!("Note: {}.", clean(note)).yellow())?;
        }
        writeln!(out, "{}", accounting(r).bold())
    }
}

impl Text {
    fn write_incident(
        &self,
        out: &mut dyn Write,
        n: usize,
        i: &Incident,
        r: &Report,
        summary: bool,
    ) -> io::Result<()> {
        let Some(cause) = &i.cause else {
            return Ok(());
        };
        let app = app_name(r, i.app.as_deref(), i.app_id.as_deref());
        let mut failures = format!("{} open failure{}", i.open, plural(i.open));
        if i.resolved > 0 {
            failures += &format!(", {} resolved", i.resolved);
        }
        let title = format!(
            "{} {} {}",
            format!("{n}.").bold(),
            cause.title.red().bold(),
            format!("[{}]", cause.id).dimmed()
        );
        writeln!(out, "{}", self.para(&title, "", "   "))?;
        writeln!(out, "   app: {}  ·  {}", app.bold(), failures.bold())?;
        if let Some(status) = status_line(i) {
            writeln!(out, "   {}", self.para(&status, "", "   ").bold())?;
        }
        let (open, fixed) = i.users_apart(r);
        for (label, users) in [("open users", open), ("resolved users", fixed)] {
            if !users.is_empty() {
                writeln!(out, "   {label}: {}", some_users(&users, USERS_SHOWN))?;
            }
        }
        if let (Some(first), Some(last)) = (&i.first_seen, &i.last_seen) {
            let seen = if first == last {
                clean(first).into_owned()
            } else {
                format!("{} to {}", clean(first), clean(last))
            };
            writeln!(out, "   seen: {seen}")?;
        }
        let said = messages(r, i);
        if !said.is_empty() {
            writeln!(out, "   {}", format!("{app} said:").bold())?;
            for m in said.iter().take(MESSAGES_SHOWN) {
                let line = format!("{}× {}", m.count, clean(&m.shape));
                writeln!(out, "{}", self.para(&line, "     ", "        "))?;
            }
            if said.len() > MESSAGES_SHOWN {
                writeln!(out, "     and {} other messages", said.len() - MESSAGES_SHOWN)?;
            }
        }
        if let Some(w) = &i.why {
            let line = wording::why(w, &i.alternatives);
            writeln!(out, "{}", self.para(&clean(&line), "   ", "   "))?;
        }
        if summary {
            writeln!(
                out,
                "{}",
                self.para(&clean(&cause.summary), "   ", "   ").dimmed()
            )?;
        }
        writeln!(out, "   {}", "What to do:".bold())?;
        for (k, step) in cause.remediation.iter().enumerate() {
            let number = format!("     {}. ", k + 1);
            writeln!(
                out,
                "{}",
                self.para(&clean(step), &number, &" ".repeat(number.len()))
            )?;
        }
        if let Some(line) = wording::other_causes(cause.other_causes, &cause.id) {
            writeln!(out, "{}", self.para(&clean(&line), "   ", "   "))?;
        }
        if let Some(link) = &cause.source {
            writeln!(out, "   More: {}", clean(link).underline())?;
        }
        for (app, link) in &cause.app_sources {
            writeln!(
                out,
                "   An example from {}: {}",
                clean(app),
                clean(link).underline()
            )?;
        }
        writeln!(out)
    }
}

/// One line per app, when more than one is involved; an app whose last event failed is marked with `!`.
fn write_apps(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    if r.apps.len() < 2 {
        return Ok(());
    }
    writeln!(out, "{}", "Apps".bold())?;
    let names: Vec<String> = r
        .apps
        .iter()
        .map(|a| app_name(r, Some(&a.app), a.app_id.as_deref()))
        .collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (a, name) in r.apps.iter().zip(names) {
        let name = format!("{name:width$}");
        let mut line = format!(
            "{} success{} · {} open · {} resolved",
            a.successes,
            if a.successes == 1 { "" } else { "es" },
            a.open,
            a.resolved
        );
        if let Some(t) = &a.last_success {
            line += &format!(" · last success {}", clean(t));
        }
        if let Some(t) = &a.last_failure {
            line += &format!(" · last failure {}", clean(t));
        }
        if a.failing {
            writeln!(out, " {} {}  {}", "!".red().bold(), name.red().bold(), line.red())?;
        } else {
            writeln!(out, "   {}  {}", name.bold(), line)?;
        }
    }
    writeln!(out)
}

/// Incidents whose failures later successes all resolved: one line each.
fn write_resolved(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let resolved: Vec<&Incident> = r.incidents.iter().filter(|i| i.open == 0).collect();
    if resolved.is_empty() {
        return Ok(());
    }
    let header = format!("Resolved by later successes ({})", resolved.len());
    writeln!(out, "{}", header.green().bold())?;
    for i in resolved {
        let (title, id) = match &i.cause {
            Some(c) => (c.title.as_str(), c.id.to_string()),
            None => (super::wording::UNRECOGNIZED_TITLE, "unrecognized".to_owned()),
        };
        let when = i
            .resolved_at
            .as_deref()
            .map_or(String::new(), |t| format!(", last at {}", clean(t)));
        writeln!(
            out,
            "   {} {} {} · {} · {} failure{} resolved{when}",
            "✓".green(),
            title,
            format!("[{id}]").dimmed(),
            app_name(r, i.app.as_deref(), i.app_id.as_deref()).bold(),
            i.failures,
            plural(i.failures)
        )?;
    }
    writeln!(out)
}

/// Open unrecognized failures, one line per (app, message shape), most frequent first.
fn write_unrecognized(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let open: Vec<&Incident> = r
        .incidents
        .iter()
        .filter(|i| i.cause.is_none() && i.open > 0)
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    let count: u64 = open.iter().map(|i| i.open).sum();
    let header = format!("Unrecognized failures ({count} open): no rule knows these messages yet");
    writeln!(out, "{}", header.yellow().bold())?;
    let mut lines: Vec<(u64, String, String)> = Vec::new();
    for i in open {
        let app = app_name(r, i.app.as_deref(), i.app_id.as_deref());
        for m in messages(r, i) {
            lines.push((m.count, app.clone(), m.shape));
        }
        if i.carried > 0 {
            let status = status_line(i).unwrap_or_default();
            let said = format!("still open from earlier runs ({status})");
            lines.push((i.carried, app.clone(), said));
        }
    }
    lines.sort_by_key(|l| std::cmp::Reverse(l.0));
    for (count, app, shape) in lines {
        writeln!(
            out,
            "   {}  {}: {}",
            format!("{count}×").yellow(),
            app.bold(),
            clean(&shape)
        )?;
    }
    writeln!(out, "   {UNRECOGNIZED_HINT}")?;
    writeln!(out)
}

/// Which format lists every unreadable record of `d`: the JSON report lists the first `ERRORS_LISTED`.
fn where_listed(d: &Report) -> &'static str {
    if d.summary.malformed > crate::group::ERRORS_LISTED as u64 {
        "--format ndjson lists them"
    } else {
        "--format json lists them"
    }
}

fn write_errors(out: &mut dyn Write, d: &Report) -> io::Result<()> {
    if d.errors.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "{}",
        format!("Unreadable records ({})", d.summary.malformed)
            .magenta()
            .bold()
    )?;
    for e in d.errors.iter().take(ERRORS_SHOWN) {
        writeln!(
            out,
            "   {}:{}: {}",
            clean(&e.source.path),
            e.source.line,
            clean(&e.message)
        )?;
    }
    let more = d.summary.malformed.saturating_sub(ERRORS_SHOWN as u64);
    if more > 0 {
        writeln!(out, "   and {more} more ({})", where_listed(d))?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn paragraphs_wrap_at_the_width_and_never_inside_a_word() {
        let text =
            "Turn on Create Users for [create-users-disabled] at https://help.okta.com/en-us/content/x.htm";
        let at_terminal = Text {
            width: Some(30),
            brief: false,
        }
        .para(text, "  1. ", "     ");
        let lines: Vec<&str> = at_terminal.lines().collect();
        assert!(lines.len() > 2, "{at_terminal}");
        assert!(
            lines[1..].iter().all(|l| l.starts_with("     ")),
            "hanging indent: {at_terminal}"
        );
        assert!(
            lines.iter().any(|l| l.trim() == "[create-users-disabled]"),
            "{at_terminal}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.trim() == "https://help.okta.com/en-us/content/x.htm"),
            "{at_terminal}"
        );
        assert_eq!(
            Text {
                width: None,
                brief: false
            }
            .para(text, "  1. ", "     "),
            format!("  1. {text}")
        );
        // Off a terminal: 100 columns.
        let long = text.repeat(3);
        let off = Text::new(false).para(&long, "  1. ", "     ");
        assert!(
            off.lines().count() > 1 && off.lines().all(|l| l.chars().count() <= 100),
            "{off}"
        );
    }
}
