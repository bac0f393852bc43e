//! What SIEMs make of System Log events: the names Microsoft Sentinel, Splunk and Elastic give a LogEvent's
//! fields, and the envelopes they wrap events in. The JSON and CSV readers ask here when a row is not a
//! plain LogEvent.
//!
//! - Sentinel's `Okta_CL` (Log Analytics): paths flattened with `_`, a type suffix on most columns
//!   (`eventType_s`, `uuid_g`, `published_t`, `securityContext_isProxy_b`, `…_d`), `target_s` holding the
//!   target list as JSON text, and ` [UTC]` after time columns in the portal's CSV export, whose times read
//!   `4/21/2024, 12:47:34.228 PM`. The newer connector's `OktaV2_CL` renames instead (`EventOriginalType`,
//!   `OriginalOutcomeResult`, `EventOriginalResultDetails`, `EventOriginalUid`, `OriginalTarget`,
//!   `DebugData`) and sets `TimeGenerated` from `published`.
//! - Splunk: the event as indexed, in `_raw`; the export endpoint wraps each row as
//!   `{"preview":false,"offset":0,"result":{…}}`, the results endpoint as `{"results":[…]}`.
//! - Elastic's Okta integration: the event under `okta.*` in snake case (`okta.event_type`,
//!   `okta.outcome.result`, `okta.target[].display_name`), `published` moved to `@timestamp`, empty
//!   values dropped; documents bare, as `_source` of a hit, or in an `_search` response's `hits.hits`.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;

use super::event::{self, Event, TargetRef};
use crate::record::{EventKey, Parsed, Source};

/// A LogEvent field provdiag reads, whatever a SIEM named it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    Uuid,
    Published,
    /// Elastic's `@timestamp`: the event's `published`, moved.
    Timestamp,
    EventType,
    /// `OktaV2_CL`'s `EventOriginalType`: the event type, and a sign that `TimeGenerated` is `published`.
    OriginalEventType,
    /// Log Analytics' `TimeGenerated`: when the row was ingested, except in `OktaV2_CL`.
    TimeGenerated,
    LegacyEventType,
    Result,
    Reason,
    /// `debugContext.debugData.appname`.
    AppName,
    /// `OktaV2_CL`'s `DebugData`: debugData itself, an object or JSON text.
    DebugData,
    /// The whole target list: an array, or JSON text holding one.
    Target,
    /// One field of one target, from a flattened path (`target.0.type`, `Target.1.DisplayName`).
    TargetPart(usize, TargetField),
    /// Splunk's `_raw`: the event as it was indexed.
    Raw,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TargetField {
    Id,
    Kind,
    AlternateId,
    DisplayName,
}

/// More targets than any event names: a flattened target path with a bigger index is not read.
const MAX_TARGETS: usize = 64;

/// Log Analytics' type suffixes: string, GUID, time, double, boolean.
const TYPE_SUFFIXES: &[&str] = &["_s", "_g", "_t", "_d", "_b"];

/// A field or column name reduced to what tells it apart: `Outcome.Result`, `outcome_result_s`,
/// `okta.outcome.result` and `outcome result` alike; `published_t [UTC]` is `published`.
pub(crate) fn key(name: &str) -> String {
    let mut name = name.trim().trim_matches('"').trim();
    // Log Analytics' CSV export names a time column's zone: `TimeGenerated [UTC]`.
    if let Some(open) = name.rfind(" [").filter(|_| name.ends_with(']')) {
        name = name[..open].trim_end();
    }
    if let Some(stem) = TYPE_SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .filter(|stem| !stem.is_empty() && !stem.ends_with(['_', '.']))
    {
        name = stem;
    }
    if let Some(rest) = name
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("okta."))
        .and_then(|_| name.get(5..))
        .filter(|rest| !rest.is_empty())
    {
        name = rest;
    }
    name.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.' | '[' | ']' | '{' | '}' | '"' | '@'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The field a key (see `key`) names, if provdiag reads it.
