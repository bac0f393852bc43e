//! System Log events as JSON, a frame at a time: an NDJSON line, or a value the JSON framer cut (an API page,
//! a pretty-printed event, an event hook delivery, a SIEM's row or envelope). Every event becomes one record.
//! Cutting the input into frames is the splitters' job (`split::lines`, `split::json`); this runs on the
//! workers.

use memchr::memchr_iter;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::event::{classify, Head};
use super::line::{stated_failure, tasks_failure};
use super::siem::{self, Row};
use crate::input::reading::Reading;
use crate::input::split::{Block, FrameKind, Limits};
use crate::record::{EventKey, InputError, Parsed, Record, Source};

/// An event hook delivery's payload: `data.events`, if present.
#[derive(Deserialize)]
struct HookData<'a> {
    #[serde(borrow, default)]
    events: Option<&'a RawValue>,
}

/// The records of one block of NDJSON lines: runs on a worker. A line that is not JSON but holds a Tasks
/// sentence (pasted into the file) is that failure.
pub fn parse_lines(block: &Block, reading: &Reading) -> Vec<Parsed> {
    parse_block(block, reading, true)
}

/// The records of one block of framed JSON values: runs on a worker.
pub fn parse_values(block: &Block, reading: &Reading) -> Vec<Parsed> {
    parse_block(block, reading, false)
}

fn parse_block(block: &Block, reading: &Reading, lines: bool) -> Vec<Parsed> {
    let mut out = Vec::with_capacity(block.frames.len());
    // One source for the block, its line moved along (see `csv::parse_rows_with`).
    let mut source = reading.source(0);
    for frame in &block.frames {
        source.line = frame.line;
        let bytes = &block.bytes[frame.start..frame.end];
        let text_line = match frame.kind {
            FrameKind::Garbage => true,
            FrameKind::Value => lines && !starts_json(bytes),
            _ => false,
        };
        if text_line {
            if let Some(failure) = tasks_failure(&crate::text::lossy(bytes), source.clone()) {
                out.push(Parsed {
                    key: None,
                    record: failure,
                });
                continue;
            }
        }
        if let Some(record) = super::broken_frame(frame, reading) {
            out.push(Parsed { key: None, record });
            continue;
        }
        if let Err(message) = parse_value(bytes, &source, &reading.limits, &mut out) {
            out.push(malformed(source.clone(), message));
        }
    }
    out
}

/// True if `bytes` starts (after blanks) like a JSON object or array.
fn starts_json(bytes: &[u8]) -> bool {
    matches!(bytes.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'['))
}

/// The records of one line of pasted text, if it is a JSON event (or event hook delivery); `None` leaves
/// the line to the text reader. An object with none of an event's fields (`{"note": "…"}`) is left too.
pub fn event_line(bytes: &[u8], source: &Source, limits: &Limits) -> Option<Vec<Parsed>> {
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return None;
    }
    let head = serde_json::from_slice::<Head>(bytes).ok()?;
    let eventish = head.uuid.is_some()
        || head.event_type.is_some()
        || head.legacy_event_type.is_some()
        || head.outcome.is_some()
        || head.data.is_some();
    if !eventish {
        return None;
    }
    let mut out = Vec::new();
    parse_value(bytes, source, limits, &mut out).ok()?;
    Some(out)
}

