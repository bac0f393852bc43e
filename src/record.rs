//! The normalized record every reader yields, whatever shape the input had.

use std::sync::Arc;

/// Where a record starts: the input's name (a path, `-` for stdin, `--message` for `-m`) and its 1-based line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Source {
    pub path: Arc<str>,
    pub line: u64,
}

/// The facts about one provisioning operation (a failure, or the success that may resolve one), as far as
/// the input tells them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Finding {
    pub source: Source,
    pub user: Option<String>,
    pub login: Option<String>,
    /// The Okta id of the user (the `User` or `AppUser` target's `id`), when the input carries it.
    pub user_id: Option<String>,
    pub app: Option<String>,
    /// The Okta id of the app instance (the `AppInstance` target's `id`), when the input carries it.
    pub app_id: Option<String>,
    pub reason: Option<String>,
    pub event_type: Option<String>,
    pub uuid: Option<String>,
    pub published: Option<String>,
}

/// A success as read: its facts, and what resolution knows of it (hashes of its people and app, its time),
/// made on the worker that read it.
#[derive(Debug)]
pub struct Success {
    pub finding: Finding,
    pub facts: crate::group::Facts,
}

impl Success {
    pub fn new(finding: Finding) -> Self {
        let facts = crate::group::Facts::of(&finding);
        Self { finding, facts }
    }
}

impl std::ops::Deref for Success {
    type Target = Finding;

    fn deref(&self) -> &Finding {
        &self.finding
    }
}

/// A record that could not be read, with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub source: Source,
    pub message: String,
}

/// One unit of input, classified as far as its reader can tell.
#[derive(Debug)]
pub enum Record {
    /// The input says this operation failed (a Tasks sentence, or a failed provisioning event).
    Failure(Box<Finding>),
    /// A text line without a Tasks sentence: a failure only if a rule matches its text.
    Candidate(Box<Finding>),
    /// A text line shaped like an Okta provisioning error copied without its Tasks sentence (`… Errors
    /// reported by remote server: …`, `Error while <operation> …: …`): a failure whether or not a rule
    /// matches it, read like a `Candidate` otherwise.
    Bare(Box<Finding>),
    /// A provisioning event that succeeded: counted as ignored, and what resolves earlier failures. Only
    /// its who, what and when are read (`reason` stays `None`).
    Success(Box<Success>),
    /// Read fine, and not a failure.
    Ignored,
    /// An event that is no provisioning operation (a sign-in, any other event type): ignored, but counted as
    /// Okta's, for the note on an export that holds no provisioning event.
    Other(OtherEvent),
    /// Could not be read.
    Malformed(Box<InputError>),
}

/// An event's `uuid` as duplicates are found by: a 64-bit hash of a canonical UUID's 16 bytes (so that case
/// does not matter), or of any other text. Made on the worker that read the event, so that the thread that
/// merges every record only looks it up; two different events share one with a chance of about n²/2⁶⁵
/// (3 in a million for ten million events), and a crafted collision can only make one event count as a
/// duplicate.
/// What an event that is no provisioning operation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OtherEvent {
    /// `user.session.*`, `user.authentication.*`, `policy.evaluate_sign_on`: a sign-in.
    SignIn,
    /// Any other event type.
    Event,
}

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

/// A record and, for an event, the key it is deduplicated by: what a reader hands on.
#[derive(Debug)]
pub struct Parsed {
    pub key: Option<EventKey>,
    pub record: Record,
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
