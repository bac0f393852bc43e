//! The JSON shapes of the spec's version 1 report, borrowed from the diagnosis: shared by `json` and `ndjson`.

use serde::Serialize;

use super::shape::Group;
use crate::diagnosis::{Diagnosed, Incident};
use crate::record::{InputError, Source};
use crate::rules::{self, RuleTable};

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
}

impl<'a> FindingJson<'a> {
    pub fn new(d: &'a Diagnosed, table: &'a RuleTable) -> Self {
        let f = &d.finding;
        Self {
            source: (&f.source).into(),
            cause: d.cause.map(|i| table.rules()[i].id.as_str()),
            user: f.user.as_deref(),
            login: f.login.as_deref(),
            app: f.app.as_deref(),
            reason: f.reason.as_deref(),
            event_type: f.event_type.as_deref(),
            uuid: f.uuid.as_deref(),
            published: f.published.as_deref(),
        }
    }
}

#[derive(Serialize)]
pub struct IncidentJson<'a> {
    pub cause: Option<&'a str>,
    pub title: &'a str,
    pub app: Option<&'a str>,
    pub failures: u64,
    pub users: &'a [String],
    pub first_seen: Option<&'a str>,
    pub last_seen: Option<&'a str>,
    pub remediation: Vec<String>,
    /// The article the rule was learned from.
    pub source: Option<&'a str>,
}

impl<'a> IncidentJson<'a> {
    pub fn new(i: &'a Incident, table: &'a RuleTable) -> Self {
        let rule = i.cause.map(|c| &table.rules()[c]);
        Self {
            cause: rule.map(|r| r.id.as_str()),
            title: rule.map_or(rules::UNRECOGNIZED_TITLE, |r| r.title.as_str()),
            app: i.app.as_deref(),
            failures: i.failures,
            users: &i.users,
            first_seen: i.first_seen.as_deref(),
            last_seen: i.last_seen.as_deref(),
            remediation: rules::steps(rule, i.app.as_deref()),
            source: rule.and_then(|r| r.source.as_deref()),
        }
    }
}

/// Unrecognized failures of one app that share a message shape.
#[derive(Serialize)]
pub struct UnrecognizedJson<'a> {
    pub app: Option<&'a str>,
    pub shape: String,
    pub count: u64,
}

impl<'a> From<Group<'a>> for UnrecognizedJson<'a> {
    fn from(g: Group<'a>) -> Self {
        Self {
            app: g.app,
            shape: g.shape,
            count: g.count,
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
        while let Some((i, c)) = rest.char_indices().find(|&(_, c)| super::escape::is_unsafe(c)) {
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
