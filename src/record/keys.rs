//! The keys workers make of a record, so that the one thread every record goes through only looks them
//! up: an event's duplicate key (`EventKey`), and what resolution knows of it (`Facts`: keyed hashes of its
//! operation, person and app, and its time). People and apps are hashed with a key drawn once a run:
//! nothing of them is printed, and a crafted name cannot aim at another's hash.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher as _};
use std::num::NonZeroU64;
use std::sync::LazyLock;

use jiff::Timestamp;

use super::finding::Finding;
use crate::okta;

/// An event's `uuid` as duplicates are found by: a 64-bit hash of a canonical UUID's 16 bytes (so that case
/// does not matter), or of any other text. Made on the worker that read the event, so that the thread that
/// merges every record only looks it up; two different events share one with a chance of about n²/2⁶⁵
/// (3 in a million for ten million events), and a crafted collision can only make one event count as a
/// duplicate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventKey(pub u64);

impl EventKey {
    /// The key of a non-empty `uuid`.
    pub fn new(uuid: &str) -> Option<Self> {
        use std::hash::BuildHasher;
        // Fixed, so that a key means the same on every thread; the set keeping them hashes them again with
        // a seed of its own.
        const KEYS: foldhash::quality::FixedState =
            foldhash::quality::FixedState::with_seed(0x005e_ed0f_0e7a);
        let uuid = uuid.trim();
        if uuid.is_empty() {
            return None;
        }
        Some(EventKey(match parse_uuid(uuid) {
            Some(n) => KEYS.hash_one(n),
            // Apart from any UUID's bytes.
            None => KEYS.hash_one((0xffu8, uuid)),
        }))
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case) as a number. The uuid crate reads the digits by table,
/// without a branch per digit: three times as fast as a `match` on each (whose digit-or-letter branch the CPU
/// cannot predict), and this runs for every event read.
fn parse_uuid(s: &str) -> Option<u128> {
    // Only the hyphenated form: the braced, URN and plain forms the crate also reads stay text.
    if s.len() != 36 {
        return None;
    }
    uuid::Uuid::try_parse(s).ok().map(|u| u.as_u128())
}

/// A hash of a folded value; never zero, so that an absent one costs no space (`Option<Key>` is 8 bytes).
pub(crate) type Key = NonZeroU64;

/// A person, by whatever the event tells: each field a hash of the folded value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Who {
    pub(crate) id: Option<Key>,
    pub(crate) login: Option<Key>,
    pub(crate) name: Option<Key>,
}

impl Who {
    pub(crate) fn is_none(&self) -> bool {
        self.id.is_none() && self.login.is_none() && self.name.is_none()
    }

    /// The spec's rule: by Okta id where both carry one, else by login where both carry one, else by name.
    pub(crate) fn same(&self, other: &Who) -> bool {
        match (
            (self.id, other.id),
            (self.login, other.login),
            (self.name, other.name),
        ) {
            ((Some(a), Some(b)), _, _) => a == b,
            (_, (Some(a), Some(b)), _) => a == b,
            (_, _, (Some(a), Some(b))) => a == b,
            _ => false,
        }
    }
}

/// An app, by its Okta id and its name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Where {
    pub(crate) id: Option<Key>,
    pub(crate) name: Option<Key>,
}

impl Where {
    pub(crate) fn is_none(&self) -> bool {
        self.id.is_none() && self.name.is_none()
    }

    /// By Okta id where both carry one, else by name.
    pub(crate) fn same(&self, other: &Where) -> bool {
        match ((self.id, other.id), (self.name, other.name)) {
            ((Some(a), Some(b)), _) => a == b,
            (_, (Some(a), Some(b))) => a == b,
            _ => false,
        }
    }
}

/// What resolution knows of one event: its operation, person, app and time.
#[derive(Clone, Debug, Default)]
pub(crate) struct Subject {
    pub(crate) op: Option<Key>,
    pub(crate) who: Who,
    pub(crate) app: Where,
    pub(crate) at: Option<Timestamp>,
}

/// The key of this run's hashes, drawn once: the workers that read successes and the ledger that files
/// failures hash alike.
static RUN_KEY: LazyLock<RandomState> = LazyLock::new(RandomState::new);

/// Makes `Subject`s: hashes folded values with the key drawn for this run.
pub(crate) struct Hasher(RandomState);

impl Default for Hasher {
    fn default() -> Self {
        Hasher(RUN_KEY.clone())
    }
}

