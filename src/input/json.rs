//! System Log events as JSON: NDJSON (one event per line) and JSON streams (API pages, pretty-printed events,
//! concatenated pages, event hook deliveries). Every event becomes one record. Splitting the input into
//! records is cheap and sequential; parsing them runs on every core (see `parallel`).

use memchr::{memchr, memchr2_iter, memchr3, memchr_iter, memrchr};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::Arc;

use super::event::{self, non_empty, Event, TargetRef};
use super::lines::{read_more, Lines, MAX_RECORD};
use super::parallel::{self, Block, Frame, FrameKind, Splitter};
use super::siem::{self, Row};
use super::{ReadFail, Sink};
use crate::record::{EventKey, InputError, Parsed, Record, Source};

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
    outcome: Option<OutcomeFields<'a>>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct OutcomeFields<'a> {
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
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
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
pub fn read_ndjson(input: impl Read + Send, path: &Arc<str>, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    parallel::run(Lines::new(input), parse_block, path, parallel::threads(), sink)
}

/// Reads a stream of JSON values: arrays of events, single events, event hook deliveries, in any layout.
pub fn read_stream(input: impl Read + Send, path: &Arc<str>, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    parallel::run(Framer::new(input), parse_block, path, parallel::threads(), sink)
}

/// The records of one block: runs on a worker.
fn parse_block(block: &Block, path: &Arc<str>) -> Vec<Parsed> {
    let mut out = Vec::with_capacity(block.frames.len());
    // One source for the block, its line moved along: most events are ignored, and cloning the path for
    // each would have every worker contend for its reference count.
    let mut source = Source {
        path: path.clone(),
        line: 0,
    };
    for frame in &block.frames {
        match parallel::broken_frame(frame, path) {
            Some(record) => out.push(Parsed { key: None, record }),
            None => {
                source.line = frame.line;
                parse_value(&block.bytes[frame.start..frame.end], &source, &mut out);
            }
        }
    }
    out
}

/// Turns one JSON value (an event, an event hook delivery, or a SIEM's row) into its records.
pub(super) fn parse_value(bytes: &[u8], source: &Source, out: &mut Vec<Parsed>) {
    if nested_too_deep(bytes) {
        let message = format!("nested deeper than {MAX_DEPTH} levels: not a System Log event");
        return out.push(malformed(source.clone(), message));
    }
    // serde_json checks UTF-8 inside strings as it parses; only a record that fails is looked at again,
    // decoded lossily, so that bad bytes in one name do not cost the event.
    let first_error = match serde_json::from_slice::<Head>(bytes) {
        Ok(head) => return records_of(head, bytes, source, out),
        Err(e) => e,
    };
    if std::str::from_utf8(bytes).is_err() {
        let text = String::from_utf8_lossy(bytes);
        match serde_json::from_str::<Head>(&text) {
            Ok(head) => records_of(head, text.as_bytes(), source, out),
            Err(e) => out.push(malformed(
                source.clone(),
                describe(&e, text.as_bytes(), source.line),
            )),
        }
    } else {
        out.push(malformed(
            source.clone(),
            describe(&first_error, bytes, source.line),
        ));
    }
}

fn records_of(head: Head<'_>, bytes: &[u8], source: &Source, out: &mut Vec<Parsed>) {
    let Some(events) = hook_events(&head) else {
        // Every LogEvent has an `outcome`; an object without one may be a SIEM's row, and is looked at
        // again there. Okta's own events never take that slower path.
        if head.outcome.is_none() {
            return siem_records(bytes, source, out);
        }
        let key = head.uuid.as_deref().and_then(EventKey::new);
        let record = classify(&head, bytes, source);
        return out.push(Parsed { key, record });
    };
    for raw in events {
        parse_value(raw.get().as_bytes(), &inner_source(raw, bytes, source), out);
    }
}

/// Where a value nested in `outer` (which starts at `source`) starts.
fn inner_source(inner: &RawValue, outer: &[u8], source: &Source) -> Source {
    let offset = (inner.get().as_ptr() as usize).saturating_sub(outer.as_ptr() as usize);
    let before = &outer[..offset.min(outer.len())];
    Source {
        path: source.path.clone(),
        line: source.line + memchr_iter(b'\n', before).count() as u64,
    }
}

/// The records of an object that is not a LogEvent: what a SIEM wrapped events in, or made of them.
fn siem_records(bytes: &[u8], source: &Source, out: &mut Vec<Parsed>) {
    let text = super::lossy(bytes);
    match siem::row(&text) {
        Err(e) => out.push(malformed(
            source.clone(),
            describe(&e, text.as_bytes(), source.line),
        )),
        Ok(Row::Nothing) => {}
        Ok(Row::Raw(raw)) => parse_raw(&raw, source, out),
        Ok(Row::Nested(values)) => {
            for value in values {
                let at = inner_source(value, text.as_bytes(), source);
                parse_value(value.get().as_bytes(), &at, out);
            }
        }
        Ok(Row::Fields(map)) => out.push(siem::fields_record(&map, source)),
    }
}

/// The records of an event as a SIEM indexed it (Splunk's `_raw`): JSON is read as an event, anything
/// else as a line of text, so that a Tasks sentence in it is still a failure.
pub(super) fn parse_raw(raw: &str, source: &Source, out: &mut Vec<Parsed>) {
    if raw.trim_start().starts_with('{') {
        parse_value(raw.trim().as_bytes(), source, out);
    } else {
        let record = super::text::line_record(raw, source.clone());
        out.push(Parsed { key: None, record });
    }
}

fn malformed(source: Source, message: String) -> Parsed {
    Parsed {
        key: None,
        record: Record::Malformed(InputError { source, message }),
    }
}

/// serde_json's own limit for values it builds; it skips deeper values in unknown fields without one.
const MAX_DEPTH: usize = 128;

/// True if brackets nest deeper than `MAX_DEPTH` outside strings. Real events hold a few dozen brackets,
/// so the exact scan runs only behind a count of opening brackets.
fn nested_too_deep(bytes: &[u8]) -> bool {
    if opening_brackets(bytes) <= MAX_DEPTH {
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

/// The number of `{` and `[` bytes. Counted in runs short enough for a byte-wide sum, which the compiler
/// vectorizes: faster than searching for each bracket, which a real event holds dozens of.
fn opening_brackets(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        // `[` is `{` without bit 5, and no other byte ORs to `{`.
        .map(|run| run.iter().map(|&b| u8::from(b | 0x20 == b'{')).sum::<u8>() as usize)
        .sum()
}

/// The events of an event hook delivery, if `head` is one.
fn hook_events<'a>(head: &Head<'a>) -> Option<Vec<&'a RawValue>> {
    let data = head.data?;
    let is_hook = head
        .event_type
        .as_deref()
        .is_some_and(|t| t.starts_with("com.okta.event_hook"));
    match serde_json::from_str::<HookData>(data.get()) {
        Ok(d) => Some(d.events),
        Err(_) if is_hook => Some(Vec::new()),
        Err(_) => None,
    }
}

fn classify(head: &Head<'_>, bytes: &[u8], source: &Source) -> Record {
    let event_type = head.event_type.as_deref().or(head.legacy_event_type.as_deref());
    let head_outcome = head.outcome.as_ref();
    let kind = event::outcome(head_outcome.and_then(|o| o.result.as_deref()), event_type);
    if kind == event::Outcome::Other {
        return Record::Ignored;
    }
    // The head parse skipped most strings unchecked; bad UTF-8 in a name shows up here, and is decoded lossily.
    let lossy;
    let detail = match serde_json::from_slice::<Detail>(bytes) {
        Ok(d) => d,
        Err(_) if std::str::from_utf8(bytes).is_err() => {
            lossy = String::from_utf8_lossy(bytes);
            match serde_json::from_str::<Detail>(&lossy) {
                Ok(d) => d,
                Err(e) => return malformed(source.clone(), describe(&e, bytes, source.line)).record,
            }
        }
        Err(e) => return malformed(source.clone(), describe(&e, bytes, source.line)).record,
    };
    let targets: Vec<TargetRef> = detail
        .target
        .iter()
        .flatten()
        .map(|t| TargetRef {
            id: t.id.as_deref(),
            kind: t.kind.as_deref(),
            alternate_id: t.alternate_id.as_deref(),
            display_name: t.display_name.as_deref(),
        })
        .collect();
    let app_hint = debug_app(detail.debug_context.as_ref());
    let event = Event {
        outcome: kind,
        uuid: head.uuid.as_deref(),
        event_type,
        reason: head_outcome.and_then(|o| o.reason.as_deref()),
        published: detail.published.as_deref(),
        targets: &targets,
        app_hint: app_hint.as_deref(),
    };
    event.record(source.clone())
}

/// `debugContext.debugData.appname`, whatever the key's case (releases differ).
fn debug_app(debug: Option<&DebugContext>) -> Option<String> {
    let data = debug?.debug_data.as_ref()?;
    data.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("appname"))
        .and_then(|(_, v)| non_empty(v.as_str()))
}

