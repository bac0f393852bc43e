//! The group stage: every record counted, successes kept by (user, app, operation), and at the end every
//! failure resolved or left open and grouped into incidents by (cause, app), with one line per app.
//!
//! While reading, the `Ledger` takes records; `Ledger::close` turns it into the `Report` every writer writes
//! from. Writers never need the rule table: an incident carries its cause's id, title, steps and source.

mod apps;
mod filter;
mod kept;
mod model;
mod resolve;
mod seen;

use jiff::Timestamp;
use std::collections::{HashMap, HashSet};

pub use filter::Filter;
pub use kept::{Failures, DETAILS_IN_MEMORY};
pub(crate) use model::time_text;
pub use model::{Ack, App, Cause, Failure, Incident, Report, Status, Summary};
pub use seen::Seen;

use crate::record::keys::Hasher;
pub use crate::record::Facts;
use crate::record::{Confidence, Finding, InputError};
use crate::rules::RuleTable;
use resolve::{Resolution, Successes};

/// An incident with no failure counted yet: one this run's failures fill, or one of failures carried from
/// earlier runs only (`--state`).
pub(crate) fn empty_incident(
    table: &RuleTable,
    cause_id: Option<&str>,
    app: Option<String>,
    app_id: Option<String>,
) -> Incident {
    Incident {
        cause: cause_id.and_then(|id| cause(table, id, app.as_deref())),
        app,
        app_id,
        failures: 0,
        open: 0,
        resolved: 0,
        users: Vec::new(),
        first_seen: None,
        last_seen: None,
        resolved_at: None,
        members: Vec::new(),
        why: None,
        alternatives: Vec::new(),
        status: None,
        open_since: None,
        acknowledged: None,
        carried: 0,
        fails: false,
    }
}

/// The operation kind of an event type, as resolution matches it (`--state` keys by it too).
pub(crate) fn operation_of(event_type: &str) -> Option<String> {
    crate::okta::operation(event_type).map(|op| op.into_owned())
}

/// The most unreadable records a report lists with their places. Every one is counted, and `--format ndjson`
/// writes each as it is read; but a file of millions of broken lines must not hold millions of messages:
/// listed, 3 million took 500 MiB.
pub const ERRORS_LISTED: usize = 10_000;

/// The group stage's state while records arrive.
#[derive(Default)]
pub struct Ledger {
    summary: Summary,
    unreadable_inputs: u64,
    /// Every failure, kept compactly (with, under `--redact`, the people as read, for resolution).
    failures: Failures,
    errors: Vec<InputError>,
    /// What the run could not do, known while reading (an input it could not read, an input without uuids
    /// or times).
    notes: Vec<String>,
    hasher: Hasher,
    successes: Successes,
    /// With `--redact`, the successes again as their pseudonyms: an earlier run's failure carried by
    /// `--state` is kept redacted, and is resolved by these.
    redacted_successes: Successes,
    apps: apps::Tally,
}

impl Ledger {
    /// A ledger that keeps the details of no more than `in_memory` failures in memory (the others go to a
    /// temporary file until the report is written).
    pub fn with_details_in_memory(in_memory: usize) -> Self {
        Self {
            failures: Failures::with_in_memory(in_memory),
            ..Self::default()
        }
    }

    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// An input that could not be read at all; `why` becomes a note of the report.
    pub fn unreadable(&mut self, why: String) {
        self.unreadable_inputs += 1;
        if !self.notes.contains(&why) {
            self.notes.push(why);
        }
    }

    /// Keeps a note for the report; false if the same note was already kept.
    pub fn note(&mut self, text: String) -> bool {
        if self.notes.contains(&text) {
            return false;
        }
        self.notes.push(text);
        true
    }

    pub fn ignored(&mut self) {
        self.summary.records += 1;
        self.summary.ignored += 1;
    }

    pub fn duplicate(&mut self) {
        self.summary.records += 1;
        self.summary.duplicates += 1;
    }

    /// An unreadable record: counted, and listed while fewer than `ERRORS_LISTED` are.
    pub fn malformed(&mut self, error: InputError) {
        self.summary.records += 1;
        self.summary.malformed += 1;
        if self.errors.len() < ERRORS_LISTED {
            self.errors.push(error);
        }
    }

