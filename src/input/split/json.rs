//! Cutting a JSON stream into its top-level values without parsing them, so that one broken value costs
//! only itself: API pages (arrays, looked through to their elements), pretty-printed events, concatenated
//! pages, event hook deliveries, in any layout.

use memchr::{memchr, memchr2_iter, memchr3, memchr_iter, memrchr};
use serde::de::IgnoredAny;
use std::io::{self, Read};

use super::{read_more, Block, Frame, FrameKind, Limits, Splitter};

/// How many times one value's start is checked with serde_json for a line that looks like a sibling's
/// start (see `Scan::indent`): each check reads the value from its start, so they are few.
const MAX_CHECKS: u32 = 8;

/// Frames top-level JSON values. Blocks are the read buffer itself, handed over whole; only an unfinished
/// value is carried into the next one.
pub struct Framer<R> {
    inner: R,
    limits: Limits,
    /// The start of the next block: an unfinished value, or nothing.
    carry: Vec<u8>,
    /// Line number of the scanning point at the top level (of a value's first byte while one is scanned).
    line: u64,
    in_array: bool,
    /// How many blanks stand between the last line break and the scanning point at the top level; `None`
    /// once anything else stands there.
    col: Option<usize>,
    eof: bool,
    /// How far the scan of the unfinished value got.
    scan: Scan,
    /// The line of a value over `max_record` being skipped, if any: its start is no longer held.
    skipping: Option<u64>,
    /// Dropping the rest of a line of garbage over `max_record`, already reported.
    skipping_garbage: bool,
}

/// Where a scan of a value stands, relative to the value's first byte, so that it can resume.
#[derive(Default)]
struct Scan {
    /// The value's own brackets, `(b'{', b'}')` or `(b'[', b']')`; `None` between values.
    brackets: Option<(u8, u8)>,
    /// Where to look for the next bracket.
    pos: usize,
    depth: usize,
    /// Whether `checked` lies inside a string.
    in_str: bool,
    /// How far quotes have been followed.
    checked: usize,
    /// Where the line holding `checked` starts, if that line started inside the value.
    line_start: Option<usize>,
    /// The value's indentation, if it starts its line: an opening bracket that starts a later line at this
    /// indentation or less may belong to a sibling, if this value broke off before that line.
    indent: Option<usize>,
    /// How many such lines were checked against serde_json.
    checks: u32,
}

/// How a scanned value ends.
enum End {
    /// Its closing bracket: the value's length.
    Closed(usize),
    /// Before the line where a sibling starts: the length up to that line's break.
    Broken(usize),
}

impl<R: Read + Send> Splitter for Framer<R> {
    fn next_block(&mut self) -> io::Result<Option<Block>> {
        let mut bytes = std::mem::take(&mut self.carry);
        let mut frames = Vec::new();
        let mut pos = 0;
        loop {
            pos = self.frame_all(&bytes, pos, &mut frames);
            if self.eof && frames.len() < self.limits.max_lines.max(1) {
                if pos < bytes.len() {
                    self.cut_off(&bytes[pos..], pos, &mut frames);
                    pos = bytes.len();
                }
                if frames.is_empty() {
                    return Ok(None);
                }
            }
            if !frames.is_empty() {
                self.carry = bytes.split_off(pos);
                return Ok(Some(Block { bytes, frames }));
            }
            bytes.drain(..pos);
            pos = 0;
            if bytes.len() >= self.limits.max_record {
                self.drop_unfinished(&mut bytes, &mut frames);
            }
            if read_more(&mut self.inner, &mut bytes, self.limits.block)? == 0 {
                self.eof = true;
            }
        }
    }
}

impl<R: Read> Framer<R> {
    pub fn new(inner: R, limits: Limits) -> Self {
        Self {
            inner,
            limits,
            carry: Vec::new(),
            line: 1,
            in_array: false,
            col: Some(0),
            eof: false,
            scan: Scan::default(),
            skipping: None,
            skipping_garbage: false,
        }
    }

    /// The input ends inside a value (or a skipped one): one frame for it.
    fn cut_off(&mut self, rest: &[u8], pos: usize, frames: &mut Vec<Frame>) {
        let (kind, line) = match self.skipping.take() {
            Some(line) => (FrameKind::TooBig, line),
            None => (FrameKind::CutOff, self.line),
        };
        frames.push(Frame {
            start: pos,
            end: pos,
            line,
            kind,
        });
        self.line += memchr_iter(b'\n', rest).count() as u64;
        self.scan = Scan::default();
    }

