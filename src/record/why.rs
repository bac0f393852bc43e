//! Why a failure has its cause: how sure, the layer of its message that decided, and those words.

use std::sync::Arc;

use crate::okta::anatomy::Operation;

/// How sure a diagnosis is: `certain` when a rule on the app's words (or Okta's event type) decided,
/// `likely` when only a SCIM type or an HTTP status did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    #[default]
    Likely,
    Certain,
}

/// The layer of a message that decided its cause.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    #[default]
    Rule,
    ScimType,
    Status,
    EventType,
}

/// Why a failure has its cause: how sure, the layer that decided, its words, what else a `likely` cause
/// could be, and the operation Okta's wrapper named. Texts are shared, not copied per failure.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Why {
    pub confidence: Confidence,
    pub layer: Layer,
    pub text: Arc<str>,
    pub alternatives: Arc<[Arc<str>]>,
    pub operation: Option<Operation>,
    /// Only the operation Okta's wrapper names decided: nothing in the message said why.
    pub by_operation: bool,
}