/// A message for a JSON error in our own words: serde's text can quote the data, which may hold names.
fn describe(e: &serde_json::Error, bytes: &[u8], first_line: u64) -> String {
    use serde_json::error::Category;
    let line = first_line + e.line().saturating_sub(1) as u64;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    match e.classify() {
        Category::Eof => "event cut off: the JSON ends inside it".to_owned(),
        Category::Data if first != Some(b'{') => "not a JSON object".to_owned(),
        Category::Data => {
            format!(
                "not a System Log event: a field has the wrong type (line {line}, column {})",
                e.column()
            )
        }
        Category::Syntax | Category::Io => format!("invalid JSON at line {line}, column {}", e.column()),
    }
}

/// Cuts a byte stream into top-level JSON values without parsing them, so that one broken value costs only
/// itself. Array brackets at the top level are looked through: the elements are the frames. Blocks are the
/// read buffer itself, handed over whole; only an unfinished value is carried into the next one.
struct Framer<R> {
    inner: R,
    /// The start of the next block: an unfinished value, or nothing.
    carry: Vec<u8>,
    /// Line number of `carry[0]`.
    line: u64,
    in_array: bool,
    /// How many blanks stand between the last line break and the scanning point at the top level; `None`
    /// once anything else stands there.
    col: Option<usize>,
    eof: bool,
    /// How far the scan of the unfinished value got.
    scan: Scan,
    /// The line of a value over `MAX_RECORD` being skipped, if any.
    skipping: Option<u64>,
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
    /// The value's indentation, if it starts its line: an opening bracket that starts a later line at this
    /// indentation or less belongs to a sibling, so this value broke off before that line.
    indent: Option<usize>,
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
            if self.eof {
                if pos < bytes.len() {
                    // The input ends inside a value.
                    let kind = if self.skipping.is_some() {
                        FrameKind::TooBig
                    } else {
                        FrameKind::CutOff
                    };
                    let line = self.skipping.take().unwrap_or(self.line);
                    frames.push(Frame {
                        start: pos,
                        end: pos,
                        line,
                        kind,
                    });
                    self.line += memchr_iter(b'\n', &bytes[pos..]).count() as u64;
                    self.scan = Scan::default();
                }
                return Ok((!frames.is_empty()).then_some(Block { bytes, frames }));
            }
            if !frames.is_empty() {
                self.carry = bytes.split_off(pos);
                return Ok(Some(Block { bytes, frames }));
            }
            if bytes.len() - pos >= MAX_RECORD {
                // Too big to keep: follow it to its end without holding it.
                self.skipping.get_or_insert(self.line);
                follow_quotes(&bytes[pos..], bytes.len() - pos, &mut self.scan);
                let drop = self.scan.checked;
                self.line += memchr_iter(b'\n', &bytes[pos..pos + drop]).count() as u64;
                bytes.drain(pos..pos + drop);
                self.scan.pos -= drop;
                self.scan.checked = 0;
            }
            bytes.drain(..pos);
            pos = 0;
            if read_more(&mut self.inner, &mut bytes)? == 0 {
                self.eof = true;
            }
        }
    }
}