pub(crate) fn field(key: &str) -> Option<Field> {
    Some(match key {
        "uuid" => Field::Uuid,
        "published" => Field::Published,
        "timestamp" => Field::Timestamp,
        "eventtype" => Field::EventType,
        "eventoriginaltype" => Field::OriginalEventType,
        "timegenerated" => Field::TimeGenerated,
        "legacyeventtype" => Field::LegacyEventType,
        "outcomeresult" | "originaloutcomeresult" => Field::Result,
        "outcomereason" | "eventoriginalresultdetails" => Field::Reason,
        "eventoriginaluid" => Field::Uuid,
        // Elastic keeps debugData's own keys under `flattened`.
        "debugcontextdebugdataappname" | "debugcontextdebugdataflattenedappname" | "debugdataappname" => {
            Field::AppName
        }
        "debugdata" => Field::DebugData,
        "target" | "targets" | "originaltarget" => Field::Target,
        "raw" => Field::Raw,
        _ => {
            let (index, part) = target_part(key)?;
            Field::TargetPart(index, part)
        }
    })
}

/// `target0type`, `target1displayname`, `targetalternateid` (index 0).
fn target_part(k: &str) -> Option<(usize, TargetField)> {
    let rest = k.strip_prefix("target")?;
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    // No digits: target 0. Digits that overflow are no index either.
    let index = match &rest[..digits] {
        "" => 0,
        n => n.parse().ok()?,
    };
    // Events name a handful of targets; a bigger index is no target column (and would cost memory).
    if index >= MAX_TARGETS {
        return None;
    }
    Some((index, target_field(&rest[digits..])?))
}

/// A target's own key: `alternateId` and Elastic's `alternate_id` alike.
fn target_field(k: &str) -> Option<TargetField> {
    Some(match k {
        "id" => TargetField::Id,
        "type" => TargetField::Kind,
        "alternateid" => TargetField::AlternateId,
        "displayname" => TargetField::DisplayName,
        _ => return None,
    })
}

/// `appname` (in any case) of debugData given as JSON text, as a CSV cell holds `OktaV2_CL`'s `DebugData`.
pub(crate) fn debug_app(text: &str) -> Option<String> {
    let map: Map<String, Value> = serde_json::from_str(text).ok()?;
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("appname"))
        .and_then(|(_, v)| event::non_empty(v.as_str()))
}

/// A time as Okta writes `published` (RFC 3339, UTC). Log Analytics' portal exports its times in UTC as
/// `4/21/2024, 12:47:34.228 PM`; anything else is kept as it is.
pub(crate) fn published(text: &str) -> Cow<'_, str> {
    let t = text.trim();
    if !t.contains('/') {
        return Cow::Borrowed(text);
    }
    let Ok(time) =
        jiff::fmt::strtime::parse("%m/%d/%Y, %I:%M:%S%.f %p", t).and_then(|parsed| parsed.to_datetime())
    else {
        return Cow::Borrowed(text);
    };
    // As many fractional digits as the export showed: Okta writes three, and so does the portal.
    let digits = t
        .rsplit_once('.')
        .map_or(0, |(_, f)| f.chars().take_while(char::is_ascii_digit).count());
    let fraction = match digits {
        0 => String::new(),
        n => format!(".{:0>9}", time.subsec_nanosecond())[..=n.min(9)].to_owned(),
    };
    Cow::Owned(format!("{}{fraction}Z", time.strftime("%Y-%m-%dT%H:%M:%S")))
}

