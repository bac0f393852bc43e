//! What makes a System Log event a provisioning failure, and who and what it names: shared by the JSON
//! and CSV readers, whatever layout the event came in.

use super::text::parse_sentence;
use crate::record::{Finding, OtherEvent, Record, Source, Success};
use crate::rules::fold;

/// How the event types of provisioning operations start (spec, "failure"); `pull` asks Okta for these.
pub const PROVISIONING_PREFIXES: &[&str] = &[
    "application.provision.",
    "application.integration.",
    "application.configuration.",
    "app.user_management",
];

/// True for the event types of provisioning operations.
pub fn is_provisioning(event_type: &str) -> bool {
    PROVISIONING_PREFIXES.iter().any(|p| event_type.starts_with(p))
}

/// What an event's outcome means to provdiag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A provisioning operation that failed.
    Failure,
    /// A provisioning operation that succeeded: it may resolve earlier failures.
    Success,
    /// Anything else (sign-ins, other event types, other results).
    Other,
}

/// Classifies an event by its `outcome.result` and `eventType`; a failed sign-in is never a failure.
pub fn outcome(result: Option<&str>, event_type: Option<&str>) -> Outcome {
    if !event_type.is_some_and(|t| is_provisioning(t.trim())) {
        return Outcome::Other;
    }
    match result.map(str::trim) {
        Some(r) if r.eq_ignore_ascii_case("FAILURE") => Outcome::Failure,
        Some(r) if r.eq_ignore_ascii_case("SUCCESS") => Outcome::Success,
        _ => Outcome::Other,
    }
}

/// The record of an event that is no provisioning operation: what kind of event it is, if it names an event
/// type at all (an object without one is nothing of Okta's).
pub fn other(event_type: Option<&str>) -> Record {
    let Some(t) = event_type.map(str::trim).filter(|t| !t.is_empty()) else {
        return Record::Ignored;
    };
    let t = t.to_ascii_lowercase();
    let sign_in = [
        "user.session.",
        "user.authentication.",
        "policy.evaluate_sign_on",
        "user.mfa.",
    ]
    .iter()
    .any(|p| t.starts_with(p));
    Record::Other(if sign_in {
        OtherEvent::SignIn
    } else {
        OtherEvent::Event
    })
}

/// One entry of an event's `target` list.
#[derive(Default)]
pub struct TargetRef<'a> {
    pub id: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub alternate_id: Option<&'a str>,
    pub display_name: Option<&'a str>,
}

/// The fields of a provisioning event that a finding is made of, whatever layout it came in.
pub struct Event<'a> {
    pub outcome: Outcome,
    pub uuid: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub published: Option<&'a str>,
    pub targets: &'a [TargetRef<'a>],
    /// The app's name from elsewhere in the event (`debugContext.debugData.appname`).
    pub app_hint: Option<&'a str>,
}

impl Event<'_> {
    /// The event's record: a failure, a success, or ignored.
    pub fn record(&self, source: Source) -> Record {
        match self.outcome {
            Outcome::Failure => Record::Failure(Box::new(self.finding(source))),
            Outcome::Success => Record::Success(Box::new(Success::new(Finding {
                reason: None,
                ..self.finding(source)
            }))),
            Outcome::Other => other(self.event_type),
        }
    }

    /// Targets are found by type, never by position; a Tasks sentence inside the reason fills what they lack.
    pub fn finding(&self, source: Source) -> Finding {
        let by_type = |kind: &str| {
            self.targets
                .iter()
                .find(|t| t.kind.is_some_and(|k| k.trim().eq_ignore_ascii_case(kind)))
        };
        let person = by_type("User").or_else(|| by_type("AppUser"));
        let mut user = person.and_then(|t| non_empty(t.display_name));
        let login = person.and_then(|t| non_empty(t.alternate_id));
        let user_id = person.and_then(|t| non_empty(t.id));
        let instance = by_type("AppInstance");
        let app_id = instance.and_then(|t| non_empty(t.id));
        let mut app = instance
            .and_then(|t| non_empty(t.display_name).or_else(|| non_empty(t.alternate_id)))
            .or_else(|| non_empty(self.app_hint));
        let mut reason = non_empty(self.reason).filter(|_| self.outcome == Outcome::Failure);
        if let Some(s) = reason.as_deref().and_then(|r| parse_sentence(&fold(r))) {
            user = user.or(s.user);
            app = app.or(Some(s.app));
            reason = s.reason;
        }
        Finding {
            source,
            user,
            login,
            user_id,
            app,
            app_id,
            reason,
            event_type: non_empty(self.event_type),
            uuid: non_empty(self.uuid),
            published: non_empty(self.published),
        }
    }
}

