//! Reading inputs: opening them, deciding their shape from their content, and handing every record to a sink.

mod decode;
mod open;
mod parallel;
mod read;
mod reading;
mod sink;
mod split;

use anyhow::{anyhow, Context};
use memchr::memchr;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::PathBuf;
use std::sync::Arc;

use open::detect::{self, PEEK};
pub use open::detect::{detect, Shape};
pub use reading::Limits;
use reading::Reading;
pub use sink::{ReadFail, Sink, Stop};

/// How to read an input, from `--input`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    Auto,
    Text,
    Json,
    Ndjson,
    Csv,
}

/// One input named on the command line.
#[derive(Clone, Debug)]
pub enum InputSpec {
    Path(PathBuf),
    Stdin,
    /// Text given with `-m` (or bytes handed in by a test or fuzzer).
    Message(Vec<u8>),
}

impl InputSpec {
    /// The name findings and errors carry: the path, `-` for stdin, `--message` for `-m`.
    pub fn name(&self) -> Arc<str> {
        match self {
            InputSpec::Path(p) => p.display().to_string().into(),
            InputSpec::Stdin => "-".into(),
            InputSpec::Message(_) => "--message".into(),
        }
    }
}

/// How inputs are read: `--input`, the number of workers, and the limits.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    pub format: InputFormat,
    pub threads: usize,
    pub limits: Limits,
}

impl ReadOptions {
    /// `--input`, with the workers `PROVDIAG_THREADS` asks for (every core by default) and the default
    /// limits; an error if `PROVDIAG_THREADS` is not a positive number.
    pub fn new(format: InputFormat) -> anyhow::Result<Self> {
        Ok(Self {
            format,
            threads: parallel::threads()?,
            limits: Limits::default(),
        })
    }
}

/// Reads one input to its end, pushing every record into `sink`.
pub fn read_input(spec: &InputSpec, options: &ReadOptions, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    let reading = Reading {
        path: spec.name(),
        threads: options.threads,
        limits: options.limits,
        users_word: matches!(spec, InputSpec::Message(_)),
    };
    let name = &reading.path;
    let format = options.format;
    match spec {
        InputSpec::Message(text) => {
            let (text, format) = message_as_given(text, format);
            read_stream(Cursor::new(text.as_ref()), &reading, format, sink)
        }
        InputSpec::Stdin => {
            let reading = reading.of_regular_file(stdin_is_a_file());
            read_stream(io::stdin(), &reading, format, sink)
        }
        InputSpec::Path(path) => {
            if path.is_dir() {
                return Err(ReadFail::Input(anyhow!(
                    "{name} is a directory: name the files inside it instead (e.g. {}/*.json)",
                    name.trim_end_matches('/')
                )));
            }
            let file = File::open(path).map_err(|e| open_error(name, e))?;
            let reading = reading.of_regular_file(file.metadata().is_ok_and(|m| m.is_file()));
            read_stream(file, &reading, format, sink)
        }
    }
}

/// How `-m` text is read. A message is the user's word that something failed: unless it holds System Log
/// events (or `--input` says how to read it), it is read as text, a JSON body that is no event on one line,
/// so that an app's error object pasted whole is one failure, read by its anatomy.
fn message_as_given(text: &[u8], format: InputFormat) -> (std::borrow::Cow<'_, [u8]>, InputFormat) {
    if format != InputFormat::Auto {
        return (text.into(), format);
    }
    let holds_events = memchr::memmem::find(text, b"\"eventType\"").is_some()
        || memchr::memmem::find(text, b"\"outcome\"").is_some();
    if holds_events {
        return (text.into(), format);
    }
    match serde_json::from_slice::<serde_json::Value>(text) {
        Ok(v @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => {
            (v.to_string().into_bytes().into(), InputFormat::Text)
        }
        _ => (one_message_a_line(text).into(), InputFormat::Text),
    }
}

/// `-m` text with the lines of one message joined: a message copied over several lines (a detail under
/// its sentence, a body printed over lines) is one failure; a line that opens a Tasks sentence starts
/// another.
fn one_message_a_line(text: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let mut out = String::with_capacity(text.len());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let opens = line
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .get(..10)
            .is_some_and(|w| w.eq_ignore_ascii_case("automatic "));
        if !out.is_empty() {
            out.push(if opens { '\n' } else { ' ' });
        }
        out.push_str(line);
    }
    out.into_bytes()
}

