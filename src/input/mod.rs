//! Reading inputs: opening them, deciding their shape from their content, and handing every record to a sink.

mod decode;
mod open;
mod parallel;
mod read;
mod reading;
mod sink;
mod split;

use anyhow::anyhow;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::PathBuf;
use std::sync::Arc;

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

impl InputFormat {
    /// The shape `--input` names; `None` for `auto`, which the opener tells from the content.
    fn shape(self) -> Option<Shape> {
        match self {
            InputFormat::Auto => None,
            InputFormat::Text => Some(Shape::Text),
            InputFormat::Json => Some(Shape::JsonStream),
            InputFormat::Ndjson => Some(Shape::Ndjson),
            InputFormat::Csv => Some(Shape::Csv),
        }
    }
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
            open::read(Cursor::new(text.as_ref()), &reading, format.shape(), sink)
        }
        InputSpec::Stdin => {
            let reading = reading.of_regular_file(stdin_is_a_file());
            open::read(io::stdin(), &reading, format.shape(), sink)
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
            open::read(file, &reading, format.shape(), sink)
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
    open::read(Cursor::new(page), &reading, Some(Shape::JsonStream), sink)
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
