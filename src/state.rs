//! `--state FILE` for scheduled runs (spec, "Scheduled runs"): the failures still open, carried from run to run
//! beside `pull`'s cursor, and the acknowledgements `provdiag ack` adds. A run reads the file before it reads
//! anything else (holding a lock beside it, so that a second run with the same file says why it cannot go
//! on), folds what it read into what the file held, and replaces the file atomically once the report is out.

use anyhow::{bail, Context, Result};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use crate::group::{time_text, Ack, Incident, Report, Status};
use crate::record::Finding;
use crate::rules::RuleTable;

/// The version this build writes. Version 1 (a `pull` cursor only) is read as one without open failures.
const VERSION: u32 = 2;

/// The state file: `pull`'s cursor, the failures still open, and the acknowledgements.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StateFile {
    pub version: u32,
    /// The org `pull` read from: a state file is never used with another. Empty until a pull used it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub org: String,
    /// Okta's `next` link after the last page read: Okta's own way to go on without a gap or a repeat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Where there was no `next` link (the pages ended): the latest `published` read…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// …and the uuids read at that time, which the next pull skips.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<String>,
    /// The failures still open after the last run, one per (cause, app, user, operation).
    #[serde(default)]
    pub open: Vec<Open>,
    /// Incidents acknowledged with `provdiag ack`.
    #[serde(default)]
    pub acknowledged: Vec<AckEntry>,
}

/// One failure still open: what the key needs, when it was first and last seen, how often, its last message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Open {
    /// The cause id; `null` for an unrecognized failure.
    pub cause: Option<String>,
    pub app: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The event type of the last failure (its operation is the key's); `null` for text.
    pub event_type: Option<String>,
    pub first_seen: String,
    pub last_seen: String,
    pub count: u64,
    pub message: Option<String>,
}

/// An acknowledgement: an incident (a cause, on one app or on all) that `--fail-on` does not count until `until`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AckEntry {
    /// The cause id; `null` for unrecognized failures.
    pub cause: Option<String>,
    /// The app (case-insensitive); `null` for every app.
    pub app: Option<String>,
    pub reason: String,
    pub until: String,
}

impl StateFile {
    pub fn new(org: String) -> StateFile {
        StateFile {
            version: VERSION,
            org,
            ..StateFile::default()
        }
    }

    /// The state in `path`; `None` if there is none yet (the first run).
    pub fn load(path: &Path) -> Result<Option<StateFile>> {
        let name = path.display();
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read --state {name}")),
        };
        let mut state: StateFile = serde_json::from_slice(&text).with_context(|| {
            format!("--state {name} is not a state file provdiag wrote (delete it to start again)")
        })?;
        if state.version == 0 || state.version > VERSION {
            bail!("--state {name} was written by another version of provdiag (version {}): delete it to start again", state.version);
        }
        state.version = VERSION;
        Ok(Some(state))
    }

    /// Replaces `path` with this state, atomically: a temporary file beside it, synced, then renamed over it.
    pub fn save(&self, path: &Path) -> Result<()> {
        let name = path.display();
        let write = || -> std::io::Result<()> {
            let mut file = tempfile::Builder::new()
                .prefix(".provdiag-state-")
                .suffix(".tmp")
                .tempfile_in(dir_of(path))?;
            let mut text = serde_json::to_vec_pretty(self)?;
            text.push(b'\n');
            file.write_all(&text)?;
            file.as_file().sync_all()?;
            file.persist(path)?;
            Ok(())
        };
        write().with_context(|| format!("cannot write --state {name}"))
    }
}

fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The lock a run holds on its state file, from before it reads anything until the state is saved: a file
/// beside the state (`FILE.lock`; the state file itself is replaced by a rename, so it cannot hold a lock).
/// Making it also proves the directory is there and writable, before any input is read.
pub(crate) struct Lock {
    _file: File,
}

impl Lock {
    pub fn take(state: &Path) -> Result<Lock> {
        let dir = dir_of(state);
        let mut lock_path = state.as_os_str().to_owned();
        lock_path.push(".lock");
        let lock_path = PathBuf::from(lock_path);
        if !dir.is_dir() {
            bail!(
                "--state {}: its directory {} does not exist: create it first",
                state.display(),
                dir.display()
            );
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| {
                format!(
                    "--state {}: cannot write in its directory {} (the state could not be saved)",
                    state.display(),
                    dir.display()
                )
            })?;
        // A state file that exists but cannot be replaced or read is found now, not after the report.
        if state.exists() {
            File::open(state).with_context(|| format!("cannot read --state {}", state.display()))?;
        }
        match file.try_lock() {
            Ok(()) => Ok(Lock { _file: file }),
            Err(TryLockError::WouldBlock) => bail!(
                "--state {} is in use by another provdiag run (it holds {}): runs that share a state file must not overlap; try again when it has ended",
                state.display(),
                lock_path.display()
            ),
            Err(TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("cannot lock {}", lock_path.display()))
            }
        }
    }
}

