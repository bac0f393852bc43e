//! `--since`, `--until` and `--app`: which records are diagnosed at all. The others count as ignored.

use jiff::Timestamp;

use crate::record::Finding;

/// The window and the apps asked for; the default keeps everything.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Events published at or after this time.
    pub since: Option<Timestamp>,
    /// Events published before this time (as Okta's API reads `until`).
    pub until: Option<Timestamp>,
    /// App names or Okta app ids, matched case-insensitively; empty: every app.
    pub apps: Vec<String>,
}

impl Filter {
    /// Whether a record published at `at` (none: a record without a time, always kept by the window) is kept.
    pub fn keeps(&self, f: &Finding, at: Option<Timestamp>) -> bool {
        if let Some(at) = at {
            if self.since.is_some_and(|s| at < s) || self.until.is_some_and(|u| at >= u) {
                return false;
            }
        }
        self.apps.is_empty()
            || [&f.app, &f.app_id]
                .into_iter()
                .flatten()
                .any(|have| self.apps.iter().any(|want| eq_folded(want, have)))
    }
}

/// Case-insensitive beyond ASCII (`Zoë` and `ZOË`).
fn eq_folded(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("a time")
    }

    fn on(app: &str, id: Option<&str>) -> Finding {
        Finding {
            app: Some(app.into()),
            app_id: id.map(Into::into),
            ..Finding::default()
        }
    }

    #[test]
    fn the_window_keeps_since_inclusive_until_exclusive_and_untimed_records() {
        let f = Filter {
            since: Some(at("2024-04-21T00:00:00Z")),
            until: Some(at("2024-04-22T00:00:00Z")),
            apps: vec![],
        };
        let box_ = on("Box", None);
        assert!(f.keeps(&box_, Some(at("2024-04-21T00:00:00Z"))));
        assert!(f.keeps(&box_, Some(at("2024-04-21T23:59:59Z"))));
        assert!(!f.keeps(&box_, Some(at("2024-04-22T00:00:00Z"))));
        assert!(!f.keeps(&box_, Some(at("2024-04-20T23:59:59Z"))));
        assert!(f.keeps(&box_, None), "a pasted line has no time");
    }

    #[test]
    fn apps_match_by_name_or_id_whatever_the_case() {
        let f = Filter {
            apps: vec!["salesforce.COM".into(), "0oa2".into(), "zoË".into()],
            ..Filter::default()
        };
        assert!(f.keeps(&on("Salesforce.com", None), None));
        assert!(f.keeps(&on("Box", Some("0OA2")), None));
        assert!(f.keeps(&on("Zoë", None), None));
        assert!(!f.keeps(&on("Box", Some("0oa1")), None));
        assert!(!f.keeps(&Finding::default(), None), "no app, not asked for");
    }
}
