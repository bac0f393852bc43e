//! The failures a run keeps for its report, kept compactly: memory follows what the report needs, not the
//! input's size (spec, "Memory").
//!
//! A failure's texts (its person, app, message, event type, cause and the file it was read from) are
//! interned: each distinct text is held once and a failure holds a 4-byte symbol of it. A `published` that
//! reads back as Okta wrote it is kept as a time, a uuid that does as its 16 bytes; any other is kept as text,
//! so that every report shows exactly what was read. A failure's detail that only the findings list shows
//! (its place and uuid) is kept in memory for the first `Limits::in_memory` failures and written, past them,
//! to a temporary file it is read back from when the report is written.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;

use crate::record::keys::{Hasher, Subject, Where};
use crate::record::{Finding, Source, Why};

/// A failure, the id of the rule that matched it (none: unrecognized), and when a later success resolved it
/// (known only once the run is read).
#[derive(Debug)]
pub struct Failure {
    pub finding: Finding,
    pub cause: Option<Arc<str>>,
    /// How sure its cause is, and why; none for an unrecognized failure.
    pub why: Option<Why>,
    pub resolved_at: Option<String>,
}

/// A time as reports show it: RFC 3339 in UTC, milliseconds as Okta writes them.
pub(crate) fn time_text(t: Timestamp) -> String {
    if t.subsec_nanosecond() % 1_000_000 == 0 {
        format!("{t:.3}")
    } else {
        t.to_string()
    }
}

/// A text kept once: its number in the run's `Interner`.
type Sym = NonZeroU32;

/// How many failures keep their detail (place and uuid, 32 bytes) in memory before it goes to a temporary
/// file: 512 KiB of it. At 262,144 (8 MiB), 500,000 failures cost 142 bytes each; at this bound, 121,
/// under the spec's 128 (docs/performance.md).
pub const DETAILS_IN_MEMORY: usize = 1 << 14;

/// Every distinct text of the failures kept, once.
#[derive(Default)]
struct Interner {
    texts: Vec<Arc<str>>,
    at: HashMap<Arc<str>, Sym, foldhash::fast::RandomState>,
}

impl Interner {
    fn intern(&mut self, text: &str) -> Sym {
        if let Some(&s) = self.at.get(text) {
            return s;
        }
        // More than 4 billion distinct texts would need hundreds of GiB before this: the last number is
        // reused rather than panicking.
        let n = u32::try_from(self.texts.len() + 1).unwrap_or(u32::MAX);
        let sym = NonZeroU32::new(n).unwrap_or(NonZeroU32::MAX);
        let text: Arc<str> = text.into();
        self.texts.push(Arc::clone(&text));
        self.at.insert(text, sym);
        sym
    }

    fn some(&mut self, text: Option<&str>) -> Option<Sym> {
        text.map(|t| self.intern(t))
    }

    fn get(&self, sym: Sym) -> &Arc<str> {
        // Every symbol was made by `intern`; the guard only keeps a bug from panicking.
        static NONE: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| Arc::from(""));
        self.texts.get(sym.get() as usize - 1).unwrap_or(&NONE)
    }
}

/// A `published` as kept: a time that reads back as the text it was read from, else the text.
#[derive(Clone, Copy, Debug)]
enum When {
    None,
    At(Timestamp),
    Text(Sym),
}

/// A `When` in 12 bytes (a `Timestamp` and a tag would take 24): seconds and nanoseconds, a nanosecond
/// value no time has saying which of the others it is.
#[derive(Clone, Copy, Debug)]
#[repr(C, packed(4))]
struct Packed {
    seconds: i64,
    nanos: i32,
}

const NO_TIME: i32 = i32::MIN;
const TEXT: i32 = i32::MIN + 1;

impl Packed {
    fn new(w: When) -> Self {
        match w {
            When::None => Packed {
                seconds: 0,
                nanos: NO_TIME,
            },
            When::At(t) => Packed {
                seconds: t.as_second(),
                nanos: t.subsec_nanosecond(),
            },
            When::Text(s) => Packed {
                seconds: i64::from(s.get()),
                nanos: TEXT,
            },
        }
    }

