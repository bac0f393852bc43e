//! `--fail-on`: which failures make the exit code 1.

use anyhow::{bail, Result};

use crate::diagnosis::Diagnosis;
use crate::report;
use crate::rules::RuleTable;

/// Which failures make the exit code 1.
pub enum FailOn {
    Any,
    Unrecognized,
    Nothing,
    Causes(Vec<String>),
}

impl FailOn {
    pub fn parse(value: &str, table: &RuleTable) -> Result<Self> {
        Ok(match value.trim() {
            "any" => FailOn::Any,
            "unrecognized" => FailOn::Unrecognized,
            "none" => FailOn::Nothing,
            list => {
                let ids: Vec<String> = list
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                if ids.is_empty() {
                    bail!("--fail-on needs any, unrecognized, none, or cause ids");
                }
                if let Some(bad) = ids.iter().find(|id| table.get(id).is_none()) {
                    bail!(
                        "unknown cause '{}' in --fail-on; use any, unrecognized, none, or one of: {}",
                        report::clean(bad),
                        table.ids().join(", ")
                    );
                }
                FailOn::Causes(ids)
            }
        })
    }

    pub fn selects(&self, d: &Diagnosis) -> bool {
        let s = &d.summary;
        match self {
            FailOn::Any => s.failures > 0,
            FailOn::Unrecognized => s.unrecognized > 0,
            FailOn::Nothing => false,
            FailOn::Causes(ids) => ids.iter().any(|id| s.by_cause.contains_key(id)),
        }
    }
}
