//! A progress line on stderr for long inputs, only when stderr is a terminal.

#![allow(clippy::print_stderr)]

use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Shown only after this long, so that short runs stay quiet.
const DELAY: Duration = Duration::from_millis(750);
const EVERY: Duration = Duration::from_millis(200);

pub struct Progress {
    enabled: bool,
    started: Instant,
    last: Option<Instant>,
    records: u64,
    shown: bool,
}

impl Progress {
    pub fn new() -> Self {
        Self {
            enabled: std::io::stderr().is_terminal(),
            started: Instant::now(),
            last: None,
            records: 0,
            shown: false,
        }
    }

    /// Counts a record; now and then redraws the line.
    pub fn tick(&mut self, failures: u64) {
        self.records += 1;
        if !self.enabled || !self.records.is_multiple_of(4096) {
            return;
        }
        let now = Instant::now();
        if now - self.started < DELAY || self.last.is_some_and(|l| now - l < EVERY) {
            return;
        }
        self.last = Some(now);
        self.shown = true;
        eprint!(
            "\r\x1b[Kprovdiag: {} records read, {} failures so far",
            self.records, failures
        );
    }

    /// Clears the line before the report is written.
    pub fn done(&mut self) {
        if self.shown {
            eprint!("\r\x1b[K");
            self.shown = false;
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}
