//! Opening an input: what its first bytes say it is (gzip, UTF-16, an HTTP head or blank space before the
//! records, binary, and the shape of its records), and the reader of that shape.

pub mod detect;

use anyhow::{anyhow, Context};
use memchr::memchr;
use std::io::{self, Cursor, Read};

use crate::input::read;
use crate::input::reading::Reading;
use crate::input::sink::{ReadFail, Sink};
use crate::input::split::read_more;
use detect::{detect, Shape, PEEK};

/// Reads one input: opens it (`open`), then hands it to the reader of its shape, `shape` if `--input` named one.
pub fn read(
    input: impl Read + Send,
    reading: &Reading,
    shape: Option<Shape>,
    sink: &mut dyn Sink,
) -> Result<(), ReadFail> {
    let name = &reading.path;
    let mut peeked = open(input, reading)?;
    let bom = peeked.head.len() - strip_bom(&peeked.head).len();
    peeked.head.drain(..bom);
    let body = &peeked.head;
    let shape = shape.unwrap_or_else(|| detect(body));
    if let Some(why) = detect::refuse(body) {
        return Err(ReadFail::Input(anyhow!("{name}: {why}")));
    }
    if peeked.at_end && !reading.users_word {
        if let Some(error) = crate::input::decode::json::api_error(body) {
            return Err(ReadFail::Input(anyhow!("{name}: {error}")));
        }
    }
    let rest = NoNul {
        inner: peeked.whole(),
        at: 0,
        nul: None,
    };
    let result = match shape {
        Shape::Empty => Ok(()),
        Shape::Text => read::text::read(rest, reading, sink),
        Shape::Ndjson => read::ndjson::read(rest, reading, sink),
        Shape::JsonStream => read::json::read(rest, reading, sink),
        Shape::Csv => read::csv::read(rest, reading, sink),
    };
    result.map_err(|e| match e {
        ReadFail::Input(err) => ReadFail::Input(err.context(format!("cannot read {name}"))),
        stop => stop,
    })
}

/// The magic number every gzip member starts with.
const GZIP: &[u8] = b"\x1f\x8b";

/// An input with its first bytes read ahead: `head`, then the rest of the input (nothing more once `at_end`).
struct Peeked<'a> {
    head: Vec<u8>,
    at_end: bool,
    rest: Box<dyn Read + Send + 'a>,
}

impl<'a> Peeked<'a> {
    /// Reads the first bytes of `input` (`peek`).
    fn new(mut input: impl Read + Send + 'a) -> io::Result<Self> {
        let (head, at_end) = peek(&mut input)?;
        Ok(Self {
            head,
            at_end,
            rest: Box::new(input),
        })
    }

    /// The input again from its start: what was peeked, then the rest. A peek that met the end says so, and
    /// nothing more is asked of the input: reading on would wait at a terminal for a second Ctrl-D.
    fn whole(self) -> impl Read + Send + 'a {
        let more = if self.at_end { 0 } else { u64::MAX };
        Cursor::new(self.head).chain(self.rest.take(more))
    }
}

/// Opens an input: one peek at its first bytes, and one more for each layer it is wrapped in, each layer
/// unwrapped once: gzip (a `.gz` download or compressed stdin, read as what it holds: the bytes decide, not
/// the name), then UTF-16 with a byte-order mark; then what comes before the records (`past_the_preamble`).
/// The head it returns is where the shape, a binary input and an API error are told from.
fn open<'a>(input: impl Read + Send + 'a, reading: &Reading) -> Result<Peeked<'a>, ReadFail> {
    let name = &reading.path;
    let cannot = || format!("cannot read {name}");
    let mut peeked = Peeked::new(input).with_context(cannot)?;
    if peeked.head.starts_with(GZIP) {
        peeked = Peeked::new(flate2::read::MultiGzDecoder::new(peeked.whole())).with_context(cannot)?;
    }
    if detect::utf16_bom(&peeked.head) {
        // What Windows PowerShell 5.1 writes with `>`: read as UTF-8, the byte-order mark dropped, any broken
        // pair of bytes made U+FFFD. One reader type for every such input, plain or gzip.
        // A buffer the size of a file's block: with the default 8 KiB, every block held 8 KiB, and a file
        // took five times as long as in UTF-8, mostly in waking the workers for each.
        let buffer = vec![0; reading.limits.for_file().block.max(4)];
        let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .strip_bom(true)
            .build_with_buffer(peeked.whole(), buffer)
            .map_err(|e| ReadFail::Input(anyhow!("{name}: {e}")))?;
        peeked = Peeked::new(decoder).with_context(cannot)?;
    }
    let (head, at_end) =
        past_the_preamble(peeked.head, peeked.at_end, &mut peeked.rest).with_context(cannot)?;
    Ok(Peeked {
        head,
        at_end,
        rest: peeked.rest,
    })
}

