//! The report stage: one writer per output format behind one trait. The only code that writes to stdout
//! or stderr, besides `main`.

mod explain;
mod github;
mod json;
mod markdown;
mod model;
mod ndjson;
mod notes;
mod overview;
mod progress;
mod pull;
mod shape;
mod text;
mod wording;
mod writer;

pub use crate::text::clean;
pub use explain::{explain, rules, rules_test, rules_warnings};
pub use notes::Notes;
pub use progress::Progress;
pub use pull::PullNotes;
pub use writer::{accounting, Writer};

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

/// The writer of `format`; `to_terminal`: the report goes to a terminal (text wraps to its width).
pub fn writer(format: OutputFormat, to_terminal: bool, brief: bool) -> Box<dyn Writer> {
    match format {
        OutputFormat::Text => Box::new(text::Text::new(to_terminal).brief(brief)),
        OutputFormat::Json => Box::new(json::Json),
        OutputFormat::Ndjson => Box::new(ndjson::Ndjson),
        OutputFormat::Markdown => Box::new(markdown::Markdown { brief }),
        OutputFormat::Github => Box::new(github::Github::new()),
    }
}
