//! `--redact`: people's names, logins, emails and Okta user ids become pseudonyms made with a keyed hash
//! (HMAC-SHA256), so that nobody without the key can tell who a pseudonym stands for. The same person gets
//! the same pseudonym wherever they appear in a run, and in every run with the same key; two people never
//! share one within a run. Everything else in a message stays word for word.

use anyhow::{anyhow, Result};
use hmac::{Hmac, Mac};
use regex::Regex;
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::LazyLock;

use crate::record::Finding;

/// An email address, wherever it stands in a message (also masked in unrecognized-message shapes), its `@`
/// percent-encoded too (`priya.v%40acme.example`, as a URL or a SCIM filter carries it).
pub(crate) static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\w.+%-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+").expect("the email pattern is valid")
});

/// `userName "x"`, `userName: 'x'`, `login=x` and the like inside an app's message; an unquoted value
/// only after `=` or `:`, so that `userName is not unique` keeps its words.
static NAMED_LOGIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(?:user ?name|login|externalid)\s*(?:(?:[=:]\s*)?(?:"([^"]+)"|'([^']+)')|[=:]\s*([^\s"',;]+))"#,
    )
    .expect("the login pattern is valid")
});

/// Who Okta's `Error while …` prefix names (as Okta support articles quote it): `Error while creating user <U> : Conflict`,
/// `Error while verifying if user <U> exists: …`, `Error while trying to push profile update for <U>: …`.
static ERROR_WHILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\berror while (?:verifying if user|trying to push profile update for|\w+ user) (.+?)(?: exists)? ?: ",
    )
    .expect("the error-while pattern is valid")
});

/// Where Okta's or the app's own wording starts in a pasted line: what stands before it (a timestamp, a
/// note, a name) is the paster's, not the message.
static MESSAGE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\berror while \w|\b(?:bad request|unauthori[sz]ed|forbidden|not found|conflict|bad gateway|internal server error|service unavailable|too many requests|gateway time-?out|unprocessable entity|precondition failed)\.? errors reported by|\berrors reported by (?:the )?remote server\b",
    )
    .expect("the message-start pattern is valid")
});

/// The secret pseudonyms are made with. Never printed.
#[derive(Clone)]
pub struct RedactKey(Vec<u8>);

impl RedactKey {
    /// A key given by the user (`PROVDIAG_REDACT_KEY`): the same key gives the same pseudonyms.
    pub fn new(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// A key for this run only.
    pub fn random() -> Result<Self> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| anyhow!("cannot make a random key for --redact: {e}"))?;
        Ok(Self(key.to_vec()))
    }
}

impl std::fmt::Debug for RedactKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedactKey(…)")
    }
}

/// What a value found in a message is: it decides the pseudonym's shape.
#[derive(Clone, Copy)]
enum Kind {
    Name,
    Login,
    /// Another way of writing a person already given a pseudonym: the `i`th of those given.
    Same(usize),
}

pub struct Redactor {
    mac: Hmac<Sha256>,
    /// Pseudonym given to each value (keyed case-insensitively), and the values given each pseudonym, to
    /// keep them one-to-one.
    given: HashMap<String, String>,
    taken: HashMap<String, String>,
}

impl Redactor {
    pub fn new(key: &RedactKey) -> Self {
        Self {
            mac: <Hmac<Sha256> as Mac>::new_from_slice(&key.0).expect("HMAC takes a key of any length"),
            given: HashMap::new(),
            taken: HashMap::new(),
        }
    }

    /// Replaces the people in `f`: its user, login and user id, and every person its reason names (the
    /// user and login themselves, emails, `userName "x"` values, the name of an `Error while …` prefix).
    pub fn finding(&mut self, f: &mut Finding) {
        self.finding_and(f, &mut []);
    }

