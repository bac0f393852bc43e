//! The report's own words: for failures no rule explains (no rule, so no rule's title or steps), and the
//! pointer to a cause's other documented causes.

/// The title of an incident no rule explains.
pub const UNRECOGNIZED_TITLE: &str = "Unrecognized provisioning failure";

/// What to do about a failure no rule explains; `{app}` is replaced as in a rule.
const UNRECOGNIZED_STEPS: &[&str] = &[
    "Read the message {app} returned (the reason of each failure): it names what the app refused.",
    "Fix that in {app}, or in Okta under Applications > {app} > Provisioning.",
    "On Dashboard > Tasks, select the failed tasks and click Retry Selected.",
    "If the message keeps coming back, add a rule for it (see `provdiag rules --format json`) so that provdiag names its cause next time.",
];

/// One line of advice under a list of unrecognized failures.
pub const UNRECOGNIZED_HINT: &str =
    "Read each app's message, fix it there, then Retry Selected on Dashboard > Tasks.";

/// The steps for failures no rule explains, on `app`.
pub fn unrecognized_steps(app: Option<&str>) -> Vec<String> {
    let app = app.unwrap_or("the app");
    UNRECOGNIZED_STEPS
        .iter()
        .map(|s| s.replace("{app}", app))
        .collect()
}

/// An incident's title and steps: its rule's, or these words.
pub fn title_and_steps(i: &crate::group::Incident) -> (&str, Vec<String>) {
    match &i.cause {
        Some(c) => (c.title.as_str(), c.remediation.clone()),
        None => (UNRECOGNIZED_TITLE, unrecognized_steps(i.app.as_deref())),
    }
}

/// The line that says a diagnosed message has other documented causes, and where they are told apart.
pub fn other_causes(n: usize, id: &str) -> Option<String> {
    match n {
        0 => None,
        1 => Some(format!(
            "This message has 1 other documented cause: `provdiag explain {id}` tells them apart."
        )),
        n => Some(format!(
            "This message has {n} other documented causes: `provdiag explain {id}` tells them apart."
        )),
    }
}

/// Why an incident has its cause, in one line: "why: the app answered 409 Conflict (likely; it could also be
/// …)".
pub fn why(w: &crate::record::Why, alternatives: &[std::sync::Arc<str>]) -> String {
    use crate::record::{Confidence, Layer};
    // A rule's cues decided: the words speak of the cause, no phrase of it was said.
    let by_words = w.layer == Layer::Rule && w.confidence == Confidence::Likely && !w.by_operation;
    let said = match w.layer {
        Layer::Rule if w.by_operation => format!(
            "what failed was \"{}\", and nothing in the message says why",
            w.text
        ),
        Layer::Rule if by_words => format!("the message speaks of \"{}\"", w.text),
        Layer::Rule => format!("the message says \"{}\"", w.text),
        Layer::EventType => format!("Okta logged the failure as {}", w.text),
        Layer::ScimType => format!("the app's SCIM error has {}", w.text),
        Layer::Status => format!("the app answered {}", w.text),
    };
    match w.confidence {
        Confidence::Certain => format!("why: {said}"),
        Confidence::Likely if alternatives.is_empty() && by_words => {
            format!("why: {said} (likely: by its words, no known phrase)")
        }
        Confidence::Likely if alternatives.is_empty() => {
            format!("why: {said} (likely: nothing more specific was said)")
        }
        Confidence::Likely => {
            let others: Vec<&str> = alternatives.iter().map(|a| &**a).collect();
            format!("why: {said} (likely; it could also be {})", others.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Confidence, Layer, Why};
    use std::sync::Arc;

    fn line(layer: Layer, confidence: Confidence, text: &str, alternatives: &[&str]) -> String {
        let w = Why {
            confidence,
            layer,
            text: Arc::from(text),
            ..Why::default()
        };
        let alternatives: Vec<Arc<str>> = alternatives.iter().map(|a| Arc::from(*a)).collect();
        why(&w, &alternatives)
    }

    #[test]
    fn the_why_line_tells_a_phrase_from_words_and_a_status() {
        assert_eq!(
            line(Layer::Rule, Confidence::Certain, "license limit exceeded", &[]),
            "why: the message says \"license limit exceeded\""
        );
        assert_eq!(
            line(Layer::Rule, Confidence::Likely, "seats, plan", &[]),
            "why: the message speaks of \"seats, plan\" (likely: by its words, no known phrase)"
        );
        assert_eq!(
            line(
                Layer::Status,
                Confidence::Likely,
                "409 Conflict",
                &["group-push-failed"]
            ),
            "why: the app answered 409 Conflict (likely; it could also be group-push-failed)"
        );
        let w = Why {
            confidence: Confidence::Likely,
            layer: Layer::Rule,
            text: Arc::from("Error authenticating"),
            by_operation: true,
            ..Why::default()
        };
        assert_eq!(
            why(&w, &[Arc::from("app-unreachable")]),
            "why: what failed was \"Error authenticating\", and nothing in the message says why (likely; it could also be app-unreachable)"
        );
    }
}
