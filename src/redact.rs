//! `--redact`: people's names, logins and emails become pseudonyms that are stable across runs (derived
//! from the value itself) and never shared by two people within a run.

use fnv::FnvHasher;
use regex::Regex;
use std::collections::HashMap;
use std::hash::Hasher;
use std::sync::LazyLock;

use crate::record::Finding;

/// An email address, wherever it stands in a message (also masked in unrecognized-message shapes).
pub(crate) static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+").expect("the email pattern is valid"));
/// `userName "x"`, `userName: 'x'`, `login=x` and the like inside an app's message; an unquoted value
/// only after `=` or `:`, so that `userName is not unique` keeps its words.
static NAMED_LOGIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b((?:user ?name|login|externalid)\s*(?:[=:]\s*)?)("[^"]+"|'[^']+')|\b((?:user ?name|login|externalid)\s*[=:]\s*)([^\s"',;]+)"#,
    )
    .expect("the login pattern is valid")
});

/// Okta's `Error while creating user <name> : Conflict` (okta-formats §1): the name up to the colon.
static ERROR_WHILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(error while \w+ (?:user )?)(.+?)( ?: )").expect("the error-while pattern is valid")
});

#[derive(Default)]
pub struct Redactor {
    /// Pseudonym given to each value (keyed case-insensitively), and back, to keep them one-to-one.
    given: HashMap<String, String>,
    taken: HashMap<String, String>,
}

impl Redactor {
    /// Replaces the people in `f`: its user, its login, and any of them (or any email) inside its reason.
    pub fn finding(&mut self, f: &mut Finding) {
        let (user, login) = (f.user.take(), f.login.take());
        let new_user = user.as_deref().map(|u| self.name(u));
        let new_login = login.as_deref().map(|l| self.login(l));
        if let Some(mut reason) = f.reason.take() {
            for (old, new) in [(&user, &new_user), (&login, &new_login)] {
                if let (Some(old), Some(new)) = (old, new) {
                    reason = replace_ci(&reason, old, new);
                }
            }
            reason = EMAIL
                .replace_all(&reason, |c: &regex::Captures| self.login(&c[0]))
                .into_owned();
            reason = ERROR_WHILE
                .replace_all(&reason, |c: &regex::Captures| {
                    let who = &c[2];
                    let masked = who.starts_with("Person ") || who.starts_with("person-");
                    let who = if masked { who.to_owned() } else { self.name(who) };
                    format!("{}{who}{}", &c[1], &c[3])
                })
                .into_owned();
            reason = NAMED_LOGIN
                .replace_all(&reason, |c: &regex::Captures| {
                    let (label, value) = match (c.get(1), c.get(2)) {
                        (Some(l), Some(v)) => (l.as_str(), v.as_str()),
                        _ => (&c[3], &c[4]),
                    };
                    let quote = if value.starts_with(['"', '\'']) {
                        &value[..1]
                    } else {
                        ""
                    };
                    let inner = value.trim_matches(['"', '\'']);
                    if inner.ends_with("@redacted.invalid") || inner.starts_with("person-") {
                        return c[0].to_owned();
                    }
                    format!("{label}{quote}{}{quote}", self.login(inner))
                })
                .into_owned();
            f.reason = Some(reason);
        }
        f.user = new_user;
        f.login = new_login;
    }

    /// `Person 1a2b3c4d5e6f`.
    fn name(&mut self, name: &str) -> String {
        self.pseudonym(name, |h| format!("Person {h}"))
    }

    /// `person-1a2b3c4d5e6f@redacted.invalid` for an email, `person-1a2b3c4d5e6f` otherwise.
    fn login(&mut self, login: &str) -> String {
        if login.contains('@') {
            self.pseudonym(login, |h| format!("person-{h}@redacted.invalid"))
        } else {
            self.pseudonym(login, |h| format!("person-{h}"))
        }
    }

    fn pseudonym(&mut self, value: &str, shape: impl Fn(&str) -> String) -> String {
        let key = value.trim().to_lowercase();
        if let Some(p) = self.given.get(&key) {
            return p.clone();
        }
        let mut salt = 0u32;
        let pseudonym = loop {
            let mut h = FnvHasher::default();
            h.write(key.as_bytes());
            h.write_u32(salt);
            let candidate = shape(&format!("{:012x}", h.finish() & 0xffff_ffff_ffff));
            if !self.taken.contains_key(&candidate) {
                break candidate;
            }
            salt += 1;
        };
        self.given.insert(key, pseudonym.clone());
        self.taken.insert(pseudonym.clone(), value.trim().to_owned());
        pseudonym
    }
}

/// Replaces every case-insensitive occurrence of `needle` in `hay`.
fn replace_ci(hay: &str, needle: &str, with: &str) -> String {
    if needle.is_empty() {
        return hay.to_owned();
    }
    let pattern = format!("(?i){}", regex::escape(needle));
    match Regex::new(&pattern) {
        Ok(re) => re.replace_all(hay, regex::NoExpand(with)).into_owned(),
        Err(_) => hay.replace(needle, with),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(user: &str, login: &str, reason: &str) -> Finding {
        let mut f = Finding {
            user: Some(user.into()),
            login: Some(login.into()),
            app: Some("Box".into()),
            reason: Some(reason.into()),
            ..Finding::default()
        };
        Redactor::default().finding(&mut f);
        f
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
        assert!(f.reason.as_deref().is_some_and(|r| r.contains("already exists")));
    }

    #[test]
    fn pseudonyms_are_stable_across_runs_and_distinct_between_people() {
        let a = redact("John Doe", "jdoe", "x").user;
        let b = redact("JOHN DOE", "jdoe", "x").user;
        let c = redact("Jane Doe", "jane", "x").user;
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.as_deref().is_some_and(|p| p.starts_with("Person ")));
    }

    #[test]
    fn a_name_in_okta_error_while_shape_is_masked_even_when_spelled_otherwise() {
        let f = redact(
            "O'Brien, Zoë",
            "zob",
            "Error while creating user Zoë O'Brien : Conflict",
        );
        let reason = f.reason.unwrap_or_default();
        assert!(
            !reason.contains("Zoë") && reason.ends_with(" : Conflict"),
            "{reason}"
        );
    }

    #[test]
    fn bare_login_values_in_reasons_are_masked() {
        let f = redact("A B", "ab", "Conflict: userName 'zed99' is not unique, login=qq7");
        let reason = f.reason.unwrap_or_default();
        assert!(!reason.contains("zed99") && !reason.contains("qq7"), "{reason}");
        let f = redact("A B", "ab", "userName is not unique");
        assert_eq!(f.reason.as_deref(), Some("userName is not unique"));
    }
}
