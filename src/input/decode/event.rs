//! One System Log event's fields, read in one pass (`Head`): what every event is read for, and what only an
//! event that matters (a provisioning failure or success) is read for; then the event made a record
//! (`classify`). The JSON decoder (`json.rs`) hands it every object.

use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

use crate::okta::event::{self, non_empty, Event, TargetRef};
use crate::record::{InputError, Record, Source};

/// The fields every event is read for, in one pass: enough to count it, dedupe it and tell whether it failed,
/// and, for a provisioning event, who and what it names. Okta writes `eventType` and `outcome` before
/// `debugContext` and `target`, so by the time those come the pass knows whether the event matters: the
/// few that do have them read there and then, every other event has them skipped unbuilt. Where the order
/// is another, they are kept as raw text and read once the event is known to matter.
pub(super) struct Head<'a> {
    pub uuid: Option<Cow<'a, str>>,
    pub event_type: Option<Cow<'a, str>>,
    pub legacy_event_type: Option<Cow<'a, str>>,
    pub outcome: Option<OutcomeFields<'a>>,
    pub data: Option<&'a RawValue>,
    pub published: Option<Cow<'a, str>>,
    pub target: Part<'a, Vec<AnyTarget<'a>>>,
    pub debug_context: Part<'a, DebugContext>,
}

/// A field read only for events that matter.
pub(super) enum Part<'a, T> {
    /// Not in the event, or skipped unbuilt: the event was known not to matter.
    Absent,
    /// Met before the event was known to matter: its text, read if it does.
    Raw(&'a RawValue),
    Read(T),
}

impl<'a, T: Deserialize<'a>> Part<'a, T> {
    /// The value, read now if it was kept raw; `None` if absent or skipped.
    fn take(self) -> Result<Option<T>, serde_json::Error> {
        match self {
            Part::Absent => Ok(None),
            Part::Raw(raw) => serde_json::from_str(raw.get()),
            Part::Read(v) => Ok(Some(v)),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Head<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(HeadVisitor(std::marker::PhantomData))
    }
}

struct HeadVisitor<'a>(std::marker::PhantomData<&'a ()>);

/// The fields of an event that `Head` reads; every other key is skipped without being copied.
#[derive(Clone, Copy, Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum HeadField {
    Uuid,
    EventType,
    LegacyEventType,
    Outcome,
    Data,
    Published,
    Target,
    DebugContext,
    #[serde(other)]
    Other,
}

/// A string value, borrowed from the input unless it holds an escape (a bare `Cow` is always copied).
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// An optional string value, borrowed where it can be.
fn text<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Cow<'de, str>>, A::Error> {
    Ok(map.next_value::<Option<Text<'de>>>()?.map(|t| t.0))
}

impl<'de: 'a, 'a> Visitor<'de> for HeadVisitor<'a> {
    type Value = Head<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a System Log event")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Head<'a>, A::Error> {
        use serde::de::Error;
        let mut head = Head {
            uuid: None,
            event_type: None,
            legacy_event_type: None,
            outcome: None,
            data: None,
            published: None,
            target: Part::Absent,
            debug_context: Part::Absent,
        };
        // Which fields were met: a field given twice makes the event malformed, as a derived reading would.
        let mut met = [false; 8];
        while let Some(field) = map.next_key::<HeadField>()? {
            let (k, name) = match field {
                HeadField::Uuid => (0, "uuid"),
                HeadField::EventType => (1, "eventType"),
                HeadField::LegacyEventType => (2, "legacyEventType"),
                HeadField::Outcome => (3, "outcome"),
                HeadField::Data => (4, "data"),
                HeadField::Published => (5, "published"),
                HeadField::Target => (6, "target"),
                HeadField::DebugContext => (7, "debugContext"),
                HeadField::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if std::mem::replace(&mut met[k], true) {
                return Err(A::Error::duplicate_field(name));
            }
            match field {
                HeadField::Uuid => head.uuid = text(&mut map)?,
                HeadField::EventType => head.event_type = text(&mut map)?,
                HeadField::LegacyEventType => head.legacy_event_type = text(&mut map)?,
                HeadField::Outcome => head.outcome = map.next_value()?,
                HeadField::Data => head.data = map.next_value()?,
                HeadField::Published => head.published = text(&mut map)?,
                HeadField::Target => head.target = part(&mut map, head.known())?,
                HeadField::DebugContext => head.debug_context = part(&mut map, head.known())?,
                // Skipped above.
                HeadField::Other => {}
            }
        }
        Ok(head)
    }
}

