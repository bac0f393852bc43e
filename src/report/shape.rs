//! The shape of an unrecognized message: people, emails, ids and numbers masked, so that a hundred copies
//! of one new error read as one line with a count.

use regex::Regex;
use std::sync::LazyLock;

use crate::diagnosis::Diagnosed;
use crate::rules::fold;

static MASKS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", "<email>"),
        (
            r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
            "<id>",
        ),
        (r"\b0[0-9a-z]{19}\b", "<id>"),
        (
            r"(?i)\b[0-9a-f]*[0-9][0-9a-f]*[a-f][0-9a-f]*\b|\b[0-9a-f]*[a-f][0-9a-f]*[0-9][0-9a-f]*\b",
            "<id>",
        ),
        (r"\b\d{3,}\b", "<n>"),
        (r#""[^"]*"|“[^”]*”|'[^'\s][^']*'"#, "\"…\""),
    ]
    .into_iter()
    .map(|(p, with)| (Regex::new(p).expect("mask patterns are valid"), with))
    .collect()
});

/// The masked reason of a failure; its own user and login become `<user>`.
pub fn shape(d: &Diagnosed) -> String {
    let f = &d.finding;
    let Some(reason) = f.reason.as_deref() else {
        return "(no reason given)".to_owned();
    };
    let mut text = fold(reason);
    for who in [&f.user, &f.login].into_iter().flatten() {
        if !who.is_empty() {
            text = text.replace(who.as_str(), "<user>");
        }
    }
    for (re, with) in MASKS.iter() {
        text = re.replace_all(&text, *with).into_owned();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Finding;

    fn masked(user: &str, reason: &str) -> String {
        shape(&Diagnosed {
            finding: Finding {
                user: Some(user.into()),
                reason: Some(reason.into()),
                ..Finding::default()
            },
            cause: None,
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
}