/// Turns one JSON value (an event, an event hook delivery, or a SIEM's row) into its records; why it cannot
/// be read, if it cannot.
pub(super) fn parse_value(
    bytes: &[u8],
    source: &Source,
    limits: &Limits,
    out: &mut Vec<Parsed>,
) -> Result<(), String> {
    if is_page(bytes) {
        return page_of_pages(bytes, source, limits, out);
    }
    let too_deep = || nested_too_deep(bytes, limits.max_depth).then(|| too_deep_message(limits));
    // serde_json reads no deeper than its own limit, so brackets are counted only where a lower limit is
    // set, or once the reading failed: counting them first cost 3% of reading every event.
    if limits.max_depth < SERDE_JSON_DEPTH {
        if let Some(e) = too_deep() {
            return Err(e);
        }
    }
    // serde_json checks UTF-8 inside strings as it parses; only a record that fails is looked at again,
    // decoded lossily, so that bad bytes in one name do not cost the event.
    let first_error = match serde_json::from_slice::<Head>(bytes) {
        Ok(head) => return records_of(head, bytes, source, limits, out),
        Err(e) => e,
    };
    if let Some(e) = too_deep() {
        return Err(e);
    }
    if std::str::from_utf8(bytes).is_err() {
        let text = String::from_utf8_lossy(bytes);
        match serde_json::from_str::<Head>(&text) {
            Ok(head) => records_of(head, text.as_bytes(), source, limits, out),
            Err(e) => Err(describe(&e, text.as_bytes(), source.line)),
        }
    } else {
        Err(describe(&first_error, bytes, source.line))
    }
}

/// True if `bytes` opens an array of objects (or an empty one): a page of events.
fn is_page(bytes: &[u8]) -> bool {
    let mut tokens = bytes.iter().filter(|b| !b.is_ascii_whitespace());
    tokens.next() == Some(&b'[') && matches!(tokens.next(), Some(b'{' | b']'))
}

/// An element of the top-level array that is itself an array: an API page in an array of pages
/// (`[[{…}],[{…}]]`). Each of its events is read, on the line it starts.
fn page_of_pages(
    bytes: &[u8],
    source: &Source,
    limits: &Limits,
    out: &mut Vec<Parsed>,
) -> Result<(), String> {
    if nested_too_deep(bytes, limits.max_depth) {
        return Err(too_deep_message(limits));
    }
    let text = crate::text::lossy(bytes);
    let events: Vec<&RawValue> =
        serde_json::from_str(&text).map_err(|e| describe(&e, text.as_bytes(), source.line))?;
    let mut place = source.clone();
    for e in events {
        let offset = e.get().as_ptr() as usize - text.as_ptr() as usize;
        place.line = source.line + memchr_iter(b'\n', &text.as_bytes()[..offset]).count() as u64;
        if let Err(message) = parse_value(e.get().as_bytes(), &place, limits, out) {
            out.push(malformed(place.clone(), message));
        }
    }
    Ok(())
}

fn records_of(
    head: Head<'_>,
    bytes: &[u8],
    source: &Source,
    limits: &Limits,
    out: &mut Vec<Parsed>,
) -> Result<(), String> {
    let Some(events) = hook_events(&head, bytes, source.line)? else {
        // Every LogEvent has an `outcome`; an object without one may be a SIEM's row, and is looked at
        // again there. Okta's own events never take that slower path.
        if head.outcome.is_none() {
            // What `curl` gets back for a bad token, saved or piped as if it were the log.
            if let Some(why) = head.event_type.is_none().then(|| api_error(bytes)).flatten() {
                out.push(malformed(source.clone(), why));
                return Ok(());
            }
            siem_records(bytes, source, limits, out);
            return Ok(());
        }
        let key = head.uuid.as_deref().and_then(EventKey::new);
        let record = classify(head, source);
        out.push(Parsed { key, record });
        return Ok(());
    };
    for raw in events {
        value_records(
            raw.get().as_bytes(),
            &inner_source(raw, bytes, source),
            limits,
            out,
        );
    }
    Ok(())
}

/// The records of one value, or its malformed record.
fn value_records(bytes: &[u8], source: &Source, limits: &Limits, out: &mut Vec<Parsed>) {
    if let Err(message) = parse_value(bytes, source, limits, out) {
        out.push(malformed(source.clone(), message));
    }
}