    /// As `finding`, and replaces the same people in `texts` taken from its message (the words a diagnosis
    /// quotes as its evidence), with the same pseudonyms.
    pub fn finding_and(&mut self, f: &mut Finding, texts: &mut [String]) {
        let mut people: Vec<(String, Kind)> = Vec::new();
        if let Some(u) = &f.user {
            people.push((u.clone(), Kind::Name));
        }
        if let Some(l) = &f.login {
            people.push((l.clone(), Kind::Login));
        }
        if let Some(reason) = &f.reason {
            people.extend(named_in(reason, f.user.as_deref()));
        }
        // The other ways a message writes the same person: a name as `Last, First` (or the other way round),
        // a login's local part (`User priya.v not found`). They take that person's pseudonym.
        let mut same: Vec<String> = Vec::new();
        let mut others: Vec<(String, Kind)> = Vec::new();
        if let Some(u) = &f.user {
            for other in name_orders(u) {
                others.push((other, Kind::Same(same.len())));
            }
            same.push(self.name(u));
        }
        let emails: Vec<String> = f
            .login
            .iter()
            .cloned()
            .chain(
                f.reason
                    .iter()
                    .flat_map(|r| emails(r).map(|(start, end)| r[start..end].to_owned())),
            )
            .collect();
        for email in emails {
            if let Some(local) = local_part(&email) {
                let p = self.login(&email);
                let p = p.split(['@', '%']).next().unwrap_or_default().to_owned();
                others.push((local.to_owned(), Kind::Same(same.len())));
                same.push(p);
            }
        }
        people.extend(others);
        f.user = f.user.take().map(|u| self.name(&u));
        f.login = f.login.take().map(|l| self.login(&l));
        f.user_id = f
            .user_id
            .take()
            .map(|id| self.pseudonym(&id, |h| format!("user-{h}")));
        if let Some(reason) = f.reason.take() {
            f.reason = Some(self.replace_people(&reason, &people, &same));
        }
        for text in texts {
            *text = self.replace_people(text, &people, &same);
        }
    }

    /// Every occurrence of each person in `text` (any case, whole words only) and every email replaced,
    /// from one list of places, so that a pseudonym is never taken for a person.
    fn replace_people(&mut self, text: &str, people: &[(String, Kind)], same: &[String]) -> String {
        let mut found: Vec<(usize, usize, Kind)> = emails(text)
            .map(|(start, end)| (start, end, Kind::Login))
            .collect();
        for (value, kind) in people {
            found.extend(occurrences(text, value.trim()).map(|(s, e)| (s, e, *kind)));
        }
        // Leftmost first and, at one place, the longest: all of `jdoe@example.com`, not `jdoe` alone.
        found.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (start, end, kind) in found {
            if start < last {
                continue;
            }
            out.push_str(&text[last..start]);
            let who = &text[start..end];
            out.push_str(&match kind {
                Kind::Name => self.name(who),
                Kind::Login => self.login(who),
                Kind::Same(i) => same.get(i).cloned().unwrap_or_else(|| self.login(who)),
            });
            last = end;
        }
        out.push_str(&text[last..]);
        out
    }

    /// `Person 1a2b3c4d5e6f`.
    fn name(&mut self, name: &str) -> String {
        self.pseudonym(name, |h| format!("Person {h}"))
    }

    /// `person-1a2b3c4d5e6f@redacted.invalid` for an email, `person-1a2b3c4d5e6f` otherwise.
    /// A percent-encoded `@` is the same person's, and stays encoded.
    fn login(&mut self, login: &str) -> String {
        let at = login.to_ascii_lowercase().find("%40");
        if let Some(at) = at {
            let decoded = format!("{}@{}", &login[..at], &login[at + 3..]);
            self.login(&decoded).replacen('@', "%40", 1)
        } else if login.contains('@') {
            self.pseudonym(login, |h| format!("person-{h}@redacted.invalid"))
        } else {
            self.pseudonym(login, |h| format!("person-{h}"))
        }
    }