/// True if standard input is a regular file (`provdiag < export.json`): nothing live to wait for.
fn stdin_is_a_file() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .map(File::from)
            .and_then(|f| f.metadata())
            .is_ok_and(|m| m.is_file())
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Reads one page of System Log events (a JSON array, as the API sends it) named `name`.
pub(crate) fn read_page(page: &[u8], name: &Arc<str>, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    let reading = Reading {
        path: name.clone(),
        // A bad PROVDIAG_THREADS is reported where the run starts; a page is read all the same.
        threads: parallel::threads().unwrap_or(1),
        limits: Limits::default(),
        users_word: false,
    };
    read_stream(Cursor::new(page), &reading, InputFormat::Json, sink)
}

/// Why a FILE cannot be opened; a missing one that reads like a message (it has spaces) was most likely
/// meant for `-m`.
fn open_error(name: &str, e: io::Error) -> ReadFail {
    let looks_like_message = e.kind() == io::ErrorKind::NotFound && name.trim().contains(char::is_whitespace);
    let err = if looks_like_message {
        anyhow!("{e}; to diagnose a message rather than a file, pass it with -m: provdiag -m \"…\"")
    } else {
        anyhow::Error::new(e)
    };
    ReadFail::Input(err.context(format!("cannot read {name}")))
}

fn read_stream(
    mut input: impl Read + Send,
    reading: &Reading,
    format: InputFormat,
    sink: &mut dyn Sink,
) -> Result<(), ReadFail> {
    let name = &reading.path;
    let (head, at_end) = peek(&mut input).with_context(|| format!("cannot read {name}"))?;
    let gzip = head.starts_with(GZIP);
    // Whatever was peeked is read again; past the end, nothing more is asked of the input.
    let input = Cursor::new(head).chain(input.take(if at_end { 0 } else { u64::MAX }));
    if gzip {
        // A `.gz` download or compressed stdin: read as what it holds (the name does not matter, the bytes do).
        return read_decoded(flate2::read::MultiGzDecoder::new(input), reading, format, sink);
    }
    read_decoded(input, reading, format, sink)
}

/// The magic number every gzip member starts with.
const GZIP: &[u8] = b"\x1f\x8b";

fn read_decoded(
    mut input: impl Read + Send,
    reading: &Reading,
    format: InputFormat,
    sink: &mut dyn Sink,
) -> Result<(), ReadFail> {
    let name = &reading.path;
    let (head, at_end) = peek(&mut input).with_context(|| format!("cannot read {name}"))?;
    if detect::utf16_bom(&head) {
        // What Windows PowerShell 5.1 writes with `>`: read as UTF-8, the byte-order mark dropped, any broken
        // pair of bytes made U+FFFD. One reader type for every such input, plain or gzip.
        let input = Cursor::new(head).chain(input.take(if at_end { 0 } else { u64::MAX }));
        // A buffer the size of a file's block: with the default 8 KiB, every block held 8 KiB, and a file
        // took five times as long as in UTF-8, mostly in waking the workers for each.
        let buffer = vec![0; reading.limits.for_file().block.max(4)];
        let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .strip_bom(true)
            .build_with_buffer(input, buffer)
            .map_err(|e| ReadFail::Input(anyhow!("{name}: {e}")))?;
        let mut utf8: Box<dyn Read + Send + '_> = Box::new(decoder);
        let (head, at_end) = peek(&mut utf8).with_context(|| format!("cannot read {name}"))?;
        return read_text(head, at_end, utf8, reading, format, sink);
    }
    read_text(head, at_end, input, reading, format, sink)
}

