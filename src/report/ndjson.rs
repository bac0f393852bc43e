//! `--format ndjson`: one object per line. Findings and errors are streamed as they are read; what is known
//! only at the end follows them: a `resolution` line per finding a later success resolved, the `incident`
//! lines, the `app` lines, then the summary last.

use serde::Serialize;
use std::io::{self, Write};

use super::model::{write_json, AppJson, ErrorJson, FindingJson, IncidentJson, ResolutionJson};
use super::Writer;
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
    Summary(SummaryLine<'a>),
}

/// The last line: the figures, and what the run could not do.
#[derive(Serialize)]
struct SummaryLine<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    notes: &'a [String],
}

fn emit(out: &mut dyn Write, line: &Line) -> io::Result<()> {
    write_json(out, line, false)?;
    out.write_all(b"\n")?;
    // Streamed: a reader downstream sees each line as soon as it is known.
    out.flush()
}

impl Writer for Ndjson {
    fn finding(&mut self, out: &mut dyn Write, f: &Failure) -> io::Result<()> {
        emit(out, &Line::Finding(FindingJson::streamed(f)))
    }

    fn error(&mut self, out: &mut dyn Write, e: &InputError) -> io::Result<()> {
        emit(out, &Line::Error(e.into()))
    }

    fn finish(&mut self, out: &mut dyn Write, r: &Report) -> io::Result<()> {
        for f in &r.failures {
            if let Some(res) = ResolutionJson::new(f) {
                emit(out, &Line::Resolution(res))?;
            }
        }
        for i in &r.incidents {
            emit(out, &Line::Incident(IncidentJson::new(i, r)))?;
        }
        for a in &r.apps {
            emit(out, &Line::App(a.into()))?;
        }
        emit(
            out,
            &Line::Summary(SummaryLine {
                summary: &r.summary,
                notes: &r.notes,
            }),
        )
    }
}
