//! Notes on stderr while reading: unreadable records with their place (the first few, then a count) and
//! inputs that could not be read.

#![allow(clippy::print_stderr)]

use crate::record::InputError;
use crate::text::clean;

/// How many malformed records are named on stderr before the rest are only counted.
const SHOWN: u64 = 20;

#[derive(Default)]
pub struct Notes {
    malformed: u64,
}

impl Notes {
    pub fn malformed(&mut self, e: &InputError) {
        self.malformed += 1;
        if self.malformed <= SHOWN {
            eprintln!(
                "provdiag: {}:{}: {}",
                clean(&e.source.path),
                e.source.line,
                clean(&e.message)
            );
        }
    }

    /// What the run could not do for want of a field (said once, and kept in the report).
    pub fn note(&self, text: &str) {
        eprintln!("provdiag: note: {}", clean(text));
    }

    /// An input that could not be read at all; the run goes on with the others.
    pub fn unreadable(&self, e: &anyhow::Error) {
        eprintln!("provdiag: {}", clean(&format!("{e:#}")));
    }

    /// Something the run could not do that does not change its outcome.
    pub fn warn(message: &str) {
        eprintln!("provdiag: warning: {}", clean(message));
    }

    pub fn hint_stdin() {
        eprintln!("provdiag: reading Tasks errors or System Log events from standard input; paste them, then press Ctrl-D (Ctrl-Z then Enter on Windows)");
    }

    /// `--redact` without PROVDIAG_REDACT_KEY.
    pub fn random_redact_key() {
        eprintln!("provdiag: --redact: PROVDIAG_REDACT_KEY is not set, so pseudonyms are made with a random key for this run only; set it to get the same pseudonyms in every run");
    }

    pub fn finish(&self) {
        if self.malformed > SHOWN {
            let listed = if self.malformed > crate::group::ERRORS_LISTED as u64 {
                format!(
                    "--format json lists the first {}, --format ndjson every one",
                    crate::group::ERRORS_LISTED
                )
            } else {
                "the report lists them all".to_owned()
            };
            eprintln!(
                "provdiag: … and {} more malformed records ({listed})",
                self.malformed - SHOWN
            );
        }
    }
}
