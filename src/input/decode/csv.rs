//! A System Log CSV row: columns mapped by header name (case, spacing and dotted LogEvent paths tolerated),
//! one record per data row. The reading thread only cuts rows (`split::csv`), so that a row that grows past
//! the record limit (an unclosed quote swallowing the file) costs only its own line; workers parse them here
//! with csv_core and make their records, by the header decoded first.

use csv_core::ReadRecordResult;

use super::flat::FlatRow;
use crate::input::reading::Reading;
use crate::input::split::{Block, Frame, FrameKind, Limits};
use crate::okta::event::Outcome;
use crate::okta::fields::{self, header_delimiter, Field};
use crate::record::{InputError, Parsed, Record, Source};

/// Which columns hold the fields provdiag reads.
#[derive(Default)]
struct Columns {
    /// Every column that names a LogEvent field, with the field, in the header's order: a row's field is
    /// its first such cell that is not blank (`flat::FlatRow`).
    fields: Vec<(usize, Field)>,
    /// Splunk's `_raw`: the whole event as indexed.
    raw: Option<usize>,
}

impl Columns {
    /// Maps columns by name: Okta's LogEvent paths, and what SIEMs make of them (see `fields::key`).
    fn map(headers: &[String]) -> Self {
        let mut c = Columns::default();
        for (i, h) in headers.iter().enumerate() {
            match fields::field(&fields::key(h)) {
                Some(Field::Raw) => {
                    c.raw.get_or_insert(i);
                }
                Some(f) => c.fields.push((i, f)),
                None => {}
            }
        }
        c
    }

    fn has(&self, wanted: impl Fn(Field) -> bool) -> bool {
        self.fields.iter().any(|&(_, f)| wanted(f))
    }

    /// The names of the columns a failure cannot be told without.
    fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.raw.is_some() {
            return missing;
        }
        if !self.has(|f| {
            matches!(
                f,
                Field::EventType | Field::OriginalEventType | Field::LegacyEventType
            )
        }) {
            missing.push("eventType");
        }
        if !self.has(|f| f == Field::Result) {
            missing.push("outcome.result");
        }
        missing
    }
}

/// The header's width, what its columns hold and its delimiter: what every worker reads the rows by.
pub struct Header {
    width: usize,
    columns: Columns,
    /// What separates fields, which the row splitter needs too.
    pub delimiter: u8,
}

/// The header a row makes: `None` if the row is blank (the header comes further down), why the CSV cannot be
/// read if it lacks a column a failure cannot be told without. A header row ends where it does whatever the
/// delimiter: its names hold no line break.
pub fn header(bytes: &[u8]) -> Result<Option<Header>, String> {
    let delimiter = header_delimiter(bytes).unwrap_or(b',');
    let mut fields = Fields::new(delimiter);
    let row = fields.parse(bytes);
    if row.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
        return Ok(None);
    }
    let names: Vec<String> = row.iter().map(|f| crate::text::lossy(f).into_owned()).collect();
    let columns = Columns::map(&names);
    let missing = columns.missing();
    if !missing.is_empty() {
        return Err(format!(
            "this CSV lacks the column{} provdiag needs: {} (its header has: {}); \
             export the System Log with these columns, or pass -i text to read it as plain lines",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", "),
            header_names(&names)
        ));
    }
    Ok(Some(Header {
        width: names.len(),
        columns,
        delimiter,
    }))
}

/// The record of a row the splitter did not keep (too big, or a quote it opens is never closed), if it is one.
pub fn skipped_row(frame: &Frame, reading: &Reading) -> Option<Record> {
    let why = skipped(frame.kind, &reading.limits)?;
    Some(malformed(reading.source(frame.line), why))
}

/// The records of one block of rows: runs on a worker.
pub fn parse_rows(block: &Block, reading: &Reading, header: &Header) -> Vec<Parsed> {
    FIELDS.with(|fields| match fields.try_borrow_mut() {
        Ok(mut fields) => {
            if fields.delimiter != header.delimiter {
                *fields = Fields::new(header.delimiter);
            }
            parse_rows_with(block, reading, header, &mut fields)
        }
        Err(_) => parse_rows_with(block, reading, header, &mut Fields::new(header.delimiter)),
    })
}

thread_local! {
    /// Each thread's row parser, built once: building a csv_core reader (its DFA) costs more than parsing a
    /// block, and a copy of one cannot be made instead (csv_core 0.1's `Reader::clone` keeps only part of
    /// its DFA: the copy reads no row).
    static FIELDS: std::cell::RefCell<Fields> = std::cell::RefCell::new(Fields::new(b','));
}

