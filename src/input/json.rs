//! System Log events as JSON: NDJSON (one event per line) and JSON streams (API pages, pretty-printed events,
//! concatenated pages, event hook deliveries). Every event becomes one record.

use memchr::{memchr2, memchr_iter};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::Arc;

use super::event::{is_failure, non_empty, FailedEvent, TargetRef};
use super::lines::{LineReader, MAX_RECORD};
use super::{ReadFail, Sink, Stop};
use crate::record::{InputError, Record, Source};

/// The fields every event is read for: enough to count it, dedupe it and tell whether it failed.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow, default)]
    uuid: Option<Cow<'a, str>>,
    #[serde(rename = "eventType", borrow, default)]
    event_type: Option<Cow<'a, str>>,
    #[serde(rename = "legacyEventType", borrow, default)]
    legacy_event_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    outcome: Option<Outcome<'a>>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Outcome<'a> {
    #[serde(borrow, default)]
    result: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    reason: Option<Cow<'a, str>>,
}

/// What a failed event is read for on top of its head.
#[derive(Deserialize)]
struct Detail<'a> {
    #[serde(borrow, default)]
    published: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    target: Option<Vec<Target<'a>>>,
    #[serde(rename = "debugContext", default)]
    debug_context: Option<DebugContext>,
}

#[derive(Deserialize)]
struct Target<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(rename = "alternateId", borrow, default)]
    alternate_id: Option<Cow<'a, str>>,
    #[serde(rename = "displayName", borrow, default)]
    display_name: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct DebugContext {
    #[serde(rename = "debugData", default)]
    debug_data: Option<HashMap<String, serde_json::Value>>,
}

/// An event hook delivery's payload.
#[derive(Deserialize)]
struct HookData<'a> {
    #[serde(borrow)]
    events: Vec<&'a RawValue>,
}

/// Reads one event per line.
pub fn read_ndjson(input: impl Read, path: &Arc<str>, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    let mut lines = LineReader::new(input);
    while let Some(line) = lines.next_line()? {
        let source = Source {
            path: path.clone(),
            line: line.number,
        };
        if line.overlong {
            sink.push(too_big(source))?;
        } else if !line.bytes.trim_ascii().is_empty() {
            event_records(line.bytes, source, sink)?;
        }
    }
    Ok(())
}

/// Reads a stream of JSON values: arrays of events, single events, event hook deliveries, in any layout.
pub fn read_stream(input: impl Read, path: &Arc<str>, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    let mut framer = Framer::new(input);
    while let Some(frame) = framer.next_frame()? {
        let source = Source {
            path: path.clone(),
            line: frame.line,
        };
        match frame.kind {
            FrameKind::Value => event_records(framer.value(), source, sink)?,
            FrameKind::Garbage => sink.push(malformed(source, "not a JSON object".into()))?,
            FrameKind::CutOff => sink.push(malformed(
                source,
                "event cut off: the input ends inside it".into(),
            ))?,
            FrameKind::TooBig => sink.push(too_big(source))?,
        }
    }
    Ok(())
}

fn too_big(source: Source) -> Record {
    malformed(
        source,
        format!("record longer than {} MiB, skipped", MAX_RECORD >> 20),
    )
}

fn malformed(source: Source, message: String) -> Record {
    Record::Malformed(InputError { source, message })
}

/// Turns one JSON value (an event, or an event hook delivery) into its records.
pub fn event_records(bytes: &[u8], source: Source, sink: &mut dyn Sink) -> Result<(), Stop> {
    if nested_too_deep(bytes) {
        let message = format!("nested deeper than {MAX_DEPTH} levels: not a System Log event");
        return sink.push(malformed(source, message));
    }
    let text = String::from_utf8_lossy(bytes);
    match serde_json::from_str::<Head>(&text) {
        Err(e) => sink.push(malformed(source.clone(), describe(&e, &text, source.line))),
        Ok(head) => match hook_events(&head) {
            Some(events) => {
                for raw in events {
                    let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
                    let line = source.line + memchr_iter(b'\n', &text.as_bytes()[..offset]).count() as u64;
                    let inner = Source {
                        path: source.path.clone(),
                        line,
                    };
                    event_records(raw.get().as_bytes(), inner, sink)?;
                }
                Ok(())
            }
            None => {
                let record = classify(head, &text, source, sink);
                sink.push(record)
            }
        },
    }
}

