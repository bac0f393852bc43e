//! `--format ndjson`: one object per line. Findings and errors are streamed as they are read; what is known
//! only at the end follows them: a `resolution` line per finding a later success resolved, the `incident`
//! lines, the `app` lines, the `unrecognized` message shapes and the `note`s, then the summary, with the
//! version, last.

use serde::Serialize;
use std::io::{self, Write};

use super::model::{
    unrecognized, write_json, AppJson, ErrorJson, FindingJson, IncidentJson, ResolutionJson, UnrecognizedJson,
};
use super::writer::Writer;
use crate::group::{Failure, Report, Summary};
use crate::record::InputError;

pub struct Ndjson;

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Line<'a> {
    Finding(FindingJson<'a>),
    Error(ErrorJson<'a>),
    Resolution(ResolutionJson<'a>),
    Incident(IncidentJson<'a>),
    App(AppJson<'a>),
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
    fn streams(&self) -> bool {
        true
    }

    fn finding(&mut self, out: &mut dyn Write, f: &Failure) -> io::Result<()> {
        emit(out, &Line::Finding(FindingJson::streamed(f)))
    }

    fn error(&mut self, out: &mut dyn Write, e: &InputError) -> io::Result<()> {
        emit(out, &Line::Error(e.into()))
    }

    fn finish(&mut self, out: &mut dyn Write, r: &Report) -> io::Result<()> {
        for f in r.failures.iter() {
            if let Some(res) = ResolutionJson::new(&f) {
                emit(out, &Line::Resolution(res))?;
            }
        }
        for i in &r.incidents {
            emit(out, &Line::Incident(IncidentJson::new(i, r)))?;
        }
        for a in &r.apps {
            emit(out, &Line::App(a.into()))?;
        }
        for u in unrecognized(r) {
            emit(out, &Line::Unrecognized(u))?;
        }
        for note in &r.notes {
            emit(out, &Line::Note { note })?;
        }
        emit(
            out,
            &Line::Summary {
                version: 1,
                summary: &r.summary,
            },
        )
    }
}