    /// An unfinished value or line of garbage has reached `max_record` bytes: keep following it without
    /// holding it. `bytes` starts where it does (or where its earlier part was dropped).
    fn drop_unfinished(&mut self, bytes: &mut Vec<u8>, frames: &mut Vec<Frame>) {
        if self.scan.brackets.is_none() {
            // A line of garbage: reported now, its rest dropped up to its end.
            if !self.skipping_garbage {
                frames.push(Frame {
                    start: 0,
                    end: 0,
                    line: self.line,
                    kind: FrameKind::TooBig,
                });
                self.skipping_garbage = true;
            }
            bytes.clear();
            return;
        }
        self.skipping.get_or_insert(self.line);
        follow_quotes(bytes, bytes.len(), &mut self.scan);
        self.line += memchr_iter(b'\n', bytes).count() as u64;
        bytes.clear();
        self.scan.pos = 0;
        self.scan.checked = 0;
        self.scan.line_start = None;
    }

    /// Frames every whole value of `bytes` from `pos` (up to `max_lines` frames in all); where the unframed
    /// rest starts.
    fn frame_all(&mut self, bytes: &[u8], mut pos: usize, frames: &mut Vec<Frame>) -> usize {
        let max_frames = self.limits.max_lines.max(1);
        loop {
            if frames.len() >= max_frames {
                return pos;
            }
            if self.skipping_garbage {
                match self.garbage_end(&bytes[pos..]) {
                    Some(i) => {
                        pos += i;
                        self.skipping_garbage = false;
                    }
                    None => return bytes.len(),
                }
            }
            if self.scan.brackets.is_none() {
                let Some(&b) = bytes.get(pos) else { return pos };
                match b {
                    b'\n' => {
                        self.line += 1;
                        self.col = Some(0);
                    }
                    b' ' | b'\t' => self.col = self.col.map(|c| c + 1),
                    b'\r' => {}
                    b',' => self.col = None,
                    b'[' if !self.in_array => {
                        self.in_array = true;
                        self.col = None;
                    }
                    b']' if self.in_array => {
                        self.in_array = false;
                        self.col = None;
                    }
                    b'{' | b'[' => {
                        self.scan.brackets = Some(if b == b'{' { (b'{', b'}') } else { (b'[', b']') });
                        // Only an indented value can tell a sibling from its own nested lines.
                        self.scan.indent = self.col.filter(|&c| c > 0);
                    }
                    _ => {
                        // Garbage: up to the end of its line, or the next element of an array.
                        let rest = &bytes[pos..];
                        let stop = self.garbage_end(rest);
                        if stop.is_none() && !self.eof {
                            return pos;
                        }
                        let len = stop.unwrap_or(rest.len());
                        let text = rest[..len].strip_suffix(b"\r").unwrap_or(&rest[..len]);
                        frames.push(Frame {
                            start: pos,
                            end: pos + text.len(),
                            line: self.line,
                            kind: FrameKind::Garbage,
                        });
                        pos += len;
                        continue;
                    }
                }
                if self.scan.brackets.is_none() {
                    pos += 1;
                    continue;
                }
            }
            let check = self.skipping.is_none();
            let len = match scan_value(&bytes[pos..], &mut self.scan, check) {
                Some(End::Closed(len) | End::Broken(len)) => len,
                None => return pos,
            };
            let (start, end) = (pos, pos + len);
            let skipped = self
                .skipping
                .take()
                .or((len > self.limits.max_record).then_some(self.line));
            frames.push(match skipped {
                Some(line) => Frame {
                    start,
                    end: start,
                    line,
                    kind: FrameKind::TooBig,
                },
                None => Frame {
                    start,
                    end,
                    line: self.line,
                    kind: FrameKind::Value,
                },
            });
            self.line += memchr_iter(b'\n', &bytes[start..end]).count() as u64;
            self.scan = Scan::default();
            self.col = None;
            pos = end;
        }
    }

    /// Where a line of garbage ends: its line break, or in an array the next element or the array's end.
    fn garbage_end(&self, rest: &[u8]) -> Option<usize> {
        if self.in_array {
            memchr3(b'\n', b',', b']', rest)
        } else {
            memchr(b'\n', rest)
        }
    }
}

