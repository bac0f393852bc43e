//! Every name Okta's System Log CSV and the SIEMs give a LogEvent's fields, with no I/O: the JSON and CSV
//! readers, and the detection that tells a CSV header from prose, all ask here.
//!
//! - Sentinel's `Okta_CL` (Log Analytics): paths flattened with `_`, a type suffix on most columns
//!   (`eventType_s`, `uuid_g`, `published_t`, `securityContext_isProxy_b`, `…_d`), `target_s` holding the
//!   target list as JSON text, and ` [UTC]` after time columns in the portal's CSV export, whose times read
//!   `4/21/2024, 12:47:34.228 PM`. The newer connector's `OktaV2_CL` renames instead (`EventOriginalType`,
//!   `OriginalOutcomeResult`, `EventOriginalResultDetails`, `EventOriginalUid`, `OriginalTarget`,
//!   `DebugData`) and sets `TimeGenerated` from `published`.
//! - Splunk: the event as indexed, in `_raw`.
//! - Elastic's Okta integration: the event under `okta.*` in snake case (`okta.event_type`,
//!   `okta.outcome.result`, `okta.target[].display_name`), `published` moved to `@timestamp`.

use serde_json::{Map, Value};
use std::borrow::Cow;

use super::event::non_empty;

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
pub(crate) const MAX_TARGETS: usize = 64;

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
pub(crate) fn target_field(k: &str) -> Option<TargetField> {
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
        .and_then(|(_, v)| non_empty(v.as_str()))
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

/// True if `line` looks like a System Log CSV header: two or more of the columns this reader knows (under any
/// name a SIEM gives them), or Splunk's `_raw`.
pub fn is_header(line: &[u8]) -> bool {
    header_delimiter(line).is_some()
}

/// The delimiters a System Log CSV comes with: Okta's comma, and what a spreadsheet saves it with where the
/// decimal separator is a comma (`;`, Excel's "CSV" in much of Europe) or as "Unicode Text" (a tab).
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// The delimiter `line` is a header with, if it is one: the one that cuts it into the most LogEvent column
/// names (at least two, or Splunk's `_raw`), the comma where they tie.
pub fn header_delimiter(line: &[u8]) -> Option<u8> {
    let line = crate::text::lossy(line);
    let known = |d: u8| {
        let fields = || line.split(char::from(d)).map(|f| f.trim().trim_matches('"'));
        if fields().any(|f| f == "_raw") {
            return usize::MAX;
        }
        fields()
            .map(key)
            .filter(|k| field(k).is_some() || OTHER_KNOWN.contains(&k.as_str()))
            .count()
    };
    let (count, d) = DELIMITERS
        .iter()
        .map(|&d| (known(d), d))
        .rev()
        .max_by_key(|&(count, _)| count)?;
    (count >= 2).then_some(d)
}

/// Header keys (see `key`) of LogEvent columns this reader does not use, for telling a System Log CSV
/// from prose.
const OTHER_KNOWN: &[&str] = &[
    "displaymessage",
    "severity",
    "actoralternateid",
    "actordisplayname",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_tells_its_delimiter() {
        assert_eq!(
            header_delimiter(b"published,eventType,outcome.result"),
            Some(b',')
        );
        assert_eq!(
            header_delimiter(b"Published;Event Type;\"Outcome.Result\""),
            Some(b';')
        );
        assert_eq!(
            header_delimiter(b"published\teventType\toutcome.reason"),
            Some(b'\t')
        );
        // A `;` inside comma-separated names does not make it `;`; the comma wins a tie.
        assert_eq!(
            header_delimiter(b"eventType,outcome.result,note;uuid"),
            Some(b',')
        );
        assert_eq!(header_delimiter(b"uuid;x,eventType,published"), Some(b','));
        assert_eq!(
            header_delimiter(b"uuid,eventType;outcome.result;published"),
            Some(b';')
        );
        assert_eq!(header_delimiter(b"\"_time\";\"_raw\""), Some(b';'));
        assert_eq!(
            header_delimiter(b"Automatic provisioning of user A; B to app C failed: x"),
            None
        );
    }

    #[test]
    fn headers_are_told_from_prose() {
        assert!(is_header(b"Published,Event Type,Outcome.Result"));
        assert!(is_header(b"\"uuid\",\"OUTCOME_REASON\""));
        assert!(is_header(
            b"TimeGenerated [UTC],EventOriginalType,OriginalOutcomeResult"
        ));
        assert!(is_header(b"eventType_s,outcome_result_s"));
        assert!(is_header(b"\"_time\",\"_raw\""));
        assert!(!is_header(
            b"Automatic provisioning of user A to app B failed: x, y"
        ));
        assert!(!is_header(
            b"Error while creating user Ann, Conflict, retry later"
        ));
    }
}
