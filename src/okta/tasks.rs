//! The Tasks sentence (`Automatic provisioning of user <U> to app <A> failed: <reason>`) and the shapes of
//! an Okta provisioning error copied without it: what Okta's words say, read on folded text, with no I/O.

use regex::Regex;
use std::sync::LazyLock;

/// The operations a Tasks sentence can name after `Automatic`. Provisioning and profile push are
/// confirmed (okta-formats.md §1); deactivation, reactivation, deprovisioning and push are not, so they
/// are read the same way rather than left out (§1: "make the code tolerant").
pub(crate) const OPERATIONS: &str = "provisioning|profile push|deactivation|reactivation|deprovisioning|push";

/// `Automatic provisioning of user <U> to app <A> failed: <reason>` and the other operations' forms,
/// matched on folded text. User ends at the first ` to app `, app at the first ` failed:` after it: names
/// may hold spaces, dots, apostrophes and colons (Okta help, "Troubleshoot provisioning").
static SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\bautomatic (?:{OPERATIONS}) of (?:user )?(.+?) to app (.+?) failed ?: ?(.*)$"
    ))
    .expect("the sentence pattern is valid")
});

/// The start of a Tasks sentence, complete or not: a line holding only this was cut by the page it was
/// copied from.
static SENTENCE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)\bautomatic (?:{OPERATIONS}) of\b")).expect("the pattern is valid")
});

/// The System Log's `<displayMessage> FAILURE: <reason>` as admins copy it (`Push new user to external
/// application FAILURE: …`, `Sync user in external application FAILURE:`).
pub(crate) static EXTERNAL_FAILURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:in|to|from) (?:the )?external application ?failure\b ?:? ?(.*)$")
        .expect("the pattern is valid")
});

/// The forms of an Okta provisioning error copied without its sentence (spec, Words): the app's answer as
/// Okta relays it, and Okta's `Error while <operation> …:` and the like.
pub(crate) static BARE_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\berrors? reported by (?:the )?(?:remote server|connector)\b",
        r"|\berror while [a-z]+ing\b[^:]*:",
        r"|\berror (?:authenticating|executing [a-z]+)\b ?:",
        r"|\bcould not [a-z]+\b.{0,160}\breceived error\b",
        r"|\bunable to update group push mapping\b",
        r"|\b(?:could not|couldn't|unable to|failed to) (?:create|update|push|provision|deprovision|deactivate|reactivate|sync|import|assign|unassign|verify|validate|remove|add)\b.{0,60}\b(?:user|group|profile|account|credentials|membership)\b",
        r"|\berrors during execution\b|\b(?:httpstatuscode|apierrorcode)=\d",
        r"|\bcom\.saasure\.|\bexception\b",
        // A line that opens with an HTTP status, its reason, or an error label.
        r"|^\W{0,3}[45]\d\d\b\W+\w",
        r"|^\W{0,3}(?:bad request|unauthori[sz]ed|forbidden|not found|conflict|unprocessable entity|too many requests|internal server error|bad gateway|service unavailable|gateway time-?out)\b\W+\w",
        r"|^\W{0,3}(?:error|failure)\s*:\W*\w",
    ))
    .expect("the pattern is valid")
});

/// What a Tasks sentence says. `user` is `None` when Okta left the name out (`of user to app X`).
#[derive(Debug, PartialEq, Eq)]
pub struct Sentence {
    pub user: Option<String>,
    pub app: String,
    pub reason: Option<String>,
}

/// Finds a Tasks failure sentence in already folded text. A reason that is itself a sentence (a doubled
/// prefix) is unwrapped.
pub fn parse_sentence(folded: &str) -> Option<Sentence> {
    let caps = SENTENCE.captures(folded)?;
    let user = strip_quotes(&caps[1]);
    let app = strip_quotes(&caps[2]);
    if user.is_empty() || app.is_empty() {
        return None;
    }
    // `Automatic provisioning of user to app X failed`: no name, and "user" is not one.
    let user = (!user.eq_ignore_ascii_case("user")).then(|| user.to_owned());
    let reason = strip_quotes(&caps[3]);
    let outer = Sentence {
        user,
        app: app.to_owned(),
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
    };
    match outer.reason.as_deref().and_then(parse_sentence) {
        Some(inner) => Some(Sentence {
            user: outer.user.or(inner.user),
            app: outer.app,
            reason: inner.reason,
        }),
        None => Some(outer),
    }
}

/// Trims white space and the quotes a paste tends to carry around a sentence or a name.
pub(crate) fn strip_quotes(s: &str) -> &str {
    const QUOTES: &[char] = &['"', '\'', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}', '`'];
    s.trim().trim_matches(QUOTES).trim()
}

/// True for a folded line that holds the start of a Tasks sentence whose end is on the next line: the
/// sentence is cut before its reason, or its reason ends in a colon.
pub(crate) fn is_cut_sentence(folded: &str) -> bool {
    if !SENTENCE_START.is_match(folded) {
        return false;
    }
    match parse_sentence(folded) {
        None => true,
        Some(s) => s.reason.is_none_or(|r| r.ends_with(':')),
    }
}

/// True for a line that can be the rest of a cut Tasks sentence: not a record of its own.
pub(crate) fn continues(folded: &str) -> bool {
    let t = strip_quotes(folded);
    !t.is_empty()
        && !t.starts_with(['{', '['])
        && !SENTENCE_START.is_match(t)
        && !t.starts_with(|c: char| c.is_ascii_digit())
}
