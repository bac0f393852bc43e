//! How one input is being read: its name, the workers, the limits. The bottom of the input stack: the
//! splitters, the decoders and the readers above them all read by it.

use std::sync::Arc;

use crate::record::Source;

/// One input being read: what every reader and worker needs to know.
#[derive(Clone, Debug)]
pub(crate) struct Reading {
    pub path: Arc<str>,
    pub threads: usize,
    pub limits: Limits,
    /// Every line is a failure on the user's word (`-m`): an Okta API error object pasted is one too.
    pub users_word: bool,
}

impl Reading {
    /// Where a record of this input starting on `line` comes from.
    pub fn source(&self, line: u64) -> Source {
        Source {
            path: self.path.clone(),
            line,
        }
    }

    /// This reading, with a regular file's limits if `regular` (`Limits::for_file`).
    pub(super) fn of_regular_file(mut self, regular: bool) -> Self {
        if regular {
            self.limits = self.limits.for_file();
        }
        self
    }
}

/// The limits of a reading: how big one record may be, how deep it may nest, how much a read takes in,
/// how many lines a block holds and how many blocks may be in flight at once. Parameters (not constants), so
/// that tests reach every skip path with small ones; `Limits::default()` is what provdiag runs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest record kept in memory; a longer one is reported and skipped.
    pub max_record: usize,
    /// The deepest nesting of brackets read in a JSON event (serde_json's own limit for values it builds).
    pub max_depth: usize,
    /// How much one read takes in at most, so about what a block holds (a longer record gets a block of its
    /// own). Each read zero-fills this much buffer first, so it stays small for pipes that hand out a few
    /// KiB at a time; 64 KiB blocks are as fast as 512 KiB ones on files, in less memory.
    pub block: usize,
    /// The most records a block holds: each becomes a record of a few hundred bytes while in flight, so a
    /// block of short lines must stay as small as a block of full-size events.
    pub max_lines: usize,
    /// The most blocks read but not yet handed to the sink, whatever the number of workers: what bounds the
    /// memory of a parallel reading. Records reach the sink in input order, so a worker put off the CPU for
    /// a time slice holds up the blocks after its own: 16 rather than 8 made each shape 3–9% faster on 2
    /// cores, for 1 MiB more at the peak.
    pub in_flight: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_record: 8 << 20,
            max_depth: 128,
            block: 64 << 10,
            max_lines: 1024,
            in_flight: 16,
        }
    }
}

impl Limits {
    /// The limits for a regular file: it never makes a reader wait, so a read takes in twice as much (half the
    /// blocks, and half the thread wake-ups, on a large export). Four times as much was no faster, and took
    /// 4 MiB more at its peak: reads of 256 KiB are past glibc's threshold for allocating apart.
    pub fn for_file(self) -> Self {
        Self {
            block: self.block.saturating_mul(2),
            ..self
        }
    }
}
