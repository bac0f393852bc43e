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

use super::flat::FlatRow;
use crate::okta::fields::{field, key, Field, MAX_TARGETS};
use crate::record::{Parsed, Source};

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
            found.0.names_anything()
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

/// A SIEM's JSON row walked into the flat-row decoder.
#[derive(Default)]
struct Found<'v>(FlatRow<'v>);

impl<'v> Found<'v> {
    /// Walks `map` (keys joined with dots under `prefix`), handing each field to the row.
    fn walk(&mut self, prefix: &str, map: &'v Map<String, Value>) {
        for (name, value) in map {
            let path = if prefix.is_empty() {
                Cow::Borrowed(name.as_str())
            } else {
                Cow::Owned(format!("{prefix}.{name}"))
            };
            let found = field(&key(&path));
            match (found, value) {
                (Some(Field::Target), _) => self.0.target_list(value),
                (Some(Field::DebugData), Value::Object(inner)) => self.walk(&path, inner),
                // Splunk's multivalue fields: `target{}.type` lists every target's type, in order.
                (Some(Field::TargetPart(first, part)), Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate().take(MAX_TARGETS) {
                        if let Some(text) = scalar(item) {
                            self.0.keep(Field::TargetPart(first + i, part), text);
                        }
                    }
                }
                (Some(f), _) => {
                    if let Some(text) = scalar(value) {
                        self.0.keep(f, text);
                    }
                }
                (None, Value::Object(inner)) => self.walk(&path, inner),
                _ => {}
            }
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

/// The record of a row of fields, and its event key; `None` if no field of it is a LogEvent's.
pub(super) fn fields_record(map: &Map<String, Value>, source: &Source) -> Option<Parsed> {
    let mut found = Found::default();
    found.walk("", map);
    found.0.names_anything().then(|| found.0.parsed(source))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::fields::{published, TargetField};
    use crate::record::EventKey;

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
