//! `--format ndjson`: one object per line, findings and errors streamed as they are read, then the incidents,
//! then the summary last.

use serde::Serialize;
use std::io::{self, Write};

use super::model::{write_json, ErrorJson, FindingJson, IncidentJson};
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
        emit(
            out,
            &Line::Summary(SummaryLine {
                summary: &d.summary,
                notes: &d.notes,
            }),
        )
    }
}
