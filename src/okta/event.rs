//! A System Log event as Okta means it, with no I/O: which event types are provisioning operations, what
//! an outcome means, the operation a type names, and the event with its one target type, whatever layout
//! (JSON, CSV, a SIEM's row) it came in.

use std::borrow::Cow;

use super::tasks::parse_sentence;
use crate::text::fold;

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

/// Who and what an event names, read as `Event::named` reads it: each value trimmed, and absent when
/// empty or "null".
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Named {
    pub user: Option<String>,
    pub login: Option<String>,
    pub user_id: Option<String>,
    pub app: Option<String>,
    pub app_id: Option<String>,
    pub reason: Option<String>,
    pub event_type: Option<String>,
    pub uuid: Option<String>,
    pub published: Option<String>,
}

impl Event<'_> {
    /// Targets are found by type, never by position; a Tasks sentence inside the reason fills what they lack.
    pub fn named(&self) -> Named {
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
        Named {
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

/// Absent, empty and the string "null" (seen in real exports) all mean unknown.
pub fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("null"))
        .map(str::to_owned)
}

/// The operation kind of a provisioning event type: a push is resolved by a push, a deactivation by a
/// deactivation. `None` for event types that are no operation on a user (integration and configuration
/// events), which only ever fail without a user.
pub fn operation(event_type: &str) -> Option<Cow<'_, str>> {
    const CURRENT: &str = "application.provision.";
    let t = event_type.trim();
    // The current names, as written: they are hashed folded (this runs for every success read).
    if t.len() > CURRENT.len() && t.is_char_boundary(CURRENT.len()) {
        let (prefix, op) = t.split_at(CURRENT.len());
        if prefix.eq_ignore_ascii_case(CURRENT) {
            return Some(Cow::Borrowed(op));
        }
    }
    let t = t.to_ascii_lowercase();
    let legacy = t.strip_prefix("app.user_management.")?;
    // The older names carry the outcome in the name (`push_new_user_failed`, `…_success`).
    let stem = [
        "_success",
        "_succeeded",
        "_successful",
        "_failed",
        "_failure",
        "_failures",
    ]
    .iter()
    .find_map(|s| legacy.strip_suffix(s))
    .unwrap_or(legacy);
    let op = match stem {
        "push_new_user" | "provision_user" | "create_user" => "user.push",
        "push_profile" | "push_user_profile" | "update_user" | "push_profile_update" => "user.push_profile",
        "deactivate_user" | "deactivated_user" => "user.deactivate",
        "reactivate_user" | "reactivated_user" => "user.reactivate",
        "push_password" | "push_password_update" | "push_user_password" => "user.push_password",
        "deprovision_user" => "user.deprovision",
        other => return Some(Cow::Owned(format!("legacy.{other}"))),
    };
    Some(Cow::Borrowed(op))
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
        let f = event.named();
        assert_eq!(f.user.as_deref(), Some("Ana Lima"));
        assert_eq!(f.login.as_deref(), Some("ana@example.com"));
        assert_eq!(f.user_id.as_deref(), Some("00u1"));
        assert_eq!(f.app.as_deref(), Some("Workday"));
        assert_eq!(f.reason.as_deref(), Some("Matching user not found."));
        assert_eq!(f.published, None);
    }
}
