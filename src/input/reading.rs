//! How one input is being read: its name, the workers, the limits.

use std::sync::Arc;

use super::split::Limits;
use crate::record::Source;

/// One input being read: what every reader and worker needs to know.
#[derive(Clone, Debug)]
pub(crate) struct Reading {
    pub path: Arc<str>,
    pub threads: usize,
    pub limits: Limits,
    /// Every line is a failure on the user's word (`-m`): an Okta API error object pasted is one too.
    pub users_word: bool,
}

impl Reading {
    /// Where a record of this input starting on `line` comes from.
    pub fn source(&self, line: u64) -> Source {
        Source {
            path: self.path.clone(),
            line,
        }
    }

    /// This reading, with a regular file's limits if `regular` (`Limits::for_file`).
    pub(super) fn of_regular_file(mut self, regular: bool) -> Self {
        if regular {
            self.limits = self.limits.for_file();
        }
        self
    }
}
