//! The shape of an app's message: people, emails, ids and values masked, the words kept (`can't`,
//! `Office 365`, the attribute the app names), so that a hundred copies of one error read as one line with a
//! count.

use regex::{Captures, Regex};
use std::collections::HashMap;
use std::sync::LazyLock;

use crate::group::{Incident, Report};
use crate::record::Finding;
use crate::redact::EMAIL;
use crate::text::fold;

static IDS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
        // Okta ids: 20 characters starting with 0 (00u…, 0oa…).
        r"\b0[0-9a-zA-Z]{19}\b",
        // Hex strings that mix digits and letters (hashes, request ids).
        r"(?i)\b[0-9a-f]*[0-9][0-9a-f]*[a-f][0-9a-f]*\b|\b[0-9a-f]*[a-f][0-9a-f]*[0-9][0-9a-f]*\b",
    ]
    .into_iter()
    .map(|p| Regex::new(p).expect("mask patterns are valid"))
    .collect()
});

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{3,}\b").expect("the number pattern is valid"));

/// Words after which a number is a value, whatever their case.
const VALUE_WORDS: &[&str] = &["id", "ref", "no", "nr", "number", "#"];

/// The masked reason of a failure; its own user and login become `<user>`.
pub fn shape(f: &Finding) -> String {
    let Some(reason) = f.reason.as_deref() else {
        return "(no reason given)".to_owned();
    };
    let mut text = fold(reason);
    for who in [&f.user, &f.login].into_iter().flatten() {
        text = replace_word(&text, who, "<user>");
    }
    text = EMAIL.replace_all(&text, "<email>").into_owned();
    for re in IDS.iter() {
        text = re.replace_all(&text, "<id>").into_owned();
    }
    text = NUMBER
        .replace_all(&text, |c: &Captures| {
            let m = c.get(0).map_or("", |m| m.as_str());
            let before = &text[..c.get(0).map_or(0, |m| m.start())];
            if keeps_number(m, before) {
                m.to_owned()
            } else {
                "<n>".to_owned()
            }
        })
        .into_owned();
    mask_quoted(&text)
}

/// `text` with every `word` that stands as a word (not inside a longer one) replaced by `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    if word.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let end = i + word.len();
        let alone = !rest[..i].chars().next_back().is_some_and(char::is_alphanumeric)
            && !rest[end..].chars().next().is_some_and(char::is_alphanumeric);
        out.push_str(&rest[..i]);
        out.push_str(if alone { with } else { word });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A number stays when it is a status code (`400`, `HTTP 403`) or part of a name (`Office 365`): right after
/// a capitalized word that is not an id's label. Long numbers are always values.
fn keeps_number(n: &str, before: &str) -> bool {
    if n.len() > 6 {
        return false;
    }
    if n.len() == 3 && ("100".."600").contains(&n) {
        return true;
    }
    let Some(word) = before.strip_suffix(' ').and_then(|b| b.split(' ').next_back()) else {
        return false;
    };
    word.chars().next().is_some_and(char::is_uppercase)
        && word.chars().all(char::is_alphabetic)
        && word.chars().count() >= 2
        && !VALUE_WORDS.contains(&word.to_lowercase().as_str())
}

