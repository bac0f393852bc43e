//! Splitters: bytes to frames, cut without being parsed. What they hand the workers: blocks of whole
//! records cut from an input. One splitter per framing: lines (text and
//! NDJSON), JSON values that span lines, CSV rows.

pub mod csv;
pub mod json;
pub mod lines;

use std::io::{self, Read};

pub use crate::input::reading::Limits;

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
