//! Resolution: which failures a later success of the same operation, for the same user and app, fixed.
//!
//! Successes are kept per (operation, user, app) key, never per event: the latest time of each key (which
//! makes open/resolved exact whatever the input order) and at least the `KEPT / 2` latest times (which make
//! `resolved_at`, the first success after the failure, exact for every failure later than the latest success
//! that had to be let go; `Resolution::Resolved::exact` says which).
//! People and apps are kept as keyed hashes of their folded ids, logins and names, taken before `--redact`:
//! nothing of them is printed, and a crafted name cannot aim at another's hash (the key is random per run).

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::OnceLock;

use hashbrown::HashTable;
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

/// The success times of an app: the latest, and at least the `cap / 2` latest, sorted only when a failure
/// asks. (A key of (operation, user, app) keeps the same in `Entry` and `Successes::more`.)
#[derive(Debug)]
pub(crate) struct Times {
    latest: Timestamp,
    /// The other times, for an app that saw more than one success.
    more: Option<Box<More>>,
}

/// The times of a key besides its latest, for a key that saw more than one success.
#[derive(Debug, Default)]
struct More {
    /// The times kept besides `latest`, oldest let go first once there are `cap` in all.
    others: Vec<Timestamp>,
    /// The latest time that had to be let go: the first success after a failure older than this one may be
    /// among those let go.
    dropped: Option<Timestamp>,
}

