//! The JSON shapes of the spec's version 1 report, borrowed from the group stage's report: shared by `json`
//! and `ndjson`.

use serde::Serialize;

use super::shape::{messages, Message};
use super::wording;
use crate::group::{Ack, App, Failure, Incident, Report, Status};
use crate::record::{Confidence, InputError, Layer, Source, Why};

#[derive(Serialize)]
pub struct SourceJson<'a> {
    pub path: &'a str,
    pub line: u64,
}

impl<'a> From<&'a Source> for SourceJson<'a> {
    fn from(s: &'a Source) -> Self {
        Self {
            path: &s.path,
            line: s.line,
        }
    }
}

#[derive(Serialize)]
pub struct FindingJson<'a> {
    pub source: SourceJson<'a>,
    pub cause: Option<&'a str>,
    pub user: Option<&'a str>,
    pub login: Option<&'a str>,
    pub app: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub uuid: Option<&'a str>,
    pub published: Option<&'a str>,
    /// Absent while streaming (not known yet); in the document, null for an open failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<Option<&'a str>>,
    /// `certain` or `likely`; null for an unrecognized failure.
    pub confidence: Option<Confidence>,
    /// The layer of the message that decided its cause, and its words; null for an unrecognized failure.
    pub evidence: Option<EvidenceJson<'a>>,
}

/// The layer of a message that decided, and the words it said.
#[derive(Serialize)]
pub struct EvidenceJson<'a> {
    pub layer: Layer,
    pub text: &'a str,
}

impl<'a> From<&'a Why> for EvidenceJson<'a> {
    fn from(w: &'a Why) -> Self {
        Self {
            layer: w.layer,
            text: &w.text,
        }
    }
}

impl<'a> FindingJson<'a> {
    /// A finding as streamed, before its resolution is known.
    pub fn streamed(failure: &'a Failure) -> Self {
        let f = &failure.finding;
        Self {
            source: (&f.source).into(),
            cause: failure.cause.as_deref(),
            user: f.user.as_deref(),
            login: f.login.as_deref(),
            app: f.app.as_deref(),
            reason: f.reason.as_deref(),
            event_type: f.event_type.as_deref(),
            uuid: f.uuid.as_deref(),
            published: f.published.as_deref(),
            resolved_at: None,
            confidence: failure.why.as_ref().map(|w| w.confidence),
            evidence: failure.why.as_ref().map(EvidenceJson::from),
        }
    }

    /// A finding with its resolution.
    pub fn resolved(failure: &'a Failure) -> Self {
        Self {
            resolved_at: Some(failure.resolved_at.as_deref()),
            ..Self::streamed(failure)
        }
    }
}

/// NDJSON's word on a streamed finding once the run is read: when a later success resolved it.
#[derive(Serialize)]
pub struct ResolutionJson<'a> {
    pub source: SourceJson<'a>,
    pub uuid: Option<&'a str>,
    pub resolved_at: &'a str,
}

impl<'a> ResolutionJson<'a> {
    pub fn new(f: &'a Failure) -> Option<Self> {
        Some(Self {
            source: (&f.finding.source).into(),
            uuid: f.finding.uuid.as_deref(),
            resolved_at: f.resolved_at.as_deref()?,
        })
    }
}

#[derive(Serialize)]
pub struct MessageJson {
    pub shape: String,
    pub count: u64,
}

impl From<Message> for MessageJson {
    fn from(m: Message) -> Self {
        Self {
            shape: m.shape,
            count: m.count,
        }
    }
}

#[derive(Serialize)]
pub struct IncidentJson<'a> {
    pub cause: Option<&'a str>,
    pub title: &'a str,
    pub app: Option<&'a str>,
    pub app_id: Option<&'a str>,
    pub failures: u64,
    pub open: u64,
    pub resolved: u64,
    pub users: &'a [String],
    /// `users` apart: those with a failure still open, and those whose every failure was resolved.
    pub open_users: Vec<String>,
    pub resolved_users: Vec<String>,
    pub first_seen: Option<&'a str>,
    pub last_seen: Option<&'a str>,
    pub resolved_at: Option<&'a str>,
    pub messages: Vec<MessageJson>,
    pub remediation: Vec<String>,
    pub source: Option<&'a str>,
    /// Articles about the cause in one app, each with its app.
    pub app_sources: Vec<AppSourceJson<'a>>,
    /// `certain` or `likely` (its surest failure's); null when no rule explains it.
    pub confidence: Option<Confidence>,
    pub evidence: Option<EvidenceJson<'a>>,
    /// What else a `likely` cause could be, most likely first; empty for a `certain` one.
    pub alternatives: Vec<&'a str>,
    /// With `--state` only: new, ongoing, resolved or acknowledged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// With `--state` only (null when nothing is open).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_since: Option<Option<&'a str>>,
    /// With `--state`, for an acknowledged incident.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<&'a Ack>,
}

#[derive(Serialize)]
pub struct AppSourceJson<'a> {
    pub app: &'a str,
    pub url: &'a str,
}