/// The first bytes of an input again, with what comes before its records turned into blank lines (so that
/// every record keeps its line number): an HTTP response head (`curl -i` prints the head, then the body), and
/// blank space of any length (the first `PEEK` bytes blank is no reason to stop reading). Reads on until the
/// records' shape can be told.
fn past_the_preamble(
    mut head: Vec<u8>,
    mut at_end: bool,
    input: &mut impl Read,
) -> io::Result<(Vec<u8>, bool)> {
    loop {
        let bom = head.len() - strip_bom(&head).len();
        let start = bom + head[bom..].iter().take_while(|b| b.is_ascii_whitespace()).count();
        let rest = &head[start..];
        let blanks = || -> Vec<u8> {
            let mut kept = head[..bom].to_vec();
            kept.resize(bom + memchr::memchr_iter(b'\n', &head[bom..start]).count(), b'\n');
            kept
        };
        if rest.is_empty() {
            if at_end {
                return Ok((head, true));
            }
            // Blank so far: keep only its line breaks, and read on.
            head = blanks();
        } else if let Some(end) = http_head_end(rest) {
            let lines = memchr::memchr_iter(b'\n', &rest[..end]).count();
            let mut kept = blanks();
            kept.resize(kept.len() + lines, b'\n');
            kept.extend_from_slice(&rest[end..]);
            head = kept;
            continue;
        } else if at_end || detect::shape_known(rest) || rest.len() >= PEEK {
            return Ok((head, at_end));
        }
        if read_more(input, &mut head, 16 << 10)? == 0 {
            at_end = true;
        }
    }
}

/// Where an HTTP response head at the start of `bytes` ends (after its blank line), if `bytes` starts with
/// one (`HTTP/1.1 200 OK`, `HTTP/2 200`) and holds all of it.
fn http_head_end(bytes: &[u8]) -> Option<usize> {
    let status = bytes.strip_prefix(b"HTTP/")?;
    if !status.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let crlf = memchr::memmem::find(bytes, b"\r\n\r\n").map(|i| i + 4);
    let lf = memchr::memmem::find(bytes, b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Reads the first bytes of an input: as few as tell its shape (a live stream is not held back waiting for
/// more), at most `PEEK`. True if that met the end of the input.
fn peek(input: &mut impl Read) -> io::Result<(Vec<u8>, bool)> {
    let mut head = Vec::with_capacity(4096);
    while head.len() < PEEK && !detect::shape_known(&head) {
        let want = (PEEK - head.len()).min(16 << 10);
        if read_more(input, &mut head, want)? == 0 {
            return Ok((head, true));
        }
    }
    Ok((head, false))
}

/// A NUL byte anywhere means binary: the input stops being read there, with an error that says so (the
/// first bytes are checked before reading starts, by `detect::refuse`). The bytes before it are handed on,
/// so that the records before it are kept.
struct NoNul<R> {
    inner: R,
    /// How many bytes came before this read.
    at: u64,
    /// Where a NUL byte was met, once one was.
    nul: Option<u64>,
}

impl<R: Read> Read for NoNul<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(offset) = self.nul {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("binary input (a NUL byte at byte {offset}): the rest is skipped"),
            ));
        }
        let mut n = self.inner.read(buf)?;
        if let Some(i) = memchr(0, &buf[..n]) {
            self.nul = Some(self.at + i as u64);
            n = i;
            if n == 0 {
                return self.read(buf);
            }
        }
        self.at += n as u64;
        Ok(n)
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::sink::Stop;
    use crate::input::Limits;
    use crate::record::{EventKey, Record};

    /// Like a terminal: after the end of a paste (Ctrl-D), a further read would wait for more.
    struct Terminal {
        paste: Option<&'static [u8]>,
        ended: bool,
    }

    impl Read for Terminal {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            assert!(
                !self.ended,
                "read again after the end of the paste: a terminal would hang here"
            );
            match self.paste.take() {
                Some(p) => {
                    buf[..p.len()].copy_from_slice(p);
                    Ok(p.len())
                }
                None => {
                    self.ended = true;
                    Ok(0)
                }
            }
        }
    }

    #[derive(Default)]
    struct Count(usize);

    impl Sink for Count {
        fn push(&mut self, _: Record) -> Result<(), Stop> {
            self.0 += 1;
            Ok(())
        }
        fn push_event(&mut self, _: Option<EventKey>, _: Record) -> Result<(), Stop> {
            self.0 += 1;
            Ok(())
        }
    }

    #[test]
    fn an_http_head_is_found_whole_and_only_at_the_start() {
        assert_eq!(http_head_end(b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n[]"), Some(25));
        assert_eq!(http_head_end(b"HTTP/2 200\nlink: <x>\n\n[]"), Some(22));
        assert_eq!(
            http_head_end(b"HTTP/1.1 200 OK\r\nA: b\r\n"),
            None,
            "not all of it yet"
        );
        assert_eq!(http_head_end(b"HTTP/ x\n\n"), None);
        assert_eq!(http_head_end(b"[]\nHTTP/1.1 200 OK\n\n"), None);
    }

    #[test]
    fn one_end_of_input_is_enough() {
        for paste in [
            &b"Automatic provisioning of user A to app B failed: x\n"[..],
            b"{\"uuid\":\"a\"}\n",
        ] {
            let mut sink = Count::default();
            let terminal = Terminal {
                paste: Some(paste),
                ended: false,
            };
            let reading = Reading {
                path: "-".into(),
                threads: 1,
                limits: Limits::default(),
                users_word: false,
            };
            let read = read(terminal, &reading, None, &mut sink);
            assert!(read.is_ok());
            assert_eq!(sink.0, 1);
        }
    }
}