    fn get(self) -> When {
        match self.nanos {
            NO_TIME => When::None,
            TEXT => u32::try_from(self.seconds)
                .ok()
                .and_then(NonZeroU32::new)
                .map_or(When::None, When::Text),
            n => Timestamp::new(self.seconds, n).map_or(When::None, When::At),
        }
    }
}

/// A failure's uuid as kept: a lowercase hyphenated uuid as its 16 bytes, else the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Uuid {
    None,
    Bytes([u8; 16]),
    Text(Sym),
}

/// What only the findings list shows of a failure: its place and uuid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Detail {
    path: Sym,
    line: u64,
    uuid: Uuid,
}

/// A detail's size in the temporary file.
const DETAIL_BYTES: usize = 32;

impl Detail {
    fn encode(&self) -> [u8; DETAIL_BYTES] {
        let mut b = [0u8; DETAIL_BYTES];
        b[0..4].copy_from_slice(&self.path.get().to_le_bytes());
        b[8..16].copy_from_slice(&self.line.to_le_bytes());
        match self.uuid {
            Uuid::None => {}
            Uuid::Bytes(u) => {
                b[4] = 1;
                b[16..32].copy_from_slice(&u);
            }
            Uuid::Text(s) => {
                b[4] = 2;
                b[16..20].copy_from_slice(&s.get().to_le_bytes());
            }
        }
        b
    }

    fn decode(b: &[u8]) -> Option<Detail> {
        let u32_at = |i: usize| -> Option<Sym> {
            let bytes: [u8; 4] = b.get(i..i + 4)?.try_into().ok()?;
            NonZeroU32::new(u32::from_le_bytes(bytes))
        };
        let line: [u8; 8] = b.get(8..16)?.try_into().ok()?;
        Some(Detail {
            path: u32_at(0)?,
            line: u64::from_le_bytes(line),
            uuid: match b.get(4)? {
                0 => Uuid::None,
                1 => Uuid::Bytes(b.get(16..32)?.try_into().ok()?),
                2 => Uuid::Text(u32_at(16)?),
                _ => return None,
            },
        })
    }
}

/// One failure as kept in memory, without its detail.
#[derive(Debug)]
struct Kept {
    user: Option<Sym>,
    login: Option<Sym>,
    user_id: Option<Sym>,
    app: Option<Sym>,
    app_id: Option<Sym>,
    reason: Option<Sym>,
    event_type: Option<Sym>,
    cause: Option<Sym>,
    /// Its number among the distinct `Why`s.
    why: Option<Sym>,
    published: Packed,
}

/// With `--redact`, the people a failure named before redaction, where they differ: resolution matches
/// people as the input names them.
type People = [Option<Sym>; 3];

/// The details past those kept in memory: in a temporary file (deleted when closed), written while
/// reading and read back when the report is written.
enum Spill {
    Writing(BufWriter<File>),
    Reading(Mutex<File>),
}

/// Every failure of a run, compactly, in the order read; `get` and `iter` give each back as read.
pub struct Failures {
    texts: Interner,
    whys: Vec<Why>,
    why_at: HashMap<Why, Sym, foldhash::fast::RandomState>,
    kept: Vec<Kept>,
    details: Vec<Detail>,
    /// How many details stay in memory before the others go to `spill`.
    in_memory: usize,
    spill: Option<Spill>,
    spilled: u64,
    /// Why the details could not go to a temporary file (they were kept in memory instead).
    spill_failed: Option<String>,
    /// A spilled detail could not be read back: the report written is not whole.
    unread: AtomicBool,
    /// `--redact`: the people before redaction, by failure, where they differ.
    people: HashMap<u32, People, foldhash::fast::RandomState>,
    /// When a later success resolved each failure, known once the run is read.
    resolved: Vec<Packed>,
}