impl More {
    /// Files a success at `at` of a key whose latest success is `latest` (which `at` may replace).
    fn add(&mut self, latest: &mut Timestamp, at: Timestamp, cap: usize) {
        let older = if at > *latest {
            std::mem::replace(latest, at)
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
}

/// The first success after `t` among those kept of a key (its latest, and its other times if it has more),
/// and whether it is surely the first of all.
fn first_after(latest: Timestamp, more: Option<&More>, t: Timestamp) -> Option<(Timestamp, bool)> {
    if latest <= t {
        return None;
    }
    let (others, dropped) = match more {
        Some(m) => (&m.others[..], m.dropped),
        None => (&[][..], None),
    };
    let first = others.iter().copied().filter(|s| *s > t).min().unwrap_or(latest);
    Some((first, dropped.is_none_or(|d| d <= t)))
}

impl Times {
    fn new(at: Timestamp) -> Self {
        Times {
            latest: at,
            more: None,
        }
    }

    fn add(&mut self, at: Timestamp, cap: usize) {
        self.more
            .get_or_insert_with(Box::default)
            .add(&mut self.latest, at, cap);
    }

    fn first_after(&self, t: Timestamp) -> Option<(Timestamp, bool)> {
        first_after(self.latest, self.more.as_deref(), t)
    }
}

/// One (operation, user, app) key: the person's hashes, the latest success time, and the (operation, app)
/// pair as a number (there are few distinct ones); its other times, if any, are in `Successes::more`.
#[derive(Debug)]
struct Entry {
    who: Who,
    /// The latest success, as the seconds and nanoseconds of a `Timestamp` (12 bytes where it takes 16).
    second: i64,
    nanosecond: i32,
    /// The index of its (operation, app) in `Successes::pairs`.
    pair: u32,
}

impl Entry {
    fn latest(&self) -> Timestamp {
        Timestamp::new(self.second, self.nanosecond).expect("the parts of a Timestamp make it again")
    }

    fn set_latest(&mut self, at: Timestamp) {
        self.second = at.as_second();
        self.nanosecond = at.subsec_nanosecond();
    }
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

/// Every success read so far, by (operation, user, app), and by app for failures that name no user. A key
/// costs its `Entry` (40 bytes), a slot of the table that finds it while successes are read (4 bytes and a
/// control byte, at most 7/8 full), and, once the run is closed, 4 bytes in each index of a field its person
/// has (the table is dropped first): at most 60 bytes, whatever the number of its successes (a key with
/// several keeps its other times in `more`).
#[derive(Default)]
pub(crate) struct Successes {
    keys: Vec<Entry>,
    /// The distinct (operation, app) of the keys, and where each is in `pairs`.
    pairs: Vec<(Key, Where)>,
    pair_at: Map<(Key, Where), u32>,
    /// The times besides its latest of each key that saw more than one success, by its index in `keys`.
    more: Map<u32, More>,
    /// Each key's index in `keys`, by the hash of its (operation and app, person), while successes are read:
    /// dropped when the run is closed (`seal`), made again if a success comes after.
    dedupe: Option<HashTable<u32>>,
    /// The keys by their persons' fields: made when a failure is first resolved, again if successes come
    /// after.
    index: OnceLock<Index>,
    apps: Vec<(Where, Times)>,
    app_at: Map<Where, u32>,
    by_app: Chains<(bool, Key)>,
}

/// For each field of a person (Okta id, login, name), the keys whose person has it, sorted by it and then by
/// operation: a failure finds the keys it may match by each field it has, in 4 bytes a key and field.
struct Index {
    by: [Vec<u32>; 3],
}

impl Index {
    fn new(keys: &[Entry], pairs: &[(Key, Where)]) -> Index {
        Index {
            by: std::array::from_fn(|n| {
                let with = |k: &u32| field(&keys[*k as usize].who, n).is_some();
                let all = 0..keys.len() as u32;
                let mut list = Vec::with_capacity(all.clone().filter(with).count());
                list.extend(all.filter(with));
                list.sort_unstable_by_key(|&k| order(keys, pairs, n, k));
                list
            }),
        }
    }
}

/// Field `n` (0 the Okta id, 1 the login, 2 the name) of a person.
fn field(who: &Who, n: usize) -> Option<Key> {
    [who.id, who.login, who.name][n]
}

/// Where key `k` sorts in the index of field `n`: by the field, then by operation.
fn order(keys: &[Entry], pairs: &[(Key, Where)], n: usize, k: u32) -> (Option<Key>, Key) {
    let entry = &keys[k as usize];
    (field(&entry.who, n), pairs[entry.pair as usize].0)
}

/// The hash a key is found by while successes are read.
fn entry_hash(entry: &Entry) -> u64 {
    key_hash(&(entry.pair, entry.who))
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
        let pair = self.pair(op, s.app);
        // A success after a failure was resolved (not so in a run, where every success comes first): the
        // index is made again when next asked.
        self.index.take();
        let keys = &mut self.keys;
        let table = self.dedupe.get_or_insert_with(|| {
            let mut table = HashTable::with_capacity(keys.len());
            for (k, entry) in keys.iter().enumerate() {
                table.insert_unique(entry_hash(entry), k as u32, |&k| entry_hash(&keys[k as usize]));
            }
            table
        });
        let h = key_hash(&(pair, s.who));
        let same = |k: &u32| {
            let entry = &keys[*k as usize];
            (entry.pair, entry.who) == (pair, s.who)
        };
        if let Some(&k) = table.find(h, same) {
            let entry = &mut keys[k as usize];
            let mut latest = entry.latest();
            self.more.entry(k).or_default().add(&mut latest, at, KEPT);
            entry.set_latest(latest);
            return;
        }
        let mut entry = Entry {
            who: s.who,
            second: 0,
            nanosecond: 0,
            pair,
        };
        entry.set_latest(at);
        keys.push(entry);
        table.insert_unique(h, (keys.len() - 1) as u32, |&k| entry_hash(&keys[k as usize]));
    }

    /// Every success is read: the table that found keys is dropped, and the index made in its place.
    pub(crate) fn seal(&mut self) {
        self.dedupe = None;
        self.index();
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::new(&self.keys, &self.pairs))
    }

    /// The number of an (operation, app), made when first seen.
    fn pair(&mut self, op: Key, app: Where) -> u32 {
        *self.pair_at.entry((op, app)).or_insert_with(|| {
            self.pairs.push((op, app));
            (self.pairs.len() - 1) as u32
        })
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
        let mut consider = |(at, exact): (Timestamp, bool)| {
            // Exact only if no key considered let go of a success after `t`: one let go by any of them
            // may be earlier than the first kept of all.
            best = Some(match best {
                Some((b, e)) => (b.min(at), e && exact),
                None => (at, exact),
            });
        };
        if f.who.is_none() {
            let keys = [f.app.id.map(|h| (true, h)), f.app.name.map(|h| (false, h))];
            for k in keys.iter().flatten().flat_map(|k| self.by_app.get(k)) {
                let (app, times) = &self.apps[k];
                if app.same(&f.app) {
                    if let Some(found) = times.first_after(t) {
                        consider(found);
                    }
                }
            }
        } else if let Some(op) = f.op {
            for (n, list) in self.index().by.iter().enumerate() {
                let Some(value) = field(&f.who, n) else { continue };
                let want = (Some(value), op);
                let from = list.partition_point(|&k| order(&self.keys, &self.pairs, n, k) < want);
                let found = list[from..]
                    .iter()
                    .take_while(|&&k| order(&self.keys, &self.pairs, n, k) == want);
                for &k in found {
                    let entry = &self.keys[k as usize];
                    if entry.who.same(&f.who) && self.pairs[entry.pair as usize].1.same(&f.app) {
                        if let Some(times) = first_after(entry.latest(), self.more.get(&k), t) {
                            consider(times);
                        }
                    }
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

/// One 64-bit hash of values that are keyed hashes already (so a fixed, fast hash is enough).
fn key_hash(value: &impl std::hash::Hash) -> u64 {
    foldhash::quality::FixedState::default().hash_one(value)
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
    fn a_key_is_small() {
        // A key's own part.
        assert!(size_of::<Entry>() <= 40, "{}", size_of::<Entry>());
        // While successes are read, its slot in the table that finds it: 4 bytes and a control byte, the
        // table between 7/16 and 7/8 full. Once the run is closed, the table is dropped and the key is in up
        // to three indexes, 4 bytes each. Either way under 64 bytes a key.
        let reading = size_of::<Entry>() + (size_of::<u32>() + 1) * 16 / 7;
        let closed = size_of::<Entry>() + 3 * size_of::<u32>();
        assert!(reading < 64 && closed < 64, "{reading} {closed}");
    }

    /// A small deterministic generator (xorshift), so that a failing case can be run again.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// What the spec says, over every success kept as read: the first success strictly after the failure of
    /// the same operation, person and app, or, for a failure that names no person, of any operation on its app.
    fn expected(all: &[Subject], f: &Subject) -> Option<Timestamp> {
        let t = f.at?;
        all.iter()
            .filter(|s| {
                if f.who.is_none() {
                    s.app.same(&f.app)
                } else {
                    f.op.is_some() && s.op == f.op && s.who.same(&f.who) && s.app.same(&f.app)
                }
            })
            .filter_map(|s| s.at.filter(|at| *at > t))
            .min()
    }

    #[test]
    fn many_keys_with_many_successes_resolve_as_every_success_kept_would() {
        let h = Hasher::default();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let ops = [
            PUSH,
            "application.provision.user.deactivate",
            "app.user_management.push_new_user_failed",
        ];
        // Two apps share a name; one is known by its name only.
        let apps = [("0oa1", "Box"), ("0oa2", "Box"), ("", "Slack"), ("0oa4", "Zoom")];
        // People with an Okta id, a login and a name, some without one of them; names are shared.
        let person = |i: u64, rng: &mut Rng| {
            let without = rng.below(8);
            let field = |k: u64, value: String| if without == k { String::new() } else { value };
            (
                field(0, format!("00u{i}")),
                field(1, format!("p{i}@example.com")),
                field(2, format!("Person {}", i % 40)),
            )
        };
        let base = at("2024-04-01T00:00:00Z");
        let when = |rng: &mut Rng| {
            base.checked_add(jiff::SignedDuration::from_mins(rng.below(20_000) as i64))
                .expect("in range")
                .to_string()
        };
        let subject = |op: &str, who: &(String, String, String), app: (&str, &str), t: &str| {
            h.subject(&event(op, (&who.0, &who.1, &who.2), app, t))
        };
        let mut successes = Vec::new();
        for n in 0..12_000u64 {
            // One key in ten of the successes is the same busy one, past `KEPT`.
            let (i, app, op) = if n % 10 == 0 {
                (7, apps[0], ops[0])
            } else {
                (
                    rng.below(300),
                    apps[rng.below(4) as usize],
                    ops[rng.below(3) as usize],
                )
            };
            let who = person(i, &mut rng);
            successes.push(subject(op, &who, app, &when(&mut rng)));
        }
        let mut failures = Vec::new();
        for _ in 0..3_000 {
            let i = if rng.below(4) == 0 { 7 } else { rng.below(320) };
            let who = match rng.below(10) {
                0 => (String::new(), String::new(), String::new()),
                _ => person(i, &mut rng),
            };
            let op = match rng.below(10) {
                0 => "application.integration.authentication_failure",
                k => ops[k as usize % 3],
            };
            failures.push(subject(op, &who, apps[rng.below(4) as usize], &when(&mut rng)));
        }
        // Resolved half way (as `--state` asks before the run is closed), then with every success.
        let mut s = Successes::default();
        let (mut resolved, mut inexact) = (0, 0);
        for read in [successes.len() / 2, successes.len()] {
            let from = if read == successes.len() {
                successes.len() / 2
            } else {
                0
            };
            for success in &successes[from..read] {
                s.add(success);
            }
            // One key per distinct (operation, person, app), whether successes came before the index was
            // made or after (when the table that finds keys is made again from them).
            let distinct: std::collections::HashSet<_> = successes[..read]
                .iter()
                .filter(|x| x.op.is_some() && !x.who.is_none() && !x.app.is_none())
                .map(|x| (x.op, x.who, x.app))
                .collect();
            assert_eq!(s.keys.len(), distinct.len());
            s.seal();
            for f in &failures {
                let want = expected(&successes[..read], f);
                match (s.resolve(f), want) {
                    (Resolution::Open, None) => {}
                    (Resolution::Resolved { at, exact: true }, Some(want)) => {
                        assert_eq!(at, want, "{f:?}");
                        resolved += 1;
                    }
                    (Resolution::Resolved { at, exact: false }, Some(want)) => {
                        assert!(at >= want, "{f:?}");
                        inexact += 1;
                    }
                    (got, want) => panic!("{f:?}: {got:?}, expected {want:?}"),
                }
            }
        }
        // The case covers what it means to: many resolved exactly, some past the times a key keeps.
        assert!(resolved > 1_000 && inexact > 10, "{resolved} {inexact}");
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