/// The time this run counts as now: `PROVDIAG_NOW` (RFC 3339) if set, so that tests can play out days of
/// scheduled runs, else the clock.
pub(crate) fn now() -> Timestamp {
    std::env::var("PROVDIAG_NOW")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(Timestamp::now)
}

/// A run's state, from load to save: what the file held, and the time of the run.
pub struct Carry {
    pub(crate) file: StateFile,
    pub(crate) path: PathBuf,
    pub(crate) now: Timestamp,
    _lock: Lock,
}

impl Carry {
    /// Locks and reads `path` (nothing yet: an empty state).
    pub(crate) fn open(path: &Path) -> Result<Carry> {
        let lock = Lock::take(path)?;
        let file = StateFile::load(path)?.unwrap_or_else(|| StateFile::new(String::new()));
        Ok(Carry {
            file,
            path: path.to_owned(),
            now: now(),
            _lock: lock,
        })
    }

    /// Writes the state back (what `fold` made of it).
    pub(crate) fn save(&self) -> Result<()> {
        self.file.save(&self.path)
    }

    /// The earlier runs' open failures as findings, for this run's successes to resolve.
    pub(crate) fn findings(&self) -> Vec<Finding> {
        self.file
            .open
            .iter()
            .map(|o| Finding {
                user: o.user.clone(),
                login: o.login.clone(),
                user_id: o.user_id.clone(),
                app: o.app.clone(),
                app_id: o.app_id.clone(),
                event_type: o.event_type.clone(),
                published: Some(o.last_seen.clone()),
                reason: o.message.clone(),
                ..Finding::default()
            })
            .collect()
    }

    /// Folds this run into the state and the state into the report: earlier failures that this run's
    /// successes resolved (`resolved[k]` for `open[k]`) are dropped, the others carried into the report's
    /// incidents; each incident gets its status, `open_since` and acknowledgement.
    pub(crate) fn fold(&mut self, report: &mut Report, resolved: &[bool], table: &RuleTable) {
        let now = self.now;
        let run_time = time_text(now.round(jiff::Unit::Millisecond).unwrap_or(now));
        let earlier = std::mem::take(&mut self.file.open);
        let mut fixed: Vec<(Option<String>, Option<String>)> = Vec::new();
        let mut open: Vec<Open> = Vec::new();
        let mut at: HashMap<Key, usize> = HashMap::new();
        for (o, &gone) in earlier
            .into_iter()
            .zip(resolved.iter().chain(std::iter::repeat(&false)))
        {
            if gone {
                fixed.push((o.cause.clone(), o.app.clone()));
                continue;
            }
            at.insert(key(&o), open.len());
            open.push(o);
        }
        let from_earlier = open.len();
        // What earlier runs counted: this run's failures of the same key are in the report already.
        let earlier_counts: Vec<u64> = open.iter().map(|o| o.count).collect();
        for f in report.failures.iter().filter(|f| f.resolved_at.is_none()) {
            let seen = f.finding.published.clone().unwrap_or_else(|| run_time.clone());
            let mut o = Open {
                cause: f.cause.as_deref().map(str::to_owned),
                app: f.finding.app.clone(),
                app_id: f.finding.app_id.clone(),
                user: f.finding.user.clone(),
                login: f.finding.login.clone(),
                user_id: f.finding.user_id.clone(),
                event_type: f.finding.event_type.clone(),
                first_seen: seen.clone(),
                last_seen: seen,
                count: 1,
                message: f.finding.reason.clone(),
            };
            match at.get(&key(&o)) {
                Some(&k) => {
                    let held = &mut open[k];
                    held.count += 1;
                    if later(&o.last_seen, &held.last_seen) {
                        held.last_seen = std::mem::take(&mut o.last_seen);
                        held.message = o.message.take();
                    }
                    if later(&held.first_seen, &o.first_seen) {
                        held.first_seen = o.first_seen;
                    }
                }
                None => {
                    at.insert(key(&o), open.len());
                    open.push(o);
                }
            }
        }
        // Carried failures into the report: each incident that holds some gets them as open failures.
        for (o, &count) in open.iter().zip(&earlier_counts) {
            let slot = report
                .incidents
                .iter()
                .position(|i| same_incident(i, o.cause.as_deref(), o.app.as_deref()));
            let slot = slot.unwrap_or_else(|| {
                report.incidents.push(crate::group::empty_incident(
                    table,
                    o.cause.as_deref(),
                    o.app.clone(),
                    o.app_id.clone(),
                ));
                report.incidents.len() - 1
            });
            let i = &mut report.incidents[slot];
            i.carried += count;
            i.open += count;
            i.failures += count;
            if let Some(who) = o.user.as_ref().or(o.login.as_ref()) {
                if !i.users.contains(who) {
                    i.users.push(who.clone());
                }
            }
            if i.first_seen.as_ref().is_none_or(|f| later(f, &o.first_seen)) {
                i.first_seen = Some(o.first_seen.clone());
            }
            if i.last_seen.as_ref().is_none_or(|l| later(&o.last_seen, l)) {
                i.last_seen = Some(o.last_seen.clone());
            }
        }
        for i in &mut report.incidents {
            let cause = i.cause.as_ref().map(|c| &*c.id);
            let mine: Vec<(usize, &Open)> = open
                .iter()
                .enumerate()
                .filter(|(_, o)| o.cause.as_deref() == cause && same_app(o.app.as_deref(), i.app.as_deref()))
                .collect();
            i.open_since = mine
                .iter()
                .map(|(_, o)| o.first_seen.as_str())
                .min_by(|a, b| {
                    if later(a, b) {
                        std::cmp::Ordering::Greater
                    } else {
                        std::cmp::Ordering::Less
                    }
                })
                .map(str::to_owned);
            let ongoing = mine.iter().any(|&(k, _)| k < from_earlier);
            i.status = Some(if i.open == 0 {
                Status::Resolved
            } else if ongoing {
                Status::Ongoing
            } else {
                Status::New
            });
            if i.open > 0 {
                if let Some(a) = self.ack_for(cause, i.app.as_deref()) {
                    i.status = Some(Status::Acknowledged);
                    i.acknowledged = Some(Ack {
                        reason: a.reason.clone(),
                        until: a.until.clone(),
                    });
                }
            }
        }
        // What earlier runs held and this run resolved, on an incident this run did not read: a line saying so.
        for (cause, app) in fixed {
            if report
                .incidents
                .iter()
                .any(|i| same_incident(i, cause.as_deref(), app.as_deref()))
            {
                continue;
            }
            let mut i = crate::group::empty_incident(table, cause.as_deref(), app, None);
            i.status = Some(Status::Resolved);
            report.incidents.push(i);
        }
        report.incidents.sort_by_key(|i| i.open == 0);
        // Expired acknowledgements are dropped: the file stays small.
        self.file
            .acknowledged
            .retain(|a| crate::when::published(&a.until).is_some_and(|u| u > now));
        self.file.open = open;
    }

