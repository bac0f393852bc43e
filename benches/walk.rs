//! What finding fields costs over validating, for `docs/performance.md`: on one thread, every line of an
//! NDJSON file read three ways with serde_json, each timed (best of three):
//!
//! - `validate`: the line as `IgnoredAny`, what the floor (`benches/floor.rs`) does;
//! - `walk`: the line's top-level object walked key by key with `MapAccess`, every key and value skipped
//!   as `IgnoredAny`: the least any serde reader that picks fields out of an object does;
//! - `fields`: the same walk reading `uuid`, `eventType`, `published` and `outcome` as borrowed strings,
//!   about what provdiag reads of an event that does not matter.
//!
//!     cargo bench --bench walk -- FILE

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, Instant};

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum Field {
    Uuid,
    EventType,
    Published,
    Outcome,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

#[derive(Deserialize)]
struct Outcome<'a> {
    #[serde(borrow, default)]
    result: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    reason: Option<Cow<'a, str>>,
}

/// Walks an object's top level; reads the fields if `read`. Returns the bytes read, so nothing is optimized
/// away.
struct Walk {
    read: bool,
}

impl<'de> Visitor<'de> for Walk {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<usize, A::Error> {
        let mut n = 0;
        if !self.read {
            while map.next_key::<IgnoredAny>()?.is_some() {
                map.next_value::<IgnoredAny>()?;
            }
            return Ok(n);
        }
        let len = |t: Option<Text>| t.map_or(0, |t| t.0.len());
        while let Some(field) = map.next_key::<Field>()? {
            n += match field {
                Field::Uuid | Field::EventType | Field::Published => len(map.next_value()?),
                Field::Outcome => map.next_value::<Option<Outcome>>()?.map_or(0, |o| {
                    o.result.map_or(0, |r| r.len()) + o.reason.map_or(0, |r| r.len())
                }),
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                    0
                }
            };
        }
        Ok(n)
    }
}

fn best_of_three(lines: &[&[u8]], one: impl Fn(&[u8]) -> usize) -> (Duration, usize) {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let n = lines.iter().map(|l| one(l)).sum();
            (start.elapsed(), n)
        })
        .min()
        .unwrap_or_default()
}

fn main() -> std::io::Result<()> {
    let Some(path) = std::env::args_os().nth(1) else {
        return Err(std::io::Error::other("usage: walk FILE"));
    };
    let data = std::fs::read(path)?;
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let walk = |read: bool| {
        move |line: &[u8]| {
            let mut de = serde_json::Deserializer::from_slice(line);
            de.deserialize_map(Walk { read }).unwrap_or(0)
        }
    };
    let validate = |line: &[u8]| usize::from(serde_json::from_slice::<IgnoredAny>(line).is_ok());
    let (base, valid) = best_of_three(&lines, validate);
    #[allow(clippy::print_stdout)]
    {
        println!("{} lines, {valid} valid JSON", lines.len());
        println!("validate  {:>8.1} ms", base.as_secs_f64() * 1e3);
        for (name, read) in [("walk", false), ("fields", true)] {
            let (t, _) = best_of_three(&lines, walk(read));
            let ratio = t.as_secs_f64() / base.as_secs_f64();
            println!(
                "{name:<9} {:>8.1} ms  {ratio:.2}x validate",
                t.as_secs_f64() * 1e3
            );
        }
    }
    Ok(())
}
