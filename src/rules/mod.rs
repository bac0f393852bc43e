//! The rule table: its JSON schema (shared by the built-in table, `--rules FILE` and `rules --format json`),
//! its loading and validation, and the matcher that maps a failure to its cause.

use anyhow::{bail, Context, Result};
use regex::{Regex, RegexSet, RegexSetBuilder};
use serde::{Deserialize, Serialize};
use std::path::Path;

use crate::record::Finding;

mod lookup;
pub use lookup::{builtin_ids, nearest, normalize_id};

const BUILTIN: &str = include_str!("builtin.json");

/// The file: a schema version and the rules in precedence order.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub version: u32,
    pub rules: Vec<Rule>,
}

/// One known cause of provisioning failures.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable kebab-case id naming the problem; never renamed, never reused.
    pub id: String,
    pub title: String,
    /// One paragraph: what is wrong and why.
    pub summary: String,
    /// Regular expressions, matched case-insensitively against the failure's reason with every run of
    /// white space folded to one space.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// System Log event types that are this cause whatever their reason says.
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Steps in order; `{app}` is replaced by the app's name.
    pub remediation: Vec<String>,
    /// The Okta article or app document the rule was learned from (https).
    #[serde(default, alias = "link", skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default)]
    pub examples: Examples,
}

/// Texts that must, and must not, land on the rule.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default, rename = "match")]
    pub matching: Vec<String>,
    #[serde(default)]
    pub no_match: Vec<String>,
}

impl Rule {
    /// The remediation steps with the app's name filled in.
    pub fn steps_for(&self, app: Option<&str>) -> Vec<String> {
        let app = app.unwrap_or("the app");
        self.remediation.iter().map(|s| s.replace("{app}", app)).collect()
    }
}

/// The compiled table: user rules first, then the built-in ones, in one `RegexSet`.
pub struct RuleTable {
    rules: Vec<Rule>,
    set: RegexSet,
    /// For each pattern in `set`, the index of its rule.
    owner: Vec<usize>,
    /// Each pattern on its own, for the text it matched.
    each: Vec<Regex>,
}

impl RuleTable {
    /// The built-in table, preceded by the rules of `extra` if given. A user rule whose id is a built-in
    /// id replaces the built-in one.
    pub fn load(extra: Option<&Path>) -> Result<Self> {
        let mut rules = Vec::new();
        if let Some(path) = extra {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read rules file {}", path.display()))?;
            let file =
                parse_rule_file(&text).with_context(|| format!("invalid rules file {}", path.display()))?;
            rules = file.rules;
        }
        let builtin = parse_rule_file(BUILTIN).context("invalid built-in rule table")?;
        for rule in builtin.rules {
            if !rules.iter().any(|r: &Rule| r.id == rule.id) {
                rules.push(rule);
            }
        }
        let table = Self::compile(rules)?;
        if let Some(path) = extra {
            table
                .check_examples(false)
                .with_context(|| format!("invalid rules file {}", path.display()))?;
        }
        Ok(table)
    }

    /// Compiles rules already validated one by one.
    pub fn compile(rules: Vec<Rule>) -> Result<Self> {
        let mut patterns = Vec::new();
        let mut owner = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            for p in &rule.patterns {
                patterns.push(p.as_str());
                owner.push(i);
            }
        }
        let set = RegexSetBuilder::new(&patterns)
            .case_insensitive(true)
            .size_limit(64 << 20)
            .build()
            .context("cannot compile the rule patterns")?;
        let each = patterns
            .iter()
            .map(|p| regex::RegexBuilder::new(p).case_insensitive(true).build())
            .collect::<Result<_, _>>()
            .context("cannot compile the rule patterns")?;
        Ok(Self {
            rules,
            set,
            owner,
            each,
        })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn ids(&self) -> Vec<&str> {
        self.rules.iter().map(|r| r.id.as_str()).collect()
    }