    /// Who, what and when of a record, for resolution.
    pub fn facts(&self, f: &Finding) -> Facts {
        Facts(self.hasher.subject(f))
    }

    /// True if a success read in this run resolves `f` (an earlier run's failure, carried by `--state`): asked
    /// once every success is read, which lets resolution drop what only reading needed.
    pub fn resolves(&mut self, f: &Finding) -> bool {
        let subject = self.hasher.subject(f);
        [&mut self.successes, &mut self.redacted_successes]
            .into_iter()
            .any(|s| {
                s.seal();
                matches!(s.resolve(&subject), Resolution::Resolved { .. })
            })
    }

    /// A success as `--redact` names its people: what resolves a redacted failure of an earlier run.
    pub fn success_redacted(&mut self, f: &Finding) {
        let subject = self.hasher.subject(f);
        self.redacted_successes.add(&subject);
    }

    /// A provisioning success: counted among the ignored records, kept by key for resolution.
    pub fn success(&mut self, f: &Finding, facts: Facts) {
        self.ignored();
        self.successes.add(&facts.0);
        self.apps.success(&facts.0, f);
    }

    /// Counts a failure of rule `cause` (none: unrecognized) and keeps it; `before` is the finding as read
    /// where `--redact` changed it (resolution matches people as the input names them).
    pub fn failure(&mut self, failure: Failure, before: Option<&Finding>) {
        let s = &mut self.summary;
        s.records += 1;
        s.failures += 1;
        match &failure.cause {
            Some(id) => {
                s.diagnosed += 1;
                match s.by_cause.get_mut(&**id) {
                    Some(n) => *n += 1,
                    None => {
                        s.by_cause.insert(id.to_string(), 1);
                    }
                }
            }
            None => s.unrecognized += 1,
        }
        self.failures.push(failure, before);
    }

    /// Resolves every failure against every success, and groups: the report.
    pub fn close(mut self, table: &RuleTable) -> Report {
        let mut inexact = 0u64;
        let mut resolved = 0u64;
        self.successes.seal();
        for k in 0..self.failures.len() {
            match self.successes.resolve(&self.failures.subject(&self.hasher, k)) {
                Resolution::Open => self.failures.resolve_next(None),
                Resolution::Resolved { at, exact } => {
                    inexact += u64::from(!exact);
                    resolved += 1;
                    self.failures.resolve_next(Some(at));
                }
            }
        }
        self.summary.resolved = resolved;
        self.summary.open = self.summary.failures - resolved;
        let spilled = self.failures.close();
        let apps = self.apps.close(&self.hasher, &self.failures);
        let incidents = incidents(&self.failures, &apps.of_failure, &apps.lines, table);
        let mut notes = std::mem::take(&mut self.notes);
        if inexact > 0 {
            notes.push(format!(
                "{inexact} failure{} had more than {} later successes of the same operation; resolved_at is the earliest of those kept, not necessarily the first",
                if inexact == 1 { "" } else { "s" },
                resolve::KEPT / 2
            ));
        }
        if self.summary.malformed > self.errors.len() as u64 {
            notes.push(format!(
                "{} records could not be read: the report lists the first {ERRORS_LISTED} (--format ndjson \
                 lists every one as it is read)",
                self.summary.malformed
            ));
        }
        notes.extend(spilled);
        Report {
            summary: self.summary,
            unreadable_inputs: self.unreadable_inputs,
            failures: self.failures,
            errors: self.errors,
            incidents,
            apps: apps.lines,
            notes,
        }
    }
}