    /// The first 48 bits of HMAC-SHA256(key, value in lowercase) as hex; on the rare clash with another
    /// value's pseudonym in this run, a counter joins the hashed text until the pseudonym is free.
    fn pseudonym(&mut self, value: &str, shape: impl Fn(&str) -> String) -> String {
        let key = value.trim().to_lowercase();
        if let Some(p) = self.given.get(&key) {
            return p.clone();
        }
        let mut counter = 0u32;
        let pseudonym = loop {
            let mut mac = self.mac.clone();
            mac.update(key.as_bytes());
            if counter > 0 {
                mac.update(&counter.to_be_bytes());
            }
            let digest = mac.finalize().into_bytes();
            let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
            let candidate = shape(&hex);
            if !self.taken.contains_key(&candidate) {
                break candidate;
            }
            counter += 1;
        };
        self.given.insert(key, pseudonym.clone());
        self.taken.insert(pseudonym.clone(), value.trim().to_owned());
        pseudonym
    }
}

/// The message of a pasted line without a Tasks sentence that a rule matched at `matched_at`: from where
/// Okta's or the app's wording starts (or the rule's match, if earlier). What stands before it may name
/// anyone, and goes; the message keeps its words, and `Redactor::finding` replaces the people in it.
pub fn message_of(line: &str, matched_at: Option<usize>) -> &str {
    let okta_at = MESSAGE_START.find(line).map(|m| m.start());
    let start = match (okta_at, matched_at) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(0),
    };
    line.get(start..).unwrap_or(line)
}

/// The people a message names in shapes provdiag knows: `Error while … user <U>`, `userName "x"`.
fn named_in(reason: &str, user: Option<&str>) -> Vec<(String, Kind)> {
    let mut people = Vec::new();
    for c in ERROR_WHILE.captures_iter(reason) {
        let who = c[1].trim();
        // `Error while creating user group <group>` names a group; `verifying if user exists` nobody.
        let lower = who.to_lowercase();
        if lower == "exists" || lower.starts_with("group ") {
            continue;
        }
        let is_user = user.is_some_and(|u| u.trim().eq_ignore_ascii_case(who));
        let kind = if is_user || (who.contains(' ') && !who.contains('@')) {
            Kind::Name
        } else {
            Kind::Login
        };
        people.push((who.to_owned(), kind));
    }
    for c in NAMED_LOGIN.captures_iter(reason) {
        if let Some(v) = c.get(1).or(c.get(2)).or(c.get(3)) {
            people.push((v.as_str().to_owned(), Kind::Login));
        }
    }
    people
}

/// Where the emails of `text` stand. In a percent-encoded text the match starts after the last escape
/// before the `@` (`%22priya.v%40acme.example` is the quote, then the email).
fn emails(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    EMAIL.find_iter(text).map(|m| {
        let found = m.as_str();
        let at = found
            .find('@')
            .or_else(|| found.to_ascii_lowercase().find("%40"))
            .unwrap_or(0);
        let local = &found.as_bytes()[..at];
        let escaped = (0..local.len().saturating_sub(2)).rev().find(|&i| {
            local[i] == b'%' && local[i + 1].is_ascii_hexdigit() && local[i + 2].is_ascii_hexdigit()
        });
        match escaped {
            Some(i) if i + 3 < at => (m.start() + i + 3, m.end()),
            _ => (m.start(), m.end()),
        }
    })
}

/// A name's other order: `Last, First` for `First Last` (the last word first), and `First Last` for
/// `Last, First`.
fn name_orders(name: &str) -> Vec<String> {
    let name = name.trim();
    if let Some((last, first)) = name.split_once(',') {
        let (last, first) = (last.trim(), first.trim());
        if last.is_empty() || first.is_empty() {
            return Vec::new();
        }
        return vec![format!("{first} {last}")];
    }
    match name.rsplit_once(' ') {
        Some((first, last)) if !first.trim().is_empty() && !last.is_empty() => {
            let first = first.trim();
            vec![format!("{last}, {first}"), format!("{last},{first}")]
        }
        _ => Vec::new(),
    }
}

