//! Reading inputs: opening them, deciding their shape from their content, and handing every record to a sink.

mod csv;
mod detect;
mod event;
mod json;
pub(crate) mod lines;
mod parallel;
mod siem;
pub(crate) mod text;

use anyhow::{anyhow, Context};
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::PathBuf;
use std::sync::Arc;

pub use detect::{detect, Shape};
pub(crate) use event::PROVISIONING_PREFIXES;

use crate::record::{EventKey, Record};

/// Where the records go. Its methods fail only when the run must stop (`--strict`, a closed stdout).
pub trait Sink {
    fn push(&mut self, record: Record) -> Result<(), Stop>;
    /// An event's record: a `Duplicate` instead if its key was already seen in this run.
    fn push_event(&mut self, key: Option<EventKey>, record: Record) -> Result<(), Stop>;
}

/// The sink asked to end the run; it keeps the reason.
#[derive(Debug)]
pub struct Stop;

/// Why reading one input ended early.
#[derive(Debug)]
pub enum ReadFail {
    /// The sink asked to stop the whole run.
    Stop,
    /// This input cannot be read; the others still can.
    Input(anyhow::Error),
}

impl From<Stop> for ReadFail {
    fn from(_: Stop) -> Self {
        ReadFail::Stop
    }
}

impl From<io::Error> for ReadFail {
    fn from(e: io::Error) -> Self {
        ReadFail::Input(e.into())
    }
}

impl From<anyhow::Error> for ReadFail {
    fn from(e: anyhow::Error) -> Self {
        ReadFail::Input(e)
    }
}

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

/// How much of an input is looked at to decide its shape.
const PEEK: usize = 64 << 10;

/// Reads one input to its end, pushing every record into `sink`.
pub fn read_input(spec: &InputSpec, format: InputFormat, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    let name = spec.name();
    match spec {
        InputSpec::Message(text) => read_stream(Cursor::new(text.as_slice()), &name, format, sink),
        InputSpec::Stdin => read_stream(io::stdin(), &name, format, sink),
        InputSpec::Path(path) => {
            if path.is_dir() {
                return Err(ReadFail::Input(anyhow!(
                    "{name} is a directory: name the files inside it instead (e.g. {}/*.json)",
                    name.trim_end_matches('/')
                )));
            }
            let file = File::open(path).map_err(|e| open_error(&name, e))?;
            read_stream(file, &name, format, sink)
        }
    }
}

/// Reads one page of System Log events (a JSON array, as the API sends it) named `name`.
pub(crate) fn read_page(page: &[u8], name: &Arc<str>, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    read_stream(Cursor::new(page), name, InputFormat::Json, sink)
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
    name: &Arc<str>,
    format: InputFormat,
    sink: &mut dyn Sink,
) -> Result<(), ReadFail> {
    let head = peek(&mut input).with_context(|| format!("cannot read {name}"))?;
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
    // A peek that came back short met the end: reading on would wait at a terminal for a second Ctrl-D.
    let at_end = head.len() < PEEK;
    let rest = Cursor::new(body.to_vec()).chain(input.take(if at_end { 0 } else { u64::MAX }));
    let result = match shape {
        Shape::Empty => Ok(()),
        Shape::Text => text::read(rest, name, sink),
        Shape::Ndjson => json::read_ndjson(rest, name, sink),
        Shape::JsonStream => json::read_stream(rest, name, sink),
        Shape::Csv => csv::read(rest, name, sink),
    };
    result.map_err(|e| match e {
        ReadFail::Input(err) => ReadFail::Input(err.context(format!("cannot read {name}"))),
        stop => stop,
    })
}

/// Reads up to `PEEK` bytes (fewer only at the end of the input).
fn peek(input: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(PEEK);
    input.by_ref().take(PEEK as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Bytes as text, invalid UTF-8 replaced. `String::from_utf8_lossy` walks its slow path even over valid
/// input; checking first costs a fraction of that.
pub(crate) fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Helpers for the readers' tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::parallel::{FrameKind, Splitter};
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
        split: fn(Chunked<'a>) -> S,
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
            let read = read_stream(terminal, &"-".into(), InputFormat::Auto, &mut sink);
            assert!(read.is_ok());
            assert_eq!(sink.0, 1);
        }
    }
}
