//! `--fail-on`: which failures make the exit code 1, and the exit code a finished run asks for.

use anyhow::{bail, Result};
use std::process::ExitCode;

use crate::group::Report;
use crate::rules::{self, RuleTable};

/// Which failures make the exit code 1: `any`, `none`, or a list of cause ids and `unrecognized`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FailOn {
    any: bool,
    unrecognized: bool,
    causes: Vec<String>,
}

/// The words `--fail-on` takes besides cause ids.
const WORDS: [&str; 3] = ["any", "none", "unrecognized"];

impl FailOn {
    pub fn parse(value: &str, table: &RuleTable) -> Result<Self> {
        let items: Vec<&str> = value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let mut fail_on = FailOn::default();
        let mut none = false;
        for item in &items {
            match rules::normalize_id(item).as_str() {
                "any" => fail_on.any = true,
                "none" => none = true,
                "unrecognized" | "unrecognised" => fail_on.unrecognized = true,
                _ => match table.find(item) {
                    Some(rule) => fail_on.causes.push(rule.id.clone()),
                    None => bail!("{}", unknown(item, table)),
                },
            }
        }
        if items.is_empty() {
            bail!("--fail-on needs a value: any, none, unrecognized, or cause ids (comma-separated)");
        }
        if none && items.len() > 1 {
            bail!("--fail-on none cannot be combined with other values");
        }
        Ok(fail_on)
    }

    /// The exit code a finished run asks for (spec, "Exit codes"): 2 if an input could not be read, 1 if
    /// the report holds a failure this selects, else 0.
    pub fn exit_code(&self, report: &Report, include_resolved: bool) -> ExitCode {
        if report.unreadable_inputs > 0 {
            ExitCode::from(2)
        } else if self.selects(report, include_resolved) {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }

    /// Whether the report holds a failure this selects: an open one, or any with `include_resolved`.
    pub fn selects(&self, r: &Report, include_resolved: bool) -> bool {
        r.failures
            .iter()
            .filter(|f| include_resolved || f.resolved_at.is_none())
            .any(|f| match f.cause.as_deref() {
                _ if self.any => true,
                None => self.unrecognized,
                Some(cause) => self.causes.iter().any(|id| id == cause),
            })
    }
}

/// What to say about a value that is neither a word nor a cause: the nearest valid value, and all of them.
fn unknown(item: &str, table: &RuleTable) -> String {
    let ids = table.ids();
    let valid = WORDS.iter().copied().chain(ids.iter().copied());
    let hint = match rules::nearest(item, valid) {
        Some(near) => format!(" (did you mean '{near}'?)"),
        None => String::new(),
    };
    format!(
        "unknown value '{}' in --fail-on{hint}; use any, none, or a comma-separated list of unrecognized and cause ids: {}",
        crate::text::clean(item),
        ids.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Result<FailOn> {
        FailOn::parse(value, &RuleTable::load(None).expect("built-in table loads"))
    }

    #[test]
    fn words_and_causes_combine_in_a_list() {
        let f = parse("unrecognized, LICENSE_LIMIT_EXCEEDED,invalid-credentials").expect("valid");
        assert!(f.unrecognized && !f.any);
        assert_eq!(f.causes, ["license-limit-exceeded", "invalid-credentials"]);
        assert_eq!(parse("none").expect("valid"), FailOn::default());
        assert!(parse("ANY").expect("valid").any);
    }

    #[test]
    fn a_wrong_value_names_the_nearest_and_the_valid_ones() {
        let err = parse("unrecognized,licence-limit")
            .expect_err("invalid")
            .to_string();
        assert!(err.contains("'licence-limit'"), "{err}");
        assert!(err.contains("did you mean 'license-limit-exceeded'"), "{err}");
        assert!(err.contains("invalid-credentials"), "{err}");
        let err = parse("unrecognised-x").expect_err("invalid").to_string();
        assert!(err.contains("did you mean 'unrecognized'"), "{err}");
        assert!(parse(" , ").is_err());
        assert!(parse("none,any").is_err());
    }
}