/// An email's local part (`priya.v` of `priya.v@acme.example` or `priya.v%40acme.example`), when it is
/// long enough to name someone rather than to be a word of the message anywhere.
fn local_part(email: &str) -> Option<&str> {
    let at = email
        .find('@')
        .or_else(|| email.to_ascii_lowercase().find("%40"))?;
    let local = email[..at].trim();
    (local.chars().count() >= 3).then_some(local)
}

/// Where `value` stands in `text` in any case, as a whole word. A regex per finding would cost more to
/// build than the search: a reason is a few hundred bytes.
fn occurrences<'a>(text: &'a str, value: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
    let lower = value.to_lowercase();
    let first = lower.chars().next();
    text.char_indices().filter_map(move |(start, c)| {
        // Most places differ at their first character: no allocation there.
        if c.to_lowercase().next() != first {
            return None;
        }
        let end = start + value.len();
        let candidate = text.get(start..end)?;
        let same = !value.is_empty() && candidate.to_lowercase() == lower;
        (same && whole_word(text, start, end)).then_some((start, end))
    })
}

/// True if `text[start..end]` is not the inside of a longer word (`ann` in `channel`).
fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let found = &text[start..end];
    let open = !found.starts_with(word) || !text[..start].ends_with(word);
    let close = !found.ends_with(word) || !text[end..].starts_with(word);
    open && close
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_key(key: &str, user: &str, login: &str, reason: &str) -> Finding {
        let mut f = Finding {
            user: Some(user.into()),
            login: Some(login.into()),
            app: Some("Box".into()),
            reason: Some(reason.into()),
            ..Finding::default()
        };
        Redactor::new(&RedactKey::new(key.as_bytes())).finding(&mut f);
        f
    }

    fn redact(user: &str, login: &str, reason: &str) -> Finding {
        with_key("k", user, login, reason)
    }

    fn reason(f: Finding) -> String {
        f.reason.unwrap_or_default()
    }

    #[test]
    fn people_vanish_from_every_field_and_apps_stay() {
        let f = redact(
            "John Doe",
            "jdoe@example.com",
            "Error while creating user john doe : Conflict. Errors reported by remote server: A user with userName \"jdoe@example.com\" already exists; contact ann.lee@example.org",
        );
        let all = format!("{f:?}");
        for leak in ["John", "john", "jdoe", "ann.lee", "example.com"] {
            assert!(!all.contains(leak), "{leak} leaked: {all}");
        }
        assert_eq!(f.app.as_deref(), Some("Box"));
        let r = reason(f);
        assert!(r.starts_with("Error while creating user Person "), "{r}");
        assert!(
            r.contains(" : Conflict. Errors reported by remote server: A user with userName \"person-"),
            "{r}"
        );
        assert!(
            r.contains("@redacted.invalid\" already exists; contact person-"),
            "{r}"
        );
    }

    #[test]
    fn the_message_stays_word_for_word_around_the_person() {
        let r = reason(redact(
            "John Doe",
            "jdoe",
            "Error while verifying if user John Doe exists: Unauthorized. Errors reported by remote server: Invalid SCIM token",
        ));
        let rest = r
            .strip_prefix("Error while verifying if user Person ")
            .unwrap_or_default();
        assert_eq!(
            &rest[12..],
            " exists: Unauthorized. Errors reported by remote server: Invalid SCIM token",
            "{r}"
        );
        // Spelled otherwise than the user: still masked, still in its sentence.
        let r = reason(redact(
            "O'Brien, Zoë",
            "zob",
            "Error while creating user Zoë O'Brien : Conflict",
        ));
        assert!(
            !r.contains("Zoë") && r.starts_with("Error while creating user Person "),
            "{r}"
        );
        assert!(r.ends_with(" : Conflict"), "{r}");
        let r = reason(redact(
            "A B",
            "ab",
            "Error while creating user group Sales Team: HTTP 403 Forbidden",
        ));
        assert_eq!(
            r,
            "Error while creating user group Sales Team: HTTP 403 Forbidden"
        );
        let r = reason(redact(
            "A B",
            "ab",
            "Error while verifying if user exists: AppApIException",
        ));
        assert_eq!(r, "Error while verifying if user exists: AppApIException");
    }

    #[test]
    fn a_logins_local_part_an_encoded_email_and_a_reordered_name_are_replaced() {
        let f = redact(
            "Priya Venkatesan",
            "priya.v@acme.example",
            "User priya.v not found; GET /Users?filter=userName%20eq%20%22priya.v%40acme.example%22 for Venkatesan, Priya",
        );
        let r = reason(f.clone());
        for leak in ["priya", "Priya", "Venkatesan", "acme"] {
            assert!(!r.contains(leak), "{leak} leaked: {r}");
        }
        let login = f.login.unwrap_or_default();
        let local = login.trim_end_matches("@redacted.invalid");
        assert!(r.starts_with(&format!("User {local} not found; GET /Users?filter=userName%20eq%20%22{local}%40redacted.invalid%22 for ")), "{r}");
        assert!(
            r.ends_with(&format!("for {}", f.user.unwrap_or_default())),
            "the same person, the same pseudonym: {r}"
        );
        // The other way round, and an email only the message names.
        let r = reason(redact(
            "Venkatesan, Priya",
            "pv",
            "Priya Venkatesan is locked; ask ann.lee@example.org (ann.lee)",
        ));
        for leak in ["Priya", "Venkatesan", "ann.lee", "example"] {
            assert!(!r.contains(leak), "{leak} leaked: {r}");
        }
        assert!(r.ends_with(")") && r.contains(" is locked; ask person-"), "{r}");
    }

    #[test]
    fn pseudonyms_are_keyed_stable_and_distinct_between_people() {
        let a = redact("John Doe", "jdoe", "x").user;
        let b = redact("JOHN DOE", "jdoe", "x").user;
        let c = redact("Jane Doe", "jane", "x").user;
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.as_deref().is_some_and(|p| p.starts_with("Person ")));
        let other_key = with_key("another key", "John Doe", "jdoe", "x").user;
        assert_ne!(a, other_key, "another key, another pseudonym");
    }

    #[test]
    fn login_values_are_masked_and_words_inside_other_words_are_not() {
        let r = reason(redact(
            "A B",
            "ann",
            "Conflict: userName 'zed99' is not unique, login=qq7; channel ann",
        ));
        assert!(!r.contains("zed99") && !r.contains("qq7"), "{r}");
        assert!(
            r.contains("channel person-") && r.starts_with("Conflict: userName 'person-"),
            "{r}"
        );
        assert_eq!(
            reason(redact("A B", "ab", "userName is not unique")),
            "userName is not unique"
        );
    }

    #[test]
    fn a_pasted_line_keeps_its_message_from_where_okta_wording_starts() {
        let line = "2024-04-21 12:47 Quentin Ybarra: Error while verifying if user qy@example.com exists: Unauthorized. Errors reported by remote server: Invalid SCIM token";
        let mut f = Finding {
            reason: Some(message_of(line, Some(80)).to_owned()),
            ..Finding::default()
        };
        Redactor::new(&RedactKey::new(b"k")).finding(&mut f);
        let got = f.reason.unwrap_or_default();
        assert!(got.starts_with("Error while verifying if user person-"), "{got}");
        assert!(
            got.ends_with("@redacted.invalid exists: Unauthorized. Errors reported by remote server: Invalid SCIM token"),
            "{got}"
        );
        assert!(!got.contains("Quentin"), "{got}");
        let line = "Quentin: LICENSE_LIMIT_EXCEEDED: License Limit Exceeded";
        assert_eq!(
            message_of(line, line.find("LICENSE")),
            "LICENSE_LIMIT_EXCEEDED: License Limit Exceeded"
        );
    }
}