    /// The acknowledgement still in force for an incident, if any.
    fn ack_for(&self, cause: Option<&str>, app: Option<&str>) -> Option<&AckEntry> {
        self.file.acknowledged.iter().find(|a| {
            a.cause.as_deref() == cause
                && a.app.as_deref().is_none_or(|want| same_app(Some(want), app))
                && crate::when::published(&a.until).is_some_and(|u| u > self.now)
        })
    }
}

/// (cause, app, user, operation), folded: what makes two failures the same open failure.
type Key = (Option<String>, String, String, Option<String>);

fn key(o: &Open) -> Key {
    let fold = |s: Option<&str>| s.map(|s| s.trim().to_lowercase()).unwrap_or_default();
    let op = o
        .event_type
        .as_deref()
        .and_then(crate::group::operation_of)
        .map(|op| op.to_ascii_lowercase());
    (
        o.cause.clone(),
        o.app_id
            .as_deref()
            .map_or_else(|| fold(o.app.as_deref()), |id| fold(Some(id))),
        fold(o.user_id.as_deref().or(o.login.as_deref()).or(o.user.as_deref())),
        op,
    )
}

fn same_app(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
        (None, None) => true,
        _ => false,
    }
}

fn same_incident(i: &Incident, cause: Option<&str>, app: Option<&str>) -> bool {
    i.cause.as_ref().map(|c| &*c.id) == cause && same_app(i.app.as_deref(), app)
}

/// `a` after `b`, as times where both read as times, else as text.
fn later(a: &str, b: &str) -> bool {
    match (crate::when::published(a), crate::when::published(b)) {
        (Some(x), Some(y)) => x > y,
        _ => a > b,
    }
}

