//! Resolution: which failures a later success of the same operation, for the same user and app, fixed.
//!
//! Successes are kept per (operation, user, app) key, never per event: the latest time of each key (which
//! makes open/resolved exact whatever the input order) and at least the `KEPT / 2` latest times (which make
//! `resolved_at`, the first success after the failure, exact for every failure later than the latest success
//! that had to be let go; `Resolution::Resolved::exact` says which).
//! People and apps are kept as keyed hashes of their folded ids, logins and names, taken before `--redact`:
//! nothing of them is printed, and a crafted name cannot aim at another's hash (the key is random per run).

use std::collections::HashMap;

use jiff::Timestamp;

use crate::record::keys::{Key, Subject, Where, Who};

/// How many success times a (user, app, operation) key keeps at most; at least the latest half of this.
pub(crate) const KEPT: usize = 128;
/// How many success times an app keeps at most (at least half), for failures that name no user: an app has
/// many successes.
pub(crate) const KEPT_PER_APP: usize = 8192;

/// A map whose keys are already keyed hashes (`Key`s and what holds them): hashing them again with SipHash
/// cost more than the rest of a success.
pub(crate) type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The success times of one key: the latest, and the `cap` latest. Most keys see one success, which costs
/// no allocation; a key's times are sorted only when a failure asks.
#[derive(Debug)]
pub(crate) struct Times {
    latest: Timestamp,
    /// The times kept besides `latest`, oldest let go first once there are `cap` in all.
    others: Vec<Timestamp>,
    /// The latest time that had to be let go: the first success after a failure older than this one may be
    /// among those let go.
    dropped: Option<Timestamp>,
}

impl Times {
    fn new(at: Timestamp) -> Self {
        Times {
            latest: at,
            others: Vec::new(),
            dropped: None,
        }
    }

    fn add(&mut self, at: Timestamp, cap: usize) {
        let older = if at > self.latest {
            std::mem::replace(&mut self.latest, at)
        } else {
            at
        };
        self.others.push(older);
        if self.others.len() >= cap {
            // Keep the latest half: a linear pass now and then, instead of a heap per key.
            self.others.sort_unstable();
            let cut = self.others.len() - cap / 2;
            let gone = self.others.drain(..cut).next_back();
            self.dropped = self.dropped.max(gone);
        }
    }

    /// The first success after `t` among those kept, and whether it is surely the first of all.
    fn first_after(&self, t: Timestamp) -> Option<(Timestamp, bool)> {
        if self.latest <= t {
            return None;
        }
        let first = self
            .others
            .iter()
            .copied()
            .filter(|s| *s > t)
            .min()
            .unwrap_or(self.latest);
        Some((first, self.dropped.is_none_or(|d| d <= t)))
    }
}

/// A key of the user index: one of a person's fields, with the operation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    Id(Key),
    Login(Key),
    Name(Key),
}

/// Lists of indices, one per key, as chains through one vector: most lists hold one index, and a `Vec` each
/// would cost an allocation each.
struct Chains<K> {
    head: Map<K, u32>,
    /// (index, next link or `u32::MAX`).
    links: Vec<(u32, u32)>,
}

impl<K> Default for Chains<K> {
    fn default() -> Self {
        Self {
            head: Map::default(),
            links: Vec::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq> Chains<K> {
    fn push(&mut self, key: K, index: usize) {
        let link = self.links.len() as u32;
        let next = self.head.insert(key, link).unwrap_or(u32::MAX);
        self.links.push((index as u32, next));
    }

    fn get(&self, key: &K) -> impl Iterator<Item = usize> + '_ {
        let mut at = self.head.get(key).copied().unwrap_or(u32::MAX);
        std::iter::from_fn(move || {
            let &(index, next) = self.links.get(at as usize)?;
            at = next;
            Some(index as usize)
        })
    }
}

/// Every success read so far, by (operation, user, app), and by app for failures that name no user.
#[derive(Default)]
pub(crate) struct Successes {
    keys: Vec<(Who, Where, Times)>,
    at: Map<(Key, Who, Where), u32>,
    by_user: Chains<(Key, Field)>,
    apps: Vec<(Where, Times)>,
    app_at: Map<Where, u32>,
    by_app: Chains<(bool, Key)>,
}

/// How a failure stands once every success is known.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Resolution {
    Open,
    /// Resolved at the time given; `exact` is false when an earlier success may have been let go.
    Resolved {
        at: Timestamp,
        exact: bool,
    },
}

impl Successes {
    /// Files one success; one with no time or no app can resolve nothing.
    pub(crate) fn add(&mut self, s: &Subject) {
        let Some(at) = s.at else { return };
        if s.app.is_none() {
            return;
        }
        self.add_to_app(s.app, at);
        let Some(op) = s.op else { return };
        if s.who.is_none() {
            return;
        }
        let key = (op, s.who, s.app);
        if let Some(&k) = self.at.get(&key) {
            self.keys[k as usize].2.add(at, KEPT);
            return;
        }
        let k = self.keys.len();
        self.keys.push((s.who, s.app, Times::new(at)));
        self.at.insert(key, k as u32);
        for field in fields(&s.who) {
            self.by_user.push((op, field), k);
        }
    }

