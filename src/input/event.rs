//! A line of text among events: the failure a pasted line or an object that is no event states, whatever
//! the input's shape.

use crate::record::{Record, Source};

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
