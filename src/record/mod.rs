//! The normalized record every reader yields, whatever shape the input had, and (`keys`) the keys a worker
//! makes of it for the stages above: the duplicate key of an event, and what resolution knows of it.

mod finding;
pub mod keys;
mod why;

pub use finding::{Finding, Source};
pub use keys::{EventKey, Facts};
pub use why::{Confidence, Layer, Why};

use crate::okta::{Event, Outcome};

/// A success as read: its facts, and what resolution knows of it (hashes of its people and app, its time),
/// made on the worker that read it.
#[derive(Debug)]
pub struct Success {
    pub finding: Finding,
    pub facts: Facts,
}

impl Success {
    pub fn new(finding: Finding) -> Self {
        let facts = Facts::of(&finding);
        Self { finding, facts }
    }
}

impl std::ops::Deref for Success {
    type Target = Finding;

    fn deref(&self) -> &Finding {
        &self.finding
    }
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
    Failure(Box<Finding>),
    /// A text line without a Tasks sentence: a failure only if a rule matches its text.
    Candidate(Box<Finding>),
    /// A text line shaped like an Okta provisioning error copied without its Tasks sentence (`… Errors
    /// reported by remote server: …`, `Error while <operation> …: …`): a failure whether or not a rule
    /// matches it, read like a `Candidate` otherwise.
    Bare(Box<Finding>),
    /// A provisioning event that succeeded: counted as ignored, and what resolves earlier failures. Only
    /// its who, what and when are read (`reason` stays `None`).
    Success(Box<Success>),
    /// Read fine, and not a failure.
    Ignored,
    /// Could not be read.
    Malformed(Box<InputError>),
}

impl Record {
    /// The record of an event read at `source`: a failure, a success, or ignored.
    pub fn of_event(event: &Event, source: Source) -> Self {
        match event.outcome {
            Outcome::Failure => Record::Failure(Box::new(Finding::of_event(event, source))),
            Outcome::Success => Record::Success(Box::new(Success::new(Finding {
                reason: None,
                ..Finding::of_event(event, source)
            }))),
            Outcome::Other => Record::Ignored,
        }
    }
}

/// A record and, for an event, the key it is deduplicated by: what a reader hands on.
#[derive(Debug)]
pub struct Parsed {
    pub key: Option<EventKey>,
    pub record: Record,
}