/// Scans a value (whose first byte is `bytes[0]` unless its start was dropped as too big) from where `scan`
/// stands; how it ends, once it does. Only the value's own kind of bracket matters (an object ends at its
/// matching `}` whatever arrays it holds), and brackets are sparse, so one vectorized search finds them;
/// whether one stands inside a string is told by following quotes from the last bracket or from the start
/// of its line, whichever is later: JSON strings cannot hold a line break. `check`: the value's start is
/// held, so a line that looks like a sibling's start can be checked against serde_json.
fn scan_value(bytes: &[u8], scan: &mut Scan, check: bool) -> Option<End> {
    let (open, close) = scan.brackets.unwrap_or((b'{', b'}'));
    let from = scan.pos.min(bytes.len());
    for i in memchr2_iter(open, close, &bytes[from..]).map(|k| k + from) {
        follow_quotes(bytes, i, scan);
        scan.checked = i + 1;
        if scan.in_str {
            continue;
        }
        if bytes[i] == open {
            if scan.depth > 0 && check {
                if let Some(line_break) = sibling_line(bytes, i, scan) {
                    return Some(End::Broken(line_break));
                }
            }
            scan.depth += 1;
        } else {
            scan.depth = scan.depth.saturating_sub(1);
            if scan.depth == 0 {
                return Some(End::Closed(i + 1));
            }
        }
    }
    scan.pos = bytes.len();
    None
}

/// Where the line break before `i` stands, if the bracket at `i` starts a sibling: it opens a line indented
/// no deeper than the value (a pretty-printer indents a value's own nested lines deeper than its first),
/// and the value up to it is not the start of valid JSON (`{"a":` then `{` on a line of its own is).
fn sibling_line(bytes: &[u8], i: usize, scan: &mut Scan) -> Option<usize> {
    let indent = scan.indent?;
    let line_start = scan.line_start?;
    let blanks = bytes.get(line_start..i)?;
    if blanks.len() > indent || !blanks.iter().all(|&b| b == b' ' || b == b'\t') {
        return None;
    }
    if scan.checks >= MAX_CHECKS {
        return None;
    }
    scan.checks += 1;
    let prefix = serde_json::from_slice::<IgnoredAny>(&bytes[..=i]);
    match prefix {
        Err(e) if e.is_eof() => None,
        _ => Some(line_start - 1),
    }
}

