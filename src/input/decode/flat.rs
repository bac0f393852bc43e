//! One flat row to an event: the decoder a System Log CSV row and a SIEM's JSON row share. A row names
//! LogEvent fields under any of the names `okta::fields` knows; each field takes the first value of the row
//! that is not blank, whatever the shape, and flattened target paths keep their index N (`target.N.type`,
//! below `fields::MAX_TARGETS`), after the targets of a whole target list.

use serde_json::{Map, Value};
use std::borrow::Cow;

use crate::okta::event::{outcome, Event, Outcome, TargetRef};
use crate::okta::fields::{self, key, target_field, Field, TargetField};
use crate::record::{EventKey, Parsed, Record, Source};

/// The LogEvent fields a row held, each its first value that is not blank.
#[derive(Default)]
pub(super) struct FlatRow<'v> {
    uuid: Option<Cow<'v, str>>,
    published: Option<Cow<'v, str>>,
    /// Elastic's `@timestamp`, which holds `published`.
    timestamp: Option<Cow<'v, str>>,
    /// Log Analytics' `TimeGenerated`: `published` in `OktaV2_CL` only.
    time_generated: Option<Cow<'v, str>>,
    /// The row names its event type as `OktaV2_CL` does.
    v2: bool,
    event_type: Option<Cow<'v, str>>,
    legacy_event_type: Option<Cow<'v, str>>,
    result: Option<Cow<'v, str>>,
    reason: Option<Cow<'v, str>>,
    app: Option<Cow<'v, str>>,
    /// `OktaV2_CL`'s `DebugData` as JSON text: where the app's name is, if no field names it.
    debug_data: Option<Cow<'v, str>>,
    /// The whole target list: an array, or JSON text holding one (Sentinel's `target_s`).
    target: Option<TargetList<'v>>,
    /// Flattened target fields: (N, field, value).
    parts: Vec<(usize, TargetField, Cow<'v, str>)>,
}

/// A row's whole target list, as the row holds it.
pub(super) enum TargetList<'v> {
    Value(&'v Value),
    Text(Cow<'v, str>),
}

fn blank(s: Option<&Cow<'_, str>>) -> bool {
    s.is_none_or(|s| s.trim().is_empty())
}

impl<'v> FlatRow<'v> {
    /// A value of field `f`, kept unless the field already has one that is not blank.
    pub(super) fn keep(&mut self, f: Field, text: Cow<'v, str>) {
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
            Field::DebugData => &mut self.debug_data,
            Field::TargetPart(n, part) => return self.parts.push((n, part, text)),
            Field::Target => {
                if !text.trim().is_empty() && self.target.is_none() {
                    self.target = Some(TargetList::Text(text));
                }
                return;
            }
            Field::Raw => return,
        };
        if blank(slot.as_ref()) {
            *slot = Some(text);
        }
    }

    /// A target list given as JSON (an array, or text holding one), kept if the row has none yet.
    pub(super) fn target_list(&mut self, value: &'v Value) {
        match value {
            Value::String(text) => self.keep(Field::Target, Cow::Borrowed(text)),
            Value::Null => {}
            _ => {
                self.target.get_or_insert(TargetList::Value(value));
            }
        }
    }

    /// Whether any field of a LogEvent was found.
    pub(super) fn names_anything(&self) -> bool {
        [
            &self.uuid,
            &self.published,
            &self.timestamp,
            &self.time_generated,
            &self.event_type,
            &self.legacy_event_type,
            &self.result,
            &self.reason,
            &self.app,
        ]
        .iter()
        .any(|f| f.is_some())
            || self.target.is_some()
            || !self.parts.is_empty()
            || self.debug_data.as_deref().and_then(fields::debug_app).is_some()
    }

    /// The event type: the current one where the row has it, else the legacy one.
    fn event_type(&self) -> Option<&str> {
        self.event_type
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .or(self.legacy_event_type.as_deref())
            .map(str::trim)
    }

    /// What the event's outcome means, from the fields kept so far.
    pub(super) fn outcome(&self) -> Outcome {
        outcome(self.result.as_deref(), self.event_type())
    }

    /// The row's record, and its event key.
    pub(super) fn parsed(&self, source: &Source) -> Parsed {
        let key = self.uuid.as_deref().and_then(EventKey::new);
        let event_type = self.event_type();
        let kind = self.outcome();
        if kind == Outcome::Other {
            return Parsed {
                key,
                record: Record::other(event_type),
            };
        }
        // The list's own targets first, then the flattened ones by their N.
        let parsed_list;
        let list: &[Value] = match &self.target {
            Some(TargetList::Value(Value::Array(list))) => list,
            Some(TargetList::Text(text)) => {
                parsed_list = serde_json::from_str::<Vec<Value>>(text).unwrap_or_default();
                &parsed_list
            }
            _ => &[],
        };
        let mut targets: Vec<TargetRef> = list
            .iter()
            .filter_map(Value::as_object)
            .map(target_of_object)
            .collect();
        let listed = targets.len();
        for (n, part, value) in &self.parts {
            let at = listed + n;
            if targets.len() <= at {
                targets.resize_with(at + 1, TargetRef::default);
            }
            set(&mut targets[at], *part, value);
        }
        let when = [
            self.published.as_deref(),
            self.timestamp.as_deref(),
            self.time_generated.as_deref().filter(|_| self.v2),
        ]
        .into_iter()
        .flatten()
        .find(|p| !p.trim().is_empty())
        .map(fields::published);
        let from_debug_data;
        let app = match self.app.as_deref().filter(|a| !a.trim().is_empty()) {
            Some(app) => Some(app),
            None => {
                from_debug_data = self.debug_data.as_deref().and_then(fields::debug_app);
                from_debug_data.as_deref()
            }
        };
        let event = Event {
            outcome: kind,
            uuid: self.uuid.as_deref(),
            event_type,
            reason: self.reason.as_deref(),
            published: when.as_deref(),
            targets: &targets,
            app_hint: app,
        };
        Parsed {
            key,
            record: Record::of_event(&event, source.clone()),
        }
    }
}

