//! The JSON shapes of the spec's version 1 report, borrowed from the diagnosis: shared by `json` and `ndjson`.

use serde::Serialize;

use crate::diagnosis::{Diagnosed, Incident};
use crate::record::{InputError, Source};
use crate::rules::{self, RuleTable};

#[derive(Serialize)]
pub struct SourceJson<'a> {
    pub path: &'a str,
    pub line: u64,
}

impl<'a> From<&'a Source> for SourceJson<'a> {
    fn from(s: &'a Source) -> Self {
        Self {
            path: &s.path,
            line: s.line,
        }
    }
}

#[derive(Serialize)]
pub struct FindingJson<'a> {
    pub source: SourceJson<'a>,
    pub cause: Option<&'a str>,
    pub user: Option<&'a str>,
    pub login: Option<&'a str>,
    pub app: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub uuid: Option<&'a str>,
    pub published: Option<&'a str>,
}

impl<'a> FindingJson<'a> {
    pub fn new(d: &'a Diagnosed, table: &'a RuleTable) -> Self {
        let f = &d.finding;
        Self {
            source: (&f.source).into(),
            cause: d.cause.map(|i| table.rules()[i].id.as_str()),
            user: f.user.as_deref(),
            login: f.login.as_deref(),
            app: f.app.as_deref(),
            reason: f.reason.as_deref(),
            event_type: f.event_type.as_deref(),
            uuid: f.uuid.as_deref(),
            published: f.published.as_deref(),
        }
    }
}

#[derive(Serialize)]
pub struct IncidentJson<'a> {
    pub cause: Option<&'a str>,
    pub title: &'a str,
    pub app: Option<&'a str>,
    pub failures: u64,
    pub users: &'a [String],
    pub first_seen: Option<&'a str>,
    pub last_seen: Option<&'a str>,
    pub remediation: Vec<String>,
}

impl<'a> IncidentJson<'a> {
    pub fn new(i: &'a Incident, table: &'a RuleTable) -> Self {
        let rule = i.cause.map(|c| &table.rules()[c]);
        Self {
            cause: rule.map(|r| r.id.as_str()),
            title: rule.map_or(rules::UNRECOGNIZED_TITLE, |r| r.title.as_str()),
            app: i.app.as_deref(),
            failures: i.failures,
            users: &i.users,
            first_seen: i.first_seen.as_deref(),
            last_seen: i.last_seen.as_deref(),
            remediation: rules::steps(rule, i.app.as_deref()),
        }
    }
}

#[derive(Serialize)]
pub struct ErrorJson<'a> {
    pub source: SourceJson<'a>,
    pub message: &'a str,
}

impl<'a> From<&'a InputError> for ErrorJson<'a> {
    fn from(e: &'a InputError) -> Self {
        Self {
            source: (&e.source).into(),
            message: &e.message,
        }
    }
}
