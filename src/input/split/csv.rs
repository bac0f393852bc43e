//! Cutting CSV into blocks of whole rows without parsing their fields, on the reading thread: the workers
//! parse the rows. A row ends at a line end outside quotes, told exactly as csv_core tells it, so that a
//! block's rows are the rows a sequential csv_core reading gives; each row keeps the line it starts on.

use memchr::{memchr, memchr2, memchr3};
use std::io::{self, Read};

use super::{read_more, Block, Frame, FrameKind, Limits, Splitter};

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
    /// What separates fields (a `"` opens a quoted field only right after it): the header's, once read.
    pub(crate) delimiter: u8,
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
            delimiter: b',',
        }
    }

    /// Scans the current row on from `pos`: where it ends (its line end, not included), or `None` if the
    /// bytes in hand end first. csv_core's rules: `"` opens a quoted field only at the start of a field (of
    /// a row, or after a comma); inside one, `""` is a quote and a lone `"` closes it; outside, `\r` and `\n`
    /// both end a row (a lone `\r` too, as old Mac exports have it).
    fn row_end(&mut self) -> Option<usize> {
        let delimiter = self.delimiter;
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
                    self.quoted = at == self.start || buf[at - 1] == delimiter;
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

    /// The current row has grown past the limit without ending (`TooBig`), or the input ended inside a
    /// quote it opened lines before (`CutOff`): it is reported by its first line, and reading resumes on the
    /// line after (or after dropping the rest of that line, if it is itself too long). An unclosed quote
    /// costs its own line whatever the size of what follows it.
    fn resync(&mut self, frames: &mut Vec<Frame>, kind: FrameKind) {
        let start = self.start;
        frames.push(Frame {
            start,
            end: start,
            line: self.line,
            kind,
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
                None if self.eof && self.quoted && self.row_lines > 0 => {
                    self.resync(frames, FrameKind::CutOff)
                }
                None if self.eof => {
                    let end = self.buf.len();
                    self.frame(end, frames);
                }
                None if self.buf.len() - self.start > self.limits.max_record => {
                    self.resync(frames, FrameKind::TooBig)
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::testing::Chunked;
    use proptest::prelude::*;

    /// The rows of `input` as one csv_core reader over all of it tells them (what the reader did before
    /// rows were cut apart): (line of the row's first byte, its fields).
    fn csv_core_rows(input: &[u8], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        let (mut out, mut ends) = (vec![0; input.len() + 1], vec![0; input.len() + 1]);
        let mut rows = Vec::new();
        let mut pos = 0;
        loop {
            // csv_core skips line ends before a row: where the row starts, for its line.
            let start = pos
                + input[pos..]
                    .iter()
                    .take_while(|&&b| b == b'\r' || b == b'\n')
                    .count();
            let line = 1 + input[..start].iter().filter(|&&b| b == b'\n').count() as u64;
            let (mut nout, mut nend) = (0, 0);
            loop {
                let (result, nin, o, e) =
                    core.read_record(&input[pos..], &mut out[nout..], &mut ends[nend..]);
                pos += nin;
                nout += o;
                nend += e;
                match result {
                    csv_core::ReadRecordResult::InputEmpty => {}
                    csv_core::ReadRecordResult::Record => break,
                    csv_core::ReadRecordResult::End => return rows,
                    full => panic!("buffers hold the whole input: {full:?}"),
                }
            }
            let mut fields = Vec::new();
            let mut from = 0;
            for &end in &ends[..nend] {
                fields.push(out[from..end].to_vec());
                from = end;
            }
            rows.push((line, fields));
        }
    }

    /// Where the row starts (byte, line) that the input ends inside a quote of, if that quote holds a line
    /// end: csv_core's rules, scanned over the whole input at once.
    fn unclosed_row(input: &[u8], delimiter: u8) -> Option<(usize, u64)> {
        let (mut row, mut quoted, mut line, mut inside) = (None::<(usize, u64)>, false, 1u64, 0u64);
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            if quoted {
                match b {
                    b'"' if input.get(i + 1) == Some(&b'"') => i += 1,
                    b'"' => quoted = false,
                    b'\n' => {
                        line += 1;
                        inside += 1;
                    }
                    _ => {}
                }
            } else {
                match (b, row) {
                    (b'\n', _) => {
                        line += 1;
                        row = None;
                    }
                    (b'\r', _) => row = None,
                    (_, None) => {
                        row = Some((i, line));
                        inside = 0;
                        quoted = b == b'"';
                    }
                    (b'"', Some(_)) => quoted = input[i - 1] == delimiter,
                    _ => {}
                }
            }
            i += 1;
        }
        row.filter(|_| quoted && inside > 0)
    }

    /// csv_core's rows, except that an input ending inside a quote opened lines before costs that row's first
    /// line (no fields), and the lines after it are read as rows.
    fn recovering_rows(input: &[u8], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let Some((start, line)) = unclosed_row(input, delimiter) else {
            return csv_core_rows(input, delimiter);
        };
        let mut rows = csv_core_rows(&input[..start], delimiter);
        rows.push((line, Vec::new()));
        let next = start
            + input[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
        rows.extend(
            recovering_rows(&input[next..], delimiter)
                .into_iter()
                .map(|(l, fields)| (l + line, fields)),
        );
        rows
    }

    /// The rows this splitter cuts, each parsed alone by csv_core (as the workers do): (line, fields), or
    /// (line, no fields) for a row too big.
    fn split_rows(input: &[u8], chunk: usize, limits: Limits, delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut rows = Rows::new(Chunked { data: input, chunk }, limits);
        rows.delimiter = delimiter;
        let mut out = Vec::new();
        while let Some(block) = rows.next_block().expect("reads") {
            assert!(block.frames.len() <= limits.max_lines);
            for f in &block.frames {
                let fields = match f.kind {
                    FrameKind::TooBig | FrameKind::CutOff => Vec::new(),
                    _ => csv_core_rows(&block.bytes[f.start..f.end], delimiter)
                        .into_iter()
                        .map(|(line, fields)| {
                            assert_eq!(line, 1, "a row holds no line end outside quotes");
                            fields
                        })
                        .collect::<Vec<_>>()
                        .concat(),
                };
                out.push((f.line, fields));
            }
        }
        out
    }

    const SMALL: Limits = Limits {
        max_record: 1 << 20,
        max_depth: 128,
        block: 7,
        max_lines: 3,
        in_flight: 2,
    };

    #[test]
    fn rows_are_cut_where_csv_core_ends_them() {
        let input: &[u8] = b"a,b\r\n\"x\ny\",\"q\"\"\r\n\"\r\nab\"c,\"d\"e\"f\n\r\n,\rlone,cr\n\"open,\nz";
        let want = recovering_rows(input, b',');
        assert_eq!(want.len(), 7, "{want:?}");
        for chunk in 1..=input.len() {
            assert_eq!(
                split_rows(input, chunk, SMALL, b','),
                want,
                "reads of {chunk} bytes"
            );
        }
        // With another delimiter, a quote opens a field only after that one.
        for delimiter in [b';', b'\t'] {
            let input: Vec<u8> = input
                .iter()
                .map(|&b| if b == b',' { delimiter } else { b })
                .collect();
            let want = recovering_rows(&input, delimiter);
            assert_eq!(want.len(), 7, "{want:?}");
            assert_eq!(split_rows(&input, 5, SMALL, delimiter), want);
            // And not after a comma: `a,"b` + line end + `c"` is two rows.
            let input: Vec<u8> = [b"a,\"b\nc\"".as_slice(), &[delimiter], b"d\n"].concat();
            assert_eq!(
                split_rows(&input, 3, SMALL, delimiter),
                csv_core_rows(&input, delimiter)
            );
            assert_eq!(csv_core_rows(&input, delimiter).len(), 2);
        }
    }

    #[test]
    fn a_quote_left_open_by_a_lone_cr_at_the_end_is_cut_as_csv_core_reads_it() {
        // Once found by the property below (shrunk), kept here rather than in a regressions file.
        let input = b"a,\"\r";
        for chunk in 1..=input.len() {
            assert_eq!(
                split_rows(input, chunk, SMALL, b','),
                csv_core_rows(input, b','),
                "reads of {chunk} bytes"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 2000,
            // Cases it finds are kept as tests above: no regressions file at the top of the repo.
            failure_persistence: None,
            ..ProptestConfig::default()
        })]
        /// Whatever the bytes (quotes anywhere, CR, LF, CRLF, blank lines, an unclosed quote), the rows and
        /// their lines are csv_core's, but for a quote the input ends inside, which costs its first line.
        #[test]
        fn any_bytes_are_cut_as_csv_core_reads_them(
            input in proptest::collection::vec(prop::sample::select(b"ab ,;\t\"\"\r\n".to_vec()), 0..120),
            chunk in 1usize..20,
            delimiter in prop::sample::select(vec![b',', b';', b'\t']),
        ) {
            prop_assert_eq!(split_rows(&input, chunk, SMALL, delimiter), recovering_rows(&input, delimiter));
        }
    }

    #[test]
    fn rows_are_handed_on_as_soon_as_a_read_returns_them() {
        /// A live stream: one read's worth, then nothing more for now (a test failure if asked).
        struct Live(Option<&'static [u8]>);
        impl Read for Live {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let data = self
                    .0
                    .take()
                    .expect("read again before the rows in hand were handed on");
                buf[..data.len()].copy_from_slice(data);
                Ok(data.len())
            }
        }
        let mut rows = Rows::new(Live(Some(b"a,b\n1,\"2\n3\"\n4,5\n6,")), Limits::default());
        rows.max_rows = 1;
        let header = rows.next_block().expect("reads").expect("a block");
        assert_eq!(header.frames.len(), 1);
        rows.max_rows = 100;
        let block = rows.next_block().expect("reads").expect("a block");
        let lines: Vec<u64> = block.frames.iter().map(|f| f.line).collect();
        assert_eq!(lines, [2, 4], "the rows ended so far, not the one still open");
    }

    #[test]
    fn an_overlong_row_costs_its_first_line_and_its_bytes_are_not_kept() {
        let limits = Limits {
            max_record: 20,
            block: 4,
            ..SMALL
        };
        let mut input = b"a,b\n1,\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', 50));
        input.extend_from_slice(b"\n2,y\n3,\"unclosed\n4,z\n5,w\n6,v\n7,u\n");
        let mut rows = Rows::new(
            Chunked {
                data: &input,
                chunk: 3,
            },
            limits,
        );
        let mut got = Vec::new();
        while let Some(block) = rows.next_block().expect("reads") {
            assert!(
                block.bytes.len() <= limits.max_record + 2 * limits.block,
                "{} bytes kept",
                block.bytes.len()
            );
            for f in &block.frames {
                got.push((
                    f.line,
                    f.kind,
                    String::from_utf8_lossy(&block.bytes[f.start..f.end]).into_owned(),
                ));
            }
        }
        let want = [
            (1, FrameKind::Value, "a,b"),
            (2, FrameKind::TooBig, ""),
            (3, FrameKind::Value, "2,y"),
            (4, FrameKind::TooBig, ""),
            (5, FrameKind::Value, "4,z"),
            (6, FrameKind::Value, "5,w"),
            (7, FrameKind::Value, "6,v"),
            (8, FrameKind::Value, "7,u"),
        ];
        let want: Vec<(u64, FrameKind, String)> =
            want.iter().map(|&(l, k, s)| (l, k, s.to_owned())).collect();
        assert_eq!(got, want);
    }
}
