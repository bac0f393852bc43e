//! A line of text decoded: a Tasks sentence, a System Log failure as admins copy it, a bare provisioning
//! error, or a candidate for the rules; and the failure a pasted line or an object that is no event states
//! among events, whatever the input's shape.

use crate::okta::tasks::{parse_sentence, strip_quotes, BARE_ERROR, EXTERNAL_FAILURE};
use crate::record::{Finding, Record, Source};
use crate::text::fold;

/// Turns one line of text into a record.
pub fn line_record(text: &str, source: Source) -> Record {
    let folded = fold(text);
    if let Some(s) = parse_sentence(&folded) {
        return Record::Failure(Box::new(Finding {
            source,
            user: s.user,
            app: Some(s.app),
            reason: s.reason,
            ..Finding::default()
        }));
    }
    let line = strip_quotes(&folded);
    if let Some(caps) = EXTERNAL_FAILURE.captures(line) {
        // The detail after FAILURE: is the reason; with none, the line itself is all there is to match.
        let detail = strip_quotes(&caps[1]);
        let reason = if detail.is_empty() { line } else { detail };
        return Record::Failure(Box::new(Finding {
            source,
            reason: Some(reason.to_owned()),
            ..Finding::default()
        }));
    }
    let finding = Box::new(Finding {
        source,
        reason: Some(line.to_owned()),
        ..Finding::default()
    });
    if BARE_ERROR.is_match(line) {
        Record::Bare(finding)
    } else {
        Record::Candidate(finding)
    }
}

/// The failure a line of text states with a Tasks sentence, if it does: how a pasted line standing among
/// events is read, whatever the input's shape.
pub fn tasks_failure(text: &str, source: Source) -> Option<Record> {
    match line_record(text, source) {
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
            Value::String(text) => text
                .lines()
                .find_map(|line| match line_record(line, source.clone()) {
                    record @ (Record::Failure(_) | Record::Bare(_)) => Some(record),
                    _ => None,
                }),
            Value::Array(list) => list.iter().find_map(|v| in_value(v, source)),
            Value::Object(map) => map.values().find_map(|v| in_value(v, source)),
            _ => None,
        }
    }
    map.values().find_map(|v| in_value(v, source))
}
