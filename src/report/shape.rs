//! The shape of an unrecognized message: people, emails, ids and numbers masked, so that a hundred copies
//! of one new error read as one line with a count.

use regex::Regex;
use std::sync::LazyLock;

use std::collections::HashMap;

use crate::diagnosis::{Diagnosed, Diagnosis};
use crate::redact::EMAIL;
use crate::rules::fold;

static MASKS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
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
    text = EMAIL.replace_all(&text, "<email>").into_owned();
    for (re, with) in MASKS.iter() {
        text = re.replace_all(&text, *with).into_owned();
    }
    text
}

/// Unrecognized failures of one app whose messages share a shape.
pub struct Group<'a> {
    pub app: Option<&'a str>,
    pub shape: String,
    pub count: u64,
    /// Index (into `Diagnosis::findings`) of the first of them.
    pub first: usize,
}

/// The unrecognized failures by app and message shape: most failures first, ties in order of appearance.
pub fn unrecognized(d: &Diagnosis) -> Vec<Group<'_>> {
    let mut at: HashMap<(Option<&str>, String), usize> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    for (k, f) in d.findings.iter().enumerate().filter(|(_, f)| f.cause.is_none()) {
        let key = (f.finding.app.as_deref(), shape(f));
        match at.get(&key) {
            Some(&g) => groups[g].count += 1,
            None => {
                at.insert(key.clone(), groups.len());
                groups.push(Group {
                    app: key.0,
                    shape: key.1,
                    count: 1,
                    first: k,
                });
            }
        }
    }
    groups.sort_by(|a, b| b.count.cmp(&a.count).then(a.first.cmp(&b.first)));
    groups
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

    #[test]
    fn groups_are_by_app_and_shape_most_failures_first_then_first_seen() {
        let mut d = Diagnosis::default();
        let fail = |app: &str, reason: &str| Finding {
            app: Some(app.into()),
            reason: Some(reason.into()),
            ..Finding::default()
        };
        for (app, reason) in [
            ("Box", "Bad Gateway 101"),
            ("Zoom", "Oops"),
            ("Box", "Bad Gateway 202"),
            ("Box", "Oops"),
        ] {
            d.failure(fail(app, reason), None);
        }
        let got: Vec<(Option<&str>, String, u64, usize)> = unrecognized(&d)
            .into_iter()
            .map(|g| (g.app, g.shape, g.count, g.first))
            .collect();
        assert_eq!(
            got,
            [
                (Some("Box"), "Bad Gateway <n>".to_owned(), 2, 0),
                (Some("Zoom"), "Oops".to_owned(), 1, 1),
                (Some("Box"), "Oops".to_owned(), 1, 3),
            ]
        );
    }
}
