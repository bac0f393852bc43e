//! `--format json`: the spec's version 1 document, written once at the end.

use serde::Serialize;
use std::io::{self, Write};

use super::model::{write_json, ErrorJson, FindingJson, IncidentJson};
use super::Writer;
use crate::diagnosis::{Diagnosis, Summary};
use crate::rules::RuleTable;

pub struct Json;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    summary: &'a Summary,
    incidents: Vec<IncidentJson<'a>>,
    findings: Vec<FindingJson<'a>>,
    errors: Vec<ErrorJson<'a>>,
    notes: &'a [String],
}

impl Writer for Json {
    fn finish(&mut self, out: &mut dyn Write, d: &Diagnosis, table: &RuleTable) -> io::Result<()> {
        let doc = Document {
            version: 1,
            summary: &d.summary,
            incidents: d
                .incidents()
                .into_iter()
                .map(|i| IncidentJson::new(i, table))
                .collect(),
            findings: d.findings.iter().map(|f| FindingJson::new(f, table)).collect(),
            errors: d.errors.iter().map(ErrorJson::from).collect(),
            notes: &d.notes,
        };
        write_json(out, &doc, true)?;
        writeln!(out)
    }
}
