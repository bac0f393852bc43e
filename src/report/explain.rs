//! `explain <CAUSE>` and `rules`: the rule table for people and for scripts.

use anyhow::Result;
use colored::Colorize;
use std::io::Write;

use super::clean;
use crate::rules::{Rule, RuleFile, RuleTable};

/// Everything known about one cause.
pub fn explain(out: &mut dyn Write, rule: &Rule) -> Result<()> {
    writeln!(out, "{} {}", rule.id.bold(), format!("· {}", rule.title).bold())?;
    writeln!(out)?;
    writeln!(out, "{}", rule.summary)?;
    writeln!(out)?;
    writeln!(out, "{}", "What to do:".bold())?;
    for (k, step) in rule.steps_for(None).iter().enumerate() {
        writeln!(out, "  {}. {}", k + 1, clean(step))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", "Recognized by:".bold())?;
    for p in &rule.patterns {
        writeln!(out, "  pattern     {}", clean(p))?;
    }
    for t in &rule.event_types {
        writeln!(out, "  event type  {}", clean(t))?;
    }
    if !rule.examples.matching.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", "Examples:".bold())?;
        for e in &rule.examples.matching {
            writeln!(out, "  {}", clean(e))?;
        }
    }
    if let Some(link) = &rule.source {
        writeln!(out)?;
        writeln!(out, "More: {}", clean(link))?;
    }
    Ok(())
}

/// The table: a line per rule, or the JSON a `--rules` file takes.
pub fn rules(out: &mut dyn Write, table: &RuleTable, json: bool) -> Result<()> {
    if json {
        let file = RuleFile {
            version: 1,
            rules: table.rules().to_vec(),
        };
        super::model::write_json(out, &file, true)?;
        writeln!(out)?;
        return Ok(());
    }
    let width = table.ids().iter().map(|id| id.len()).max().unwrap_or(0);
    for rule in table.rules() {
        writeln!(out, "{:width$}  {}", rule.id.bold(), clean(&rule.title))?;
    }
    writeln!(out)?;
    writeln!(out, "`provdiag explain <CAUSE>` tells everything about one; `provdiag rules --format json` prints the table as data.")?;
    Ok(())
}