    /// The first rule in table order that matches `text` (already folded) or `event_type`.
    pub fn match_text(&self, text: &str, event_type: Option<&str>) -> Option<usize> {
        let by_pattern = self.set.matches(text).iter().map(|p| self.owner[p]).min();
        let by_type = event_type.and_then(|t| {
            self.rules
                .iter()
                .position(|r| r.event_types.iter().any(|e| e.eq_ignore_ascii_case(t)))
        });
        match (by_pattern, by_type) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The words of `text` that rule `rule` matched (the first of its patterns that does), `text` folded.
    pub fn matched_text(&self, rule: usize, text: &str) -> Option<String> {
        let folded = fold(text);
        self.owner
            .iter()
            .zip(&self.each)
            .filter(|(owner, _)| **owner == rule)
            .find_map(|(_, re)| re.find(&folded).map(|m| m.as_str().to_owned()))
    }

    /// Where in `text` (already folded) rule `rule` matched first, if it did.
    pub fn match_start(&self, rule: usize, text: &str) -> Option<usize> {
        self.owner
            .iter()
            .zip(&self.each)
            .filter(|(owner, _)| **owner == rule)
            .filter_map(|(_, re)| re.find(text).map(|m| m.start()))
            .min()
    }

    /// The cause of a failure: its reason first, else nothing but its event type.
    pub fn classify(&self, finding: &Finding) -> Option<usize> {
        let text = fold(finding.reason.as_deref().unwrap_or(""));
        self.match_text(&text, finding.event_type.as_deref())
    }

    /// Each rule's examples land on it (first match in the table for `match`; for `no_match`, not on it).
    /// With `first_only` false a `match` example only has to match its own rule: a user's rule may be
    /// shadowed by an earlier one on purpose.
    pub fn check_examples(&self, first_only: bool) -> Result<()> {
        for (i, rule) in self.rules.iter().enumerate() {
            for ex in &rule.examples.matching {
                let ok = if first_only {
                    self.match_text(&fold(ex), None) == Some(i)
                } else {
                    self.matched_text(i, ex).is_some()
                };
                if !ok {
                    bail!("rule '{}': example {:?} does not land on it", rule.id, ex);
                }
            }
            for ex in &rule.examples.no_match {
                if self.matched_text(i, ex).is_some() {
                    bail!("rule '{}': no_match example {:?} matches it", rule.id, ex);
                }
            }
        }
        Ok(())
    }
}

/// Parses and validates one rule file: version, ids, non-empty fields, patterns that compile.
pub fn parse_rule_file(text: &str) -> Result<RuleFile> {
    let file: RuleFile = serde_json::from_str(text)?;
    if file.version != 1 {
        bail!(
            "unsupported version {} (this provdiag reads version 1)",
            file.version
        );
    }
    let mut seen = std::collections::HashSet::new();
    for rule in &file.rules {
        validate(rule)?;
        if !seen.insert(rule.id.as_str()) {
            bail!("rule id '{}' appears twice", rule.id);
        }
    }
    Ok(file)
}

fn validate(rule: &Rule) -> Result<()> {
    if !is_kebab(&rule.id) {
        bail!(
            "rule id '{}' is not kebab-case (lowercase words joined by '-')",
            rule.id
        );
    }
    if rule.title.trim().is_empty() || rule.summary.trim().is_empty() {
        bail!("rule '{}' needs a title and a summary", rule.id);
    }
    if rule.patterns.is_empty() && rule.event_types.is_empty() {
        bail!("rule '{}' has neither patterns nor event_types", rule.id);
    }
    if rule.remediation.iter().all(|s| s.trim().is_empty()) {
        bail!("rule '{}' has no remediation steps", rule.id);
    }
    for p in &rule.patterns {
        Regex::new(p).with_context(|| format!("rule '{}': pattern {:?} is not a valid regex", rule.id, p))?;
    }
    Ok(())
}

/// Lowercase ASCII words of letters and digits joined by single hyphens.
pub fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id
            .split('-')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// Folds every run of white space (NBSP included) to one space and curly apostrophes to straight ones,
/// so that rules see Okta's wording however it was pasted.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(if c == '\u{2019}' { '\'' } else { c });
    }
    out
}

