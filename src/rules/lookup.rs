//! Finding a cause as people type it (`explain`, `--fail-on`): any case, Okta's `LICENSE_LIMIT_EXCEEDED`
//! spelling, and the nearest id when nothing matches.

use std::sync::LazyLock;

use super::schema::Rule;
use super::table::RuleTable;

/// A cause id as people type it, in the shape ids have: lowercase, `_`, spaces and runs of `-` as one `-`.
pub fn normalize_id(typed: &str) -> String {
    let lower = typed.trim().to_lowercase();
    lower
        .split(|c: char| c == '_' || c == '-' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

impl RuleTable {
    /// The rule a typed cause names (`license-limit-exceeded`, `LICENSE_LIMIT_EXCEEDED`, `License limit
    /// exceeded`), if any.
    pub fn find(&self, typed: &str) -> Option<&Rule> {
        let id = normalize_id(typed);
        // `licence` and `license` are one word, whichever the id and the typing use.
        let exact = self.rules().iter().find(|r| r.id == id);
        exact.or_else(|| {
            self.rules()
                .iter()
                .find(|r| us_spelling(&r.id) == us_spelling(&id))
        })
    }

    /// The rule a typed cause names, or an error that suggests the nearest id and lists them all.
    pub fn lookup(&self, typed: &str) -> anyhow::Result<&Rule> {
        if let Some(rule) = self.find(typed) {
            return Ok(rule);
        }
        let hint = match nearest(typed, self.ids()) {
            Some(near) => format!(" (did you mean '{near}'?)"),
            None => String::new(),
        };
        anyhow::bail!(
            "unknown cause '{}'{hint}; known causes: {}",
            crate::text::clean(typed),
            self.ids().join(", ")
        )
    }
}

/// An id with British `licence` spelled `license`, word by word.
fn us_spelling(id: &str) -> String {
    id.split('-')
        .map(|w| match w {
            "licence" => "license",
            "licences" => "licenses",
            "licenced" => "licensed",
            "licencing" => "licensing",
            other => other,
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The candidate nearest to what was typed, if one is near enough to be what was meant.
pub fn nearest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed = normalize_id(typed);
    if typed.is_empty() {
        return None;
    }
    candidates
        .into_iter()
        .map(|c| (similarity(&typed, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// How alike a typed id and a candidate are, from 0 to 1. People type ids short (`licence-limit` for
/// `license-limit-exceeded`), so the start of the candidate as long as the typed text counts too.
fn similarity(typed: &str, candidate: &str) -> f64 {
    let whole = strsim::jaro_winkler(typed, candidate);
    let start: String = candidate.chars().take(typed.chars().count()).collect();
    let prefix = if typed.chars().count() >= 4 && start.len() < candidate.len() {
        strsim::normalized_levenshtein(typed, &start)
    } else {
        0.0
    };
    whole.max(prefix)
}

/// The ids of the built-in rules, for shell completion (which cannot know a `--rules` file's ids).
pub fn builtin_ids() -> &'static [String] {
    static IDS: LazyLock<Vec<String>> = LazyLock::new(|| {
        super::table::parse_builtin()
            .map(|f| f.rules.into_iter().map(|r| r.id).collect())
            .unwrap_or_default()
    });
    &IDS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RuleTable {
        RuleTable::load(None).expect("built-in table loads")
    }

    #[test]
    fn okta_codes_any_case_and_spaces_name_the_cause() {
        let t = table();
        for typed in [
            "license-limit-exceeded",
            "LICENSE_LIMIT_EXCEEDED",
            "License Limit Exceeded",
            " license__limit--exceeded ",
        ] {
            assert_eq!(
                t.find(typed).map(|r| r.id.as_str()),
                Some("license-limit-exceeded"),
                "{typed}"
            );
        }
        assert!(t.find("license").is_none(), "a part of an id is no id");
        let err = t
            .lookup("licence-limit")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("did you mean 'license-limit-exceeded'?"), "{err}");
    }

    #[test]
    fn a_near_miss_suggests_the_nearest_id_and_nonsense_suggests_nothing() {
        let t = table();
        let ids = t.ids();
        for (typed, meant) in [
            ("licence-limit", "license-limit-exceeded"),
            ("licence-limit-exceeded", "license-limit-exceeded"),
            ("invalid-credential", "invalid-credentials"),
            ("create-user-disabled", "create-users-disabled"),
            ("INVALID_CREDENTIALS_X", "invalid-credentials"),
        ] {
            assert_eq!(nearest(typed, ids.iter().copied()), Some(meant), "{typed}");
        }
        for typed in ["", "zzz", "quux-frobnicated"] {
            assert_eq!(nearest(typed, ids.iter().copied()), None, "{typed}");
        }
    }

    #[test]
    fn completion_offers_every_built_in_id() {
        let t = table();
        let ids: Vec<&str> = builtin_ids().iter().map(String::as_str).collect();
        assert_eq!(ids, t.ids());
    }
}
