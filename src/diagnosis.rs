//! The group stage: every record counted, every failure matched and grouped into incidents by (cause, app).

use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

use fnv::FnvHasher;
use std::hash::{BuildHasherDefault, Hasher};

use crate::record::{EventKey, Finding, InputError};

/// The figures of a run; `records = failures + ignored + malformed + duplicates`,
/// `failures = diagnosed + unrecognized`.
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
}

/// A failure and the rule that matched it (an index into the rule table), if any.
#[derive(Debug)]
pub struct Diagnosed {
    pub finding: Finding,
    pub cause: Option<usize>,
}

/// The failures of one cause on one app.
#[derive(Debug)]
pub struct Incident {
    pub cause: Option<usize>,
    pub app: Option<String>,
    pub failures: u64,
    /// Each affected person once, in the order first seen.
    pub users: Vec<String>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Index (into `Diagnosis::findings`) of the first failure, for reports that point at a place.
    pub first_finding: usize,
    seen_users: HashSet<String>,
}

#[derive(Debug, Default)]
pub struct Diagnosis {
    pub summary: Summary,
    /// Inputs that could not be read at all (a missing file, a directory, a binary file): not records.
    pub unreadable_inputs: u64,
    pub findings: Vec<Diagnosed>,
    pub errors: Vec<InputError>,
    /// What the run could not do, for want of a field in some input (no uuid: no duplicates found).
    pub notes: Vec<String>,
    incidents: Vec<Incident>,
    by_key: HashMap<(Option<usize>, Option<String>), usize>,
}

impl Diagnosis {
    pub fn ignored(&mut self) {
        self.summary.records += 1;
        self.summary.ignored += 1;
    }

    /// A provisioning success: counted among the ignored records.
    pub fn success(&mut self, _success: Finding) {
        self.ignored();
    }

    pub fn duplicate(&mut self) {
        self.summary.records += 1;
        self.summary.duplicates += 1;
    }

    pub fn malformed(&mut self, error: InputError) {
        self.summary.records += 1;
        self.summary.malformed += 1;
        self.errors.push(error);
    }

    /// Counts a failure whose cause is `cause` (`id` its rule id) and files it under its incident.
    pub fn failure(&mut self, finding: Finding, cause: Option<(usize, &str)>) {
        let s = &mut self.summary;
        s.records += 1;
        s.failures += 1;
        match cause {
            Some((_, id)) => {
                s.diagnosed += 1;
                *s.by_cause.entry(id.to_owned()).or_default() += 1;
            }
            None => s.unrecognized += 1,
        }
        let cause = cause.map(|(i, _)| i);
        let index = self.findings.len();
        let key = (cause, finding.app.clone());
        let slot = *self.by_key.entry(key).or_insert_with(|| {
            self.incidents.push(Incident {
                cause,
                app: finding.app.clone(),
                failures: 0,
                users: Vec::new(),
                first_seen: None,
                last_seen: None,
                first_finding: index,
                seen_users: HashSet::new(),
            });
            self.incidents.len() - 1
        });
        self.incidents[slot].add(&finding);
        self.findings.push(Diagnosed { finding, cause });
    }

    /// Incidents, most failures first; ties in rule-table order (unrecognized last), then by app.
    pub fn incidents(&self) -> Vec<&Incident> {
        let mut list: Vec<&Incident> = self.incidents.iter().collect();
        list.sort_by(|a, b| {
            b.failures
                .cmp(&a.failures)
                .then_with(|| a.cause.unwrap_or(usize::MAX).cmp(&b.cause.unwrap_or(usize::MAX)))
                .then_with(|| a.app.cmp(&b.app))
        });
        list
    }
}

