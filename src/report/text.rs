//! `--format text`: for a person at a terminal. Incidents first (most failures first), each with its
//! steps once; then unrecognized failures by the shape of their message; then unreadable records; the
//! accounting line last. Color helps reading, and nothing depends on it.

use colored::Colorize;
use std::io::{self, Write};

use super::{accounting, clean, shape::unrecognized, some_users, Writer};
use crate::diagnosis::{Diagnosis, Incident};
use crate::rules::{self, RuleTable};

pub struct Text {
    /// Where to wrap paragraphs: the terminal's width (at most `MAX_WIDTH`) when stdout is one; otherwise
    /// lines stay whole, for pipes and files.
    width: Option<usize>,
}

const MAX_WIDTH: usize = 100;

impl Text {
    pub fn new(to_terminal: bool) -> Self {
        let width = to_terminal.then(|| textwrap::termwidth().min(MAX_WIDTH));
        Self { width }
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

/// How many users an incident names before "and N more".
const USERS_SHOWN: usize = 5;
/// How many unreadable records the report lists (stderr has them too).
const ERRORS_SHOWN: usize = 10;

impl Writer for Text {
    fn finish(&mut self, out: &mut dyn Write, d: &Diagnosis, table: &RuleTable) -> io::Result<()> {
        let incidents = d.incidents();
        let diagnosed: Vec<&&Incident> = incidents.iter().filter(|i| i.cause.is_some()).collect();
        match (d.summary.failures, d.unreadable_inputs) {
            (0, 0) => writeln!(out, "{}", "No provisioning failures found.".green())?,
            (0, n) => writeln!(out, "{}", super::unread_note(n).yellow())?,
            _ => {}
        }
        let mut explained = std::collections::HashSet::new();
        for (n, incident) in diagnosed.iter().enumerate() {
            // A cause's summary is said once, at its first incident; its steps come with every app.
            let first = explained.insert(incident.cause);
            self.write_incident(out, n + 1, incident, table, first)?;
        }
        write_unrecognized(out, d)?;
        write_errors(out, d)?;
        writeln!(out, "{}", accounting(d).bold())
    }
}

impl Text {
    fn write_incident(
        &self,
        out: &mut dyn Write,
        n: usize,
        i: &Incident,
        table: &RuleTable,
        summary: bool,
    ) -> io::Result<()> {
        let Some(rule) = i.cause.map(|c| &table.rules()[c]) else {
            return Ok(());
        };
        let app = clean(i.app.as_deref().unwrap_or("(app not named)")).into_owned();
        let failures = format!("{} failure{}", i.failures, if i.failures == 1 { "" } else { "s" });
        let title = format!(
            "{} {} {}",
            format!("{n}.").bold(),
            rule.title.red().bold(),
            format!("[{}]", rule.id).dimmed()
        );
        writeln!(out, "{}", self.para(&title, "", "   "))?;
        writeln!(out, "   app: {}  ·  {}", app.bold(), failures.bold())?;
        if !i.users.is_empty() {
            writeln!(out, "   users: {}", some_users(&i.users, USERS_SHOWN))?;
        }
        if let (Some(first), Some(last)) = (&i.first_seen, &i.last_seen) {
            let seen = if first == last {
                clean(first).into_owned()
            } else {
                format!("{} to {}", clean(first), clean(last))
            };
            writeln!(out, "   seen: {seen}")?;
        }
        if summary {
            writeln!(out, "{}", self.para(&clean(&rule.summary), "   ", "   ").dimmed())?;
        }
        writeln!(out, "   {}", "What to do:".bold())?;
        for (k, step) in rule.steps_for(i.app.as_deref()).iter().enumerate() {
            let number = format!("     {}. ", k + 1);
            writeln!(
                out,
                "{}",
                self.para(&clean(step), &number, &" ".repeat(number.len()))
            )?;
        }
        if let Some(link) = &rule.source {
            writeln!(out, "   More: {}", link.underline())?;
        }
        writeln!(out)
    }
}

/// Unrecognized failures, one line per (app, message shape), most frequent first.
fn write_unrecognized(out: &mut dyn Write, d: &Diagnosis) -> io::Result<()> {
    if d.summary.unrecognized == 0 {
        return Ok(());
    }
    let header = format!(
        "Unrecognized failures ({}): no rule knows these messages yet",
        d.summary.unrecognized
    );
    writeln!(out, "{}", header.yellow().bold())?;
    for g in unrecognized(d) {
        let (count, shape) = (g.count, g.shape);
        let app = clean(g.app.unwrap_or("(app not named)")).into_owned();
        writeln!(
            out,
            "   {}  {}: {}",
            format!("{count}×").yellow(),
            app.bold(),
            clean(&shape)
        )?;
    }
    writeln!(out, "   {}", rules::UNRECOGNIZED_HINT)?;
    writeln!(out)
}

fn write_errors(out: &mut dyn Write, d: &Diagnosis) -> io::Result<()> {
    if d.errors.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "{}",
        format!("Unreadable records ({})", d.errors.len())
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
    if d.errors.len() > ERRORS_SHOWN {
        writeln!(
            out,
            "   and {} more (--format json lists them all)",
            d.errors.len() - ERRORS_SHOWN
        )?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn paragraphs_wrap_at_a_terminal_only_and_never_inside_a_word() {
        let text =
            "Turn on Create Users for [create-users-disabled] at https://help.okta.com/en-us/content/x.htm";
        let at_terminal = Text { width: Some(30) }.para(text, "  1. ", "     ");
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
            Text { width: None }.para(text, "  1. ", "     "),
            format!("  1. {text}")
        );
    }
}