impl Default for Failures {
    fn default() -> Self {
        Self::with_in_memory(DETAILS_IN_MEMORY)
    }
}

impl std::fmt::Debug for Failures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Failures({} kept, {} spilled)", self.kept.len(), self.spilled)
    }
}

impl Failures {
    /// No failure yet; the details of those past the first `in_memory` go to a temporary file.
    pub fn with_in_memory(in_memory: usize) -> Self {
        Self {
            texts: Interner::default(),
            whys: Vec::new(),
            why_at: HashMap::default(),
            kept: Vec::new(),
            details: Vec::new(),
            in_memory,
            spill: None,
            spilled: 0,
            spill_failed: None,
            unread: AtomicBool::new(false),
            people: HashMap::default(),
            resolved: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.kept.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Keeps a failure; `before` is the finding as read, where `--redact` changed its people.
    pub(super) fn push(&mut self, f: Failure, before: Option<&Finding>) {
        let t = &mut self.texts;
        let finding = f.finding;
        let published = match finding.published.as_deref() {
            None => When::None,
            Some(p) => match crate::when::published(p) {
                Some(at) if time_text(at) == p => When::At(at),
                _ => When::Text(t.intern(p)),
            },
        };
        let uuid = match finding.uuid.as_deref() {
            None => Uuid::None,
            Some(u) => match uuid::Uuid::try_parse(u) {
                Ok(id) if id.hyphenated().to_string() == u => Uuid::Bytes(*id.as_bytes()),
                _ => Uuid::Text(t.intern(u)),
            },
        };
        let k = self.kept.len() as u32;
        if let Some(b) = before {
            let people = [
                t.some(b.user.as_deref()),
                t.some(b.login.as_deref()),
                t.some(b.user_id.as_deref()),
            ];
            self.people.insert(k, people);
        }
        let detail = Detail {
            path: t.intern(&finding.source.path),
            line: finding.source.line,
            uuid,
        };
        let kept = Kept {
            user: t.some(finding.user.as_deref()),
            login: t.some(finding.login.as_deref()),
            user_id: t.some(finding.user_id.as_deref()),
            app: t.some(finding.app.as_deref()),
            app_id: t.some(finding.app_id.as_deref()),
            reason: t.some(finding.reason.as_deref()),
            event_type: t.some(finding.event_type.as_deref()),
            cause: t.some(f.cause.as_deref()),
            why: f.why.map(|w| self.share_why(w)),
            published: Packed::new(published),
        };
        self.kept.push(kept);
        self.keep_detail(detail);
    }

    fn share_why(&mut self, w: Why) -> Sym {
        if let Some(&s) = self.why_at.get(&w) {
            return s;
        }
        self.whys.push(w.clone());
        let n = u32::try_from(self.whys.len()).unwrap_or(u32::MAX);
        let sym = NonZeroU32::new(n).unwrap_or(NonZeroU32::MAX);
        self.why_at.insert(w, sym);
        sym
    }

    fn keep_detail(&mut self, d: Detail) {
        if self.details.len() < self.in_memory || self.spill_failed.is_some() {
            self.details.push(d);
            return;
        }
        if self.spill.is_none() {
            match tempfile::tempfile() {
                Ok(file) => self.spill = Some(Spill::Writing(BufWriter::with_capacity(1 << 16, file))),
                Err(e) => return self.cannot_spill(e, d),
            }
        }
        if let Some(Spill::Writing(w)) = &mut self.spill {
            if let Err(e) = w.write_all(&d.encode()) {
                return self.cannot_spill(e, d);
            }
            self.spilled += 1;
        }
    }

    /// The temporary file could not be made or written: the details it holds are read back, and every
    /// detail from now on is kept in memory.
    fn cannot_spill(&mut self, e: io::Error, d: Detail) {
        self.spill_failed = Some(e.to_string());
        let spilled = self.read_back().unwrap_or_default();
        self.details.extend(spilled);
        self.details.push(d);
        self.spill = None;
        self.spilled = 0;
    }

    /// Every detail written to the temporary file so far (after a failure to write more).
    fn read_back(&mut self) -> Option<Vec<Detail>> {
        let Some(Spill::Writing(w)) = self.spill.take() else {
            return None;
        };
        let mut file = w.into_inner().ok()?;
        file.seek(SeekFrom::Start(0)).ok()?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).ok()?;
        bytes.chunks_exact(DETAIL_BYTES).map(Detail::decode).collect()
    }

    /// The run is read: the temporary file is made ready to be read back; the note that says where the
    /// details were kept, if not all in memory.
    pub(super) fn close(&mut self) -> Option<String> {
        if let Some(Spill::Writing(w)) = self.spill.take() {
            match w.into_inner() {
                Ok(file) => self.spill = Some(Spill::Reading(Mutex::new(file))),
                Err(e) => {
                    self.unread.store(true, Ordering::Relaxed);
                    self.spill_failed = Some(e.error().to_string());
                }
            }
        }
        if let Some(why) = &self.spill_failed {
            return Some(format!(
                "the details of the findings past the first {} could not go to a temporary file ({why}): they \
                 were kept in memory",
                self.in_memory
            ));
        }
        (self.spilled > 0).then(|| {
            format!(
                "{} failures were read: the place and uuid of {} of them were kept in a temporary file, not in \
                 memory, until the report was written",
                self.kept.len(),
                self.spilled
            )
        })
    }

    /// Once the run is read, in the order kept: when a later success resolved the next failure (none: open).
    pub(super) fn resolve_next(&mut self, at: Option<Timestamp>) {
        self.resolved.push(Packed::new(at.map_or(When::None, When::At)));
    }

    /// True if a spilled detail could not be read back: the report written lacks some places and uuids.
    pub fn unread(&self) -> bool {
        self.unread.load(Ordering::Relaxed)
    }

    /// How many failures' details went to the temporary file.
    pub fn spilled(&self) -> u64 {
        self.spilled
    }

    fn text(&self, s: Option<Sym>) -> Option<&Arc<str>> {
        s.map(|s| self.texts.get(s))
    }

    fn string(&self, s: Option<Sym>) -> Option<String> {
        self.text(s).map(|t| t.to_string())
    }

    /// The rule id a failure was diagnosed with (none: unrecognized).
    pub fn cause(&self, k: usize) -> Option<&Arc<str>> {
        self.text(self.kept.get(k)?.cause)
    }

    /// How sure its cause is, and why.
    pub fn why(&self, k: usize) -> Option<&Why> {
        let w = self.kept.get(k)?.why?;
        self.whys.get(w.get() as usize - 1)
    }

    /// Who a failure names, as reports list people: the person's name, else the login.
    pub fn who(&self, k: usize) -> Option<&str> {
        let f = self.kept.get(k)?;
        self.text(f.user.or(f.login)).map(|t| &**t)
    }

    /// Its `published`, as read.
    pub fn published(&self, k: usize) -> Option<String> {
        match self.kept.get(k)?.published.get() {
            When::None => None,
            When::At(t) => Some(time_text(t)),
            When::Text(s) => self.string(Some(s)),
        }
    }

    /// When a later success resolved it (none: open, or not known yet).
    pub fn resolved_at(&self, k: usize) -> Option<Timestamp> {
        match self.resolved.get(k)?.get() {
            When::At(t) => Some(t),
            _ => None,
        }
    }

    /// True if no later success resolved it.
    pub fn is_open(&self, k: usize) -> bool {
        self.resolved_at(k).is_none()
    }

    /// The app it names: (Okta id, name).
    pub(super) fn app(&self, k: usize) -> (Option<&str>, Option<&str>) {
        let Some(f) = self.kept.get(k) else {
            return (None, None);
        };
        (self.text(f.app_id).map(|t| &**t), self.text(f.app).map(|t| &**t))
    }

    /// What resolution knows of it, from the finding as read (before `--redact`).
    pub(super) fn subject(&self, hasher: &Hasher, k: usize) -> Subject {
        let Some(f) = self.kept.get(k) else {
            return Subject::default();
        };
        let [user, login, user_id] = self
            .people
            .get(&(k as u32))
            .copied()
            .unwrap_or([f.user, f.login, f.user_id]);
        let s = |sym| self.text(sym).map(|t| &**t);
        hasher.subject_of(
            s(f.event_type),
            s(user_id),
            s(login),
            s(user),
            s(f.app_id),
            s(f.app),
            self.time(k),
        )
    }

    /// Its app and time, as resolution knows them.
    pub(super) fn app_and_time(&self, hasher: &Hasher, k: usize) -> (Where, Option<Timestamp>) {
        let (id, name) = self.app(k);
        (hasher.app(id, name), self.time(k))
    }

    fn time(&self, k: usize) -> Option<Timestamp> {
        match self.kept.get(k)?.published.get() {
            When::None => None,
            When::At(t) => Some(t),
            When::Text(p) => crate::when::published(self.texts.get(p)),
        }
    }

    /// A failure without its detail: its place is empty and its uuid none (see `get`). For what groups and
    /// counts failures, which never needs to read the temporary file.
    pub fn brief(&self, k: usize) -> Option<Failure> {
        let f = self.kept.get(k)?;
        Some(Failure {
            finding: Finding {
                source: Source::default(),
                user: self.string(f.user),
                login: self.string(f.login),
                user_id: self.string(f.user_id),
                app: self.string(f.app),
                app_id: self.string(f.app_id),
                reason: self.string(f.reason),
                event_type: self.string(f.event_type),
                uuid: None,
                published: self.published(k),
            },
            cause: self.cause(k).cloned(),
            why: self.why(k).cloned(),
            resolved_at: self.resolved_at(k).map(time_text),
        })
    }

    /// A failure as it was read, with its resolution.
    pub fn get(&self, k: usize) -> Option<Failure> {
        if k >= self.kept.len() {
            return None;
        }
        let detail = self.detail(k);
        Some(self.whole(k, detail))
    }

    fn whole(&self, k: usize, detail: Option<Detail>) -> Failure {
        let mut f = self.brief(k).unwrap_or_else(|| Failure {
            finding: Finding::default(),
            cause: None,
            why: None,
            resolved_at: None,
        });
        if let Some(d) = detail {
            f.finding.source = Source {
                path: Arc::clone(self.texts.get(d.path)),
                line: d.line,
            };
            f.finding.uuid = match d.uuid {
                Uuid::None => None,
                Uuid::Bytes(b) => Some(uuid::Uuid::from_bytes(b).hyphenated().to_string()),
                Uuid::Text(s) => self.string(Some(s)),
            };
        }
        f
    }

    /// The detail of failure `k`, from memory or the temporary file; none (and `unread` set) if it could
    /// not be read back.
    fn detail(&self, k: usize) -> Option<Detail> {
        if let Some(d) = self.details.get(k) {
            return Some(*d);
        }
        let at = (k - self.details.len()) as u64 * DETAIL_BYTES as u64;
        let mut b = [0u8; DETAIL_BYTES];
        let read = self.read_at(at, &mut b).ok().and_then(|()| Detail::decode(&b));
        if read.is_none() {
            self.unread.store(true, Ordering::Relaxed);
        }
        read
    }

    fn read_at(&self, at: u64, buf: &mut [u8]) -> io::Result<()> {
        let Some(Spill::Reading(file)) = &self.spill else {
            return Err(io::Error::other("the temporary file is not ready to be read"));
        };
        let mut file = file
            .lock()
            .map_err(|_| io::Error::other("the temporary file's lock was poisoned"))?;
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(buf)
    }

    /// Every failure in the order read, whole: what is on disk is read back in blocks.
    pub fn iter(&self) -> impl Iterator<Item = Failure> + '_ {
        let mut block: Vec<u8> = Vec::new();
        let mut block_start = usize::MAX;
        (0..self.kept.len()).map(move |k| {
            if k < self.details.len() {
                return self.whole(k, Some(self.details[k]));
            }
            const PER_BLOCK: usize = 2048;
            let i = k - self.details.len();
            if block_start == usize::MAX || i >= block_start + PER_BLOCK || i < block_start {
                block_start = i;
                let n = PER_BLOCK.min(self.kept.len() - k);
                block.resize(n * DETAIL_BYTES, 0);
                if self.read_at((i * DETAIL_BYTES) as u64, &mut block).is_err() {
                    block.clear();
                    self.unread.store(true, Ordering::Relaxed);
                }
            }
            let at = (i - block_start) * DETAIL_BYTES;
            let detail = block.get(at..at + DETAIL_BYTES).and_then(Detail::decode);
            if detail.is_none() {
                self.unread.store(true, Ordering::Relaxed);
            }
            self.whole(k, detail)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(n: u64, uuid: &str, published: &str) -> Failure {
        Failure {
            finding: Finding {
                source: Source {
                    path: "export.ndjson".into(),
                    line: n,
                },
                user: Some("Ana Lima".into()),
                login: Some("ana@example.com".into()),
                app: Some("Box".into()),
                reason: Some(format!("message {}", n % 3)),
                event_type: Some("application.provision.user.push".into()),
                uuid: Some(uuid.into()),
                published: Some(published.into()),
                ..Finding::default()
            },
            cause: Some("license-limit-exceeded".into()),
            why: None,
            resolved_at: None,
        }
    }

    #[test]
    fn a_kept_failure_is_small_and_its_detail_too() {
        assert!(
            std::mem::size_of::<Kept>() <= 48,
            "{}",
            std::mem::size_of::<Kept>()
        );
        assert!(std::mem::size_of::<Detail>() <= DETAIL_BYTES);
    }

    #[test]
    fn failures_come_back_as_read_from_memory_and_from_the_temporary_file() {
        let read = [
            failure(
                1,
                "f1b7d4b5-0f0c-11ef-9a1b-0242ac120002",
                "2024-04-21T12:00:00.000Z",
            ),
            // Not as Okta writes them: kept as text, shown as read.
            failure(2, "F1B7D4B5-0F0C-11EF-9A1B-0242AC120002", "2024-04-21T12:00:00Z"),
            failure(3, "not-a-uuid", "yesterday"),
            failure(
                4,
                "f1b7d4b5-0f0c-11ef-9a1b-0242ac120003",
                "2024-04-21T12:00:00.123456Z",
            ),
            failure(
                5,
                "f1b7d4b5-0f0c-11ef-9a1b-0242ac120004",
                "2024-04-21T13:00:00.000Z",
            ),
        ];
        for in_memory in [0, 2, 100] {
            let mut kept = Failures::with_in_memory(in_memory);
            for f in &read {
                let copy = Failure {
                    finding: f.finding.clone(),
                    cause: f.cause.clone(),
                    why: f.why.clone(),
                    resolved_at: None,
                };
                kept.push(copy, None);
            }
            let note = kept.close();
            assert_eq!(kept.spilled(), read.len().saturating_sub(in_memory) as u64);
            assert_eq!(note.is_some(), in_memory < read.len());
            let back: Vec<Failure> = kept.iter().collect();
            for (k, (a, b)) in read.iter().zip(&back).enumerate() {
                assert_eq!(a.finding, b.finding, "in_memory {in_memory}, failure {k}");
                assert_eq!(a.cause, b.cause);
                let one = kept.get(k).expect("kept");
                assert_eq!(one.finding, a.finding, "read back one at a time");
            }
            assert!(kept.get(read.len()).is_none() && kept.brief(read.len()).is_none());
            assert!(!kept.unread(), "asking past the end reads nothing");
        }
    }
}
