//! `--format json`: the spec's version 1 document, written once at the end.

use serde::Serialize;
use std::io::{self, Write};

use super::model::{
    unrecognized, write_json, AppJson, ErrorJson, FindingJson, IncidentJson, UnrecognizedJson,
};
use super::writer::Writer;
use crate::group::{Report, Summary};

pub struct Json;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    summary: &'a Summary,
    apps: Vec<AppJson<'a>>,
    incidents: Vec<IncidentJson<'a>>,
    unrecognized: Vec<UnrecognizedJson<'a>>,
    findings: Vec<FindingJson<'a>>,
    errors: Vec<ErrorJson<'a>>,
    notes: &'a [String],
}

impl Writer for Json {
    fn finish(&mut self, out: &mut dyn Write, r: &Report) -> io::Result<()> {
        let doc = Document {
            version: 1,
            summary: &r.summary,
            apps: r.apps.iter().map(AppJson::from).collect(),
            incidents: r.incidents.iter().map(|i| IncidentJson::new(i, r)).collect(),
            unrecognized: unrecognized(r),
            findings: r.failures.iter().map(FindingJson::resolved).collect(),
            errors: r.errors.iter().map(ErrorJson::from).collect(),
            notes: &r.notes,
        };
        write_json(out, &doc, true)?;
        writeln!(out)
    }
}