fn parse_rows_with(block: &Block, reading: &Reading, header: &Header, fields: &mut Fields) -> Vec<Parsed> {
    let mut out = Vec::with_capacity(block.frames.len());
    // One source for the block, its line moved along: most rows are ignored, and cloning the path for each
    // would have every worker contend for its reference count.
    let mut source = reading.source(0);
    for frame in &block.frames {
        source.line = frame.line;
        if let Some(why) = skipped(frame.kind, &reading.limits) {
            out.push(parsed(malformed(source.clone(), why)));
            continue;
        }
        let row = fields.parse(&block.bytes[frame.start..frame.end]);
        if row.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let width = header.width;
        if row.len() != width {
            let message = format!("row has {} fields, the header has {width}", row.len());
            out.push(parsed(malformed(source.clone(), message)));
            continue;
        }
        if let Some(raw) = header.columns.raw {
            let raw = crate::text::lossy(row.get(raw).unwrap_or_default());
            super::json::parse_raw(&raw, &source, &reading.limits, &mut out);
            continue;
        }
        out.push(row_record(&row, &header.columns, &source));
    }
    out
}

fn parsed(record: Record) -> Parsed {
    Parsed { key: None, record }
}

/// Why a row the splitter did not keep was skipped: too big, or a quote it opens is never closed.
fn skipped(kind: FrameKind, limits: &Limits) -> Option<String> {
    match kind {
        FrameKind::TooBig => Some(too_big(limits)),
        FrameKind::CutOff => Some(
            "a quote opened on this line is never closed, so the row is skipped and the lines after it are read as rows"
                .to_owned(),
        ),
        FrameKind::Value | FrameKind::Garbage => None,
    }
}

/// What a row over the size limit is told as.
fn too_big(limits: &Limits) -> String {
    format!(
        "row longer than {} (an unclosed quote?), skipped",
        size(limits.max_record)
    )
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

/// One data row: its fields one after another, and where each ends.
struct Row<'a> {
    fields: &'a [u8],
    ends: &'a [usize],
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

/// Parses one row's bytes into fields with csv_core, reusing its buffers from row to row.
struct Fields {
    core: csv_core::Reader,
    delimiter: u8,
    fields: Vec<u8>,
    ends: Vec<usize>,
}

impl Fields {
    fn new(delimiter: u8) -> Self {
        Self {
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            fields: vec![0; 1024],
            ends: vec![0; 64],
        }
    }

    /// The fields of one row as the splitter cut it (no line end: the end of `bytes` ends the row).
    fn parse(&mut self, bytes: &[u8]) -> Row<'_> {
        self.core.reset();
        let (mut pos, mut out, mut nends) = (0, 0, 0);
        loop {
            // Once every byte is in, csv_core is given empty input: the end of the row, which it then ends.
            let (result, nin, nout, nend) =
                self.core
                    .read_record(&bytes[pos..], &mut self.fields[out..], &mut self.ends[nends..]);
            pos += nin;
            out += nout;
            nends += nend;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.fields.resize(self.fields.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        Row {
            fields: &self.fields[..out],
            ends: &self.ends[..nends],
        }
    }
}

fn malformed(source: Source, message: String) -> Record {
    Record::Malformed(Box::new(InputError { source, message }))
}

/// A row's record, and its event key: the row's cells handed to the flat-row decoder, those that tell
/// whether it is a provisioning event first, so that the others are decoded only for one.
fn row_record(row: &Row, c: &Columns, source: &Source) -> Parsed {
    let tells = |f: Field| {
        matches!(
            f,
            Field::Uuid
                | Field::EventType
                | Field::OriginalEventType
                | Field::LegacyEventType
                | Field::Result
        )
    };
    let mut flat = FlatRow::default();
    for first in [true, false] {
        for &(i, f) in c.fields.iter().filter(|&&(_, f)| tells(f) == first) {
            if let Some(cell) = row.get(i) {
                flat.keep(f, crate::text::lossy(cell));
            }
        }
        if first && flat.outcome() == Outcome::Other {
            break;
        }
    }
    flat.parsed(source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::split::csv::Rows;
    use crate::input::split::Splitter;
    use crate::okta::fields::TargetField;

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
            c.fields,
            [
                (0, Field::Published),
                (1, Field::EventType),
                (2, Field::Result),
                (3, Field::Reason),
                // A target keeps its index N, as in a SIEM's JSON row.
                (4, Field::TargetPart(1, TargetField::DisplayName)),
                (5, Field::Uuid),
            ]
        );
        assert!(c.missing().is_empty());
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
        let mut fields = Fields::new(b',');
        let mut out = Vec::new();
        while let Some(block) = rows.next_block().expect("reads") {
            for f in &block.frames {
                if f.kind == FrameKind::TooBig {
                    out.push((f.line, vec!["too big".to_owned()]));
                    continue;
                }
                let row = fields.parse(&block.bytes[f.start..f.end]);
                out.push((
                    f.line,
                    row.iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect(),
                ));
            }
        }
        out
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
    fn target_indices_are_kept_and_overflowing_ones_ignored() {
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
        let got: Vec<(usize, usize)> = c
            .fields
            .iter()
            .filter_map(|&(col, f)| match f {
                Field::TargetPart(n, _) => Some((n, col)),
                _ => None,
            })
            .collect();
        assert_eq!(got, [(40, 0), (7, 1), (7, 4)]);
    }
}