/// `provdiag ack`: records an acknowledgement in the state file (replacing one for the same cause and app).
pub(crate) fn acknowledge(
    state: &Path,
    cause: Option<&str>,
    app: Option<&str>,
    until: &str,
    reason: &str,
) -> Result<String> {
    let now = now();
    let until = until_time(until, now)?;
    if until <= now {
        bail!("--until {until} has already passed: an acknowledgement runs until a time to come");
    }
    if reason.trim().is_empty() {
        bail!("--reason is empty: say why the incident may wait (a ticket, a person, a date)");
    }
    let _lock = Lock::take(state)?;
    let mut file = StateFile::load(state)?.unwrap_or_else(|| StateFile::new(String::new()));
    let app = app.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty());
    file.acknowledged.retain(|a| {
        !(a.cause.as_deref() == cause
            && a.app.as_deref().map(str::to_lowercase) == app.as_deref().map(str::to_lowercase))
    });
    let entry = AckEntry {
        cause: cause.map(str::to_owned),
        app: app.clone(),
        reason: reason.trim().to_owned(),
        until: time_text(until.round(jiff::Unit::Second).unwrap_or(until)),
    };
    let said = format!(
        "acknowledged {} on {} until {}: {}",
        cause.unwrap_or("unrecognized failures"),
        app.as_deref().unwrap_or("every app"),
        entry.until,
        entry.reason
    );
    file.acknowledged.push(entry);
    file.save(state)?;
    Ok(said)
}

/// `ack --until`: a time, a date, or a duration from now (`7d`: a week from now).
fn until_time(text: &str, now: Timestamp) -> Result<Timestamp> {
    let t = text.trim();
    // A duration counts forward here: `when::parse` counts it back from now, so mirror it around now.
    if t.ends_with(['s', 'm', 'h', 'd', 'w']) && t[..t.len() - 1].bytes().all(|b| b.is_ascii_digit()) {
        let back = crate::when::parse(t, now).context("invalid --until")?;
        return now
            .checked_add(now.duration_since(back))
            .context("--until is too far ahead");
    }
    crate::when::parse(t, now).context("invalid --until")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_saved_whole_and_read_back_and_version_1_is_read() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("state.json");
        assert_eq!(StateFile::load(&path).expect("no file yet"), None);
        let mut state = StateFile::new("https://acme.okta.com".to_owned());
        state.next = Some("https://acme.okta.com/api/v1/logs?after=1".to_owned());
        state.open.push(Open {
            cause: Some("license-limit-exceeded".into()),
            app: Some("Box".into()),
            first_seen: "2024-04-21T12:00:00.000Z".into(),
            last_seen: "2024-04-21T12:00:00.000Z".into(),
            count: 1,
            ..Open::default()
        });
        state.save(&path).expect("saved");
        assert_eq!(StateFile::load(&path).expect("read"), Some(state));
        let names: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
        std::fs::write(
            &path,
            r#"{"version": 1, "org": "https://a.okta.com", "since": "x"}"#,
        )
        .expect("written");
        let old = StateFile::load(&path).expect("read").expect("a state");
        assert_eq!((old.version, old.open.len()), (VERSION, 0));
    }

    #[test]
    fn a_file_that_is_not_a_state_is_refused_with_the_way_out() {
        let dir = tempfile::tempdir().expect("a directory");
        for (bytes, what) in [
            (&b"{\"version\": 1, \"org\""[..], "delete it"),
            (b"[1, 2]", "delete it"),
            (b"{\"version\": 7, \"org\": \"x\"}", "another version"),
        ] {
            let path = dir.path().join("state.json");
            std::fs::write(&path, bytes).expect("written");
            let err = format!("{:#}", StateFile::load(&path).expect_err("refused"));
            assert!(err.contains(what) && err.contains("state.json"), "{err}");
        }
    }

    #[test]
    fn a_second_lock_on_the_same_state_is_refused_and_a_missing_directory_is_named() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("state.json");
        let first = Lock::take(&path).expect("locked");
        let err = format!("{:#}", Lock::take(&path).err().expect("refused"));
        assert!(err.contains("in use by another provdiag run"), "{err}");
        drop(first);
        assert!(Lock::take(&path).is_ok(), "free again once the first run ends");
        let err = format!(
            "{:#}",
            Lock::take(&dir.path().join("no/such/state.json"))
                .err()
                .expect("refused")
        );
        assert!(err.contains("does not exist"), "{err}");
    }

    #[test]
    fn ack_until_takes_a_duration_forward_or_a_time() {
        let now: Timestamp = "2024-04-21T12:00:00Z".parse().expect("time");
        assert_eq!(
            until_time("7d", now).expect("valid").to_string(),
            "2024-04-28T12:00:00Z"
        );
        assert_eq!(
            until_time("2024-05-01", now).expect("valid").to_string(),
            "2024-05-01T00:00:00Z"
        );
        assert!(until_time("soon", now).is_err());
    }
}
