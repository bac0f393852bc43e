//! Cutting any byte stream into blocks of whole lines, for the readers of line-shaped input (text and
//! NDJSON): big reads, no copy of the lines, and lines longer than `Limits::max_record` skipped without
//! being kept.

use memchr::{memchr, memrchr};
use std::io::{self, Read};

use super::{read_more, Block, Frame, FrameKind, Limits, Splitter};

/// Cuts NDJSON into blocks of whole lines, one read's worth at a time (so that a live stream is not held
/// back), and lines longer than `max_record` into `TooBig` frames without keeping them.
pub struct Lines<R> {
    inner: R,
    limits: Limits,
    /// The start of a line whose end has not been read yet.
    carry: Vec<u8>,
    /// The number of the next line.
    line: u64,
    /// The line being skipped for its length, if any.
    skipping: Option<u64>,
    eof: bool,
}

impl<R: Read> Lines<R> {
    pub fn new(inner: R, limits: Limits) -> Self {
        Self {
            inner,
            limits,
            carry: Vec::new(),
            line: 1,
            skipping: None,
            eof: false,
        }
    }

    /// Frames the lines of `bytes` (which end with a line or with the input), blank lines skipped, up to
    /// `max_lines` of them; how many bytes that took.
    fn frame_lines(&mut self, bytes: &[u8], frames: &mut Vec<Frame>) -> usize {
        let mut start = 0;
        for _ in 0..self.limits.max_lines.max(1) {
            if start >= bytes.len() {
                break;
            }
            let end = memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
            let mut stop = end;
            if stop > start && bytes[stop - 1] == b'\r' {
                stop -= 1;
            }
            if stop - start > self.limits.max_record {
                frames.push(Frame {
                    start,
                    end: start,
                    line: self.line,
                    kind: FrameKind::TooBig,
                });
            } else if !bytes[start..stop].trim_ascii().is_empty() {
                frames.push(Frame {
                    start,
                    end: stop,
                    line: self.line,
                    kind: FrameKind::Value,
                });
            }
            self.line += 1;
            start = end + 1;
        }
        start.min(bytes.len())
    }
}

impl<R: Read + Send> Splitter for Lines<R> {
    fn next_block(&mut self) -> io::Result<Option<Block>> {
        let mut block = Block::default();
        loop {
            let mut bytes = std::mem::take(&mut self.carry);
            let old = bytes.len();
            // Lines already in hand are framed before anything more is read, so the carry stays small.
            let has_line = memchr(b'\n', &bytes).is_some();
            if !self.eof && !has_line && read_more(&mut self.inner, &mut bytes, self.limits.block)? == 0 {
                self.eof = true;
            }
            if let Some(line) = self.skipping {
                // Drop the rest of an overlong line, up to its end (or the end of the input).
                let end = memchr(b'\n', &bytes[old..]);
                if end.is_none() && !self.eof {
                    continue;
                }
                block.frames.push(Frame {
                    start: 0,
                    end: 0,
                    line,
                    kind: FrameKind::TooBig,
                });
                self.skipping = None;
                match end {
                    Some(i) => {
                        bytes.drain(..old + i + 1);
                        self.line = line + 1;
                    }
                    None => return Ok(Some(block)),
                }
            }
            let whole = if self.eof {
                Some(bytes.len())
            } else {
                memrchr(b'\n', &bytes).map(|i| i + 1)
            };
            match whole {
                Some(0) | None if self.eof && bytes.is_empty() => {
                    return Ok((!block.frames.is_empty()).then_some(block));
                }
                Some(n) if n > 0 => {
                    let used = self.frame_lines(&bytes[..n], &mut block.frames);
                    self.carry = bytes.split_off(used);
                    block.bytes = bytes;
                    return Ok(Some(block));
                }
                _ if bytes.len() >= self.limits.max_record => {
                    self.skipping = Some(self.line);
                }
                _ => self.carry = bytes,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::testing::{at_every_read_size, frames};

    /// Small limits, so that the skip paths are reached with small inputs.
    const LIMITS: Limits = Limits {
        max_record: 100,
        max_depth: 128,
        block: 16,
        max_lines: 50,
        in_flight: 2,
    };

    #[test]
    fn lines_are_framed_with_their_numbers_whatever_the_read_sizes() {
        let input = b"{\"a\":1}\r\n\n  \n{\"b\":2}\n{\"c\"";
        let want = vec![
            (1, FrameKind::Value, "{\"a\":1}".to_owned()),
            (4, FrameKind::Value, "{\"b\":2}".to_owned()),
            (5, FrameKind::Value, "{\"c\"".to_owned()),
        ];
        at_every_read_size(input, &want, |r| Lines::new(r, Limits::default()));
    }

    #[test]
    fn an_overlong_line_becomes_one_too_big_frame() {
        let mut input = b"{}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', LIMITS.max_record + 10));
        input.extend_from_slice(b"\n{\"z\":1}\n");
        let got = frames(Lines::new(input.as_slice(), LIMITS));
        let kinds: Vec<(u64, FrameKind)> = got.iter().map(|f| (f.0, f.1)).collect();
        assert_eq!(
            kinds,
            [
                (1, FrameKind::Value),
                (2, FrameKind::TooBig),
                (3, FrameKind::Value)
            ]
        );
    }

    #[test]
    fn an_overlong_last_line_without_a_newline_is_one_too_big_frame() {
        let mut input = b"{}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', LIMITS.max_record + 10));
        let kinds: Vec<(u64, FrameKind)> = frames(Lines::new(input.as_slice(), LIMITS))
            .iter()
            .map(|f| (f.0, f.1))
            .collect();
        assert_eq!(kinds, [(1, FrameKind::Value), (2, FrameKind::TooBig)]);
    }

    #[test]
    fn blocks_of_short_lines_stay_small_and_lose_no_line() {
        let input: String = (1..=10_000).map(|i| format!("l{i}\n")).collect();
        for chunk in [1 << 20, 4096, 7] {
            let mut lines = Lines::new(
                crate::input::testing::Chunked {
                    data: input.as_bytes(),
                    chunk,
                },
                LIMITS,
            );
            let mut seen = Vec::new();
            while let Some(block) = lines.next_block().expect("reads") {
                assert!(
                    block.frames.len() <= LIMITS.max_lines,
                    "{} lines in a block",
                    block.frames.len()
                );
                seen.extend(
                    block
                        .frames
                        .iter()
                        .map(|f| (f.line, block.bytes[f.start..f.end].to_vec())),
                );
            }
            let want: Vec<(u64, Vec<u8>)> = (1..=10_000u64)
                .map(|i| (i, format!("l{i}").into_bytes()))
                .collect();
            assert!(seen == want, "reads of {chunk} bytes");
        }
    }
}
