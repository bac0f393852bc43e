//! The rule table's schema: the one JSON shape the built-in table, `--rules FILE` and `rules --format json`
//! share, and the built-in table as it ships.

use serde::{Deserialize, Serialize};

const BUILTIN: &str = include_str!("builtin.json");

/// The file: a schema version, the ids no longer in use, and the rules in precedence order.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub version: u32,
    /// Ids that named a cause once and are kept so that they are never given to another.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<RetiredId>,
    pub rules: Vec<Rule>,
}

/// An id no rule may take again.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetiredId {
    pub id: String,
    /// Why it went, and which rule took over its failures, if any.
    pub reason: String,
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
    /// white space folded to one space. Any one of them selects the rule.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Regular expressions that keep the rule from applying although a pattern matched: the words that
    /// tell a look-alike cause apart (an MFA prompt is not a wrong password).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
    /// System Log event types that are this cause whatever their reason says.
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Steps in order; `{app}` is replaced by the app's name.
    pub remediation: Vec<String>,
    /// The Okta article or app document the rule was learned from (https).
    #[serde(default, alias = "link", skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Other documented causes of the same message, after the likeliest one the rule names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_causes: Vec<OtherCause>,
    #[serde(default)]
    pub examples: Examples,
}

/// A less likely cause of a rule's message: what it is, how to tell it apart, and its fix.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherCause {
    pub cause: String,
    /// What the admin can check to know this is the cause.
    pub tell: String,
    pub fix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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

/// The built-in table as it ships, for `rules --format json`.
pub fn builtin_text() -> &'static str {
    BUILTIN
}
