//! The normalized record every reader yields, whatever shape the input had.

use std::sync::Arc;

/// Where a record starts: the input's name (a path, `-` for stdin, `--message` for `-m`) and its 1-based line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Source {
    pub path: Arc<str>,
    pub line: u64,
}

/// The facts about one failed provisioning operation, as far as the input tells them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Finding {
    pub source: Source,
    pub user: Option<String>,
    pub login: Option<String>,
    pub app: Option<String>,
    pub reason: Option<String>,
    pub event_type: Option<String>,
    pub uuid: Option<String>,
    pub published: Option<String>,
}

/// A record that could not be read, with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub source: Source,
    pub message: String,
}

/// One unit of input, classified as far as its reader can tell.
#[derive(Debug)]
pub enum Record {
    /// The input says this operation failed (a Tasks sentence, or a failed provisioning event).
    Failure(Finding),
    /// A text line without a Tasks sentence: a failure only if a rule matches its text.
    Candidate(Finding),
    /// Read fine, and not a failure.
    Ignored,
    /// Could not be read.
    Malformed(InputError),
    /// An event whose `uuid` was already seen in this run.
    Duplicate,
}
