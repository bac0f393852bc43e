//! Where the records go, and why reading ends early. As ripgrep's `Sink`: a sink answers each record with
//! "go on" or a stop that carries its reason, so nothing parks an error in a field to convert it later.

use std::io;

use crate::record::{EventKey, Record};

/// Where the records go. Its methods fail only when the run must stop (`--strict`, a closed stdout), with
/// the reason.
pub trait Sink {
    fn push(&mut self, record: Record) -> Result<(), Stop>;
    /// An event's record and its key: counted as a duplicate instead if the key was already seen in this run.
    fn push_event(&mut self, key: Option<EventKey>, record: Record) -> Result<(), Stop>;
}

/// The sink ends the whole run, and says why.
#[derive(Debug)]
pub struct Stop(pub anyhow::Error);

/// Why reading one input ended early.
#[derive(Debug)]
pub enum ReadFail {
    /// The sink stopped the whole run, for this reason.
    Stop(anyhow::Error),
    /// This input cannot be read; the others still can.
    Input(anyhow::Error),
}

impl From<Stop> for ReadFail {
    fn from(Stop(why): Stop) -> Self {
        ReadFail::Stop(why)
    }
}

impl From<io::Error> for ReadFail {
    fn from(e: io::Error) -> Self {
        ReadFail::Input(e.into())
    }
}

impl From<anyhow::Error> for ReadFail {
    fn from(e: anyhow::Error) -> Self {
        ReadFail::Input(e)
    }
}