/// The failure a line of text states with a Tasks sentence, if it does: how a pasted line standing among
/// events is read, whatever the input's shape.
pub fn tasks_failure(text: &str, source: Source) -> Option<Record> {
    match super::text::line_record(text, source) {
        failure @ Record::Failure(_) => Some(failure),
        _ => None,
    }
}

/// The failure an object that is no event states in one of its strings, as a line of text would: a Tasks
/// sentence, or an Okta provisioning error copied without one (`… Errors reported by remote server: …`).
/// Strings are looked at line by line, nested objects and lists too, in the object's order.
pub fn stated_failure(map: &serde_json::Map<String, serde_json::Value>, source: &Source) -> Option<Record> {
    use serde_json::Value;
    fn in_value(value: &Value, source: &Source) -> Option<Record> {
        match value {
            Value::String(text) => {
                text.lines()
                    .find_map(|line| match super::text::line_record(line, source.clone()) {
                        record @ (Record::Failure(_) | Record::Bare(_)) => Some(record),
                        _ => None,
                    })
            }
            Value::Array(list) => list.iter().find_map(|v| in_value(v, source)),
            Value::Object(map) => map.values().find_map(|v| in_value(v, source)),
            _ => None,
        }
    }
    map.values().find_map(|v| in_value(v, source))
}

/// Absent, empty and the string "null" (seen in real exports) all mean unknown.
pub fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("null"))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_ins_and_successes_are_not_failures() {
        let is_failure = |r, t| outcome(r, t) == Outcome::Failure;
        assert!(is_failure(
            Some("FAILURE"),
            Some("application.provision.user.push")
        ));
        assert!(is_failure(
            Some("failure"),
            Some("app.user_management.provision_user_failed")
        ));
        assert!(!is_failure(Some("FAILURE"), Some("user.session.start")));
        assert!(!is_failure(Some("FAILURE"), Some("user.authentication.sso")));
        assert!(!is_failure(
            Some("SUCCESS"),
            Some("application.provision.user.push")
        ));
        assert!(!is_failure(None, Some("application.provision.user.push")));
        assert!(!is_failure(Some("FAILURE"), None));
        assert_eq!(
            outcome(Some("SUCCESS"), Some("application.provision.user.push")),
            Outcome::Success
        );
        assert_eq!(
            outcome(Some("SUCCESS"), Some("user.session.start")),
            Outcome::Other
        );
        assert_eq!(
            outcome(Some("SKIPPED"), Some("application.provision.user.push")),
            Outcome::Other
        );
    }

    #[test]
    fn targets_are_found_by_type_not_position() {
        let targets = [
            TargetRef {
                kind: Some("AppInstance"),
                display_name: Some("Workday"),
                ..Default::default()
            },
            TargetRef {
                kind: Some("AppUser"),
                display_name: Some("app user"),
                alternate_id: Some("au"),
                ..Default::default()
            },
            TargetRef {
                id: Some("00u1"),
                kind: Some("User"),
                display_name: Some("Ana Lima"),
                alternate_id: Some("ana@example.com"),
            },
        ];
        let event = Event {
            outcome: Outcome::Failure,
            uuid: Some("u"),
            event_type: Some("application.provision.user.push"),
            reason: Some("Automatic provisioning of user X to app Y failed: Matching user not found."),
            published: Some("null"),
            targets: &targets,
            app_hint: None,
        };
        let f = event.finding(Source {
            path: "-".into(),
            line: 1,
        });
        assert_eq!(f.user.as_deref(), Some("Ana Lima"));
        assert_eq!(f.login.as_deref(), Some("ana@example.com"));
        assert_eq!(f.user_id.as_deref(), Some("00u1"));
        assert_eq!(f.app.as_deref(), Some("Workday"));
        assert_eq!(f.reason.as_deref(), Some("Matching user not found."));
        assert_eq!(f.published, None);
    }
}