impl<'a> IncidentJson<'a> {
    pub fn new(i: &'a Incident, r: &Report) -> Self {
        let (title, remediation) = wording::title_and_steps(i);
        let (open_users, resolved_users) = i.users_apart(r);
        Self {
            cause: i.cause.as_ref().map(|c| &*c.id),
            title,
            app: i.app.as_deref(),
            app_id: i.app_id.as_deref(),
            failures: i.failures,
            open: i.open,
            resolved: i.resolved,
            users: &i.users,
            open_users,
            resolved_users,
            first_seen: i.first_seen.as_deref(),
            last_seen: i.last_seen.as_deref(),
            resolved_at: i.resolved_at.as_deref(),
            messages: messages(r, i).into_iter().map(MessageJson::from).collect(),
            remediation,
            source: i.cause.as_ref().and_then(|c| c.source.as_deref()),
            app_sources: i
                .cause
                .iter()
                .flat_map(|c| &c.app_sources)
                .map(|(app, url)| AppSourceJson { app, url })
                .collect(),
            confidence: i.why.as_ref().map(|w| w.confidence),
            evidence: i.why.as_ref().map(EvidenceJson::from),
            alternatives: i.alternatives.iter().map(|a| &**a).collect(),
            status: i.status,
            open_since: i.status.map(|_| i.open_since.as_deref()),
            acknowledged: i.acknowledged.as_ref(),
        }
    }
}

/// One group of unrecognized failures: an app and a message shape.
#[derive(Serialize)]
pub struct UnrecognizedJson<'a> {
    pub app: Option<&'a str>,
    pub shape: String,
    pub count: u64,
}

/// Every unrecognized incident's messages, most frequent first.
pub fn unrecognized(r: &Report) -> Vec<UnrecognizedJson<'_>> {
    let mut list: Vec<UnrecognizedJson> = r
        .incidents
        .iter()
        .filter(|i| i.cause.is_none())
        .flat_map(|i| {
            messages(r, i).into_iter().map(|m| UnrecognizedJson {
                app: i.app.as_deref(),
                shape: m.shape,
                count: m.count,
            })
        })
        .collect();
    list.sort_by_key(|u| std::cmp::Reverse(u.count));
    list
}

#[derive(Serialize)]
pub struct AppJson<'a> {
    pub app: &'a str,
    pub app_id: Option<&'a str>,
    pub successes: u64,
    pub open: u64,
    pub resolved: u64,
    pub last_success: Option<&'a str>,
    pub last_failure: Option<&'a str>,
    /// Its last event is a failure.
    pub failing: bool,
}

impl<'a> From<&'a App> for AppJson<'a> {
    fn from(a: &'a App) -> Self {
        Self {
            app: &a.app,
            app_id: a.app_id.as_deref(),
            successes: a.successes,
            open: a.open,
            resolved: a.resolved,
            last_success: a.last_success.as_deref(),
            last_failure: a.last_failure.as_deref(),
            failing: a.failing,
        }
    }
}

#[derive(Serialize)]
pub struct ErrorJson<'a> {
    pub source: SourceJson<'a>,
    pub message: &'a str,
}

impl<'a> From<&'a InputError> for ErrorJson<'a> {
    fn from(e: &'a InputError) -> Self {
        Self {
            source: (&e.source).into(),
            message: &e.message,
        }
    }
}

/// Writes `value` as JSON (pretty or one line) with every control character escaped: serde_json escapes
/// only U+0000 to U+001F, and the spec allows no control character from the input in any format.
pub fn write_json<T: Serialize>(
    out: &mut dyn std::io::Write,
    value: &T,
    pretty: bool,
) -> std::io::Result<()> {
    if pretty {
        let mut ser =
            serde_json::Serializer::with_formatter(out, Safe(serde_json::ser::PrettyFormatter::new()));
        value.serialize(&mut ser).map_err(std::io::Error::from)
    } else {
        let mut ser = serde_json::Serializer::with_formatter(out, Safe(serde_json::ser::CompactFormatter));
        value.serialize(&mut ser).map_err(std::io::Error::from)
    }
}

/// A formatter that escapes what serde_json leaves raw (DEL, C1 controls, bidirectional overrides).
struct Safe<F>(F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for Safe<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some((i, c)) = rest.char_indices().find(|&(_, c)| crate::text::is_unsafe(c)) {
            w.write_all(&rest.as_bytes()[..i])?;
            write!(w, "\\u{:04x}", c as u32)?;
            rest = &rest[i + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::write_json;

    #[test]
    fn json_escapes_every_control_character_and_round_trips() {
        let value = serde_json::json!({"a": "x\u{7f}y\u{9b}z\u{202e}\u{1b}é"});
        for pretty in [false, true] {
            let mut out = Vec::new();
            write_json(&mut out, &value, pretty).expect("writes");
            let text = String::from_utf8(out).expect("utf-8");
            assert!(
                !text.chars().any(|c| c.is_control() && c != '\n' && c != ' '),
                "{text:?}"
            );
            assert!(text.contains("x\\u007fy\\u009bz\\u202e\\u001bé"), "{text}");
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&text).expect("valid JSON"),
                value
            );
        }
    }
}