/// Brings `scan.in_str` from `scan.checked` up to `to`: a line break ends any string, and each unescaped
/// quote opens or closes one.
fn follow_quotes(bytes: &[u8], to: usize, scan: &mut Scan) {
    let mut from = scan.checked.min(to);
    if let Some(nl) = memrchr(b'\n', &bytes[from..to]) {
        from += nl + 1;
        scan.in_str = false;
        scan.line_start = Some(from);
    }
    let seg = &bytes[from..to];
    for q in memchr_iter(b'"', seg) {
        let backslashes = seg[..q].iter().rev().take_while(|&&b| b == b'\\').count();
        if !(scan.in_str && backslashes % 2 == 1) {
            scan.in_str = !scan.in_str;
        }
    }
    scan.checked = to;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::testing::{at_every_read_size, frames, Chunked};

    /// Small limits, so that the skip paths are reached with small inputs.
    const LIMITS: Limits = Limits {
        max_record: 1000,
        max_depth: 128,
        block: 64,
        max_lines: 3,
        in_flight: 2,
    };

    #[test]
    fn values_are_framed_through_arrays_and_across_reads() {
        let input = b"[\n {\"a\": \"x]}\\\"\"},\n {\"b\": [1, {}]}\n]\n[] {\"c\": 3}\nnope\n{\"d\":";
        let want = vec![
            (2, FrameKind::Value, "{\"a\": \"x]}\\\"\"}".to_owned()),
            (3, FrameKind::Value, "{\"b\": [1, {}]}".to_owned()),
            (5, FrameKind::Value, "{\"c\": 3}".to_owned()),
            (6, FrameKind::Garbage, "nope".to_owned()),
            (7, FrameKind::CutOff, String::new()),
        ];
        at_every_read_size(input, &want, |r| Framer::new(r, Limits::default()));
    }

    #[test]
    fn an_event_cut_mid_page_costs_only_itself() {
        // The second event of a pretty page breaks off inside a string, the fourth inside an object.
        let lines = [
            "[",
            "  {",
            "    \"a\": 1",
            "  },",
            "  {",
            "    \"b\": \"cut of",
            "  {",
            "    \"c\": {",
            "      \"d\": [",
            "        {",
            "          \"e\": 2",
            "        }",
            "      ]",
            "    }",
            "  },",
            "  {",
            "    \"f\": {",
            "  {",
            "    \"g\": 3",
            "  }",
            "]",
        ];
        let input = lines.join("\n");
        let value = |from: usize, to: usize| lines[from - 1..to].join("\n").trim_start().to_owned();
        let want: Vec<(u64, FrameKind, String)> = vec![
            (2, FrameKind::Value, value(2, 4).trim_end_matches(',').to_owned()),
            (5, FrameKind::Value, value(5, 6)),
            (7, FrameKind::Value, value(7, 15).trim_end_matches(',').to_owned()),
            (16, FrameKind::Value, value(16, 17)),
            (18, FrameKind::Value, value(18, 20)),
        ];
        at_every_read_size(input.as_bytes(), &want, |r| Framer::new(r, Limits::default()));
    }

    #[test]
    fn a_value_over_the_limit_becomes_one_too_big_frame_and_the_next_survives() {
        // One long line, and a pretty value of many lines; strings hold brackets and escaped quotes.
        for (open, filler, close) in [
            (&b"{\"big\": \""[..], &b"x{\\\"]"[..], &b"\"}"[..]),
            (
                &b"{\n  \"big\": [\n"[..],
                &b"    \"x{\\\"]\",\n"[..],
                &b"    \"end\"\n  ]\n}"[..],
            ),
        ] {
            let mut input = b"[{\"a\": 1},\n".to_vec();
            input.extend_from_slice(open);
            while input.len() < LIMITS.max_record + 100 {
                input.extend_from_slice(filler);
            }
            input.extend_from_slice(close);
            input.extend_from_slice(b",\n{\"z\": 2}]");
            let got = frames(Framer::new(
                Chunked {
                    data: &input,
                    chunk: 64,
                },
                LIMITS,
            ));
            let kinds: Vec<FrameKind> = got.iter().map(|f| f.1).collect();
            assert_eq!(kinds, [FrameKind::Value, FrameKind::TooBig, FrameKind::Value]);
            assert_eq!(got[1].0, 2);
            let lines = 1 + input.iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!((got[2].0, got[2].2.as_str()), (lines, "{\"z\": 2}"));
        }
    }

    #[test]
    fn an_overlong_line_of_garbage_is_one_frame_and_the_next_value_survives() {
        let mut input = b"{\"a\": 1}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', LIMITS.max_record * 3));
        input.extend_from_slice(b"\n{\"z\": 2}\n[{\"y\": 3}, nope, {\"w\": 4}]");
        let want = vec![
            (1, FrameKind::Value, "{\"a\": 1}".to_owned()),
            (2, FrameKind::TooBig, String::new()),
            (3, FrameKind::Value, "{\"z\": 2}".to_owned()),
            (4, FrameKind::Value, "{\"y\": 3}".to_owned()),
            (4, FrameKind::Garbage, "nope".to_owned()),
            (4, FrameKind::Value, "{\"w\": 4}".to_owned()),
        ];
        for chunk in [1, 7, 64, 4096] {
            let got = frames(Framer::new(Chunked { data: &input, chunk }, LIMITS));
            assert_eq!(got, want, "reads of {chunk} bytes");
        }
    }

    #[test]
    fn valid_json_is_one_value_whatever_its_layout() {
        // Indented, with a nested value on a line of its own at the same indentation: valid, so one value.
        let input = b"  {\"a\":\n  {\"b\": [1,\n  {}]}}\n  {\"c\": 1}";
        let want = vec![
            (1, FrameKind::Value, "{\"a\":\n  {\"b\": [1,\n  {}]}}".to_owned()),
            (4, FrameKind::Value, "{\"c\": 1}".to_owned()),
        ];
        at_every_read_size(input, &want, |r| Framer::new(r, Limits::default()));
    }

    #[test]
    fn blocks_hold_at_most_max_lines_frames_and_lose_none() {
        let input: String = (0..100).map(|i| format!("{{\"n\": {i}}}")).collect();
        let mut framer = Framer::new(input.as_bytes(), LIMITS);
        let mut n = 0;
        while let Some(block) = framer.next_block().expect("reads") {
            assert!(block.frames.len() <= LIMITS.max_lines);
            for f in &block.frames {
                assert_eq!(&block.bytes[f.start..f.end], format!("{{\"n\": {n}}}").as_bytes());
                n += 1;
            }
        }
        assert_eq!(n, 100);
    }
}