/// Where a value nested in `outer` (which starts at `source`) starts.
fn inner_source(inner: &RawValue, outer: &[u8], source: &Source) -> Source {
    let offset = (inner.get().as_ptr() as usize).saturating_sub(outer.as_ptr() as usize);
    let before = &outer[..offset.min(outer.len())];
    Source {
        path: source.path.clone(),
        line: source.line + memchr_iter(b'\n', before).count() as u64,
    }
}

/// What a record nested past `limits.max_depth` is told as.
fn too_deep_message(limits: &Limits) -> String {
    format!(
        "nested deeper than {} levels: not a System Log event",
        limits.max_depth
    )
}

/// The records of an object that is not a LogEvent: what a SIEM wrapped events in, or made of them.
fn siem_records(bytes: &[u8], source: &Source, limits: &Limits, out: &mut Vec<Parsed>) {
    let text = crate::text::lossy(bytes);
    match siem::row(&text) {
        // The event itself skipped its deep values unbuilt; reading them as a row's fields is what failed.
        Err(_) if nested_too_deep(bytes, limits.max_depth) => {
            out.push(malformed(source.clone(), too_deep_message(limits)))
        }
        Err(e) => out.push(malformed(
            source.clone(),
            describe(&e, text.as_bytes(), source.line),
        )),
        Ok(Row::Nothing) => {}
        Ok(Row::Raw(raw)) => parse_raw(&raw, source, limits, out),
        Ok(Row::Nested(values)) => nested_records(&values, &text, source, limits, out),
        Ok(Row::Fields(map)) => {
            if let Some(parsed) = siem::fields_record(&map, source) {
                out.push(parsed);
                return;
            }
            // Not a System Log event: the events of an envelope of another name, else a failure one of its
            // strings states, else reported (counted among the ignored, a wrong file would pass for one
            // without failures).
            if let Some(events) = siem::wrapped_events(&text, &map) {
                return nested_records(&events, &text, source, limits, out);
            }
            out.push(match stated_failure(&map, source) {
                Some(record) => Parsed { key: None, record },
                // An app's error body (a SCIM error object, `{"error": …}`) copied on its own: a failure
                // whose reason is the body, read by its anatomy (spec, Words).
                None if crate::okta::anatomy::is_error_body(&map) => Parsed {
                    key: None,
                    record: Record::Bare(Box::new(crate::record::Finding {
                        source: source.clone(),
                        reason: Some(text.split_whitespace().collect::<Vec<_>>().join(" ")),
                        ..Default::default()
                    })),
                },
                None => malformed(
                    source.clone(),
                    "not a System Log event: none of its fields is one of a LogEvent (eventType, outcome, \
                     uuid, published, target)"
                        .to_owned(),
                ),
            });
        }
    }
}

/// The records of values nested in `outer` (which starts at `source`), each on its own line.
fn nested_records(
    values: &[&RawValue],
    outer: &str,
    source: &Source,
    limits: &Limits,
    out: &mut Vec<Parsed>,
) {
    for value in values {
        let at = inner_source(value, outer.as_bytes(), source);
        value_records(value.get().as_bytes(), &at, limits, out);
    }
}

/// The records of an event as a SIEM indexed it (Splunk's `_raw`): JSON is read as an event, anything
/// else as a line of text, so that a Tasks sentence in it is still a failure.
pub(super) fn parse_raw(raw: &str, source: &Source, limits: &Limits, out: &mut Vec<Parsed>) {
    if raw.trim_start().starts_with('{') {
        value_records(raw.trim().as_bytes(), source, limits, out);
    } else {
        let record = super::line::line_record(raw, source.clone());
        out.push(Parsed { key: None, record });
    }
}