/// Quoted values become `"…"`. An apostrophe inside a word (`can't`, `User's`) is no quote, and a quoted
/// name that reads as an attribute (`'userName'`, `field "department"`) stays: it is what the app refuses.
fn mask_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((i, open)) = rest.char_indices().find(|&(i, c)| opens(rest, i, c)) {
        let close = match open {
            '“' => '”',
            q => q,
        };
        let body_start = i + open.len_utf8();
        let Some(len) = closing(&rest[body_start..], close) else {
            break;
        };
        let body = &rest[body_start..body_start + len];
        out.push_str(&rest[..i]);
        if is_attribute(body, &out) {
            out.push_str(&rest[i..body_start + len + close.len_utf8()]);
        } else {
            out.push_str("\"…\"");
        }
        rest = &rest[body_start + len + close.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// Whether the quote character `c` at byte `i` of `s` opens a quotation.
fn opens(s: &str, i: usize, c: char) -> bool {
    match c {
        '"' | '“' => true,
        '\'' => !s[..i].chars().next_back().is_some_and(char::is_alphanumeric),
        _ => false,
    }
}

/// Where the quotation in `s` (after its opening quote) ends: the next `close`, for `'` one that ends a word.
fn closing(s: &str, close: char) -> Option<usize> {
    s.char_indices()
        .filter(|&(_, c)| c == close)
        .map(|(i, _)| i)
        .find(|&i| close != '\'' || !s[i + 1..].chars().next().is_some_and(char::is_alphanumeric))
}

/// An attribute's name: named as one (`attribute 'x'`, `field "x"`), or an identifier no person writes
/// (`userName`, `external_id`).
fn is_attribute(body: &str, before: &str) -> bool {
    const LABELS: &[&str] = &["attribute", "field", "property", "parameter", "path", "column"];
    let label = before
        .trim_end()
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .map(str::to_lowercase);
    if label.is_some_and(|l| LABELS.contains(&l.as_str())) && !body.contains('@') {
        return true;
    }
    let mut chars = body.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && (body.contains('_') || body.chars().skip(1).any(|c| c.is_ascii_uppercase()))
        && !body.chars().any(|c| c.is_ascii_digit())
}

/// A message of an incident: its shape, how many failures had it, and the first of them.
pub struct Message {
    pub shape: String,
    pub count: u64,
    /// Index (into `Report::failures`).
    pub first: usize,
}

/// The distinct messages of an incident's failures: most failures first, ties in order of appearance.
pub fn messages(r: &Report, i: &Incident) -> Vec<Message> {
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut list: Vec<Message> = Vec::new();
    for &k in &i.members {
        let s = r
            .failures
            .brief(k)
            .map_or_else(String::new, |f| shape(&f.finding));
        match at.get(&s) {
            Some(&m) => list[m].count += 1,
            None => {
                at.insert(s.clone(), list.len());
                list.push(Message {
                    shape: s,
                    count: 1,
                    first: k,
                });
            }
        }
    }
    list.sort_by(|a, b| b.count.cmp(&a.count).then(a.first.cmp(&b.first)));
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(user: &str, reason: &str) -> String {
        shape(&Finding {
            user: Some(user.into()),
            reason: Some(reason.into()),
            ..Finding::default()
        })
    }

    #[test]
    fn copies_of_one_error_share_a_shape() {
        let a = masked("Ann Lee", "Error while creating user Ann Lee : Bad Gateway. id 00u1a2b3c4d5e6f7g8h9 ref 4521, mail ann@x.io");
        let b = masked(
            "Bo Wu",
            "Error while creating user Bo Wu : Bad Gateway. id 00u9z8y7x6w5v4u3t2s1 ref 981, mail bo@y.org",
        );
        assert_eq!(a, b);
        assert!(!a.contains("Ann") && !a.contains("ann@"), "{a}");
    }

    #[test]
    fn apostrophes_product_numbers_status_codes_and_attributes_survive() {
        let s = masked(
            "x",
            "User's Profile can't be set to 'Identity User' because it's derived from a license",
        );
        assert_eq!(
            s,
            "User's Profile can't be set to \"…\" because it's derived from a license"
        );
        let s = masked(
            "x",
            "Could not validate your Office 365 credentials, received error: 400 AADSTS50126: trace 8812345",
        );
        assert_eq!(
            s,
            "Could not validate your Office 365 credentials, received error: 400 AADSTS50126: trace <n>"
        );
        assert_eq!(
            masked("x", "Attribute 'userName' is immutable."),
            "Attribute 'userName' is immutable."
        );
        assert_eq!(
            masked("x", "Bad Request: field \"department\" is required"),
            "Bad Request: field \"department\" is required"
        );
        assert_eq!(
            masked("x", "A user with userName \"jdoe\" already exists. ID 12345"),
            "A user with userName \"…\" already exists. ID <n>"
        );
        assert_eq!(masked("x", "HTTP 403 Forbidden"), "HTTP 403 Forbidden");
    }
}
