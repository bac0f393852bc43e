//! What the group stage hands every writer: the figures, the failures, the incidents and the apps.

pub(crate) use super::kept::time_text;
pub use super::kept::{Failure, Failures};
use crate::record::{InputError, Why};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The figures of a run; `records = failures + ignored + malformed + duplicates`,
/// `failures = diagnosed + unrecognized = open + resolved`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub records: u64,
    pub failures: u64,
    pub diagnosed: u64,
    pub unrecognized: u64,
    pub ignored: u64,
    pub malformed: u64,
    pub duplicates: u64,
    pub by_cause: BTreeMap<String, u64>,
    pub open: u64,
    pub resolved: u64,
}

/// The rule behind an incident, as a report shows it: steps with the app's name filled in.
#[derive(Debug)]
pub struct Cause {
    pub id: Arc<str>,
    pub title: String,
    pub summary: String,
    pub remediation: Vec<String>,
    pub source: Option<String>,
    /// How many other documented causes the same message has (told apart by `provdiag explain <id>`).
    pub other_causes: usize,
    /// Those causes, for a report that must stand alone (markdown).
    pub others: Vec<crate::rules::OtherCause>,
    /// Articles about the cause in one app: (app, url).
    pub app_sources: Vec<(String, String)>,
}

/// The failures of one cause on one app.
#[derive(Debug)]
pub struct Incident {
    /// None: failures no rule explains.
    pub cause: Option<Cause>,
    pub app: Option<String>,
    pub app_id: Option<String>,
    pub failures: u64,
    pub open: u64,
    pub resolved: u64,
    /// Each affected person once, in the order first seen.
    pub users: Vec<String>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// When the last of its failures was resolved, once none is open.
    pub resolved_at: Option<String>,
    /// Indices (into `Report::failures`) of its failures, in the order read.
    pub members: Vec<usize>,
    /// How sure its cause is and why: its surest failure's (`certain` if any is).
    pub why: Option<Why>,
    /// What else a `likely` cause could be: every alternative its failures name, in the order met.
    pub alternatives: Vec<Arc<str>>,
    /// With `--state`: new, ongoing, resolved or acknowledged (`None` without a state file).
    pub status: Option<Status>,
    /// With `--state`: when its earliest failure still open was first seen.
    pub open_since: Option<String>,
    /// With `--state`: the acknowledgement in force, if any.
    pub acknowledged: Option<Ack>,
    /// Open failures carried from earlier runs (`--state`), counted in `open` and `failures` too.
    pub carried: u64,
    /// `--fail-on` counts it: the run fails because of it.
    pub fails: bool,
}

/// Where an incident stands across scheduled runs (`--state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// First seen in this run.
    New,
    /// Open since an earlier run.
    Ongoing,
    /// Resolved since the last run.
    Resolved,
    /// Open, but acknowledged with `provdiag ack` until a time still to come.
    Acknowledged,
}

/// An acknowledgement in force: why, and until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ack {
    pub reason: String,
    pub until: String,
}

impl Incident {
    /// The failure reports point at: the first open one, else the first.
    pub fn first(&self, r: &Report) -> usize {
        self.members
            .iter()
            .copied()
            .find(|&k| r.failures.is_open(k))
            .or_else(|| self.members.first().copied())
            .unwrap_or(0)
    }

    /// Its people, open and resolved apart: a person is open while any of their failures in the incident
    /// is; resolved once every one of them is. Both lists keep the order people were first seen, and
    /// together they are `users`.
    pub fn users_apart(&self, r: &Report) -> (Vec<String>, Vec<String>) {
        let open: std::collections::HashSet<&str> = self
            .members
            .iter()
            .filter(|&&k| r.failures.is_open(k))
            .filter_map(|&k| r.failures.who(k))
            .collect();
        self.users
            .iter()
            .cloned()
            .partition(|u| open.contains(u.as_str()))
    }
}

/// How one app fared: its successes, its open and resolved failures, its last events.
#[derive(Debug, PartialEq, Eq)]
pub struct App {
    pub app: String,
    pub app_id: Option<String>,
    pub successes: u64,
    pub open: u64,
    pub resolved: u64,
    pub last_success: Option<String>,
    pub last_failure: Option<String>,
    /// Its last event is a failure (or, without times, it has open failures and no success).
    pub failing: bool,
}

/// What every writer writes: the figures, each failure and its resolution, the incidents (open ones first),
/// the apps, and what could not be read.
#[derive(Debug, Default)]
pub struct Report {
    pub summary: Summary,
    /// Inputs that could not be read at all (a missing file, a directory, a binary file): not records.
    pub unreadable_inputs: u64,
    /// Every failure, kept compactly: `get`, `brief` and `iter` give each back.
    pub failures: Failures,
    pub errors: Vec<InputError>,
    pub incidents: Vec<Incident>,
    pub apps: Vec<App>,
    /// What the run could not do exactly, said once each.
    pub notes: Vec<String>,
}