impl<R: Read> Framer<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            carry: Vec::new(),
            line: 1,
            in_array: false,
            col: Some(0),
            eof: false,
            scan: Scan::default(),
            skipping: None,
        }
    }

    /// Frames every whole value of `bytes` from `pos`; where the unframed rest starts.
    fn frame_all(&mut self, bytes: &[u8], mut pos: usize, frames: &mut Vec<Frame>) -> usize {
        loop {
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
                        let stop = if self.in_array {
                            memchr3(b'\n', b',', b']', rest)
                        } else {
                            memchr(b'\n', rest)
                        };
                        if stop.is_none() && !self.eof {
                            return pos;
                        }
                        frames.push(Frame {
                            start: pos,
                            end: pos,
                            line: self.line,
                            kind: FrameKind::Garbage,
                        });
                        pos += stop.unwrap_or(rest.len());
                        continue;
                    }
                }
                if self.scan.brackets.is_none() {
                    pos += 1;
                    continue;
                }
            }
            // A value that broke off is framed up to the sibling's line, where parsing will find it cut off.
            let len = match scan_value(&bytes[pos..], &mut self.scan) {
                Some(End::Closed(len) | End::Broken(len)) => len,
                None => return pos,
            };
            let (start, end) = (pos, pos + len);
            let skipped = self.skipping.take().or((len > MAX_RECORD).then_some(self.line));
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
}

