//! `--fail-on`: which failures make the exit code 1.

use anyhow::{bail, Result};

use crate::group::Report;
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

    /// Whether the report holds a failure this selects: an open one, or any with `include_resolved`.
    pub fn selects(&self, r: &Report, include_resolved: bool) -> bool {
        let mut counted = r
            .failures
            .iter()
            .filter(|f| include_resolved || f.resolved_at.is_none());
        match self {
            FailOn::Any => counted.next().is_some(),
            FailOn::Unrecognized => counted.any(|f| f.cause.is_none()),
            FailOn::Nothing => false,
            FailOn::Causes(ids) => {
                counted.any(|f| f.cause.as_deref().is_some_and(|c| ids.iter().any(|id| id == c)))
            }
        }
    }
}
