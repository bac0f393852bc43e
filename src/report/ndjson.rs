//! `--format ndjson`: one object per line, findings and errors streamed as they are read, then what is only
//! known at the end (incidents, unrecognized message shapes, notes), the summary with the version last.

use serde::Serialize;
use std::io::{self, Write};

use super::model::{write_json, ErrorJson, FindingJson, IncidentJson, UnrecognizedJson};
use super::shape::unrecognized;
use super::Writer;
use crate::diagnosis::{Diagnosed, Diagnosis, Summary};
use crate::record::InputError;
use crate::rules::RuleTable;

pub struct Ndjson;

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Line<'a> {
    Finding(FindingJson<'a>),
    Error(ErrorJson<'a>),
    Incident(IncidentJson<'a>),
    Unrecognized(UnrecognizedJson<'a>),
    Note {
        note: &'a str,
    },
    Summary {
        /// The JSON document's version: the same contract, one line at a time.
        version: u32,
        #[serde(flatten)]
        summary: &'a Summary,
    },
}

/// Writes one whole line. Each line is formatted before any of it is written, so that a reader
/// downstream never sees half an object, whatever ends the run.
fn emit(out: &mut dyn Write, line: &Line) -> io::Result<()> {
    let mut buf = Vec::with_capacity(256);
    write_json(&mut buf, line, false)?;
    buf.push(b'\n');
    out.write_all(&buf)?;
    // Streamed: a reader downstream sees each line as soon as it is known.
    out.flush()
}

impl Writer for Ndjson {
    fn finding(&mut self, out: &mut dyn Write, d: &Diagnosed, table: &RuleTable) -> io::Result<()> {
        emit(out, &Line::Finding(FindingJson::new(d, table)))
    }

    fn error(&mut self, out: &mut dyn Write, e: &InputError) -> io::Result<()> {
        emit(out, &Line::Error(e.into()))
    }

    fn finish(&mut self, out: &mut dyn Write, d: &Diagnosis, table: &RuleTable) -> io::Result<()> {
        for i in d.incidents() {
            emit(out, &Line::Incident(IncidentJson::new(i, table)))?;
        }
        for g in unrecognized(d) {
            emit(out, &Line::Unrecognized(g.into()))?;
        }
        for note in &d.notes {
            emit(out, &Line::Note { note })?;
        }
        emit(
            out,
            &Line::Summary {
                version: 1,
                summary: &d.summary,
            },
        )
    }
}