/// Reads an input as UTF-8 (or bytes), `head` its first bytes, already taken from `input`.
fn read_text(
    head: Vec<u8>,
    at_end: bool,
    mut input: impl Read + Send,
    reading: &Reading,
    format: InputFormat,
    sink: &mut dyn Sink,
) -> Result<(), ReadFail> {
    let name = &reading.path;
    let (head, at_end) =
        past_the_preamble(head, at_end, &mut input).with_context(|| format!("cannot read {name}"))?;
    let body = strip_bom(&head);
    let shape = match format {
        InputFormat::Auto => detect(body),
        InputFormat::Text => Shape::Text,
        InputFormat::Json => Shape::JsonStream,
        InputFormat::Ndjson => Shape::Ndjson,
        InputFormat::Csv => Shape::Csv,
    };
    if let Some(why) = detect::refuse(body) {
        return Err(ReadFail::Input(anyhow!("{name}: {why}")));
    }
    if at_end && !reading.users_word {
        if let Some(error) = decode::json::api_error(body) {
            return Err(ReadFail::Input(anyhow!("{name}: {error}")));
        }
    }
    // A peek that met the end says so: reading on would wait at a terminal for a second Ctrl-D.
    let rest = Cursor::new(body.to_vec()).chain(input.take(if at_end { 0 } else { u64::MAX }));
    let rest = NoNul {
        inner: rest,
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
        if split::read_more(input, &mut head, 16 << 10)? == 0 {
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
        if split::read_more(input, &mut head, want)? == 0 {
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

/// The JSON framer's cut of `bytes`, read `read_size` bytes at a time with blocks of at most `max_lines`
/// frames: (line, bytes) of each frame, the bytes `None` for a frame that is not a value. For the
/// differential fuzz target (fuzz/fuzz_targets/framer.rs), which holds it to serde_json.
#[doc(hidden)]
pub fn frame_json(bytes: &[u8], read_size: usize, max_lines: usize) -> Vec<(u64, Option<Vec<u8>>)> {
    struct Sized<'a>(&'a [u8], usize);
    impl Read for Sized<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let limits = Limits {
        block: read_size.max(1),
        max_lines: max_lines.max(1),
        ..Limits::default()
    };
    let mut framer = split::json::Framer::new(Sized(bytes, read_size.max(1)), limits);
    let mut out = Vec::new();
    while let Ok(Some(b)) = split::Splitter::next_block(&mut framer) {
        for f in &b.frames {
            let value = (f.kind == split::FrameKind::Value).then(|| b.bytes[f.start..f.end].to_vec());
            out.push((f.line, value));
        }
    }
    out
}

/// Helpers for the readers' tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::split::{FrameKind, Splitter};
    /// A reader that hands out at most `chunk` bytes a call, to put read edges everywhere.
    pub struct Chunked<'a> {
        pub data: &'a [u8],
        pub chunk: usize,
    }

    impl std::io::Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.chunk.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// Every frame a splitter cuts: (line, kind, bytes).
    pub fn frames(mut splitter: impl Splitter) -> Vec<(u64, FrameKind, String)> {
        let mut out = Vec::new();
        while let Some(block) = splitter.next_block().expect("reads") {
            for f in &block.frames {
                out.push((
                    f.line,
                    f.kind,
                    String::from_utf8_lossy(&block.bytes[f.start..f.end]).into_owned(),
                ));
            }
        }
        out
    }

    /// Asserts that `split` frames `input` as `want` whatever the size of the reads.
    pub fn at_every_read_size<'a, S: Splitter>(
        input: &'a [u8],
        want: &[(u64, FrameKind, String)],
        split: impl Fn(Chunked<'a>) -> S,
    ) {
        for chunk in 1..=input.len() {
            assert_eq!(
                frames(split(Chunked { data: input, chunk })),
                want,
                "reads of {chunk} bytes"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
            let read = read_stream(terminal, &reading, InputFormat::Auto, &mut sink);
            assert!(read.is_ok());
            assert_eq!(sink.0, 1);
        }
    }
}
