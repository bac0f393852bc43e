//! What every writer shares: the `Writer` trait, and the lines more than one format writes (the
//! accounting, the app's name, a few users).

use std::io::{self, Write};

use crate::group::{Failure, Report};
use crate::record::InputError;
use crate::text::clean;

/// One output format. `finding` and `error` come as records are read (a finding's resolution is not known
/// yet); `finish` once at the end, with everything resolved and grouped.
pub trait Writer {
    /// True if the writer writes findings as they are read (so that a live input's findings are flushed).
    fn streams(&self) -> bool {
        false
    }
    fn finding(&mut self, _out: &mut dyn Write, _f: &Failure) -> io::Result<()> {
        Ok(())
    }
    fn error(&mut self, _out: &mut dyn Write, _e: &InputError) -> io::Result<()> {
        Ok(())
    }
    fn finish(&mut self, out: &mut dyn Write, r: &Report) -> io::Result<()>;
}

/// The accounting line of the spec, ending every text report.
pub fn accounting(r: &Report) -> String {
    let s = &r.summary;
    format!(
        "{} record{}: {} failure{} ({} diagnosed, {} unrecognized; {} open, {} resolved), {} ignored, {} malformed, {} duplicate{}",
        s.records,
        plural(s.records),
        s.failures,
        plural(s.failures),
        s.diagnosed,
        s.unrecognized,
        s.open,
        s.resolved,
        s.ignored,
        s.malformed,
        s.duplicates,
        plural(s.duplicates)
    )
}

/// What a report says instead of "no failures" when some input could not be read.
pub(super) fn unread_note(n: u64) -> String {
    let what = if n == 1 {
        "1 input".to_owned()
    } else {
        format!("{n} inputs")
    };
    format!("No provisioning failures in what could be read, but {what} could not be read (see the messages on stderr).")
}

/// What a report says first when every failure it read was resolved by a later success.
pub(super) fn all_resolved(r: &Report) -> String {
    match r.summary.resolved {
        1 => {
            "No open provisioning failures: the one failure read was resolved by a later success.".to_owned()
        }
        n => {
            format!("No open provisioning failures: all {n} failures read were resolved by later successes.")
        }
    }
}

pub(super) fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// An app's name as reports show it: with its Okta id when another app of the run has the same name.
pub(super) fn app_name(r: &Report, app: Option<&str>, id: Option<&str>) -> String {
    let Some(name) = app else {
        return "(app not named)".to_owned();
    };
    let shared = r.apps.iter().filter(|a| a.app == name).count() > 1;
    match id {
        Some(id) if shared => format!("{} ({})", clean(name), clean(id)),
        _ => clean(name).into_owned(),
    }
}

/// The first `max` users, then "and N more".
pub(super) fn some_users(users: &[String], max: usize) -> String {
    let shown: Vec<String> = users.iter().take(max).map(|u| clean(u).into_owned()).collect();
    match users.len().saturating_sub(max) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}