/// What an input that is an Okta API error object (what `curl` gets back for a bad token) says, if it is
/// one: its code and summary, and what to do.
pub fn api_error(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct ApiError {
        #[serde(rename = "errorCode")]
        code: String,
        #[serde(rename = "errorSummary")]
        summary: String,
    }
    let e: ApiError = serde_json::from_slice(body).ok()?;
    let hint = match e.code.as_str() {
        "E0000011" => "the API token was invalid or expired when this was fetched: fetch the System Log again with a valid token",
        "E0000006" => "the token lacked the permission or scope to read the System Log (okta.logs.read)",
        _ => "the request that produced this file failed: fetch the System Log again",
    };
    Some(format!(
        "this is an Okta API error, not System Log events: {} {} ({hint})",
        e.code, e.summary
    ))
}

fn malformed(source: Source, message: String) -> Parsed {
    Parsed {
        key: None,
        record: Record::Malformed(Box::new(InputError { source, message })),
    }
}

/// The deepest nesting serde_json reads (its recursion limit, 128, counts the level that fails).
const SERDE_JSON_DEPTH: usize = 127;

/// True if brackets nest deeper than `max` outside strings. Real events hold a few dozen brackets,
/// so the exact scan runs only behind a count of opening brackets.
fn nested_too_deep(bytes: &[u8], max: usize) -> bool {
    if opening_brackets(bytes) <= max {
        return false;
    }
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    for &b in bytes {
        match (in_str, b) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') => in_str = false,
            (true, _) => {}
            (false, b'"') => in_str = true,
            (false, b'{' | b'[') => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            (false, b'}' | b']') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The number of `{` and `[` bytes. Counted in runs short enough for a byte-wide sum, which the compiler
/// vectorizes: faster than searching for each bracket, which a real event holds dozens of.
fn opening_brackets(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        // `[` is `{` without bit 5, and no other byte ORs to `{`.
        .map(|run| run.iter().map(|&b| u8::from(b | 0x20 == b'{')).sum::<u8>() as usize)
        .sum()
}

/// The events of an event hook delivery, if `head` is one: an object whose `eventType` is Okta's hook
/// type, or one with no event type of its own whose `data` holds `events`. A System Log event that merely
/// carries a `data.events` field is an event. A hook whose `data` cannot be read is an error, with its place.
fn hook_events<'a>(head: &Head<'a>, bytes: &[u8], line: u64) -> Result<Option<Vec<&'a RawValue>>, String> {
    let is_hook = head
        .event_type
        .as_deref()
        .is_some_and(|t| t.starts_with("com.okta.event_hook"));
    let untyped = head.event_type.is_none() && head.legacy_event_type.is_none();
    if !is_hook && !untyped {
        return Ok(None);
    }
    let Some(data) = head.data else {
        return if is_hook {
            Err("event hook delivery without data.events".to_owned())
        } else {
            Ok(None)
        };
    };
    let place = |what: &str| {
        let offset = data.get().as_ptr() as usize - bytes.as_ptr() as usize;
        let at = line + memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count() as u64;
        format!("event hook delivery whose data {what} (line {at})")
    };
    let events = match serde_json::from_str::<HookData>(data.get()) {
        Ok(HookData { events: Some(e) }) => e,
        Ok(HookData { events: None }) if !is_hook => return Ok(None),
        Ok(HookData { events: None }) => return Err(place("has no events list")),
        Err(_) if !is_hook => return Ok(None),
        Err(_) => return Err(place("is not an object")),
    };
    match serde_json::from_str::<Vec<&RawValue>>(events.get()) {
        Ok(list) => Ok(Some(list)),
        Err(_) => Err(place("holds events that are not a list")),
    }
}

