//! What `pull` says on stderr while it reads: every wait and retry (always: a job's log should show why it
//! took long), and its progress through the pages (at a terminal only).

#![allow(clippy::print_stderr)]

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use crate::text::clean;

pub struct PullNotes {
    terminal: bool,
    /// Whether a progress line is on screen, to be cleared before anything else is written.
    drawn: bool,
}

impl PullNotes {
    pub fn new() -> Self {
        Self {
            terminal: std::io::stderr().is_terminal(),
            drawn: false,
        }
    }

    /// A page was read: redraws the progress line.
    pub fn page(&mut self, pages: u64, events: u64) {
        if self.terminal {
            eprint!(
                "\r\x1b[Kprovdiag: {pages} page{} read from Okta, {events} event{}",
                plural(pages),
                plural(events)
            );
            self.drawn = true;
        }
    }

    /// Waiting `wait` before asking again, and why.
    pub fn waiting(&mut self, why: &str, wait: Duration) {
        self.clear();
        eprintln!("provdiag: {}: waiting {}", clean(why), seconds(wait));
    }

    /// `--follow` found nothing new and waits before asking again: said at a terminal only, as it repeats.
    pub fn polling(&mut self, wait: Duration) {
        if self.terminal {
            self.clear();
            eprint!("provdiag: no new events; asking again in {}", seconds(wait));
            self.drawn = true;
        }
    }

    /// `--since` was given to a run whose state file says where to go on from.
    pub fn since_ignored(&mut self, state: &Path) {
        self.clear();
        eprintln!(
            "provdiag: --since is ignored: going on where the last pull recorded in {} ended",
            clean(&state.display().to_string())
        );
    }

    /// Which credential is used, when several are set.
    pub fn credential(&mut self, chosen: &str) {
        self.clear();
        eprintln!("provdiag: {}", clean(chosen));
    }

    /// Clears the progress line before the report.
    pub fn clear(&mut self) {
        if self.drawn {
            eprint!("\r\x1b[K");
            self.drawn = false;
        }
    }
}

impl Default for PullNotes {
    fn default() -> Self {
        Self::new()
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `3 s`, `0.3 s`, `2 min 5 s`.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 10.0 && s.fract() > 0.0 {
        format!("{s:.1} s")
    } else if s < 120.0 {
        format!("{} s", s.round())
    } else {
        let whole = s.round() as u64;
        format!("{} min {} s", whole / 60, whole % 60)
    }
}
