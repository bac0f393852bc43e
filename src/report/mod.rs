//! The report stage: one writer per output format behind one trait. The only code that writes to stdout
//! or stderr, besides `main`.

mod escape;
mod explain;
mod github;
mod json;
mod markdown;
mod model;
mod ndjson;
mod notes;
mod progress;
mod shape;
mod text;

use std::io::{self, Write};

pub use escape::clean;
pub use explain::{explain, rules, rules_test};
pub use notes::Notes;
pub use progress::Progress;

use crate::diagnosis::{Diagnosed, Diagnosis};
use crate::record::InputError;
use crate::rules::RuleTable;

/// How to write the report, from `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// For a person at a terminal, colored when it helps.
    Text,
    /// One JSON document (version 1).
    Json,
    /// One JSON object per line, findings streamed as they are read, the summary last.
    Ndjson,
    /// A report to paste into a ticket.
    Markdown,
    /// GitHub Actions workflow commands.
    Github,
}

/// One output format. `finding` and `error` come as records are read; `finish` once at the end.
pub trait Writer {
    fn finding(&mut self, _out: &mut dyn Write, _d: &Diagnosed, _table: &RuleTable) -> io::Result<()> {
        Ok(())
    }
    fn error(&mut self, _out: &mut dyn Write, _e: &InputError) -> io::Result<()> {
        Ok(())
    }
    fn finish(&mut self, out: &mut dyn Write, d: &Diagnosis, table: &RuleTable) -> io::Result<()>;
}

pub fn writer(format: OutputFormat) -> Box<dyn Writer> {
    match format {
        OutputFormat::Text => Box::new(text::Text::new()),
        OutputFormat::Json => Box::new(json::Json),
        OutputFormat::Ndjson => Box::new(ndjson::Ndjson),
        OutputFormat::Markdown => Box::new(markdown::Markdown),
        OutputFormat::Github => Box::new(github::Github),
    }
}

/// The accounting line of the spec, ending every text report.
pub fn accounting(d: &Diagnosis) -> String {
    let s = &d.summary;
    format!(
        "{} record{}: {} failure{} ({} diagnosed, {} unrecognized), {} ignored, {} malformed, {} duplicate{}",
        s.records,
        plural(s.records),
        s.failures,
        plural(s.failures),
        s.diagnosed,
        s.unrecognized,
        s.ignored,
        s.malformed,
        s.duplicates,
        plural(s.duplicates)
    )
}

/// What a report says instead of "no failures" when some input could not be read.
fn unread_note(n: u64) -> String {
    let what = if n == 1 {
        "1 input".to_owned()
    } else {
        format!("{n} inputs")
    };
    format!("No provisioning failures in what could be read, but {what} could not be read (see the messages on stderr).")
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The first `max` users, then "and N more".
fn some_users(users: &[String], max: usize) -> String {
    let shown: Vec<String> = users.iter().take(max).map(|u| clean(u).into_owned()).collect();
    match users.len().saturating_sub(max) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}
