//! The System Log CSV: columns mapped by header name (case, spacing and dotted LogEvent paths tolerated),
//! one record per data row.

use anyhow::anyhow;
use std::io::Read;
use std::sync::Arc;

use super::event::{outcome, Event, Outcome, TargetRef};
use super::lines::MAX_RECORD;
use super::siem::{self, Field, TargetField};
use super::{ReadFail, Sink};
use crate::record::{EventKey, InputError, Record, Source};

/// Which column holds each field provdiag reads.
#[derive(Default)]
struct Columns {
    uuid: Option<usize>,
    published: Option<usize>,
    /// Elastic's `@timestamp`, which holds `published`.
    timestamp: Option<usize>,
    /// Log Analytics' `TimeGenerated`: `published` in `OktaV2_CL` only.
    time_generated: Option<usize>,
    /// The event type is named as `OktaV2_CL` names it.
    v2: bool,
    /// `OktaV2_CL`'s `DebugData` as JSON text.
    debug_data: Option<usize>,
    event_type: Option<usize>,
    legacy_event_type: Option<usize>,
    result: Option<usize>,
    reason: Option<usize>,
    app: Option<usize>,
    /// `target` cells holding the JSON array as exported (Sentinel's `target_s`).
    target_json: Option<usize>,
    /// `target.N.type`-style columns: (index, field, column).
    target_fields: Vec<(usize, TargetField, usize)>,
    /// Splunk's `_raw`: the whole event as indexed.
    raw: Option<usize>,
}

impl Columns {
    /// Maps columns by name: Okta's LogEvent paths, and what SIEMs make of them (see `siem::key`).
    fn map(headers: &[String]) -> Self {
        let mut c = Columns::default();
        for (i, h) in headers.iter().enumerate() {
            let Some(found) = siem::field(&siem::key(h)) else {
                continue;
            };
            let slot = match found {
                Field::Uuid => &mut c.uuid,
                Field::Published => &mut c.published,
                Field::Timestamp => &mut c.timestamp,
                Field::TimeGenerated => &mut c.time_generated,
                Field::EventType => &mut c.event_type,
                Field::OriginalEventType => {
                    c.v2 = true;
                    &mut c.event_type
                }
                Field::DebugData => &mut c.debug_data,
                Field::LegacyEventType => &mut c.legacy_event_type,
                Field::Result => &mut c.result,
                Field::Reason => &mut c.reason,
                Field::AppName => &mut c.app,
                Field::Target => &mut c.target_json,
                Field::Raw => &mut c.raw,
                Field::TargetPart(index, part) => {
                    c.target_fields.push((index, part, i));
                    continue;
                }
            };
            slot.get_or_insert(i);
        }
        c
    }

    /// The names of the columns a failure cannot be told without.
    fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.raw.is_some() {
            return missing;
        }
        if self.event_type.is_none() && self.legacy_event_type.is_none() {
            missing.push("eventType");
        }
        if self.result.is_none() {
            missing.push("outcome.result");
        }
        missing
    }
}

/// True if `line` looks like a System Log CSV header: two or more of the columns this reader knows (under any
/// name a SIEM gives them), or Splunk's `_raw`.
pub fn is_header(line: &[u8]) -> bool {
    let line = super::lossy(line);
    let fields = || line.split(',').map(|f| f.trim().trim_matches('"'));
    if fields().any(|f| f == "_raw") {
        return true;
    }
    let known = fields()
        .map(siem::key)
        .filter(|k| siem::field(k).is_some() || OTHER_KNOWN.contains(&k.as_str()))
        .count();
    known >= 2
}

/// Header keys (see `siem::key`) of LogEvent columns this reader does not use, for telling a System Log CSV
/// from prose.
const OTHER_KNOWN: &[&str] = &[
    "displaymessage",
    "severity",
    "actoralternateid",
    "actordisplayname",
];