/// A target's field set to `value` unless it already has one that is not blank.
fn set<'a>(t: &mut TargetRef<'a>, part: TargetField, value: &'a str) {
    let slot = match part {
        TargetField::Id => &mut t.id,
        TargetField::Kind => &mut t.kind,
        TargetField::AlternateId => &mut t.alternate_id,
        TargetField::DisplayName => &mut t.display_name,
    };
    if slot.is_none_or(|s| s.trim().is_empty()) {
        *slot = Some(value);
    }
}

/// A target of a list, its keys in any spelling; only string values are read.
fn target_of_object(map: &Map<String, Value>) -> TargetRef<'_> {
    let mut t = TargetRef::default();
    for (k, v) in map {
        if let (Some(part), Some(text)) = (target_field(&key(k)), v.as_str()) {
            set(&mut t, part, text);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> Source {
        Source {
            path: "-".into(),
            line: 1,
        }
    }

    fn finding(row: &FlatRow) -> crate::record::Finding {
        match row.parsed(&source()).record {
            Record::Failure(f) => *f,
            other => panic!("not a failure: {other:?}"),
        }
    }

    #[test]
    fn each_field_takes_its_first_value_that_is_not_blank() {
        let mut row = FlatRow::default();
        row.keep(Field::EventType, "  ".into());
        row.keep(Field::EventType, "application.provision.user.push".into());
        row.keep(Field::EventType, "user.session.start".into());
        row.keep(Field::Result, "FAILURE".into());
        row.keep(Field::Reason, "".into());
        row.keep(Field::Reason, "Matching user not found.".into());
        row.keep(Field::TargetPart(3, TargetField::Kind), "User".into());
        row.keep(Field::TargetPart(3, TargetField::DisplayName), " ".into());
        row.keep(Field::TargetPart(3, TargetField::DisplayName), "Ana Lima".into());
        let f = finding(&row);
        assert_eq!(f.event_type.as_deref(), Some("application.provision.user.push"));
        assert_eq!(f.reason.as_deref(), Some("Matching user not found."));
        assert_eq!(f.user.as_deref(), Some("Ana Lima"));
    }

    #[test]
    fn flattened_targets_follow_the_list_and_keep_their_index() {
        let list: Value = serde_json::json!([{"type": "AppInstance", "displayName": "Box"}]);
        let mut row = FlatRow::default();
        row.keep(Field::EventType, "application.provision.user.push".into());
        row.keep(Field::Result, "FAILURE".into());
        row.target_list(&list);
        // N = 0 after a list of one is the second target; N = 0 and N = 1 are two targets.
        row.keep(Field::TargetPart(0, TargetField::Kind), "User".into());
        row.keep(
            Field::TargetPart(1, TargetField::DisplayName),
            "not the user".into(),
        );
        row.keep(Field::TargetPart(0, TargetField::DisplayName), "Ana Lima".into());
        let f = finding(&row);
        assert_eq!(f.app.as_deref(), Some("Box"));
        assert_eq!(f.user.as_deref(), Some("Ana Lima"));
    }

    #[test]
    fn the_app_comes_from_debug_data_only_when_no_field_names_it() {
        let mut row = FlatRow::default();
        row.keep(Field::EventType, "application.provision.user.push".into());
        row.keep(Field::Result, "FAILURE".into());
        row.keep(Field::DebugData, r#"{"AppName":"Workday"}"#.into());
        assert_eq!(finding(&row).app.as_deref(), Some("Workday"));
        row.keep(Field::AppName, "Box".into());
        assert_eq!(finding(&row).app.as_deref(), Some("Box"));
    }
}