/// What a JSON object that is not a plain LogEvent holds.
pub(super) enum Row<'a> {
    /// Nothing to read: a Splunk preview row (its final row follows) or the trailer ending an export.
    Nothing,
    /// Values to read each as a JSON value of its own: Splunk's `result`/`results`, Elastic's `_source`
    /// and `hits.hits`.
    Nested(Vec<&'a RawValue>),
    /// Splunk's `_raw`: the event as it was indexed, JSON text (or a line of text).
    Raw(Cow<'a, str>),
    /// A row of fields: Sentinel's columns, Elastic's `okta.*`, or any other flattening.
    Fields(Map<String, Value>),
}

/// The envelopes around events, looked for before the fields.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "_raw", borrow, default)]
    raw: Option<&'a RawValue>,
    #[serde(borrow, default)]
    preview: Option<&'a RawValue>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    results: Option<&'a RawValue>,
    #[serde(rename = "_source", borrow, default)]
    source: Option<&'a RawValue>,
    #[serde(borrow, default)]
    hits: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Hits<'a> {
    #[serde(borrow)]
    hits: Vec<&'a RawValue>,
}

/// What the JSON object `text` holds, or the parse error if it is no JSON object.
pub(super) fn row(text: &str) -> serde_json::Result<Row<'_>> {
    let envelope: Envelope = serde_json::from_str(text)?;
    if let Some(raw) = envelope.raw {
        if let Ok(raw) = serde_json::from_str::<Cow<str>>(raw.get()) {
            return Ok(Row::Raw(raw));
        }
    }
    if let Some(preview) = envelope.preview {
        // A Splunk export row: only final rows count, and the trailer carries none.
        if preview.get() == "true" {
            return Ok(Row::Nothing);
        }
        return Ok(match envelope.result.filter(|r| r.get().starts_with('{')) {
            Some(result) => Row::Nested(vec![result]),
            None => match envelope.results.and_then(|r| serde_json::from_str(r.get()).ok()) {
                Some(results) => Row::Nested(results),
                None => Row::Nothing,
            },
        });
    }
    if let Some(source) = envelope.source.filter(|s| s.get().starts_with('{')) {
        return Ok(Row::Nested(vec![source]));
    }
    if let Some(hits) = envelope
        .hits
        .and_then(|h| serde_json::from_str::<Hits>(h.get()).ok())
    {
        return Ok(Row::Nested(hits.hits));
    }
    Ok(Row::Fields(serde_json::from_str(text)?))
}

/// The events an object whose fields name nothing of a LogEvent (`fields_record` gave `None`) holds at its
/// top level, in input order: the objects of its lists where some of them name a LogEvent field, and its
/// objects that do. An envelope not known by name would otherwise be one record naming nothing, its events'
/// failures lost: Windows PowerShell 5.1 writes an API page it was handed whole (`Invoke-RestMethod` does not
/// unroll it) as `{"value": [ … ], "Count": n}`, and scripts save `{"events": [ … ]}` or `{"event": { … }}`.
/// Only objects that name a field are reached, and those are never opened, so no value is read again at more
/// than one depth.
pub(super) fn wrapped_events<'t>(text: &'t str, fields: &Map<String, Value>) -> Option<Vec<&'t RawValue>> {
    wrapped_within(text, fields, ENVELOPE_DEPTH)
}

/// How many envelopes deep events are looked for (`{"result": {"logs": [ … ]}}` is two).
const ENVELOPE_DEPTH: usize = 4;

/// `wrapped_events`, looking inside objects that hold no event themselves up to `depth` levels down: a
/// page wrapped in any envelope is read for its events.
fn wrapped_within<'t>(text: &'t str, fields: &Map<String, Value>, depth: usize) -> Option<Vec<&'t RawValue>> {
    let is_event = |value: &Value| {
        value.as_object().is_some_and(|map| {
            let mut found = Found::default();
            found.walk("", map);
            found.names_anything()
        })
    };
    let holds = |value: &Value| match value {
        Value::Array(list) => list.iter().any(is_event),
        other => is_event(other),
    };
    if !fields.values().any(holds) {
        // No event at this level: the one object inside that holds some (`{"result": {"logs": [ … ]}}`).
        if depth == 0 || !fields.values().any(Value::is_object) {
            return None;
        }
        let values: std::collections::HashMap<Cow<str>, &RawValue> = serde_json::from_str(text).ok()?;
        return values
            .iter()
            .find_map(|(name, raw)| match fields.get(name.as_ref()) {
                Some(Value::Object(inner)) => wrapped_within(raw.get(), inner, depth - 1),
                _ => None,
            });
    }
    let values: std::collections::HashMap<Cow<str>, &RawValue> = serde_json::from_str(text).ok()?;
    let mut events: Vec<&RawValue> = Vec::new();
    for (name, raw) in &values {
        match fields.get(name.as_ref()) {
            Some(Value::Array(list)) if list.iter().any(is_event) => {
                let entries = serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok()?;
                events.extend(entries.into_iter().filter(|e| e.get().starts_with('{')));
            }
            Some(value) if is_event(value) => events.push(raw),
            _ => {}
        }
    }
    events.sort_by_key(|event| event.get().as_ptr() as usize);
    Some(events)
}

