//! The System Log CSV: columns mapped by header name (case, spacing and dotted LogEvent paths tolerated),
//! one record per data row. Rows are cut by csv_core over a buffer this reader owns, so that a row that
//! grows past the record limit (an unclosed quote swallowing the file) costs only its own line.

use anyhow::anyhow;
use csv_core::ReadRecordResult;
use memchr::{memchr, memchr_iter};
use std::io::Read;

use super::block::{read_more, Limits};
use super::event::{outcome, Event, Outcome, TargetRef};
use super::siem::{self, Field, TargetField};
use super::{ReadFail, Reading, Sink};
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
    /// `target.N.type`-style columns: (target, field, column), targets numbered densely in the order of
    /// their N (a header's N is never trusted as a size).
    target_fields: Vec<(usize, TargetField, usize)>,
    /// How many targets the `target.N.*` columns describe.
    targets: usize,
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
        let mut indices: Vec<usize> = c.target_fields.iter().map(|&(n, _, _)| n).collect();
        indices.sort_unstable();
        indices.dedup();
        for (n, _, _) in &mut c.target_fields {
            *n = indices.binary_search(n).unwrap_or(0);
        }
        c.targets = indices.len();
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

pub fn read(input: impl Read, reading: &Reading, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    let path = &reading.path;
    let mut rows = Rows::new(input, reading.limits);
    let mut header: Option<(usize, Columns)> = None;
    loop {
        let row = match rows.next_row()? {
            Next::End => return Ok(()),
            Next::TooBig(line) => {
                // An unclosed quote swallows the rest of a file into one row; reading resumed on its next line.
                let message = format!(
                    "row longer than {} (an unclosed quote?), skipped",
                    size(reading.limits.max_record)
                );
                let source = Source {
                    path: path.clone(),
                    line,
                };
                sink.push(malformed(source, message))?;
                continue;
            }
            Next::Row(row) => row,
        };
        if row.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let Some((width, columns)) = &header else {
            let names: Vec<String> = row.iter().map(|f| super::lossy(f).into_owned()).collect();
            let columns = Columns::map(&names);
            let missing = columns.missing();
            if !missing.is_empty() {
                return Err(ReadFail::Input(anyhow!(
                    "this CSV lacks the column{} provdiag needs: {} (its header has: {}); \
                     export the System Log with these columns, or pass -i text to read it as plain lines",
                    if missing.len() > 1 { "s" } else { "" },
                    missing.join(", "),
                    header_names(&names)
                )));
            }
            header = Some((names.len(), columns));
            continue;
        };
        let source = Source {
            path: path.clone(),
            line: row.line,
        };
        if row.len() != *width {
            let message = format!("row has {} fields, the header has {width}", row.len());
            sink.push(malformed(source, message))?;
            continue;
        }
        if let Some(raw) = columns.raw {
            let mut out = Vec::new();
            let raw = super::lossy(row.get(raw).unwrap_or_default());
            super::json::parse_raw(&raw, &source, &reading.limits, &mut out);
            for p in out {
                sink.push_event(p.key, p.record)?;
            }
            continue;
        }
        let (key, record) = row_record(&row, columns, source);
        sink.push_event(key, record)?;
    }
}

/// A header's names as an error message shows them: the first few, each cut short (a file that is not a
/// CSV has "names" of kilobytes).
fn header_names(names: &[String]) -> String {
    const SHOWN: usize = 8;
    const WIDTH: usize = 40;
    let mut shown: Vec<String> = names
        .iter()
        .take(SHOWN)
        .map(|n| match n.char_indices().nth(WIDTH) {
            Some((cut, _)) => format!("{}…", &n[..cut]),
            None => n.clone(),
        })
        .collect();
    if names.len() > SHOWN {
        shown.push(format!("… {} more", names.len() - SHOWN));
    }
    shown.join(", ")
}

fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// One data row: its fields one after another, where each ends, and the line it starts on.
struct Row<'a> {
    fields: &'a [u8],
    ends: &'a [usize],
    line: u64,
}

impl<'a> Row<'a> {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.fields.get(start..end)
    }

    fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// What the row reader found next.