/// The built-in table as it ships, for `rules --format json`.
pub fn builtin_text() -> &'static str {
    BUILTIN
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> RuleTable {
        RuleTable::load(None).expect("built-in table loads")
    }

    #[test]
    fn every_example_lands_on_its_own_rule() {
        builtin().check_examples(true).expect("examples hold");
    }

    #[test]
    fn ids_are_unique_kebab_case_and_every_rule_has_remediation() {
        let table = builtin();
        let mut ids: Vec<&str> = table.ids();
        assert!(ids.iter().all(|id| is_kebab(id)), "{ids:?}");
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate ids");
        for rule in table.rules() {
            assert!(!rule.remediation.is_empty(), "{} has no remediation", rule.id);
            assert!(!rule.examples.matching.is_empty(), "{} has no examples", rule.id);
            assert!(
                !rule.examples.no_match.is_empty(),
                "{} has no counter-examples",
                rule.id
            );
        }
    }

    #[test]
    fn the_seed_causes_come_first_with_the_spec_ids() {
        assert_eq!(
            &builtin().ids()[..3],
            [
                "invalid-credentials",
                "create-users-disabled",
                "license-limit-exceeded"
            ]
        );
    }

    #[test]
    fn kebab_check_rejects_other_shapes() {
        for bad in ["", "Bad", "a--b", "-a", "a-", "a_b", "a b"] {
            assert!(!is_kebab(bad), "{bad}");
        }
        assert!(is_kebab("api-rate-limit-exceeded2"));
    }

    #[test]
    fn fold_collapses_spacing_and_apostrophes() {
        assert_eq!(fold("  a \t b\u{a0}\u{a0}c ’ "), "a b c '");
    }

    #[test]
    fn the_matched_words_of_a_line_can_be_told() {
        let t = builtin();
        let lle = t
            .ids()
            .iter()
            .position(|id| *id == "license-limit-exceeded")
            .expect("rule");
        let words = t.matched_text(lle, "Quentin:  LICENSE_LIMIT_EXCEEDED: License Limit Exceeded");
        assert_eq!(words.as_deref(), Some("LICENSE_LIMIT_EXCEEDED"));
        assert_eq!(t.matched_text(lle, "nothing here"), None);
    }

    #[test]
    fn event_type_alone_selects_a_rule() {
        let t = builtin();
        let i = t.match_text("", Some("application.integration.authentication_failure"));
        assert_eq!(i.map(|i| t.rules()[i].id.as_str()), Some("invalid-credentials"));
        assert_eq!(t.match_text("", Some("application.provision.user.push")), None);
    }

    #[test]
    fn broken_rule_files_are_refused_with_a_reason() {
        let cases = [
            ("{", "EOF"),
            (r#"{"version":2,"rules":[]}"#, "version"),
            (
                r#"{"version":1,"rules":[{"id":"X","title":"t","summary":"s","patterns":["a"],"remediation":["r"]}]}"#,
                "kebab",
            ),
            (
                r#"{"version":1,"rules":[{"id":"x","title":"t","summary":"s","patterns":["("],"remediation":["r"]}]}"#,
                "regex",
            ),
            (
                r#"{"version":1,"rules":[{"id":"x","title":"t","summary":"s","patterns":["a"],"remediation":[]}]}"#,
                "remediation",
            ),
            (
                r#"{"version":1,"rules":[{"id":"x","title":"t","summary":"s","remediation":["r"]}]}"#,
                "neither",
            ),
        ];
        for (text, want) in cases {
            let err = format!("{:#}", parse_rule_file(text).expect_err(text));
            assert!(err.contains(want), "{text}: {err}");
        }
    }
}