/// The incidents: one per (cause, app); open ones first (most open failures first), then the resolved
/// ones; ties in rule-table order (unrecognized last), then by app.
fn incidents(failures: &Failures, app_of: &[Option<u32>], apps: &[App], table: &RuleTable) -> Vec<Incident> {
    let rank: HashMap<&str, usize> = table
        .ids()
        .into_iter()
        .enumerate()
        .map(|(i, id)| (id, i))
        .collect();
    let mut list: Vec<Incident> = Vec::new();
    let mut at: HashMap<(Option<&str>, Option<usize>), usize> = HashMap::new();
    // Borrowed from the failures: a copy of every user's name would cost as much again.
    let mut seen_users: Vec<HashSet<&str>> = Vec::new();
    let mut last_fix: Vec<Option<Timestamp>> = Vec::new();
    for (k, app) in app_of.iter().enumerate().take(failures.len()) {
        let app = app.map(|a| a as usize);
        let cause_id = failures.cause(k);
        let slot = *at.entry((cause_id.map(|c| &**c), app)).or_insert_with(|| {
            let line = app.map(|a| &apps[a]);
            let name = line.map(|l| l.app.clone());
            list.push(empty_incident(
                table,
                cause_id.map(|c| &**c),
                name,
                line.and_then(|l| l.app_id.clone()),
            ));
            seen_users.push(HashSet::new());
            last_fix.push(None);
            list.len() - 1
        });
        let i = &mut list[slot];
        i.failures += 1;
        i.members.push(k);
        if let Some(w) = failures.why(k) {
            if i.why.as_ref().is_none_or(|have| have.confidence < w.confidence) {
                i.why = Some(w.clone());
            }
            for a in w.alternatives.iter() {
                if !i.alternatives.contains(a) {
                    i.alternatives.push(a.clone());
                }
            }
        }
        match failures.resolved_at(k) {
            Some(t) => {
                i.resolved += 1;
                last_fix[slot] = last_fix[slot].max(Some(t));
            }
            None => i.open += 1,
        }
        if let Some(who) = failures.who(k) {
            if seen_users[slot].insert(who) {
                i.users.push(who.to_owned());
            }
        }
        if let Some(p) = failures.published(k) {
            if i.first_seen.as_ref().is_none_or(|first| earlier(&p, first)) {
                i.first_seen = Some(p.clone());
            }
            if i.last_seen.as_ref().is_none_or(|last| earlier(last, &p)) {
                i.last_seen = Some(p);
            }
        }
    }
    for (i, fix) in list.iter_mut().zip(last_fix) {
        if i.open == 0 {
            i.resolved_at = fix.map(time_text);
        }
        if i.why
            .as_ref()
            .is_some_and(|w| w.confidence == Confidence::Certain)
        {
            i.alternatives.clear();
        }
        add_context_steps(i, failures, table);
    }
    let order = |i: &Incident| {
        i.cause
            .as_ref()
            .and_then(|c| rank.get(&*c.id).copied())
            .unwrap_or(usize::MAX)
    };
    list.sort_by(|a, b| {
        (b.open > 0)
            .cmp(&(a.open > 0))
            .then(b.open.cmp(&a.open))
            .then(b.failures.cmp(&a.failures))
            .then_with(|| order(a).cmp(&order(b)))
            .then_with(|| a.app.cmp(&b.app))
            .then_with(|| a.app_id.cmp(&b.app_id))
    });
    list
}

/// `a` before `b`, as times where both read as times, else as text.
pub(crate) fn earlier(a: &str, b: &str) -> bool {
    match (crate::when::published(a), crate::when::published(b)) {
        (Some(x), Some(y)) => x < y,
        _ => a < b,
    }
}

fn cause(table: &RuleTable, id: &str, app: Option<&str>) -> Option<Cause> {
    let rule = table.get(id)?;
    Some(Cause {
        id: id.into(),
        title: rule.title.clone(),
        summary: rule.summary.clone(),
        remediation: rule.steps_for(app),
        source: rule.source.clone(),
        other_causes: rule.other_causes.len(),
        others: rule.other_causes.clone(),
        app_sources: rule
            .app_sources
            .iter()
            .map(|s| (s.app.clone(), s.url.clone()))
            .collect(),
    })
}