enum Next<'a> {
    Row(Row<'a>),
    /// A row over `max_record` starting on this line; reading resumes on the line after it.
    TooBig(u64),
    End,
}

/// Cuts CSV rows with csv_core, holding the current row's bytes so that an overlong one can be taken back:
/// it is reported by its first line, and the lines it swallowed are read again as rows.
struct Rows<R> {
    inner: R,
    limits: Limits,
    core: csv_core::Reader,
    buf: Vec<u8>,
    /// How far csv_core has read in `buf`.
    pos: usize,
    /// Where the row being read starts in `buf`, if one is.
    row_start: Option<usize>,
    /// The line of `buf[pos]` between rows; of the row's start while one is read.
    line: u64,
    fields: Vec<u8>,
    out: usize,
    ends: Vec<usize>,
    nends: usize,
    eof: bool,
    /// Dropping the rest of an overlong first line of a row, already reported.
    skipping_line: bool,
}

impl<R: Read> Rows<R> {
    fn new(inner: R, limits: Limits) -> Self {
        Self {
            inner,
            limits,
            core: csv_core::Reader::new(),
            buf: Vec::new(),
            pos: 0,
            row_start: None,
            line: 1,
            fields: vec![0; 1024],
            out: 0,
            ends: vec![0; 64],
            nends: 0,
            eof: false,
            skipping_line: false,
        }
    }

    /// Reads more input after dropping what no row needs any more; false at the end.
    fn refill(&mut self) -> std::io::Result<bool> {
        let keep = self.row_start.unwrap_or(self.pos);
        self.buf.drain(..keep);
        self.pos -= keep;
        if let Some(start) = &mut self.row_start {
            *start = 0;
        }
        let more = read_more(&mut self.inner, &mut self.buf, self.limits.block)? > 0;
        self.eof = !more;
        Ok(more)
    }

    fn next_row(&mut self) -> std::io::Result<Next<'_>> {
        loop {
            if self.skipping_line {
                match memchr(b'\n', &self.buf[self.pos..]) {
                    Some(i) => {
                        self.pos += i + 1;
                        self.line += 1;
                        self.skipping_line = false;
                    }
                    None => {
                        self.pos = self.buf.len();
                        if !self.refill()? {
                            return Ok(Next::End);
                        }
                        continue;
                    }
                }
            }
            if self.row_start.is_none() {
                // Blank lines between rows: csv_core skips them, and they count as lines.
                let blanks = self.buf[self.pos..]
                    .iter()
                    .take_while(|&&b| b == b'\n' || b == b'\r')
                    .count();
                self.line += memchr_iter(b'\n', &self.buf[self.pos..self.pos + blanks]).count() as u64;
                self.pos += blanks;
                if self.pos == self.buf.len() {
                    if !self.refill()? {
                        return Ok(Next::End);
                    }
                    continue;
                }
                self.row_start = Some(self.pos);
                self.core.reset();
                (self.out, self.nends) = (0, 0);
            }
            let start = self.row_start.unwrap_or(self.pos);
            if self.pos == self.buf.len() && !self.eof {
                // csv_core takes empty input for the end: it gets more first, unless the row is too long.
                if self.pos - start > self.limits.max_record {
                    return Ok(self.resync(start));
                }
                self.refill()?;
                continue;
            }
            let (result, nin, nout, nend) = self.core.read_record(
                &self.buf[self.pos..],
                &mut self.fields[self.out..],
                &mut self.ends[self.nends..],
            );
            self.pos += nin;
            self.out += nout;
            self.nends += nend;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.fields.resize(self.fields.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    let line = self.line;
                    self.line += memchr_iter(b'\n', &self.buf[start..self.pos]).count() as u64;
                    self.row_start = None;
                    if self.pos - start > self.limits.max_record {
                        return Ok(Next::TooBig(line));
                    }
                    return Ok(Next::Row(Row {
                        fields: &self.fields[..self.out],
                        ends: &self.ends[..self.nends],
                        line,
                    }));
                }
                ReadRecordResult::End => return Ok(Next::End),
            }
        }
    }

    /// The row starting at `start` has grown past the limit: report it by its first line and read again
    /// from the line after (or drop the rest of that line, if it is itself too long).
    fn resync(&mut self, start: usize) -> Next<'static> {
        let line = self.line;
        self.row_start = None;
        match memchr(b'\n', &self.buf[start..]) {
            Some(i) => {
                self.pos = start + i + 1;
                self.line += 1;
            }
            None => {
                self.pos = self.buf.len();
                self.skipping_line = true;
            }
        }
        Next::TooBig(line)
    }
}