/// A message for a JSON error in our own words: serde's text can quote the data, which may hold names.
fn describe(e: &serde_json::Error, bytes: &[u8], first_line: u64) -> String {
    use serde_json::error::Category;
    let line = first_line + e.line().saturating_sub(1) as u64;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    match e.classify() {
        Category::Eof => "event cut off: the JSON ends inside it".to_owned(),
        Category::Data if first != Some(b'{') => "not a JSON object".to_owned(),
        Category::Data => {
            format!(
                "not a System Log event: a field has the wrong type (line {line}, column {})",
                e.column()
            )
        }
        Category::Syntax | Category::Io => format!("invalid JSON at line {line}, column {}", e.column()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_brackets_are_counted_exactly_across_runs() {
        // Every byte value, and runs of brackets longer than a byte-wide sum could hold.
        let every: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let brackets = [b'{', b'['].repeat(700);
        for bytes in [&every[..], &brackets[..], &brackets[..255], b""] {
            let want = bytes.iter().filter(|&&b| b == b'{' || b == b'[').count();
            assert_eq!(opening_brackets(bytes), want);
        }
    }

    #[test]
    fn nesting_past_the_limit_is_told_as_such_whatever_the_limit() {
        let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        let error = |bytes: &str, limits: &Limits| {
            parse_value(bytes.as_bytes(), &Source::default(), limits, &mut Vec::new()).err()
        };
        let limits = Limits::default();
        let told = |e: Option<String>, max: usize| {
            e.is_some_and(|e| e.contains(&format!("deeper than {max} levels")))
        };
        // Past serde_json's own limit, the reading fails and the nesting is told.
        assert!(told(error(&deep(200), &limits), 128));
        // Within it but past a lower limit, the nesting is told before anything is read.
        let low = Limits {
            max_depth: 5,
            ..limits
        };
        let event = |n: usize| {
            format!(
                r#"{{"uuid":"a","eventType":"x","outcome":{{"result":"SUCCESS"}},"extra":{}}}"#,
                deep(n)
            )
        };
        assert_eq!(error(&event(4), &low), None);
        assert!(told(error(&event(5), &low), 5));
        assert_eq!(error(&event(120), &limits), None);
    }

    fn app_of(debug: &str) -> Option<String> {
        let event = format!(
            r#"{{"eventType":"application.provision.user.push","outcome":{{"result":"FAILURE"}},"debugContext":{{"debugData":{debug}}}}}"#
        );
        let source = Source {
            path: "-".into(),
            line: 1,
        };
        let mut out = Vec::new();
        parse_value(event.as_bytes(), &source, &Limits::default(), &mut out).expect("an event");
        match out.pop().map(|p| p.record) {
            Some(Record::Failure(f)) => f.app,
            other => panic!("not a failure: {other:?}"),
        }
    }

    fn records(event: &str) -> Vec<Record> {
        let source = Source {
            path: "-".into(),
            line: 1,
        };
        let mut out = Vec::new();
        if let Err(message) = parse_value(event.as_bytes(), &source, &Limits::default(), &mut out) {
            out.push(malformed(source, message));
        }
        out.into_iter().map(|p| p.record).collect()
    }

    #[test]
    fn an_event_reads_the_same_whatever_the_order_of_its_fields() {
        let fields = [
            r#""eventType":"application.provision.user.push""#,
            r#""outcome":{"result":"FAILURE","reason":"License Limit Exceeded"}"#,
            r#""published":"2024-04-01T00:00:43.788Z""#,
            r#""uuid":"8b03ee7c-c6cd-45ff-b885-ce6350c80450""#,
            r#""debugContext":{"debugData":{"appname":"Box"}}"#,
            r#""target":[{"id":"00u1","type":"User","alternateId":"jd@example.com","displayName":"John Doe"},{"id":"0oa1","type":"AppInstance","displayName":"Salesforce.com"}]"#,
        ];
        let want = format!("{:?}", records(&format!("{{{}}}", fields.join(","))));
        assert!(want.contains("Salesforce.com") && want.contains("John Doe") && want.contains("Failure"));
        // Okta's order puts the type and outcome first; a SIEM may sort keys, or put them last.
        for order in [[5, 4, 3, 2, 1, 0], [4, 5, 0, 2, 3, 1], [0, 5, 4, 1, 2, 3]] {
            let event = format!("{{{}}}", order.map(|i| fields[i]).join(","));
            assert_eq!(format!("{:?}", records(&event)), want, "{event}");
        }
    }

    #[test]
    fn a_target_of_the_wrong_type_costs_only_an_event_that_matters() {
        let failure = |target: &str, first: bool| {
            let head = r#""eventType":"application.provision.user.push","outcome":{"result":"FAILURE"}"#;
            let target = format!(r#""target":{target}"#);
            let fields = if first {
                [target.as_str(), head]
            } else {
                [head, target.as_str()]
            };
            records(&format!("{{{}}}", fields.join(",")))
        };
        for first in [true, false] {
            assert!(
                matches!(failure(r#""x""#, first)[..], [Record::Malformed(_)]),
                "{first}"
            );
            assert!(
                matches!(failure("null", first)[..], [Record::Failure(_)]),
                "{first}"
            );
        }
        let sign_in = r#"{"eventType":"user.session.start","outcome":{"result":"FAILURE"},"target":"x"}"#;
        assert!(matches!(
            records(sign_in)[..],
            [Record::Other(crate::record::OtherEvent::SignIn)]
        ));
    }

    #[test]
    fn targets_left_as_powershell_text_are_read_and_other_entries_name_nobody() {
        // `ConvertTo-Json` at its default depth, the second name with an escape (a string serde_json copies).
        let targets = [
            r#""@{id=00u2; type=User; alternateId=john.doe@example.com; displayName=John Doe; detailEntry=}""#,
            "null",
            "7",
            r#"["x"]"#,
            r#""plain text""#,
            r#""@{id=0oa1; type=AppInstance; alternateId=salesforce; displayName=Sales\u0066orce.com; detailEntry=}""#,
        ];
        for order in [[0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0]] {
            let list = order.map(|i| targets[i]).join(",");
            let reason = r#""outcome":{"result":"FAILURE","reason":"License Limit Exceeded."}"#;
            let kind = r#""eventType":"application.provision.user.push""#;
            // Read as met (type known first) and kept raw (target first).
            for event in [
                format!("{{{kind},{reason},\"target\":[{list}]}}"),
                format!("{{\"target\":[{list}],{kind},{reason}}}"),
            ] {
                let [Record::Failure(f)] = &records(&event)[..] else {
                    panic!("{event}: {:?}", records(&event));
                };
                assert_eq!(f.user.as_deref(), Some("John Doe"));
                assert_eq!(f.login.as_deref(), Some("john.doe@example.com"));
                assert_eq!(f.user_id.as_deref(), Some("00u2"));
                assert_eq!(f.app.as_deref(), Some("Salesforce.com"));
                assert_eq!(f.app_id.as_deref(), Some("0oa1"));
            }
        }
        // An object entry is still read strictly: a field of the wrong type costs the event.
        let event = r#"{"eventType":"application.provision.user.push","outcome":{"result":"FAILURE"},"target":[{"id":5}]}"#;
        assert!(matches!(records(event)[..], [Record::Malformed(_)]));
    }

    #[test]
    fn a_field_given_twice_makes_the_event_malformed() {
        let event = r#"{"eventType":"user.session.start","outcome":{"result":"SUCCESS"},"eventType":"application.provision.user.push"}"#;
        assert!(matches!(records(event)[..], [Record::Malformed(_)]));
    }

    #[test]
    fn only_the_app_name_is_read_from_debug_data() {
        assert_eq!(
            app_of(r#"{"x":{"y":[1,{"z":null}]},"appname":"Box"}"#).as_deref(),
            Some("Box")
        );
        assert_eq!(
            app_of(r#"{"AppName":"Zoom","appname":"Box"}"#).as_deref(),
            Some("Zoom")
        );
        assert_eq!(app_of(r#"{"appname":{"nested":"Box"}}"#), None);
        assert_eq!(app_of(r#"{"appname":7}"#), None);
        assert_eq!(app_of("[1,2]"), None);
        assert_eq!(app_of("\"text\""), None);
        assert_eq!(app_of("null"), None);
    }
}
