//! `--format json`: the spec's version 1 document, written once at the end.

use serde::Serialize;
use std::io::{self, Write};

use super::model::{
    unrecognized, write_json, AppJson, ErrorJson, FindingJson, IncidentJson, UnrecognizedJson,
};
use super::writer::Writer;
use crate::group::{Failures, Report, Summary};

pub struct Json;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    summary: &'a Summary,
    apps: Vec<AppJson<'a>>,
    incidents: Vec<IncidentJson<'a>>,
    unrecognized: Vec<UnrecognizedJson<'a>>,
    findings: Findings<'a>,
    errors: Vec<ErrorJson<'a>>,
    notes: &'a [String],
}

/// Every finding with its resolution, made one at a time as it is written (the failures are kept compactly,
/// and past a bound their detail is on disk): a list of them all would hold them all at once.
struct Findings<'a>(&'a Failures);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for f in self.0.iter() {
            seq.serialize_element(&FindingJson::resolved(&f))?;
        }
        seq.end()
    }
}

impl Writer for Json {
    fn finish(&mut self, out: &mut dyn Write, r: &Report) -> io::Result<()> {
        let doc = Document {
            version: 1,
            summary: &r.summary,
            apps: r.apps.iter().map(AppJson::from).collect(),
            incidents: r.incidents.iter().map(|i| IncidentJson::new(i, r)).collect(),
            unrecognized: unrecognized(r),
            findings: Findings(&r.failures),
            errors: r.errors.iter().map(ErrorJson::from).collect(),
            notes: &r.notes,
        };
        write_json(out, &doc, true)?;
        writeln!(out)
    }
}