pub fn read(input: impl Read, path: &Arc<str>, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(Lf::new(input));
    let mut row = csv::ByteRecord::new();
    let mut header: Option<(Vec<String>, Columns)> = None;
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut row) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let source = Source {
                    path: path.clone(),
                    line,
                };
                match e.kind() {
                    csv::ErrorKind::Io(_) => return Err(ReadFail::Input(e.into())),
                    _ => sink.push(malformed(source, "row cannot be read as CSV".to_owned()))?,
                }
                continue;
            }
        }
        let line = row.position().map_or(line, csv::Position::line);
        if row.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let Some((names, columns)) = &header else {
            let names: Vec<String> = row.iter().map(|f| super::lossy(f).into_owned()).collect();
            let columns = Columns::map(&names);
            let missing = columns.missing();
            if !missing.is_empty() {
                return Err(ReadFail::Input(anyhow!(
                    "this CSV lacks the column{} provdiag needs: {} (its header has: {}); \
                     export the System Log with these columns, or pass -i text to read it as plain lines",
                    if missing.len() > 1 { "s" } else { "" },
                    missing.join(", "),
                    names.join(", ")
                )));
            }
            header = Some((names, columns));
            continue;
        };
        let source = Source {
            path: path.clone(),
            line,
        };
        if row.as_slice().len() > MAX_RECORD {
            // An unclosed quote swallows the rest of a file into one row; it is reported, not diagnosed.
            let message = format!(
                "row longer than {} MiB (an unclosed quote?), skipped",
                MAX_RECORD >> 20
            );
            sink.push(malformed(source, message))?;
            continue;
        }
        if row.len() != names.len() {
            let message = format!("row has {} fields, the header has {}", row.len(), names.len());
            sink.push(malformed(source, message))?;
            continue;
        }
        if let Some(raw) = columns.raw {
            let mut out = Vec::new();
            super::json::parse_raw(&super::lossy(row.get(raw).unwrap_or_default()), &source, &mut out);
            for p in out {
                sink.push_event(p.key, p.record)?;
            }
            continue;
        }
        let (key, record) = row_record(&row, columns, source);
        sink.push_event(key, record)?;
    }
}

/// CRLF turned into LF on the way in. The csv crate notes a CRLF row's start before it has counted the
/// `\n`, so without this every row after the first would be one line short.
struct Lf<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// A `\r` that ended the last read: dropped if the next byte is `\n`, kept otherwise.
    held_cr: bool,
}