/// The value of a field read only for events that matter: read now if the event is known to, skipped unbuilt
/// if it is known not to, kept raw while that is not known yet.
fn part<'de: 'a, 'a, T, A>(map: &mut A, matters: Option<bool>) -> Result<Part<'a, T>, A::Error>
where
    T: Deserialize<'de> + Default,
    A: MapAccess<'de>,
{
    Ok(match matters {
        Some(false) => {
            map.next_value::<IgnoredAny>()?;
            Part::Absent
        }
        Some(true) => Part::Read(map.next_value::<Option<T>>()?.unwrap_or_default()),
        None => Part::Raw(map.next_value()?),
    })
}

impl Head<'_> {
    /// The event type that counts: `eventType`, else the legacy one.
    pub(super) fn kind(&self) -> Option<&str> {
        self.event_type.as_deref().or(self.legacy_event_type.as_deref())
    }

    /// What the event is to provdiag.
    pub(super) fn outcome(&self) -> event::Outcome {
        let result = self.outcome.as_ref().and_then(|o| o.result.as_deref());
        event::outcome(result, self.kind())
    }

    /// Whether the event matters (a provisioning failure or success), once nothing read later can change
    /// that: its `eventType` and `outcome` have been read. `None` while it may.
    fn known(&self) -> Option<bool> {
        (self.event_type.is_some() && self.outcome.is_some()).then(|| self.outcome() != event::Outcome::Other)
    }
}

#[derive(Deserialize)]
pub(super) struct OutcomeFields<'a> {
    #[serde(borrow, default)]
    result: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    reason: Option<Cow<'a, str>>,
}

/// One entry of an event's `target`: an object, as Okta writes it, or the text PowerShell's `ConvertTo-Json`
/// leaves in place of an object nested deeper than its `-Depth` (2 unless given), which is where a page's
/// targets lie: `@{id=00u…; type=User; alternateId=…; displayName=…; detailEntry=}`. Any other value is an
/// entry that names nobody, not a reason to lose the event.
#[derive(Default, Deserialize)]
struct Target<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(rename = "alternateId", borrow, default)]
    alternate_id: Option<Cow<'a, str>>,
    #[serde(rename = "displayName", borrow, default)]
    display_name: Option<Cow<'a, str>>,
}

/// An entry of `target`, read as `Target` says.
pub(super) struct AnyTarget<'a>(Target<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for AnyTarget<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = AnyTarget<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a target")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<AnyTarget<'a>, A::Error> {
                Target::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(AnyTarget)
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<AnyTarget<'a>, E> {
                Ok(AnyTarget(powershell_target(v, Cow::Borrowed)))
            }
            fn visit_str<E>(self, v: &str) -> Result<AnyTarget<'a>, E> {
                Ok(AnyTarget(powershell_target(v, |s| Cow::Owned(s.to_owned()))))
            }
            fn visit_unit<E>(self) -> Result<AnyTarget<'a>, E> {
                Ok(AnyTarget(Target::default()))
            }
            fn visit_bool<E>(self, _: bool) -> Result<AnyTarget<'a>, E> {
                Ok(AnyTarget(Target::default()))
            }
            fn visit_i64<E>(self, _: i64) -> Result<AnyTarget<'a>, E> {
                Ok(AnyTarget(Target::default()))
            }
            fn visit_u64<E>(self, _: u64) -> Result<AnyTarget<'a>, E> {
                Ok(AnyTarget(Target::default()))
            }
            fn visit_f64<E>(self, _: f64) -> Result<AnyTarget<'a>, E> {
                Ok(AnyTarget(Target::default()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<AnyTarget<'a>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(AnyTarget(Target::default()))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A target as PowerShell renders an object in text (`@{key=value; key=value}`); an entry naming nobody if the
/// text is not one.
fn powershell_target<'s, 'a>(text: &'s str, keep: impl Fn(&'s str) -> Cow<'a, str>) -> Target<'a> {
    let mut target = Target::default();
    let Some(fields) = text.trim().strip_prefix("@{").and_then(|t| t.strip_suffix('}')) else {
        return target;
    };
    for (key, value) in fields.split("; ").filter_map(|f| f.split_once('=')) {
        let slot = match key.trim() {
            "id" => &mut target.id,
            "type" => &mut target.kind,
            "alternateId" => &mut target.alternate_id,
            "displayName" => &mut target.display_name,
            _ => continue,
        };
        *slot = Some(keep(value));
    }
    target
}

#[derive(Default, Deserialize)]
pub(super) struct DebugContext {
    #[serde(rename = "debugData", default)]
    debug_data: Option<AppName>,
}

/// `debugContext.debugData.appname`, whatever the key's case (releases differ). Every other field of
/// `debugData` is skipped unbuilt: it can be megabytes of anything.
#[derive(Default)]
struct AppName(Option<String>);

impl<'de> Deserialize<'de> for AppName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AppNameVisitor)
    }
}