/// The wrapper gives context: the operations an incident's failures were (a group push, a deactivation)
/// add their steps to its cause's remediation, before the last step (retrying the tasks) where there is one.
fn add_context_steps(i: &mut Incident, failures: &Failures, table: &RuleTable) {
    let Some(cause) = &mut i.cause else { return };
    let mut operations: Vec<&str> = Vec::new();
    for &k in &i.members {
        if let Some(op) = failures.why(k).and_then(|w| w.operation) {
            if !operations.contains(&op.as_str()) {
                operations.push(op.as_str());
            }
        }
    }
    let app = i.app.as_deref().unwrap_or("the app");
    let steps: Vec<String> = table
        .context_steps(&operations)
        .flat_map(|c| c.steps.iter().map(|s| s.replace("{app}", app)))
        .filter(|s| !cause.remediation.contains(s))
        .collect();
    if steps.is_empty() {
        return;
    }
    let retry = cause
        .remediation
        .last()
        .is_some_and(|s| s.contains("Retry Selected"));
    let at = if retry {
        cause.remediation.len() - 1
    } else {
        cause.remediation.len()
    };
    cause.remediation.splice(at..at, steps);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn failure(user: &str, app: &str, published: &str) -> Finding {
        Finding {
            user: Some(user.into()),
            app: Some(app.into()),
            published: Some(published.into()),
            event_type: Some("application.provision.user.push".into()),
            ..Finding::default()
        }
    }

    fn fail(l: &mut Ledger, f: Finding, cause: Option<&str>) {
        l.failure(
            Failure {
                finding: f,
                cause: cause.map(Arc::from),
                why: None,
                resolved_at: None,
            },
            None,
        );
    }

    #[test]
    fn one_cause_on_one_app_is_one_incident_with_each_user_once() {
        let table = RuleTable::load(None).expect("rules");
        let x = Some("license-limit-exceeded");
        let mut l = Ledger::default();
        fail(&mut l, failure("A", "Box", "2024-04-21T12:00:00.000Z"), x);
        fail(&mut l, failure("B", "Box", "2024-04-20T12:00:00.000Z"), x);
        fail(&mut l, failure("A", "Box", "2024-04-22T12:00:00.000Z"), x);
        fail(&mut l, failure("A", "Zoom", "2024-04-22T12:00:00.000Z"), x);
        fail(&mut l, failure("C", "Box", "2024-04-22T12:00:00.000Z"), None);
        l.ignored();
        let r = l.close(&table);
        assert_eq!(r.incidents.len(), 3);
        let first = &r.incidents[0];
        assert_eq!(
            (first.failures, first.users.clone()),
            (3, vec!["A".to_string(), "B".to_string()])
        );
        assert_eq!(first.first_seen.as_deref(), Some("2024-04-20T12:00:00.000Z"));
        assert_eq!(first.last_seen.as_deref(), Some("2024-04-22T12:00:00.000Z"));
        let c = first.cause.as_ref().expect("a cause");
        assert_eq!(&*c.id, "license-limit-exceeded");
        assert!(c.remediation.iter().any(|s| s.contains("Box")), "app filled in");
        assert_eq!(
            r.incidents[1].app.as_deref(),
            Some("Zoom"),
            "diagnosed before unrecognized on a tie"
        );
        let s = &r.summary;
        assert_eq!(
            (
                s.records,
                s.failures,
                s.diagnosed,
                s.unrecognized,
                s.ignored,
                s.open,
                s.resolved
            ),
            (6, 5, 4, 1, 1, 5, 0)
        );
        assert_eq!(s.by_cause.get("license-limit-exceeded"), Some(&4));
    }

    #[test]
    fn resolved_incidents_come_after_open_ones_with_when_they_were_fixed() {
        let table = RuleTable::load(None).expect("rules");
        let mut l = Ledger::default();
        for who in ["A", "B", "C"] {
            fail(
                &mut l,
                failure(who, "Box", "2024-04-21T12:00:00.000Z"),
                Some("license-limit-exceeded"),
            );
        }
        fail(&mut l, failure("A", "Zoom", "2024-04-21T12:00:00.000Z"), None);
        for (who, at) in [
            ("A", "2024-04-21T13:00:00.000Z"),
            ("B", "2024-04-21T14:00:00.000Z"),
            ("C", "2024-04-21T15:00:00.000Z"),
        ] {
            let s = failure(who, "Box", at);
            let facts = l.facts(&s);
            l.success(&s, facts);
        }
        let r = l.close(&table);
        assert_eq!(r.incidents[0].app.as_deref(), Some("Zoom"), "the open one first");
        let boxed = &r.incidents[1];
        assert_eq!((boxed.open, boxed.resolved), (0, 3));
        assert_eq!(boxed.resolved_at.as_deref(), Some("2024-04-21T15:00:00.000Z"));
        assert_eq!(
            r.failures.get(1).and_then(|f| f.resolved_at).as_deref(),
            Some("2024-04-21T14:00:00.000Z")
        );
        assert_eq!((r.summary.open, r.summary.resolved, r.summary.ignored), (1, 3, 3));
    }

    /// The same run read into a ledger that keeps the details of `in_memory` failures in memory: the report's
    /// JSON document and its GitHub commands.
    fn written(in_memory: usize) -> (serde_json::Value, String) {
        let table = RuleTable::load(None).expect("rules");
        let mut l = Ledger::with_details_in_memory(in_memory);
        let people = ["Ana Lima", "Bo Wu", "Zoë O'Brien"];
        for n in 0..40u64 {
            let mut f = failure(
                people[n as usize % 3],
                ["Box", "Zoom"][n as usize % 2],
                &format!("2024-04-21T12:{:02}:00.000Z", n),
            );
            f.source = crate::record::Source {
                path: ["a.ndjson", "b.csv"][n as usize % 2].into(),
                line: n + 1,
            };
            // Uuids of every kind: as Okta writes them, in capitals, and text.
            f.uuid = Some(match n % 3 {
                0 => format!("f1b7d4b5-0f0c-11ef-9a1b-0242ac12{n:04}"),
                1 => format!("F1B7D4B5-0F0C-11EF-9A1B-0242AC12{n:04}"),
                _ => format!("event-{n}"),
            });
            f.reason = Some(format!("License Limit Exceeded ({})", n % 4));
            if n == 7 {
                f.published = Some("yesterday".into());
            }
            fail(&mut l, f, [Some("license-limit-exceeded"), None][n as usize % 2]);
        }
        let s = failure("Bo Wu", "Box", "2024-04-21T12:30:00.000Z");
        let facts = l.facts(&s);
        l.success(&s, facts);
        let r = l.close(&table);
        let mut json = Vec::new();
        crate::report::writer(crate::report::OutputFormat::Json, false, false)
            .finish(&mut json, &r)
            .expect("written");
        let mut github = Vec::new();
        crate::report::writer(crate::report::OutputFormat::Github, false, false)
            .finish(&mut github, &r)
            .expect("written");
        assert!(!r.failures.unread());
        (
            serde_json::from_slice(&json).expect("a JSON document"),
            String::from_utf8(github).expect("utf-8"),
        )
    }

    #[test]
    fn a_report_whose_findings_went_to_a_temporary_file_is_the_same_report_with_a_note() {
        let (mut whole, github) = written(usize::MAX);
        let (mut spilled, spilled_github) = written(5);
        let (note_lines, rest): (Vec<&str>, Vec<&str>) =
            spilled_github.lines().partition(|l| l.contains("temporary file"));
        assert_eq!((note_lines.len(), rest.join("\n") + "\n"), (1, github));
        assert_eq!(whole["findings"].as_array().map(Vec::len), Some(40));
        assert!(
            whole["summary"]["resolved"].as_u64() > Some(0),
            "{}",
            whole["summary"]
        );
        let notes = |v: &mut serde_json::Value| v["notes"].take();
        assert_eq!(notes(&mut whole), serde_json::json!([]));
        let note = notes(&mut spilled);
        assert!(
            note[0]
                .as_str()
                .is_some_and(|n| n.contains("35 of them were kept in a temporary file")),
            "{note}"
        );
        assert_eq!(whole, spilled);
    }

    #[test]
    fn times_are_shown_as_okta_writes_them() {
        let t: Timestamp = "2024-04-21T12:00:00Z".parse().expect("time");
        assert_eq!(time_text(t), "2024-04-21T12:00:00.000Z");
        let t: Timestamp = "2024-04-21T12:00:00.123456Z".parse().expect("time");
        assert_eq!(time_text(t), "2024-04-21T12:00:00.123456Z");
    }
}