/// The fields of a flattened row, by what they are.
#[derive(Default)]
struct Found<'v> {
    uuid: Option<Cow<'v, str>>,
    published: Option<Cow<'v, str>>,
    timestamp: Option<Cow<'v, str>>,
    time_generated: Option<Cow<'v, str>>,
    /// The row names its event type as `OktaV2_CL` does.
    v2: bool,
    event_type: Option<Cow<'v, str>>,
    legacy_event_type: Option<Cow<'v, str>>,
    result: Option<Cow<'v, str>>,
    reason: Option<Cow<'v, str>>,
    app: Option<Cow<'v, str>>,
    target: Option<&'v Value>,
    parts: Vec<(usize, TargetField, Cow<'v, str>)>,
}

impl<'v> Found<'v> {
    /// Whether any field of a LogEvent was found.
    fn names_anything(&self) -> bool {
        let Found {
            uuid,
            published,
            timestamp,
            time_generated,
            v2: _,
            event_type,
            legacy_event_type,
            result,
            reason,
            app,
            target,
            parts,
        } = self;
        [
            uuid,
            published,
            timestamp,
            time_generated,
            event_type,
            legacy_event_type,
            result,
            reason,
            app,
        ]
        .iter()
        .any(|f| f.is_some())
            || target.is_some()
            || !parts.is_empty()
    }

    /// Walks `map` (keys joined with dots under `prefix`), keeping the first value of each field.
    fn walk(&mut self, prefix: &str, map: &'v Map<String, Value>) {
        for (name, value) in map {
            let path = if prefix.is_empty() {
                Cow::Borrowed(name.as_str())
            } else {
                Cow::Owned(format!("{prefix}.{name}"))
            };
            let found = field(&key(&path));
            match (found, value) {
                (Some(Field::Target), _) => {
                    self.target.get_or_insert(value);
                }
                (Some(Field::DebugData), Value::Object(inner)) => self.walk(&path, inner),
                (Some(Field::DebugData), Value::String(text)) if self.app.is_none() => {
                    self.app = debug_app(text).map(Cow::Owned);
                }
                // Splunk's multivalue fields: `target{}.type` lists every target's type, in order.
                (Some(Field::TargetPart(first, part)), Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate().take(MAX_TARGETS) {
                        if let Some(text) = scalar(item) {
                            self.parts.push((first + i, part, text));
                        }
                    }
                }
                (Some(f), _) => self.keep(f, value),
                (None, Value::Object(inner)) => self.walk(&path, inner),
                _ => {}
            }
        }
    }

    fn keep(&mut self, f: Field, value: &'v Value) {
        let Some(text) = scalar(value) else { return };
        let slot = match f {
            Field::Uuid => &mut self.uuid,
            Field::Published => &mut self.published,
            Field::Timestamp => &mut self.timestamp,
            Field::TimeGenerated => &mut self.time_generated,
            Field::EventType => &mut self.event_type,
            Field::OriginalEventType => {
                self.v2 = true;
                &mut self.event_type
            }
            Field::LegacyEventType => &mut self.legacy_event_type,
            Field::Result => &mut self.result,
            Field::Reason => &mut self.reason,
            Field::AppName => &mut self.app,
            Field::TargetPart(i, part) => return self.parts.push((i, part, text)),
            Field::Target | Field::Raw | Field::DebugData => return,
        };
        if slot.as_deref().is_none_or(|s| s.trim().is_empty()) {
            *slot = Some(text);
        }
    }
}