/// serde_json's own limit for values it builds; it skips deeper values in unknown fields without one.
const MAX_DEPTH: usize = 128;

/// True if brackets nest deeper than `MAX_DEPTH` outside strings. Real events hold a few dozen brackets,
/// so the exact scan runs only behind a cheap count.
fn nested_too_deep(bytes: &[u8]) -> bool {
    if bytes.iter().filter(|&&b| b == b'{' || b == b'[').count() <= MAX_DEPTH {
        return false;
    }
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    for &b in bytes {
        match (in_str, b) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') => in_str = false,
            (true, _) => {}
            (false, b'"') => in_str = true,
            (false, b'{' | b'[') => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return true;
                }
            }
            (false, b'}' | b']') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The events of an event hook delivery, if `head` is one.
fn hook_events<'a>(head: &Head<'a>) -> Option<Vec<&'a RawValue>> {
    let data = head.data?;
    let is_hook = head
        .event_type
        .as_deref()
        .is_some_and(|t| t.starts_with("com.okta.event_hook"));
    let parsed = serde_json::from_str::<HookData>(data.get());
    match parsed {
        Ok(d) => Some(d.events),
        Err(_) if is_hook => Some(Vec::new()),
        Err(_) => None,
    }
}

fn classify(head: Head<'_>, text: &str, source: Source, sink: &mut dyn Sink) -> Record {
    if let Some(uuid) = head.uuid.as_deref() {
        if !sink.first_sighting(uuid) {
            return Record::Duplicate;
        }
    }
    let event_type = head.event_type.as_deref().or(head.legacy_event_type.as_deref());
    let outcome = head.outcome.as_ref();
    if !is_failure(outcome.and_then(|o| o.result.as_deref()), event_type) {
        return Record::Ignored;
    }
    let detail = match serde_json::from_str::<Detail>(text) {
        Ok(d) => d,
        Err(e) => return malformed(source.clone(), describe(&e, text, source.line)),
    };
    let targets: Vec<TargetRef> = detail
        .target
        .iter()
        .flatten()
        .map(|t| TargetRef {
            kind: t.kind.as_deref(),
            alternate_id: t.alternate_id.as_deref(),
            display_name: t.display_name.as_deref(),
        })
        .collect();
    let app_hint = debug_app(detail.debug_context.as_ref());
    let event = FailedEvent {
        uuid: head.uuid.as_deref(),
        event_type,
        reason: outcome.and_then(|o| o.reason.as_deref()),
        published: detail.published.as_deref(),
        targets: &targets,
        app_hint: app_hint.as_deref(),
    };
    Record::Failure(event.finding(source))
}

/// `debugContext.debugData.appname`, whatever the key's case (releases differ).
fn debug_app(debug: Option<&DebugContext>) -> Option<String> {
    let data = debug?.debug_data.as_ref()?;
    data.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("appname"))
        .and_then(|(_, v)| non_empty(v.as_str()))
}

/// A message for a JSON error in our own words: serde's text can quote the data, which may hold names.
fn describe(e: &serde_json::Error, text: &str, first_line: u64) -> String {
    use serde_json::error::Category;
    let line = first_line + e.line().saturating_sub(1) as u64;
    let first = text.trim_start().as_bytes().first().copied();
    match e.classify() {
        Category::Eof => "event cut off: the JSON ends inside it".to_owned(),
        Category::Data if first != Some(b'{') => "not a JSON object".to_owned(),
        Category::Data => format!(
            "not a System Log event: a field has the wrong type (line {line}, column {})",
            e.column()
        ),
        Category::Syntax | Category::Io => {
            format!("invalid JSON at line {line}, column {}", e.column())
        }
    }
}

/// Cuts a byte stream into top-level JSON values without parsing them, so that one broken value costs only
/// itself. Array brackets at the top level are looked through: the elements are the frames.
struct Framer<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Line number of `buf[start]`.
    line: u64,
    in_array: bool,
    /// Where the last value framed lies in `buf`.
    value: (usize, usize),
}

struct Frame {
    line: u64,
    kind: FrameKind,
}

enum FrameKind {
    Value,
    Garbage,
    CutOff,
    TooBig,
}

