//! The `--state` file: where the last pull ended, so that a scheduled job reads each event once. Written
//! whole or not at all (a temporary file renamed over it), so a job killed mid-write leaves the last one.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::io::{ErrorKind, Write};
use std::path::Path;

const VERSION: u32 = 1;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct State {
    pub version: u32,
    /// The org it was read from: a state file is never used with another.
    pub org: String,
    /// Okta's `next` link after the last page read: Okta's own way to go on without a gap or a repeat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Where there was no `next` link (the pages ended): the latest `published` read…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// …and the uuids read at that time, which the next pull skips.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<String>,
}

impl State {
    pub fn new(org: String) -> State {
        State {
            version: VERSION,
            org,
            ..State::default()
        }
    }

    /// The state in `path`; `None` if there is none yet (the first run).
    pub fn load(path: &Path) -> Result<Option<State>> {
        let name = path.display();
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read --state {name}")),
        };
        let state: State = serde_json::from_slice(&text).with_context(|| {
            format!(
                "--state {name} is not a state file provdiag wrote (delete it to start again from --since)"
            )
        })?;
        if state.version != VERSION {
            bail!("--state {name} was written by another version of provdiag (version {}): delete it to start again from --since", state.version);
        }
        Ok(Some(state))
    }

    /// Replaces `path` with this state, atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        let name = path.display();
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let write = || -> std::io::Result<()> {
            let mut file = tempfile::NamedTempFile::new_in(dir)?;
            let mut text = serde_json::to_vec_pretty(self)?;
            text.push(b'\n');
            file.write_all(&text)?;
            file.as_file().sync_all()?;
            file.persist(path)?;
            Ok(())
        };
        write().with_context(|| format!("cannot write --state {name}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_saved_whole_and_read_back() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("state.json");
        assert_eq!(State::load(&path).expect("no file yet"), None);
        let mut state = State::new("https://acme.okta.com".to_owned());
        state.next = Some("https://acme.okta.com/api/v1/logs?after=1".to_owned());
        state.save(&path).expect("saved");
        state.next = None;
        state.since = Some("2024-04-21T12:00:00Z".to_owned());
        state.seen = vec!["u1".to_owned()];
        state.save(&path).expect("saved over");
        assert_eq!(State::load(&path).expect("read"), Some(state));
        let names: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_file_that_is_not_a_state_is_refused_with_the_way_out() {
        let dir = tempfile::tempdir().expect("a directory");
        for (bytes, what) in [
            (&b"{\"version\": 1, \"org\""[..], "delete it"),
            (b"[1, 2]", "delete it"),
            (b"{\"version\": 7, \"org\": \"x\"}", "another version"),
        ] {
            let path = dir.path().join("state.json");
            std::fs::write(&path, bytes).expect("written");
            let err = format!("{:#}", State::load(&path).expect_err("refused"));
            assert!(err.contains(what) && err.contains("state.json"), "{err}");
        }
    }
}