/// Scans a value (whose first byte is `bytes[0]` unless its start was dropped as too big) from where `scan`
/// stands; how it ends, once it does. Only the value's own kind of bracket matters (an object ends at its
/// matching `}` whatever arrays it holds), and brackets are sparse, so one vectorized search finds them;
/// whether one stands inside a string is told by following quotes from the last bracket or from the start
/// of its line, whichever is later: JSON strings cannot hold a line break.
fn scan_value(bytes: &[u8], scan: &mut Scan) -> Option<End> {
    let (open, close) = scan.brackets.unwrap_or((b'{', b'}'));
    let from = scan.pos.min(bytes.len());
    for i in memchr2_iter(open, close, &bytes[from..]).map(|k| k + from) {
        follow_quotes(bytes, i, scan);
        scan.checked = i + 1;
        if scan.in_str {
            continue;
        }
        if bytes[i] == open {
            if scan.depth > 0 {
                if let Some(line_break) = sibling_line(bytes, i, scan.indent) {
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

/// Where the line break before `i` stands, if the bracket at `i` opens a line indented no deeper than
/// `indent`: a pretty-printer indents a value's own nested lines deeper than its first.
fn sibling_line(bytes: &[u8], i: usize, indent: Option<usize>) -> Option<usize> {
    let indent = indent?;
    let line_break = memrchr(b'\n', &bytes[..i])?;
    let blanks = &bytes[line_break + 1..i];
    (blanks.len() <= indent && blanks.iter().all(|&b| b == b' ' || b == b'\t')).then_some(line_break)
}

/// Brings `scan.in_str` from `scan.checked` up to `to`: a line break ends any string, and each unescaped
/// quote opens or closes one.
fn follow_quotes(bytes: &[u8], to: usize, scan: &mut Scan) {
    let mut from = scan.checked.min(to);
    if let Some(nl) = memrchr(b'\n', &bytes[from..to]) {
        from += nl + 1;
        scan.in_str = false;
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

    #[test]
    fn opening_brackets_are_counted_exactly_across_runs() {
        // Every byte value, and runs of brackets longer than a byte-wide sum could hold.
        let every: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let brackets = [b'{', b'['].repeat(700);
        for bytes in [&every[..], &brackets[..], &brackets[..255], b""] {
            let want = bytes.iter().filter(|&&b| b == b'{' || b == b'[').count();
            assert_eq!(opening_brackets(bytes), want);
        }
    }

    #[test]
    fn values_are_framed_through_arrays_and_across_reads() {
        let input = b"[\n {\"a\": \"x]}\\\"\"},\n {\"b\": [1, {}]}\n]\n[] {\"c\": 3}\nnope\n{\"d\":";
        let want = vec![
            (2, FrameKind::Value, "{\"a\": \"x]}\\\"\"}".to_owned()),
            (3, FrameKind::Value, "{\"b\": [1, {}]}".to_owned()),
            (5, FrameKind::Value, "{\"c\": 3}".to_owned()),
            (6, FrameKind::Garbage, String::new()),
            (7, FrameKind::CutOff, String::new()),
        ];
        at_every_read_size(input, &want, Framer::new);
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
        at_every_read_size(input.as_bytes(), &want, Framer::new);
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
            while input.len() < MAX_RECORD + 100 {
                input.extend_from_slice(filler);
            }
            input.extend_from_slice(close);
            input.extend_from_slice(b",\n{\"z\": 2}]");
            let got = frames(Framer::new(Chunked {
                data: &input,
                chunk: 1 << 20,
            }));
            let kinds: Vec<FrameKind> = got.iter().map(|f| f.1).collect();
            assert_eq!(kinds, [FrameKind::Value, FrameKind::TooBig, FrameKind::Value]);
            assert_eq!(got[1].0, 2);
            let lines = 1 + input.iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!((got[2].0, got[2].2.as_str()), (lines, "{\"z\": 2}"));
        }
    }
}
