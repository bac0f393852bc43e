//! The rule table's schema: the one JSON shape the built-in table, `--rules FILE` and `rules --format json`
//! share, and the built-in table as it ships.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// The causes a SCIM type or an HTTP status stands for when no rule knows the app's words.
    #[serde(default, skip_serializing_if = "Fallbacks::is_empty")]
    pub fallbacks: Fallbacks,
    /// Steps an operation adds to any cause's remediation (a group push is pushed again).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contexts: Vec<OperationSteps>,
}

/// The `likely` causes of what a message says when no rule knows its words, most likely first.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fallbacks {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scim_types: Vec<ScimFallback>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<StatusFallback>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<OperationFallback>,
}

impl Fallbacks {
    pub fn is_empty(&self) -> bool {
        self.scim_types.is_empty() && self.statuses.is_empty() && self.operations.is_empty()
    }
}

/// A SCIM error's `scimType` (RFC 7644 §3.12) and the causes it stands for.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScimFallback {
    pub scim_type: String,
    pub causes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// An HTTP status (`404`, or a family: `5xx`), in the operations named (all when none), and the causes it
/// stands for.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusFallback {
    pub status: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<String>,
    pub causes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// An operation Okta's wrapper names (`Error authenticating:`, `Error while creating user group …:`) and the
/// causes its failure stands for when nothing inside the message says why: no rule knows the app's words, and
/// no SCIM type, words or status speak.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationFallback {
    pub operation: String,
    /// Only when Okta quoted no answer from the app (`Error authenticating: null`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_answer: bool,
    pub causes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Steps an operation adds to the remediation of whatever cause its failure has.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationSteps {
    pub operation: String,
    pub steps: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    /// Words that speak of this cause, as regular expressions (matched as `patterns` are), each with its
    /// weight (1 to 3). When no pattern of any rule matches the app's words, nor a SCIM type tells, the
    /// words decide a `likely` cause: the rule whose words found weigh most, at least 2 and more than any
    /// other's (a status the app answered adds 1 to the cause it stands for first).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cues: BTreeMap<String, u8>,
    /// Steps in order; `{app}` is replaced by the app's name.
    pub remediation: Vec<String>,
    /// The Okta article or app document the rule was learned from (https).
    #[serde(default, alias = "link", skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Articles about the cause in one app, each labelled with its app ("an example from Zoom").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub app_sources: Vec<AppSource>,
    /// Other documented causes of the same message, after the likeliest one the rule names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_causes: Vec<OtherCause>,
    #[serde(default)]
    pub examples: Examples,
}

/// An article that shows a cause in one app.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSource {
    pub app: String,
    pub url: String,
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