fn malformed(source: Source, message: String) -> Record {
    Record::Malformed(InputError { source, message })
}

/// A row's record, and its event key.
fn row_record(row: &Row, c: &Columns, source: Source) -> (Option<EventKey>, Record) {
    let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).map(super::lossy);
    let uuid = cell(c.uuid);
    let key = uuid.as_deref().and_then(EventKey::new);
    (key, classify_row(row, c, uuid.as_deref(), source))
}

fn classify_row(row: &Row, c: &Columns, uuid: Option<&str>, source: Source) -> Record {
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
    if !cells.is_empty() {
        targets.resize_with(parsed.len() + c.targets, TargetRef::default);
    }
    for (n, field, value) in &cells {
        let Some(t) = targets.get_mut(parsed.len() + n) else {
            continue;
        };
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
        // `target[1]` is the only target named: the first of one.
        assert!(matches!(
            c.target_fields.as_slice(),
            [(0, TargetField::DisplayName, 4)]
        ));
        assert_eq!(c.targets, 1);
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

    /// The rows a reading gives: (line, fields) or (line, "too big").
    fn rows(input: &[u8], limits: Limits) -> Vec<(u64, Vec<String>)> {
        let mut rows = Rows::new(
            crate::input::testing::Chunked {
                data: input,
                chunk: 5,
            },
            limits,
        );
        let mut out = Vec::new();
        loop {
            match rows.next_row().expect("reads") {
                Next::End => return out,
                Next::TooBig(line) => out.push((line, vec!["too big".to_owned()])),
                Next::Row(row) => out.push((
                    row.line,
                    row.iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect(),
                )),
            }
        }
    }

    #[test]
    fn an_unclosed_quote_costs_its_row_and_the_lines_it_swallowed_are_read_again() {
        let limits = Limits {
            max_record: 40,
            block: 8,
            ..Limits::default()
        };
        let input = b"a,b\r\n1,\"open\n2,x\n\n3,y\n4,z\n5,w\n6,v\n7,u\n8,t\n9,\"multi\nline\"\r\n10,s";
        let got = rows(input, limits);
        let mut want: Vec<(u64, Vec<String>)> = vec![
            (1, vec!["a".into(), "b".into()]),
            (2, vec!["too big".into()]),
            (3, vec!["2".into(), "x".into()]),
        ];
        for (line, n, v) in [
            (5, 3, "y"),
            (6, 4, "z"),
            (7, 5, "w"),
            (8, 6, "v"),
            (9, 7, "u"),
            (10, 8, "t"),
        ] {
            want.push((line, vec![n.to_string(), v.into()]));
        }
        want.push((11, vec!["9".into(), "multi\nline".into()]));
        want.push((13, vec!["10".into(), "s".into()]));
        assert_eq!(got, want);
        // A single line over the limit is dropped to its end.
        let mut long = b"a,b\n1,\"".to_vec();
        long.extend(std::iter::repeat_n(b'x', 200));
        long.extend_from_slice(b"\"\n2,y\n");
        let got = rows(&long, limits);
        assert_eq!(got[1], (2, vec!["too big".to_owned()]));
        assert_eq!(got[2], (3, vec!["2".to_owned(), "y".to_owned()]));
    }

    #[test]
    fn target_indices_are_dense_and_overflowing_ones_ignored() {
        let names: Vec<String> = [
            "target40.type",
            "target7.displayName",
            "target18446744073709551616.type",
            "target4000000000.type",
            "target7.type",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let c = Columns::map(&names);
        assert_eq!(c.targets, 2);
        let got: Vec<(usize, usize)> = c.target_fields.iter().map(|&(n, _, col)| (n, col)).collect();
        assert_eq!(got, [(1, 0), (0, 1), (0, 4)]);
    }
}
