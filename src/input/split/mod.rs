//! Splitters: bytes to frames, cut without being parsed. What they hand the workers: blocks of whole
//! records cut from an input, and the limits that bound them. One splitter per framing: lines (text and
//! NDJSON), JSON values that span lines, CSV rows.

pub mod csv;
pub mod json;
pub mod lines;

use std::io::{self, Read};

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

/// Whole records cut from the input, in order.
#[derive(Default)]
pub struct Block {
    pub bytes: Vec<u8>,
    pub frames: Vec<Frame>,
}

/// One record of a block: where its bytes lie, the line it starts on, and what the splitter saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub start: usize,
    pub end: usize,
    pub line: u64,
    pub kind: FrameKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    /// A JSON value (or, from a line splitter, a line) to parse.
    Value,
    /// A line (or array element) that cannot start a JSON value: its bytes are kept, for a Tasks sentence.
    Garbage,
    /// A value the input ends inside.
    CutOff,
    /// A record over `Limits::max_record`, skipped without being kept.
    TooBig,
}

/// Cuts an input into blocks; `None` at its end.
pub trait Splitter: Send {
    fn next_block(&mut self) -> io::Result<Option<Block>>;
}

/// Reads into `buf` after its current end (up to `max` more bytes): one read, so that whatever a live
/// stream has ready is handed on at once. The number read, 0 at the end.
pub fn read_more(inner: &mut impl Read, buf: &mut Vec<u8>, max: usize) -> io::Result<usize> {
    let len = buf.len();
    buf.resize(len + max, 0);
    let n = loop {
        match inner.read(&mut buf[len..]) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => break other,
        }
    };
    buf.truncate(len + *n.as_ref().unwrap_or(&0));
    n
}
