//! What decides a run's exit code once everything is read: `--fail-on`, `--include-resolved`, and with
//! `--state` the failures earlier runs left open and the acknowledgements.

use std::process::ExitCode;

use crate::fail_on::FailOn;
use crate::group::{Ledger, Report};
use crate::report::Notes;
use crate::rules::RuleTable;
use crate::state::Carry;

/// `--fail-on`, `--include-resolved` and the state a run carries, applied to its report before it is written.
#[derive(Default)]
pub struct Verdict {
    pub(crate) fail_on: FailOn,
    pub(crate) include_resolved: bool,
    pub(crate) carry: Option<Carry>,
}

impl Verdict {
    pub(crate) fn new(fail_on: FailOn, include_resolved: bool, carry: Option<Carry>) -> Verdict {
        Verdict {
            fail_on,
            include_resolved,
            carry,
        }
    }

    /// Which of the state's open failures this run's successes resolve: asked before the ledger closes.
    pub(crate) fn resolved_by(&self, ledger: &mut Ledger) -> Vec<bool> {
        self.carry.as_ref().map_or_else(Vec::new, |c| {
            c.findings().iter().map(|f| ledger.resolves(f)).collect()
        })
    }

    /// Folds the state into the report and marks the incidents that fail the run.
    pub(crate) fn decide(&mut self, report: &mut Report, resolved: &[bool], table: &RuleTable) {
        if let Some(carry) = &mut self.carry {
            carry.fold(report, resolved, table);
        }
        self.fail_on.mark(report, self.include_resolved);
    }

    /// Writes the state back once the report is out, and the exit code the run asks for (spec, "Exit
    /// codes"): `FailOn::exit_code`'s, or 2 if the state cannot be written (said on stderr): the report
    /// stands, but the next run would not know what this one saw.
    pub(crate) fn finish(&self, report: &Report) -> ExitCode {
        match self.carry.as_ref().map(Carry::save) {
            Some(Err(e)) => {
                Notes::default().unreadable(&e);
                ExitCode::from(2)
            }
            _ => FailOn::exit_code(report),
        }
    }
}
