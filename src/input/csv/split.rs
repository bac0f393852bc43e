//! Cutting CSV into blocks of whole rows without parsing their fields, on the reading thread: the workers
//! parse the rows. A row ends at a line end outside quotes, told exactly as csv_core tells it, so that a
//! block's rows are the rows a sequential csv_core reading gives; each row keeps the line it starts on.

use memchr::{memchr, memchr2, memchr3};
use std::io::{self, Read};

use crate::input::block::{read_more, Block, Frame, FrameKind, Limits, Splitter};

/// Cuts CSV into blocks of whole rows, one read's worth at a time (a live stream is not held back), and
/// rows longer than `max_record` into `TooBig` frames without keeping them. A `TooBig` row that never
/// ended (an unclosed quote swallowing the file) costs only its first line: the lines it swallowed are
/// read again as rows.
pub(crate) struct Rows<R> {
    inner: R,
    limits: Limits,
    /// The bytes read and not yet handed on: the current row starts at `start`.
    buf: Vec<u8>,
    /// Where the next row starts (or the blank lines before it).
    start: usize,
    /// How far the current row has been scanned, and whether that point is inside quotes.
    pos: usize,
    quoted: bool,
    /// The line of `buf[start]`, and the line ends the current row holds inside quotes so far.
    line: u64,
    row_lines: u64,
    /// Dropping the rest of the first line of an overlong row, already reported.
    skipping: bool,
    eof: bool,
    /// The most rows a block takes: 1 while the header is read, so that it is parsed before any data row.
    pub(crate) max_rows: usize,
}

impl<R: Read> Rows<R> {
    pub(crate) fn new(inner: R, limits: Limits) -> Self {
        Self {
            inner,
            limits,
            buf: Vec::new(),
            start: 0,
            pos: 0,
            quoted: false,
            line: 1,
            row_lines: 0,
            skipping: false,
            eof: false,
            max_rows: limits.max_lines.max(1),
        }
    }

    /// Scans the current row on from `pos`: where it ends (its line end, not included), or `None` if the
    /// bytes in hand end first. csv_core's rules: `"` opens a quoted field only at the start of a field (of
    /// a row, or after a comma); inside one, `""` is a quote and a lone `"` closes it; outside, `\r` and `\n`
    /// both end a row (a lone `\r` too, as old Mac exports have it).
    fn row_end(&mut self) -> Option<usize> {
        let buf = &self.buf;
        let mut i = self.pos;
        loop {
            let hit = if self.quoted {
                memchr2(b'"', b'\n', &buf[i..])
            } else {
                memchr3(b'"', b'\n', b'\r', &buf[i..])
            };
            let Some(k) = hit else {
                self.pos = buf.len();
                return None;
            };
            let at = i + k;
            match (buf[at], self.quoted) {
                (b'\n', true) => {
                    self.row_lines += 1;
                    i = at + 1;
                }
                (b'"', true) => match buf.get(at + 1) {
                    Some(b'"') => i = at + 2,
                    Some(_) => {
                        self.quoted = false;
                        i = at + 1;
                    }
                    // Whether this quote closes the field is told by the next byte.
                    None if !self.eof => {
                        self.pos = at;
                        return None;
                    }
                    None => {
                        self.quoted = false;
                        i = at + 1;
                    }
                },
                (b'"', false) => {
                    // Outside quotes, a line end before this byte would have ended the row.
                    self.quoted = at == self.start || buf[at - 1] == b',';
                    i = at + 1;
                }
                _ => {
                    self.pos = at;
                    return Some(at);
                }
            }
        }
    }

    /// Starts the next row at `at`, on the line after the current row's.
    fn next_row(&mut self, at: usize) {
        self.line += self.row_lines;
        self.row_lines = 0;
        self.start = at;
        self.pos = at;
        self.quoted = false;
    }

    /// Frames the row from `start` to `end` (too big, its bytes dropped, if over the limit) and moves on.
    fn frame(&mut self, end: usize, frames: &mut Vec<Frame>) {
        let start = self.start;
        let kind = if end - start > self.limits.max_record {
            self.buf.drain(start..end);
            FrameKind::TooBig
        } else {
            FrameKind::Value
        };
        let end = if kind == FrameKind::TooBig { start } else { end };
        frames.push(Frame {
            start,
            end,
            line: self.line,
            kind,
        });
        self.next_row(end);
    }

    /// The current row has grown past the limit without ending: it is reported by its first line, and
    /// reading resumes on the line after (or after dropping the rest of that line, if it is itself too
    /// long).
    fn resync(&mut self, frames: &mut Vec<Frame>) {
        let start = self.start;
        frames.push(Frame {
            start,
            end: start,
            line: self.line,
            kind: FrameKind::TooBig,
        });
        let cut = match memchr(b'\n', &self.buf[start..]) {
            Some(i) => start + i + 1,
            None => {
                self.skipping = true;
                self.buf.len()
            }
        };
        self.buf.drain(start..cut);
        self.row_lines = u64::from(!self.skipping);
        self.next_row(start);
    }

    /// Frames the whole rows in hand, up to `max_rows`.
    fn frame_rows(&mut self, frames: &mut Vec<Frame>) {
        while frames.len() < self.max_rows {
            if self.skipping {
                match memchr(b'\n', &self.buf[self.start..]) {
                    Some(i) => {
                        self.buf.drain(self.start..self.start + i + 1);
                        self.line += 1;
                        self.skipping = false;
                    }
                    None => {
                        self.buf.truncate(self.start);
                        return;
                    }
                }
            }
            // Blank lines between rows: csv_core skips them, and they count as lines.
            let blanks = self.buf[self.start..]
                .iter()
                .take_while(|&&b| b == b'\n' || b == b'\r')
                .count();
            if blanks > 0 {
                let newlines = self.buf[self.start..self.start + blanks]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                self.line += newlines as u64;
                self.next_row(self.start + blanks);
            }
            if self.start == self.buf.len() {
                return;
            }
            match self.row_end() {
                Some(end) => self.frame(end, frames),
                None if self.eof => {
                    let end = self.buf.len();
                    self.frame(end, frames);
                }
                None if self.buf.len() - self.start > self.limits.max_record => self.resync(frames),
                None => return,
            }
        }
    }
}

impl<R: Read + Send> Splitter for Rows<R> {
    fn next_block(&mut self) -> io::Result<Option<Block>> {
        let mut frames = Vec::new();
        loop {
            // Rows already in hand are framed before anything more is read, so a live stream's rows are
            // handed on as soon as a read returns them.
            self.frame_rows(&mut frames);
            if !frames.is_empty() {
                let rest = self.buf.split_off(self.start);
                let bytes = std::mem::replace(&mut self.buf, rest);
                self.pos -= self.start;
                self.start = 0;
                return Ok(Some(Block { bytes, frames }));
            }
            if self.eof {
                return Ok(None);
            }
            self.buf.drain(..self.start);
            self.pos -= self.start;
            self.start = 0;
            if read_more(&mut self.inner, &mut self.buf, self.limits.block)? == 0 {
                self.eof = true;
            }
        }
    }
}
