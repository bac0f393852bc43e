//! One page of events split into each event's own JSON text: `--save` writes them as Okta sent them, and
//! events the last pull already read (recorded in the state file) are left out.

use anyhow::{Context, Result};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::when;

/// The events of a page (a JSON array), each as the exact text Okta sent; `None` if the page is not one.
pub(crate) fn split(body: &[u8]) -> Option<Vec<&RawValue>> {
    serde_json::from_slice(body).ok()
}

/// A page again, from some of its events.
pub(crate) fn join(events: &[&RawValue]) -> Vec<u8> {
    let mut out = b"[".to_vec();
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(e.get().as_bytes());
    }
    out.push(b']');
    out
}

/// The `--save` file: one event per line.
pub(crate) struct Save {
    file: BufWriter<File>,
    name: String,
}

impl Save {
    pub fn create(path: &Path) -> Result<Save> {
        let name = path.display().to_string();
        // Appended to, never emptied: what earlier runs saved stays, and a run that fails before its first
        // page leaves the file as it was.
        let file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .with_context(|| format!("cannot write --save {name}"))?;
        Ok(Save {
            file: BufWriter::new(file),
            name,
        })
    }

    /// Appends `events`, each on its own line, and flushes: a pull that fails later keeps what it read.
    pub fn events(&mut self, events: &[&RawValue]) -> Result<()> {
        let mut write = || -> std::io::Result<()> {
            for e in events {
                let text = e.get().as_bytes();
                // Okta sends each event on one line. A server that pretty-prints puts line breaks only between
                // tokens (a JSON string cannot hold one), so dropping them keeps the event and the line.
                if text.contains(&b'\n') || text.contains(&b'\r') {
                    let one_line: Vec<u8> = text
                        .iter()
                        .copied()
                        .filter(|&b| b != b'\n' && b != b'\r')
                        .collect();
                    self.file.write_all(&one_line)?;
                } else {
                    self.file.write_all(text)?;
                }
                self.file.write_all(b"\n")?;
            }
            self.file.flush()
        };
        write().with_context(|| format!("cannot write --save {}", self.name))
    }
}

/// What an event is read for here.
#[derive(Deserialize)]
struct Mark<'a> {
    #[serde(borrow, default)]
    uuid: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    published: Option<Cow<'a, str>>,
}

/// The latest `published` read and the events read at that very time: where a pull without a `next` link
/// goes on from. Also the events to leave out, which the last pull read.
#[derive(Default)]
pub(crate) struct Latest {
    at: Option<Timestamp>,
    text: String,
    seen: Vec<String>,
    skip: HashSet<String>,
    /// Events published before this were read by the last pull.
    floor: Option<Timestamp>,
}

impl Latest {
    /// A fresh pull from `since`.
    pub fn starting(since: &str) -> Latest {
        Latest {
            at: when::published(since),
            text: since.to_owned(),
            ..Latest::default()
        }
    }

    /// Going on from where a pull without a `next` link ended: at `since`, where the events `seen` were read.
    /// Such a server filters by `published`, so an event before `since` was read too (and is left out, in case
    /// the server ignored `since`), and so were the ones at `since` that it read.
    pub fn after(since: &str, seen: &[String]) -> Latest {
        Latest {
            floor: when::published(since),
            seen: seen.to_vec(),
            skip: seen.iter().cloned().collect(),
            ..Latest::starting(since)
        }
    }

    /// The events that are new to this pull; moves the latest time along.
    pub fn take_fresh<'a>(&mut self, events: &[&'a RawValue]) -> Vec<&'a RawValue> {
        let mut fresh = Vec::with_capacity(events.len());
        for &event in events {
            let mark: Option<Mark> = serde_json::from_str(event.get()).ok();
            let uuid = mark.as_ref().and_then(|m| m.uuid.as_deref());
            let published = mark.as_ref().and_then(|m| m.published.as_deref());
            let time = published.and_then(when::published);
            let read_before = match (time, self.floor) {
                (Some(at), Some(floor)) => at < floor,
                _ => false,
            };
            if read_before || uuid.is_some_and(|u| self.skip.contains(u)) {
                continue;
            }
            fresh.push(event);
            let (Some(published), Some(at)) = (published, time) else {
                continue;
            };
            if self.at.is_none_or(|latest| at > latest) {
                self.at = Some(at);
                self.text = published.trim().to_owned();
                self.seen.clear();
            }
            if Some(at) == self.at {
                self.seen.extend(uuid.map(str::to_owned));
            }
        }
        fresh
    }

    /// The time to ask from next.
    pub fn since(&self) -> String {
        self.text.clone()
    }

    /// The events read at that time.
    pub fn seen(&self) -> Vec<String> {
        self.seen.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"[{"uuid":"a","published":"2024-04-21T12:00:00.000Z","x":[1, 2]},
{"uuid":"b","published":"2024-04-21T12:00:01.000Z"} ,{"uuid":"c","published":"2024-04-21T12:00:01Z"},{"no":"uuid"}]"#;

    #[test]
    fn a_page_splits_into_each_events_own_text_and_joins_back() {
        let events = split(PAGE.as_bytes()).expect("an array");
        let texts: Vec<&str> = events.iter().map(|e| e.get()).collect();
        assert_eq!(
            texts[0],
            r#"{"uuid":"a","published":"2024-04-21T12:00:00.000Z","x":[1, 2]}"#
        );
        assert_eq!(texts.len(), 4);
        let again = join(&events);
        assert_eq!(split(&again).map(|e| e.len()), Some(4));
        assert!(split(b"{\"errorCode\": \"E0000011\"}").is_none());
        assert!(split(b"[{\"cut\": ").is_none());
    }

    #[test]
    fn the_latest_time_and_its_events_are_tracked_and_what_was_read_is_left_out() {
        let events = split(PAGE.as_bytes()).expect("an array");
        let mut latest = Latest::starting("2024-04-21T11:00:00Z");
        assert_eq!(latest.take_fresh(&events).len(), 4);
        // b and c were published at the same instant, written two ways.
        assert_eq!(latest.since(), "2024-04-21T12:00:01.000Z");
        assert_eq!(latest.seen(), ["b", "c"]);
        // Going on from there, a server that ignores `since` sends the page again: only what has no time is new.
        let mut next = Latest::after(&latest.since(), &latest.seen());
        let fresh: Vec<&str> = next.take_fresh(&events).iter().map(|e| e.get()).collect();
        assert_eq!(fresh, [r#"{"no":"uuid"}"#]);
        // A fresh pull keeps events from before its `since`: Okta's polling requests filter by when it stored them.
        let mut fresh_pull = Latest::starting("2024-04-21T12:00:01Z");
        assert_eq!(fresh_pull.take_fresh(&events).len(), 4);
    }

    #[test]
    fn saved_events_are_one_a_line_as_sent() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("saved.ndjson");
        let mut save = Save::create(&path).expect("created");
        let pretty = "[{\n  \"uuid\": \"p\",\r\n  \"a\": [1,\n 2]\n}]";
        let events = split(pretty.as_bytes()).expect("an array");
        save.events(&events).expect("written");
        let page = split(PAGE.as_bytes()).expect("an array");
        save.events(&page[..2]).expect("written");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(
            text,
            "{  \"uuid\": \"p\",  \"a\": [1, 2]}\n{\"uuid\":\"a\",\"published\":\"2024-04-21T12:00:00.000Z\",\"x\":[1, 2]}\n{\"uuid\":\"b\",\"published\":\"2024-04-21T12:00:01.000Z\"}\n"
        );
    }
}