    fn add_to_app(&mut self, app: Where, at: Timestamp) {
        if let Some(&k) = self.app_at.get(&app) {
            self.apps[k as usize].1.add(at, KEPT_PER_APP);
            return;
        }
        let k = self.apps.len();
        self.apps.push((app, Times::new(at)));
        self.app_at.insert(app, k as u32);
        let keys = [app.id.map(|h| (true, h)), app.name.map(|h| (false, h))];
        for key in keys.into_iter().flatten() {
            self.by_app.push(key, k);
        }
    }

    /// Whether a later success resolved the failure `f`, and when first.
    pub(crate) fn resolve(&self, f: &Subject) -> Resolution {
        let Some(t) = f.at else { return Resolution::Open };
        let mut best: Option<(Timestamp, bool)> = None;
        let mut consider = |times: &Times| {
            if let Some((at, exact)) = times.first_after(t) {
                best = Some(match best {
                    Some((b, e)) if b < at => (b, e),
                    Some((b, e)) if b == at => (b, e || exact),
                    _ => (at, exact),
                });
            }
        };
        if f.who.is_none() {
            let keys = [f.app.id.map(|h| (true, h)), f.app.name.map(|h| (false, h))];
            for k in keys.iter().flatten().flat_map(|k| self.by_app.get(k)) {
                let (app, times) = &self.apps[k];
                if app.same(&f.app) {
                    consider(times);
                }
            }
        } else if let Some(op) = f.op {
            for k in fields(&f.who).flat_map(|field| self.by_user.get(&(op, field))) {
                let (who, app, times) = &self.keys[k];
                if who.same(&f.who) && app.same(&f.app) {
                    consider(times);
                }
            }
        }
        match best {
            // The same key can be reached by two fields: considering it twice changes nothing.
            Some((at, exact)) => Resolution::Resolved { at, exact },
            None => Resolution::Open,
        }
    }
}

fn fields(who: &Who) -> impl Iterator<Item = Field> {
    [
        who.id.map(Field::Id),
        who.login.map(Field::Login),
        who.name.map(Field::Name),
    ]
    .into_iter()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::operation;
    use crate::record::keys::Hasher;
    use crate::record::Finding;

    fn event(kind: &str, user: (&str, &str, &str), app: (&str, &str), at: &str) -> Finding {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Finding {
            event_type: Some(kind.into()),
            user_id: some(user.0),
            login: some(user.1),
            user: some(user.2),
            app_id: some(app.0),
            app: some(app.1),
            published: Some(at.into()),
            ..Finding::default()
        }
    }

    const PUSH: &str = "application.provision.user.push";
    const ANA: (&str, &str, &str) = ("00u1", "ana@example.com", "Ana Lima");
    const BOX: (&str, &str) = ("0oa1", "Box");

    fn at(s: &str) -> Timestamp {
        s.parse().expect("a time")
    }

    fn resolved(h: &Hasher, s: &Successes, f: &Finding) -> Option<String> {
        match s.resolve(&h.subject(f)) {
            Resolution::Open => None,
            Resolution::Resolved { at, .. } => Some(at.to_string()),
        }
    }

    #[test]
    fn folded_values_hash_alike_whatever_their_case_spacing_or_script() {
        let h = Hasher::default();
        let same = |a: &str, b: &str| h.hash(b'n', Some(a)) == h.hash(b'n', Some(b));
        assert!(same("Ana  Lima", " ana lima"));
        assert!(
            same("ZOË O'BRIEN", "zoë\u{a0}o'brien"),
            "a non-breaking space is white space"
        );
        assert!(
            same("ANA\u{a0}LIMA", "ana lima"),
            "the general path and the ASCII one agree"
        );
        assert!(!same("Ana Lima", "AnaLima"));
        let long = "x".repeat(200);
        assert!(same(&long.to_uppercase(), &long) && !same(&long, &"x".repeat(199)));
        assert_eq!(h.hash(b'n', Some("  ")), None);
    }

    #[test]
    fn operations_from_current_and_legacy_event_types() {
        let op = operation;
        assert_eq!(op(PUSH).as_deref(), Some("user.push"));
        assert_eq!(
            op("app.user_management.push_new_user_failed").as_deref(),
            Some("user.push")
        );
        assert_eq!(
            op("app.user_management.push_profile_success").as_deref(),
            op("application.provision.user.push_profile").as_deref()
        );
        assert_ne!(op(PUSH), op("application.provision.user.deactivate"));
        assert_eq!(op("application.integration.authentication_failure"), None);
    }

    #[test]
    fn the_first_later_success_of_the_same_operation_user_and_app_resolves() {
        let h = Hasher::default();
        let mut s = Successes::default();
        for t in [
            "2024-04-21T11:00:00Z",
            "2024-04-21T15:00:00Z",
            "2024-04-21T13:00:00Z",
        ] {
            s.add(&h.subject(&event(PUSH, ANA, BOX, t)));
        }
        // Another operation, another app with the same name, another person: none of them resolve.
        s.add(&h.subject(&event(
            "application.provision.user.deactivate",
            ANA,
            BOX,
            "2024-04-21T12:30:00Z",
        )));
        s.add(&h.subject(&event(PUSH, ANA, ("0oa2", "Box"), "2024-04-21T12:10:00Z")));
        s.add(&h.subject(&event(
            PUSH,
            ("00u2", "bo@example.com", "Bo Wu"),
            BOX,
            "2024-04-21T12:20:00Z",
        )));
        let fail = |t: &str| event(PUSH, ANA, BOX, t);
        assert_eq!(
            resolved(&h, &s, &fail("2024-04-21T12:00:00Z")).as_deref(),
            Some("2024-04-21T13:00:00Z")
        );
        assert_eq!(
            resolved(&h, &s, &fail("2024-04-21T13:00:00Z")).as_deref(),
            Some("2024-04-21T15:00:00Z"),
            "strictly later"
        );
        assert_eq!(resolved(&h, &s, &fail("2024-04-21T16:00:00Z")), None);
        let mut untimed = fail("x");
        untimed.published = None;
        assert_eq!(resolved(&h, &s, &untimed), None, "no time, no resolution");
    }

    #[test]
    fn people_match_by_id_then_login_then_name() {
        let h = Hasher::default();
        let mut s = Successes::default();
        // Renamed: new login and name, same Okta id.
        s.add(&h.subject(&event(
            PUSH,
            ("00u1", "ana.silva@example.com", "Ana Silva"),
            BOX,
            "2024-04-21T13:00:00Z",
        )));
        assert!(resolved(&h, &s, &event(PUSH, ANA, BOX, "2024-04-21T12:00:00Z")).is_some());
        // Both ids, different: another person even with the same name.
        assert!(resolved(
            &h,
            &s,
            &event(
                PUSH,
                ("00u9", "x@example.com", "Ana Silva"),
                BOX,
                "2024-04-21T12:00:00Z"
            )
        )
        .is_none());
        // No id on the failure (a CSV without target ids): the login decides, case-insensitively.
        assert!(resolved(
            &h,
            &s,
            &event(
                PUSH,
                ("", "ANA.SILVA@example.com", "Someone"),
                BOX,
                "2024-04-21T12:00:00Z"
            )
        )
        .is_some());
        // Only a name on the failure.
        assert!(resolved(
            &h,
            &s,
            &event(PUSH, ("", "", "ana  silva"), BOX, "2024-04-21T12:00:00Z")
        )
        .is_some());
    }

    #[test]
    fn a_failure_without_a_user_is_resolved_by_any_later_success_on_its_app() {
        let h = Hasher::default();
        let mut s = Successes::default();
        s.add(&h.subject(&event(
            "application.provision.user.push_profile",
            ANA,
            BOX,
            "2024-04-21T13:00:00Z",
        )));
        let creds = event(
            "application.integration.authentication_failure",
            ("", "", ""),
            BOX,
            "2024-04-21T12:00:00Z",
        );
        assert_eq!(resolved(&h, &s, &creds).as_deref(), Some("2024-04-21T13:00:00Z"));
        let other = event(
            "application.integration.authentication_failure",
            ("", "", ""),
            ("0oa2", "Box"),
            "2024-04-21T12:00:00Z",
        );
        assert_eq!(resolved(&h, &s, &other), None, "another app with the same name");
    }

    #[test]
    fn resolved_at_is_exact_for_failures_after_the_kept_times_and_flagged_before() {
        let h = Hasher::default();
        let mut s = Successes::default();
        // KEPT + 10 successes an hour apart, in descending order as SIEMs export: at least the latest
        // KEPT / 2 stay.
        for i in (0..KEPT as i64 + 10).rev() {
            let t = at("2024-04-01T00:00:00Z")
                .checked_add(jiff::SignedDuration::from_hours(i))
                .expect("in range");
            s.add(&h.subject(&event(PUSH, ANA, BOX, &t.to_string())));
        }
        let late_hour = KEPT as i64 + 10 - KEPT as i64 / 2;
        let late_at = at("2024-04-01T00:30:00Z")
            .checked_add(jiff::SignedDuration::from_hours(late_hour))
            .expect("in range");
        let late = h.subject(&event(PUSH, ANA, BOX, &late_at.to_string()));
        assert_eq!(
            s.resolve(&late),
            Resolution::Resolved {
                at: late_at
                    .checked_add(jiff::SignedDuration::from_mins(30))
                    .expect("in range"),
                exact: true
            }
        );
        let early = h.subject(&event(PUSH, ANA, BOX, "2024-03-31T12:00:00Z"));
        assert!(matches!(
            s.resolve(&early),
            Resolution::Resolved { exact: false, .. }
        ));
    }
}