impl Hasher {
    /// The hash of `value` lowercased with its runs of white space folded to one space, without allocating:
    /// this runs for every success read.
    pub(crate) fn hash(&self, tag: u8, value: Option<&str>) -> Option<Key> {
        let value = value?.trim();
        if value.is_empty() {
            return None;
        }
        let mut h = self.0.build_hasher();
        h.write_u8(tag);
        if value.is_ascii() {
            // The common case, a byte at a time into a buffer hashed in chunks: a hash call per character
            // costs more than the rest of a success.
            let mut buf = [0u8; 64];
            let mut n = 0;
            let mut space = false;
            for b in value.bytes() {
                if b.is_ascii_whitespace() {
                    space = true;
                    continue;
                }
                for b in [b' ', b.to_ascii_lowercase()]
                    .into_iter()
                    .skip(usize::from(!space))
                {
                    if n == buf.len() {
                        h.write(&buf);
                        n = 0;
                    }
                    buf[n] = b;
                    n += 1;
                }
                space = false;
            }
            h.write(&buf[..n]);
        } else {
            let mut space = false;
            let mut utf8 = [0u8; 4];
            for c in value.chars() {
                if c.is_whitespace() {
                    space = true;
                    continue;
                }
                if space {
                    h.write(b" ");
                    space = false;
                }
                for lower in c.to_lowercase() {
                    h.write(lower.encode_utf8(&mut utf8).as_bytes());
                }
            }
        }
        Some(NonZeroU64::new(h.finish()).unwrap_or(NonZeroU64::MIN))
    }

    pub(crate) fn subject(&self, f: &Finding) -> Subject {
        self.subject_of(
            f.event_type.as_deref(),
            f.user_id.as_deref(),
            f.login.as_deref(),
            f.user.as_deref(),
            f.app_id.as_deref(),
            f.app.as_deref(),
            f.published.as_deref().and_then(crate::when::published),
        )
    }

    /// What resolution knows of an event with these fields (a failure kept by the group stage).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn subject_of(
        &self,
        event_type: Option<&str>,
        user_id: Option<&str>,
        login: Option<&str>,
        user: Option<&str>,
        app_id: Option<&str>,
        app: Option<&str>,
        at: Option<Timestamp>,
    ) -> Subject {
        Subject {
            op: event_type
                .and_then(okta::operation)
                .and_then(|op| self.hash(b'o', Some(&op))),
            who: Who {
                id: self.hash(b'u', user_id),
                login: self.hash(b'l', login),
                name: self.hash(b'n', user),
            },
            app: self.app(app_id, app),
            at,
        }
    }

    pub(crate) fn app(&self, id: Option<&str>, name: Option<&str>) -> Where {
        Where {
            id: self.hash(b'a', id),
            name: self.hash(b'A', name),
        }
    }
}

/// What resolution knows of a record: taken from the finding before redaction.
#[derive(Debug)]
pub struct Facts(pub(crate) Subject);

impl Facts {
    /// What resolution knows of `f`: made where a success is read (a worker), so that the thread every
    /// record goes through only files it.
    pub fn of(f: &Finding) -> Facts {
        Facts(Hasher::default().subject(f))
    }

    pub fn at(&self) -> Option<Timestamp> {
        self.0.at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_keys_whatever_their_case_and_other_ids_are_text() {
        let a = EventKey::new("f1b7d4b5-0f0c-11ef-9a1b-0242ac120002");
        assert!(a.is_some());
        assert_eq!(a, EventKey::new("F1B7D4B5-0F0C-11EF-9A1B-0242AC120002"));
        assert_eq!(a, EventKey::new(" f1b7d4b5-0f0c-11ef-9a1b-0242ac120002 "));
        assert_ne!(a, EventKey::new("f1b7d4b5-0f0c-11ef-9a1b-0242ac120003"));
        // Other text is a key as it is: its case matters.
        assert_eq!(EventKey::new("not-a-uuid"), EventKey::new("not-a-uuid"));
        assert_ne!(EventKey::new("not-a-uuid"), EventKey::new("NOT-A-UUID"));
        assert_ne!(
            EventKey::new("f1b7d4b5-0f0c-11ef-9a1b-0242ac12000g"),
            EventKey::new("F1B7D4B5-0F0C-11EF-9A1B-0242AC12000G")
        );
        assert_eq!(EventKey::new("  "), None);
        // The number is the uuid's 32 hex digits, in order.
        assert_eq!(
            parse_uuid("0123abcd-4567-89ef-AbCd-0123456789ab"),
            Some(0x0123abcd_4567_89ef_abcd_0123456789ab)
        );
        assert_eq!(parse_uuid("0123abcd-4567-89ef-abcd-0123456789aé"), None);
        assert_eq!(parse_uuid("0123abcd-4567-89ef-abcd_0123456789ab"), None);
    }
}