/// Where a scan of a value stands, so that it can resume after a refill.
#[derive(Default)]
struct Scan {
    pos: usize,
    depth: usize,
    in_str: bool,
}

const READ_SIZE: usize = 256 << 10;

impl<R: Read> Framer<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            buf: vec![0; READ_SIZE],
            start: 0,
            end: 0,
            eof: false,
            line: 1,
            in_array: false,
            value: (0, 0),
        }
    }

    fn value(&self) -> &[u8] {
        &self.buf[self.value.0..self.value.1]
    }

    fn next_frame(&mut self) -> io::Result<Option<Frame>> {
        loop {
            if self.start == self.end {
                if self.eof {
                    return Ok(None);
                }
                self.fill()?;
                continue;
            }
            let b = self.buf[self.start];
            match b {
                b'\n' => {
                    self.line += 1;
                    self.start += 1;
                }
                b' ' | b'\t' | b'\r' | b',' => self.start += 1,
                b'[' if !self.in_array => {
                    self.in_array = true;
                    self.start += 1;
                }
                b']' if self.in_array => {
                    self.in_array = false;
                    self.start += 1;
                }
                b'{' | b'[' => return self.frame_value().map(Some),
                _ => return self.skip_garbage().map(Some),
            }
        }
    }

    /// Frames the value starting at `start`, reading more as needed.
    fn frame_value(&mut self) -> io::Result<Frame> {
        let line = self.line;
        let mut scan = Scan::default();
        let mut discarded = false;
        loop {
            if let Some(len) = scan_value(&self.buf[self.start..self.end], &mut scan) {
                let (s, e) = (self.start, self.start + len);
                self.line += memchr_iter(b'\n', &self.buf[s..e]).count() as u64;
                self.start = e;
                self.value = (s, e);
                let kind = if discarded {
                    FrameKind::TooBig
                } else {
                    FrameKind::Value
                };
                return Ok(Frame { line, kind });
            }
            if self.eof {
                self.line += memchr_iter(b'\n', &self.buf[self.start..self.end]).count() as u64;
                self.start = self.end;
                let kind = if discarded {
                    FrameKind::TooBig
                } else {
                    FrameKind::CutOff
                };
                return Ok(Frame { line, kind });
            }
            if self.end - self.start >= MAX_RECORD {
                // Too big to keep: drop what was scanned, keep scanning for the end.
                discarded = true;
                let keep = scan.pos.min(self.end - self.start);
                self.line += memchr_iter(b'\n', &self.buf[self.start..self.start + keep]).count() as u64;
                self.start += keep;
                scan.pos -= keep;
            }
            self.fill()?;
        }
    }

    /// Skips what cannot start a value: up to the end of the line, or the next element of an array.
    fn skip_garbage(&mut self) -> io::Result<Frame> {
        let line = self.line;
        loop {
            let stop = |b: &u8| *b == b'\n' || (self.in_array && (*b == b',' || *b == b']'));
            if let Some(i) = self.buf[self.start..self.end].iter().position(stop) {
                self.start += i;
                return Ok(Frame {
                    line,
                    kind: FrameKind::Garbage,
                });
            }
            self.start = self.end;
            if self.eof {
                return Ok(Frame {
                    line,
                    kind: FrameKind::Garbage,
                });
            }
            self.fill()?;
        }
    }

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
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            return Ok(());
        }
    }
}

/// Scans `bytes` (which start with `{` or `[`) from `scan.pos`; the length of the value once it closes.
fn scan_value(bytes: &[u8], scan: &mut Scan) -> Option<usize> {
    let mut i = scan.pos;
    while i < bytes.len() {
        if scan.in_str {
            match memchr2(b'"', b'\\', &bytes[i..]) {
                None => i = bytes.len(),
                Some(k) if bytes[i + k] == b'\\' => i += k + 2,
                Some(k) => {
                    scan.in_str = false;
                    i += k + 1;
                }
            }
            continue;
        }
        match bytes[i] {
            b'"' => scan.in_str = true,
            b'{' | b'[' => scan.depth += 1,
            b'}' | b']' => {
                scan.depth = scan.depth.saturating_sub(1);
                if scan.depth == 0 {
                    scan.pos = i + 1;
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    scan.pos = i;
    None
}