impl<R: Read> Lf<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            buf: vec![0; 64 << 10],
            pos: 0,
            len: 0,
            held_cr: false,
        }
    }

    /// Reads and converts the next block; false at the end of the input.
    fn refill(&mut self) -> std::io::Result<bool> {
        let start = usize::from(self.held_cr);
        self.buf[0] = b'\r';
        let n = loop {
            match self.inner.read(&mut self.buf[start..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        self.held_cr = false;
        let mut len = start + n;
        if n > 0 && self.buf[len - 1] == b'\r' {
            self.held_cr = true;
            len -= 1;
        }
        // Move the bytes between CRLFs down over each dropped `\r`; most files have none, and cost one search.
        let mut w = 0;
        let mut r = 0;
        let mut next = 0;
        while let Some(k) = memchr::memchr(b'\r', &self.buf[next..len]) {
            let cr = next + k;
            next = cr + 1;
            if cr + 1 < len && self.buf[cr + 1] == b'\n' {
                self.buf.copy_within(r..cr, w);
                w += cr - r;
                r = cr + 1;
            }
        }
        self.buf.copy_within(r..len, w);
        w += len - r;
        (self.pos, self.len) = (0, w);
        Ok(n > 0 || w > 0)
    }
}

impl<R: Read> Read for Lf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.len {
            if !self.refill()? {
                return Ok(0);
            }
        }
        let n = out.len().min(self.len - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn malformed(source: Source, message: String) -> Record {
    Record::Malformed(InputError { source, message })
}

/// A row's record, and its event key.
fn row_record(row: &csv::ByteRecord, c: &Columns, source: Source) -> (Option<EventKey>, Record) {
    let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).map(super::lossy);
    let uuid = cell(c.uuid);
    let key = uuid.as_deref().and_then(EventKey::new);
    (key, classify_row(row, c, uuid.as_deref(), source))
}

fn classify_row(row: &csv::ByteRecord, c: &Columns, uuid: Option<&str>, source: Source) -> Record {
    let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).map(super::lossy);
    let event_type = cell(c.event_type)
        .filter(|t| !t.trim().is_empty())
        .or_else(|| cell(c.legacy_event_type));
    let event_type = event_type.as_deref().map(str::trim);
    let kind = outcome(cell(c.result).as_deref(), event_type);
    if kind == Outcome::Other {
        return Record::Ignored;
    }
    let target_json = cell(c.target_json);
    let parsed: Vec<JsonTarget> = target_json
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default();
    let mut targets: Vec<TargetRef> = parsed
        .iter()
        .map(|t| TargetRef {
            id: t.id.as_deref(),
            kind: t.kind.as_deref(),
            alternate_id: t.alternate_id.as_deref(),
            display_name: t.display_name.as_deref(),
        })
        .collect();
    let cells: Vec<(usize, TargetField, std::borrow::Cow<str>)> = c
        .target_fields
        .iter()
        .filter_map(|&(n, f, i)| Some((n, f, cell(Some(i))?)))
        .collect();
    for (n, field, value) in &cells {
        let base = parsed.len() + n;
        if targets.len() <= base {
            targets.resize_with(base + 1, TargetRef::default);
        }
        let t = &mut targets[base];
        match field {
            TargetField::Id => t.id = Some(value),
            TargetField::Kind => t.kind = Some(value),
            TargetField::AlternateId => t.alternate_id = Some(value),
            TargetField::DisplayName => t.display_name = Some(value),
        }
    }
    let time_generated = c.time_generated.filter(|_| c.v2);
    let published = [c.published, c.timestamp, time_generated]
        .into_iter()
        .filter_map(&cell)
        .find(|p| !p.trim().is_empty());
    let published = published.as_deref().map(siem::published);
    let reason = cell(c.reason);
    let app = cell(c.app).filter(|a| !a.trim().is_empty()).or_else(|| {
        cell(c.debug_data)
            .and_then(|d| siem::debug_app(&d))
            .map(Into::into)
    });
    let event = Event {
        outcome: kind,
        uuid,
        event_type,
        reason: reason.as_deref(),
        published: published.as_deref(),
        targets: &targets,
        app_hint: app.as_deref(),
    };
    event.record(source)
}

/// A target as the JSON array in a `target` cell holds it.
#[derive(serde::Deserialize)]
struct JsonTarget {
    #[serde(default)]
    id: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(rename = "alternateId", default)]
    alternate_id: Option<String>,
    #[serde(rename = "displayName", default)]
    display_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::testing::Chunked;

    #[test]
    fn headers_map_whatever_their_spelling() {
        let names: Vec<String> = [
            "Published",
            "Event Type",
            "outcome_result",
            "Outcome.Reason",
            "target[1].displayName",
            "UUID",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let c = Columns::map(&names);
        assert_eq!(
            (c.published, c.event_type, c.result, c.reason, c.uuid),
            (Some(0), Some(1), Some(2), Some(3), Some(5))
        );
        assert!(c.missing().is_empty());
        assert!(matches!(
            c.target_fields.as_slice(),
            [(1, TargetField::DisplayName, 4)]
        ));
    }

    #[test]
    fn crlf_becomes_lf_whatever_the_chunk_boundaries() {
        let input = b"a,b\r\nc\r\r\n\rd\r\n\r";
        for chunk in 1..input.len() {
            let mut lf = Lf::new(Chunked { data: input, chunk });
            let mut out = Vec::new();
            lf.read_to_end(&mut out).expect("reads");
            assert_eq!(out, b"a,b\nc\r\n\rd\n\r", "chunk {chunk}");
        }
    }

    #[test]
    fn headers_are_told_from_prose() {
        assert!(is_header(b"Published,Event Type,Outcome.Result"));
        assert!(is_header(b"\"uuid\",\"OUTCOME_REASON\""));
        assert!(is_header(
            b"TimeGenerated [UTC],EventOriginalType,OriginalOutcomeResult"
        ));
        assert!(is_header(b"eventType_s,outcome_result_s"));
        assert!(is_header(b"\"_time\",\"_raw\""));
        assert!(!is_header(
            b"Automatic provisioning of user A to app B failed: x, y"
        ));
        assert!(!is_header(
            b"Error while creating user Ann, Conflict, retry later"
        ));
    }

    #[test]
    fn missing_columns_are_named() {
        let c = Columns::map(&["published".to_string(), "severity".to_string()]);
        assert_eq!(c.missing(), ["eventType", "outcome.result"]);
    }
}