impl Incident {
    fn add(&mut self, f: &Finding) {
        self.failures += 1;
        if let Some(who) = f.user.as_ref().or(f.login.as_ref()) {
            if self.seen_users.insert(who.clone()) {
                self.users.push(who.clone());
            }
        }
        if let Some(p) = &f.published {
            if self.first_seen.as_ref().is_none_or(|first| p < first) {
                self.first_seen = Some(p.clone());
            }
            if self.last_seen.as_ref().is_none_or(|last| p > last) {
                self.last_seen = Some(p.clone());
            }
        }
    }
}

/// The events seen in this run. Counting duplicates exactly means remembering every event, so this set is
/// the one part of memory that grows with the input; it keeps a 64-bit FNV hash of each key (8 bytes an
/// event, half what the keys take). Two different events share a hash with a chance of about n²/2⁶⁵:
/// 3 in a million for ten million events. Keys come from the input, but a crafted collision can only make
/// one event count as a duplicate.
#[derive(Default)]
pub struct Seen {
    hashes: HashSet<u64, BuildHasherDefault<FnvHasher>>,
}

impl Seen {
    /// True the first time `key` is offered.
    pub fn first(&mut self, key: EventKey) -> bool {
        let mut h = FnvHasher::default();
        match key {
            EventKey::Uuid(n) => h.write(&n.to_le_bytes()),
            EventKey::Text(t) => {
                h.write_u8(0xff); // apart from any UUID's bytes
                h.write(t.as_bytes());
            }
        }
        self.hashes.insert(h.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(user: &str, app: &str, published: &str) -> Finding {
        Finding {
            user: Some(user.into()),
            app: Some(app.into()),
            published: Some(published.into()),
            ..Finding::default()
        }
    }

    #[test]
    fn seen_tells_repeats_from_new_events() {
        let mut seen = Seen::default();
        let key = |s: &str| EventKey::new(s).expect("a key");
        assert!(seen.first(key("f1b7d4b5-0f0c-11ef-9a1b-0242ac120002")));
        assert!(!seen.first(key("F1B7D4B5-0F0C-11EF-9A1B-0242AC120002")));
        assert!(seen.first(key("f1b7d4b5-0f0c-11ef-9a1b-0242ac120003")));
        assert!(seen.first(key("abc")));
        assert!(!seen.first(key("abc")));
        // v1 UUIDs from one node differ only in their time fields: all of them count.
        let distinct = (0..100_000u32)
            .filter(|i| seen.first(key(&format!("{i:08x}-598c-11ef-8478-2b7584bf8d5b"))))
            .count();
        assert_eq!(distinct, 100_000);
    }

    #[test]
    fn one_cause_on_one_app_is_one_incident_with_each_user_once() {
        let mut d = Diagnosis::default();
        d.failure(failure("A", "Box", "2024-04-21T12:00:00.000Z"), Some((0, "x")));
        d.failure(failure("B", "Box", "2024-04-20T12:00:00.000Z"), Some((0, "x")));
        d.failure(failure("A", "Box", "2024-04-22T12:00:00.000Z"), Some((0, "x")));
        d.failure(failure("A", "Zoom", "2024-04-22T12:00:00.000Z"), Some((0, "x")));
        d.failure(failure("C", "Box", "2024-04-22T12:00:00.000Z"), None);
        d.ignored();
        let list = d.incidents();
        assert_eq!(list.len(), 3);
        let first = list[0];
        assert_eq!(
            (first.failures, first.users.clone()),
            (3, vec!["A".to_string(), "B".to_string()])
        );
        assert_eq!(first.first_seen.as_deref(), Some("2024-04-20T12:00:00.000Z"));
        assert_eq!(first.last_seen.as_deref(), Some("2024-04-22T12:00:00.000Z"));
        assert_eq!(
            list[1].app.as_deref(),
            Some("Zoom"),
            "diagnosed before unrecognized on a tie"
        );
        let s = &d.summary;
        assert_eq!(
            (s.records, s.failures, s.diagnosed, s.unrecognized, s.ignored),
            (6, 5, 4, 1, 1)
        );
        assert_eq!(s.by_cause.get("x"), Some(&4));
    }
}
