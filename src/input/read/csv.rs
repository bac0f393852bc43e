//! The System Log CSV: the row splitter, its first row decoded as the header, and the CSV decoder reading
//! the rows by it.

use anyhow::anyhow;
use std::io::Read;

use crate::input::decode::csv::{header, parse_rows, skipped_row};
use crate::input::parallel;
use crate::input::reading::Reading;
use crate::input::sink::{ReadFail, Sink};
use crate::input::split::csv::Rows;
use crate::input::split::{Block, Splitter};

pub fn read(input: impl Read + Send, reading: &Reading, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    let mut rows = Rows::new(input, reading.limits);
    // The header is read first, a row at a time: the workers need its columns and its delimiter, and what
    // comes before it (blank or overlong rows) is reported in order.
    rows.max_rows = 1;
    let header = loop {
        let Some(block) = rows.next_block()? else {
            return Ok(());
        };
        let Some(frame) = block.frames.first() else {
            continue;
        };
        if let Some(record) = skipped_row(frame, reading) {
            sink.push(record)?;
            continue;
        }
        match header(&block.bytes[frame.start..frame.end]) {
            Ok(Some(header)) => break header,
            Ok(None) => continue,
            Err(why) => return Err(ReadFail::Input(anyhow!(why))),
        }
    };
    rows.delimiter = header.delimiter;
    rows.max_rows = reading.limits.max_lines.max(1);
    parallel::run(
        rows,
        |block: &Block, reading: &Reading| parse_rows(block, reading, &header),
        reading,
        sink,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Limits;
    use crate::record::{EventKey, Record};

    /// Every record a reading gives, as (line, what it is, its Debug text with its key).
    #[derive(Default)]
    struct Collect(Vec<(u64, &'static str, String)>);

    impl Sink for Collect {
        fn push(&mut self, record: Record) -> Result<(), crate::input::Stop> {
            self.push_event(None, record)
        }
        fn push_event(&mut self, key: Option<EventKey>, record: Record) -> Result<(), crate::input::Stop> {
            let (line, kind) = match &record {
                Record::Failure(f) => (f.source.line, "failure"),
                Record::Success(f) => (f.source.line, "success"),
                Record::Malformed(e) => (e.source.line, "malformed"),
                Record::Ignored | Record::Other(_) => (0, "ignored"),
                _ => (0, "other"),
            };
            self.0.push((line, kind, format!("{key:?} {record:?}")));
            Ok(())
        }
    }

    fn read_with(input: &[u8], threads: usize, limits: Limits) -> Vec<(u64, &'static str, String)> {
        let reading = Reading {
            path: "t.csv".into(),
            threads,
            limits,
            users_word: false,
        };
        let mut sink = Collect::default();
        assert!(read(input, &reading, &mut sink).is_ok());
        sink.0
    }

    /// Small limits: blocks of a few rows, reads of a few bytes, rows over 300 bytes too big.
    const SMALL: Limits = Limits {
        max_record: 300,
        max_depth: 128,
        block: 64,
        max_lines: 4,
        in_flight: 3,
    };

    /// A System Log CSV of `rows` data rows of every shape (quoted line ends and quotes, CRLF, blank lines,
    /// rows cut short), with the line and kind of record each row must give.
    fn generated(rows: usize) -> (Vec<u8>, Vec<(u64, &'static str)>) {
        let mut out =
            b"uuid,published,eventType,outcome.result,outcome.reason,target.0.displayName\r\n".to_vec();
        let mut want = Vec::new();
        let mut line = 2;
        let mut seed = 7u64;
        for i in 0..rows {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let uuid = format!("{:08x}-0f0c-11ef-9a1b-0242ac120002", i);
            let row = match (seed >> 33) % 6 {
                0 => format!(
                    "{uuid},2024-04-01T00:00:00Z,application.provision.user.push,FAILURE,\"Error: \"\"quoted\"\",\nthen a second line\",Ann\r\n"
                ),
                1 => format!("{uuid},2024-04-01T00:00:00Z,application.provision.user.push,SUCCESS,,\"Bo, B\"\n"),
                2 => format!("{uuid},2024-04-01T00:00:00Z,user.session.start,SUCCESS,,Cy\n"),
                3 => format!("{uuid},cut,short\r\n"),
                4 => format!(
                    "{uuid},2024-04-01T00:00:00Z,application.provision.user.deactivate,FAILURE,\"a\r\nb\"\"\n\r\nc\",\"Di\"\r\n"
                ),
                _ => format!("\n{uuid},2024-04-01T00:00:00Z,app.user_management.push,FAILURE,plain,Ed\n"),
            };
            let starts_blank = row.starts_with('\n');
            let kind = match (seed >> 33) % 6 {
                1 => "success",
                2 => "ignored",
                3 => "malformed",
                _ => "failure",
            };
            let first = line + u64::from(starts_blank);
            want.push((if kind == "ignored" { 0 } else { first }, kind));
            line += row.matches('\n').count() as u64;
            out.extend_from_slice(row.as_bytes());
        }
        (out, want)
    }

    #[test]
    fn n_rows_give_n_records_on_their_lines_whatever_the_workers() {
        let (input, want) = generated(500);
        for threads in [1, 2, 4] {
            for limits in [SMALL, Limits::default()] {
                let got: Vec<(u64, &str)> = read_with(&input, threads, limits)
                    .into_iter()
                    .map(|(line, kind, _)| (line, kind))
                    .collect();
                assert!(got == want, "{threads} workers, {limits:?}");
            }
        }
    }

    #[test]
    fn a_parallel_reading_gives_the_records_of_a_sequential_one() {
        let (mut input, _) = generated(300);
        // An unclosed quote swallowing the rows after it, then more rows; and a last row cut by the end.
        let (more, _) = generated(200);
        input.extend_from_slice(b"0000-x,2024,application.provision.user.push,FAILURE,\"never closed,Ann\n");
        input.extend_from_slice(&more[more.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1)..]);
        input.extend_from_slice(b"ffff-y,2024,application.provision.user.push,FAILURE,\"cut");
        for limits in [SMALL, Limits::default()] {
            let sequential = read_with(&input, 1, limits);
            assert!(sequential.len() > 490, "{} records", sequential.len());
            for threads in [2, 3, 8] {
                assert!(
                    read_with(&input, threads, limits) == sequential,
                    "{threads} workers, {limits:?}"
                );
            }
        }
        // With the small limits, the unclosed quote costs its own line only: the rows it swallowed are read.
        let small = read_with(&input, 4, SMALL);
        let too_big: Vec<&(u64, &str, String)> = small
            .iter()
            .filter(|(_, _, d)| d.contains("row longer than 300 bytes"))
            .collect();
        assert_eq!(too_big.len(), 1, "{too_big:?}");
        assert!(small.len() >= 499, "{} records", small.len());
    }
}