struct AppNameVisitor;

impl<'de> Visitor<'de> for AppNameVisitor {
    type Value = AppName;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("debugData")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AppName, A::Error> {
        let mut app = None;
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            if app.is_none() && key.eq_ignore_ascii_case("appname") {
                app = map.next_value::<Scalar>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(AppName(app))
    }

    // Anything but an object holds no app name, and is no reason to lose the event.
    fn visit_unit<E>(self) -> Result<AppName, E> {
        Ok(AppName(None))
    }
    fn visit_bool<E>(self, _: bool) -> Result<AppName, E> {
        Ok(AppName(None))
    }
    fn visit_i64<E>(self, _: i64) -> Result<AppName, E> {
        Ok(AppName(None))
    }
    fn visit_u64<E>(self, _: u64) -> Result<AppName, E> {
        Ok(AppName(None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<AppName, E> {
        Ok(AppName(None))
    }
    fn visit_str<E>(self, _: &str) -> Result<AppName, E> {
        Ok(AppName(None))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<AppName, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(AppName(None))
    }
}

/// A string value, or nothing for any other value (skipped unbuilt).
struct Scalar(Option<String>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_owned())))
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar(None))
            }
        }
        d.deserialize_any(V)
    }
}

pub(super) fn classify(mut head: Head<'_>, source: &Source) -> Record {
    let kind = head.outcome();
    if kind == event::Outcome::Other {
        return Record::other(head.kind());
    }
    let fail = |e: serde_json::Error| {
        Record::Malformed(Box::new(InputError {
            source: source.clone(),
            message: describe_part(&e),
        }))
    };
    let targets = match std::mem::replace(&mut head.target, Part::Absent).take() {
        Ok(t) => t.unwrap_or_default(),
        Err(e) => return fail(e),
    };
    let debug_context = match std::mem::replace(&mut head.debug_context, Part::Absent).take() {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let targets: Vec<TargetRef> = targets
        .iter()
        .map(|AnyTarget(t)| TargetRef {
            id: t.id.as_deref(),
            kind: t.kind.as_deref(),
            alternate_id: t.alternate_id.as_deref(),
            display_name: t.display_name.as_deref(),
        })
        .collect();
    let app_hint = debug_context
        .and_then(|d| d.debug_data)
        .and_then(|d| non_empty(d.0.as_deref()));
    let head_outcome = head.outcome.as_ref();
    let event = Event {
        outcome: kind,
        uuid: head.uuid.as_deref(),
        event_type: head.kind(),
        reason: head_outcome.and_then(|o| o.reason.as_deref()),
        published: head.published.as_deref(),
        targets: &targets,
        app_hint: app_hint.as_deref(),
    };
    Record::of_event(&event, source.clone())
}

/// Why a field kept raw (met before the event's type) cannot be read.
fn describe_part(e: &serde_json::Error) -> String {
    match e.classify() {
        serde_json::error::Category::Data => {
            "not a System Log event: a field of its target or debugContext has the wrong type".to_owned()
        }
        _ => "invalid JSON in its target or debugContext".to_owned(),
    }
}