/// A string, number or boolean as text; `None` for null, arrays and objects.
fn scalar(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Owned(b.to_string())),
        _ => None,
    }
}

/// A target as a SIEM keeps it, its keys in any spelling.
#[derive(Default)]
struct OwnedTarget {
    id: Option<String>,
    kind: Option<String>,
    alternate_id: Option<String>,
    display_name: Option<String>,
}

impl OwnedTarget {
    fn set(&mut self, part: TargetField, value: String) {
        let slot = match part {
            TargetField::Id => &mut self.id,
            TargetField::Kind => &mut self.kind,
            TargetField::AlternateId => &mut self.alternate_id,
            TargetField::DisplayName => &mut self.display_name,
        };
        slot.get_or_insert(value);
    }

    fn from_object(map: &Map<String, Value>) -> Self {
        let mut t = OwnedTarget::default();
        for (k, v) in map {
            if let (Some(part), Some(text)) = (target_field(&key(k)), scalar(v)) {
                t.set(part, text.into_owned());
            }
        }
        t
    }
}

/// The targets of a `target` value: an array of objects, or JSON text holding one (Sentinel's `target_s`).
fn targets(value: Option<&Value>) -> Vec<OwnedTarget> {
    let parsed;
    let list = match value {
        Some(Value::Array(list)) => list,
        Some(Value::String(text)) => match serde_json::from_str::<Vec<Value>>(text) {
            Ok(list) => {
                parsed = list;
                &parsed
            }
            Err(_) => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    list.iter()
        .filter_map(Value::as_object)
        .map(OwnedTarget::from_object)
        .collect()
}

/// The record of a row of fields, and its event key; `None` if no field of it is a LogEvent's.
pub(super) fn fields_record(map: &Map<String, Value>, source: &Source) -> Option<Parsed> {
    let mut found = Found::default();
    found.walk("", map);
    if !found.names_anything() {
        return None;
    }
    let key = found.uuid.as_deref().and_then(EventKey::new);
    let event_type = found
        .event_type
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .or(found.legacy_event_type.as_deref())
        .map(str::trim);
    let kind = event::outcome(found.result.as_deref(), event_type);
    if kind == event::Outcome::Other {
        return Some(Parsed {
            key,
            record: event::other(event_type),
        });
    }
    let mut owned = targets(found.target);
    let listed = owned.len();
    for (index, part, value) in &found.parts {
        let at = listed + index;
        if owned.len() <= at {
            owned.resize_with(at + 1, OwnedTarget::default);
        }
        owned[at].set(*part, value.to_string());
    }
    let refs: Vec<TargetRef> = owned
        .iter()
        .map(|t| TargetRef {
            id: t.id.as_deref(),
            kind: t.kind.as_deref(),
            alternate_id: t.alternate_id.as_deref(),
            display_name: t.display_name.as_deref(),
        })
        .collect();
    let when = [
        found.published.as_deref(),
        found.timestamp.as_deref(),
        found.time_generated.as_deref().filter(|_| found.v2),
    ]
    .into_iter()
    .flatten()
    .find(|p| !p.trim().is_empty())
    .map(published);
    let event = Event {
        outcome: kind,
        uuid: found.uuid.as_deref(),
        event_type,
        reason: found.reason.as_deref(),
        published: when.as_deref(),
        targets: &refs,
        app_hint: found.app.as_deref(),
    };
    Some(Parsed {
        key,
        record: event.record(source.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_every_siem_meet() {
        for (names, want) in [
            (
                &[
                    "eventType",
                    "eventType_s",
                    "okta.event_type",
                    "Event Type",
                    "EVENTTYPE",
                ][..],
                Field::EventType,
            ),
            (
                &[
                    "outcome.result",
                    "outcome_result_s",
                    "okta.outcome.result",
                    "Outcome.Result",
                ],
                Field::Result,
            ),
            (&["outcome_reason_s", "okta.outcome.reason"], Field::Reason),
            (&["uuid", "uuid_g", "okta.uuid", "UUID"], Field::Uuid),
            (
                &["published", "published_t", "published_t [UTC]"],
                Field::Published,
            ),
            (&["@timestamp"], Field::Timestamp),
            (&["target", "target_s", "okta.target"], Field::Target),
            (&["legacyEventType_s"], Field::LegacyEventType),
            (&["EventOriginalType"], Field::OriginalEventType),
            (&["OriginalOutcomeResult"], Field::Result),
            (&["EventOriginalResultDetails"], Field::Reason),
            (&["EventOriginalUid"], Field::Uuid),
            (&["OriginalTarget"], Field::Target),
            (&["TimeGenerated [UTC]", "TimeGenerated"], Field::TimeGenerated),
            (
                &[
                    "debugContext_debugData_appname_s",
                    "debugContext.debugData.AppName",
                    "okta.debug_context.debug_data.flattened.appname",
                ],
                Field::AppName,
            ),
            (&["_raw"], Field::Raw),
            (
                &[
                    "target.1.displayName",
                    "Target.1.DisplayName",
                    "target_1_display_name",
                ],
                Field::TargetPart(1, TargetField::DisplayName),
            ),
        ] {
            for name in names {
                assert_eq!(field(&key(name)), Some(want), "{name}");
            }
        }
        for other in [
            "oktä.x",
            "okta.",
            "é_s",
            "_time",
            "Type",
            "okta.actor.alternate_id",
            "s",
            "_s",
        ] {
            assert_eq!(field(&key(other)), None, "{other}");
        }
    }

    #[test]
    fn portal_times_become_rfc3339_and_others_stay() {
        assert_eq!(
            published("4/21/2024, 12:47:34.228 PM"),
            "2024-04-21T12:47:34.228Z"
        );
        assert_eq!(
            published("4/21/2024, 12:05:00.000 AM"),
            "2024-04-21T00:05:00.000Z"
        );
        assert_eq!(published("12/1/2024, 1:02:03 PM"), "2024-12-01T13:02:03Z");
        assert_eq!(published("2024-04-21T12:47:34.228Z"), "2024-04-21T12:47:34.228Z");
        assert_eq!(published("21/04/2024 12:47"), "21/04/2024 12:47");
    }

    fn record(json: &str) -> Parsed {
        let source = Source {
            path: "-".into(),
            line: 1,
        };
        match row(json).expect("an object") {
            Row::Fields(map) => fields_record(&map, &source).expect("a field of a LogEvent"),
            _ => panic!("a row of fields: {json}"),
        }
    }

    #[test]
    fn a_sentinel_row_with_target_text_is_a_failure_with_its_people() {
        let p = record(
            r#"{"eventType_s":"application.provision.user.push","outcome_result_s":"FAILURE",
            "outcome_reason_s":"License Limit Exceeded.","uuid_g":"6bd0ba4f-0001-11ef-9a1b-0242ac120002",
            "published_t":"2024-04-21T12:47:34.228Z","Type":"Okta_CL",
            "target_s":"[\r\n  {\r\n    \"id\": \"0oa1\",\r\n    \"type\": \"AppInstance\",\r\n    \"displayName\": \"Box\"\r\n  },\r\n  {\"id\": \"00u1\", \"type\": \"User\", \"alternateId\": \"a@example.com\", \"displayName\": \"Ann\"}\r\n]"}"#,
        );
        assert!(p.key.is_some());
        let crate::record::Record::Failure(f) = p.record else {
            panic!("a failure")
        };
        assert_eq!(
            (f.user.as_deref(), f.login.as_deref(), f.user_id.as_deref()),
            (Some("Ann"), Some("a@example.com"), Some("00u1"))
        );
        assert_eq!(
            (f.app.as_deref(), f.app_id.as_deref()),
            (Some("Box"), Some("0oa1"))
        );
        assert_eq!(f.published.as_deref(), Some("2024-04-21T12:47:34.228Z"));
    }

    #[test]
    fn time_generated_is_published_only_in_okta_v2_rows() {
        let published = |json: &str| match record(json).record {
            crate::record::Record::Failure(f) => f.published,
            other => panic!("a failure, not {other:?}"),
        };
        // Okta_CL: TimeGenerated is when Log Analytics ingested the row.
        assert_eq!(
            published(
                r#"{"TimeGenerated":"2024-04-21T13:05:03.402Z","eventType_s":"application.provision.user.push","outcome_result_s":"FAILURE"}"#
            ),
            None
        );
        // OktaV2_CL: the connector sets TimeGenerated from published.
        assert_eq!(
            published(
                r#"{"TimeGenerated":"2024-04-21T12:47:34.228Z","EventOriginalType":"application.provision.user.push","OriginalOutcomeResult":"FAILURE",
                "DebugData":{"AppName":"Zendesk"}}"#
            )
            .as_deref(),
            Some("2024-04-21T12:47:34.228Z")
        );
    }

    #[test]
    fn an_elastic_document_nested_or_dotted_is_read_alike() {
        let nested = r#"{"@timestamp":"2024-04-21T12:47:34.228Z","okta":{"uuid":"u1","event_type":"application.provision.user.push",
            "outcome":{"result":"FAILURE","reason":"x"},"target":[{"type":"User","display_name":"Ann","alternate_id":"a@example.com","id":"00u1"}],
            "debug_context":{"debug_data":{"flattened":{"AppName":"Box"}}}},"event":{"outcome":"failure"}}"#;
        let dotted = r#"{"@timestamp":"2024-04-21T12:47:34.228Z","okta.uuid":"u1","okta.event_type":"application.provision.user.push",
            "okta.outcome.result":"FAILURE","okta.outcome.reason":"x","okta.target":[{"type":"User","display_name":"Ann","alternate_id":"a@example.com","id":"00u1"}],
            "okta.debug_context.debug_data.flattened.AppName":"Box"}"#;
        let findings: Vec<_> = [nested, dotted]
            .map(|json| match record(json).record {
                crate::record::Record::Failure(f) => f,
                other => panic!("a failure, not {other:?}"),
            })
            .into();
        assert_eq!(findings[0], findings[1]);
        assert_eq!(findings[0].app.as_deref(), Some("Box"));
        assert_eq!(findings[0].login.as_deref(), Some("a@example.com"));
        assert_eq!(findings[0].published.as_deref(), Some("2024-04-21T12:47:34.228Z"));
    }

    #[test]
    fn splunk_fields_without_raw_are_read_with_their_multivalue_targets() {
        let p = record(
            r#"{"_time":"2024-04-21T12:47:34.228+00:00","eventType":"application.provision.user.push","outcome.result":"FAILURE",
            "outcome.reason":"License Limit Exceeded.","uuid":"6bd0ba4f-0001-11ef-9a1b-0242ac120002","published":"2024-04-21T12:47:34.228Z",
            "target{}.type":["User","AppInstance"],"target{}.displayName":["Ann","Box"],"target{}.alternateId":["a@example.com","Box"]}"#,
        );
        let crate::record::Record::Failure(f) = p.record else {
            panic!("a failure")
        };
        assert_eq!(
            (f.user.as_deref(), f.login.as_deref(), f.app.as_deref()),
            (Some("Ann"), Some("a@example.com"), Some("Box"))
        );
    }

    #[test]
    fn envelopes_are_told_apart() {
        assert!(matches!(
            row(r#"{"preview":true,"result":{"_raw":"{}"}}"#),
            Ok(Row::Nothing)
        ));
        assert!(matches!(
            row(r#"{"preview":false,"lastrow":true}"#),
            Ok(Row::Nothing)
        ));
        assert!(
            matches!(row(r#"{"preview":false,"offset":0,"result":{"_raw":"{}"}}"#), Ok(Row::Nested(v)) if v.len() == 1)
        );
        assert!(
            matches!(row(r#"{"preview":false,"results":[{"_raw":"a"},{"_raw":"b"}]}"#), Ok(Row::Nested(v)) if v.len() == 2)
        );
        assert!(
            matches!(row(r#"{"_raw":"{\"uuid\":\"a\"}","_time":"x"}"#), Ok(Row::Raw(r)) if r == "{\"uuid\":\"a\"}")
        );
        assert!(matches!(row(r#"{"_index":"i","_source":{"okta":{}}}"#), Ok(Row::Nested(v)) if v.len() == 1));
        assert!(
            matches!(row(r#"{"took":1,"hits":{"total":{"value":2},"hits":[{},{}]}}"#), Ok(Row::Nested(v)) if v.len() == 2)
        );
        assert!(matches!(
            row(r#"{"hits": 3, "eventType_s": "x"}"#),
            Ok(Row::Fields(_))
        ));
        assert!(row("[1]").is_err());
    }

    /// Every record of a fixture, its place aside, ordered by uuid: failures and successes with all their
    /// fields (Okta ids included), the others by kind.
    fn records_of(name: &str) -> Vec<(Option<EventKey>, String)> {
        use crate::input::{read_input, InputFormat, InputSpec, Sink, Stop};
        use crate::record::Record;
        struct Collect(Vec<(Option<EventKey>, String)>);
        impl Sink for Collect {
            fn push(&mut self, record: Record) -> Result<(), Stop> {
                self.push_event(None, record)
            }
            fn push_event(&mut self, key: Option<EventKey>, record: Record) -> Result<(), Stop> {
                let said = match record {
                    Record::Failure(f) if f.source.line == 0 => panic!("a record without its line: {f:?}"),
                    Record::Success(s) if s.source.line == 0 => panic!("a record without its line: {s:?}"),
                    Record::Failure(mut f) => {
                        f.source = Source::default();
                        format!("failure {f:?}")
                    }
                    Record::Success(s) => {
                        let mut f = s.finding;
                        f.source = Source::default();
                        format!("success {f:?}")
                    }
                    other => format!("{other:?}"),
                };
                self.0.push((key, said));
                Ok(())
            }
        }
        let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let mut sink = Collect(Vec::new());
        let options = crate::input::ReadOptions {
            format: InputFormat::Auto,
            threads: 2,
            limits: crate::input::Limits::default(),
        };
        let read = read_input(&InputSpec::Path(path.into()), &options, &mut sink);
        assert!(read.is_ok(), "{name} reads");
        sink.0
            .sort_by(|a, b| format!("{:?}", a.0).cmp(&format!("{:?}", b.0)));
        sink.0
    }

    #[test]
    fn every_siem_fixture_yields_the_records_of_oktas_own_ndjson() {
        let okta = records_of("syslog.ndjson");
        assert_eq!(okta.len(), 10);
        let successes: Vec<&String> = okta
            .iter()
            .map(|r| &r.1)
            .filter(|r| r.starts_with("success"))
            .collect();
        assert_eq!(successes.len(), 1);
        assert!(
            successes[0].contains("user_id: Some(\"00u1a2b3c4D5E6F7g8h9\")"),
            "{}",
            successes[0]
        );
        assert!(
            successes[0].contains("app_id: Some(\"0oa1abcdEFGH2345ijk6\")"),
            "{}",
            successes[0]
        );
        for name in [
            "siem-sentinel.json",
            "siem-sentinel.ndjson",
            "siem-sentinel.csv",
            "siem-sentinel-v2.json",
            "siem-sentinel-v2.csv",
            "siem-splunk.json",
            "siem-splunk.csv",
            "siem-elastic.ndjson",
            "siem-elastic-search.json",
            "siem-elastic-flat.ndjson",
        ] {
            assert_eq!(records_of(name), okta, "{name}");
        }
    }
}
