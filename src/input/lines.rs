//! A line splitter over any byte stream: big reads into one reused buffer, lines handed out as slices,
//! and lines longer than a limit skipped without being held in memory.

use memchr::memchr;
use std::io::{self, Read};

/// The longest record kept in memory; a longer line is reported and skipped.
pub const MAX_RECORD: usize = 8 << 20;
const READ_SIZE: usize = 256 << 10;

pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// The number of the next line to hand out (1-based).
    next_line: u64,
    max: usize,
}

/// One line without its terminator (`\n` or `\r\n`), or the note that it was too long to keep.
pub struct Line<'a> {
    pub number: u64,
    pub bytes: &'a [u8],
    pub overlong: bool,
}

impl<R: Read> LineReader<R> {
    pub fn new(inner: R) -> Self {
        Self::with_limit(inner, MAX_RECORD)
    }

    pub fn with_limit(inner: R, max: usize) -> Self {
        Self {
            inner,
            buf: vec![0; READ_SIZE],
            start: 0,
            end: 0,
            eof: false,
            next_line: 1,
            max,
        }
    }

    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        let mut skipping = false;
        loop {
            if let Some(i) = memchr(b'\n', &self.buf[self.start..self.end]) {
                let number = self.next_line;
                self.next_line += 1;
                let line_start = self.start;
                self.start += i + 1;
                if skipping {
                    return Ok(Some(Line {
                        number,
                        bytes: &[],
                        overlong: true,
                    }));
                }
                let line = trim_cr(&self.buf[line_start..line_start + i]);
                return Ok(Some(Line {
                    number,
                    bytes: line,
                    overlong: false,
                }));
            }
            if self.eof {
                if self.start == self.end && !skipping {
                    return Ok(None);
                }
                let number = self.next_line;
                self.next_line += 1;
                let line = trim_cr(&self.buf[self.start..self.end]);
                self.start = self.end;
                return Ok(Some(Line {
                    number,
                    bytes: if skipping { &[] } else { line },
                    overlong: skipping,
                }));
            }
            if self.end - self.start >= self.max {
                // Too long to keep: drop what we have and keep looking for its end.
                skipping = true;
                self.start = self.end;
            }
            self.fill()?;
        }
    }

    /// Makes room and reads more; sets `eof` at the end of the stream.
    fn fill(&mut self) -> io::Result<()> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.buf.len() - self.end < READ_SIZE {
            self.buf.resize(self.end + READ_SIZE, 0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &[u8], max: usize) -> Vec<(u64, Vec<u8>, bool)> {
        let mut r = LineReader::with_limit(input, max);
        let mut out = Vec::new();
        while let Some(l) = r.next_line().expect("reading a slice") {
            out.push((l.number, l.bytes.to_vec(), l.overlong));
        }
        out
    }

    #[test]
    fn splits_lf_and_crlf_and_keeps_a_last_line_without_newline() {
        let got = collect(b"a\r\nb\n\nc", 100);
        let want: Vec<(u64, Vec<u8>, bool)> = vec![
            (1, b"a".to_vec(), false),
            (2, b"b".to_vec(), false),
            (3, b"".to_vec(), false),
            (4, b"c".to_vec(), false),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn an_overlong_line_is_flagged_and_the_next_one_survives() {
        let mut input = vec![b'x'; 1_000_000];
        input.extend_from_slice(b"\nshort\n");
        let got = collect(&input, 1000);
        assert_eq!(got.len(), 2);
        assert!(got[0].2 && got[0].1.is_empty());
        assert_eq!(
            (got[1].0, got[1].1.as_slice(), got[1].2),
            (2, &b"short"[..], false)
        );
    }

    #[test]
    fn an_overlong_last_line_without_newline_is_flagged() {
        let got = collect(&[b'y'; 5000], 100);
        assert_eq!(got.len(), 1);
        assert!(got[0].2);
    }
}
