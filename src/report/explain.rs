//! `explain <CAUSE>` and `rules`: the rule table for people and for scripts.

use anyhow::Result;
use colored::Colorize;
use std::io::Write;

use crate::rules::{Problem, Rule, RuleFile, RuleTable};
use crate::text::clean;

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
    if !rule.other_causes.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", "Other causes of the same message:".bold())?;
        for (k, o) in rule.other_causes.iter().enumerate() {
            writeln!(out, "  {}. {}", k + 1, clean(&o.cause))?;
            writeln!(out, "     How to tell: {}", clean(&o.tell))?;
            writeln!(out, "     Fix: {}", clean(&o.fix))?;
            if let Some(s) = &o.source {
                writeln!(out, "     Source: {}", clean(s))?;
            }
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", "Recognized by:".bold())?;
    for p in &rule.patterns {
        writeln!(out, "  pattern     {}", clean(p))?;
    }
    for p in &rule.unless {
        writeln!(out, "  unless      {}", clean(p))?;
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
    // The articles about one app, labelled with it, after the source that documents the cause in general.
    for a in &rule.app_sources {
        writeln!(out, "An example from {}: {}", clean(&a.app), clean(&a.url))?;
    }
    Ok(())
}

/// The table: a line per rule, or the JSON a `--rules` file takes.
pub fn rules(out: &mut dyn Write, table: &RuleTable, json: bool) -> Result<()> {
    if json {
        let file = RuleFile {
            version: 1,
            retired: table.retired().to_vec(),
            rules: table.rules().to_vec(),
            fallbacks: table.fallbacks().clone(),
            contexts: table.contexts().to_vec(),
        };
        super::model::write_json(out, &file, true)?;
        writeln!(out)?;
        return Ok(());
    }
    let width = table.ids().iter().map(|id| id.len()).max().unwrap_or(0);
    for rule in table.rules() {
        let others = match rule.other_causes.len() {
            0 => String::new(),
            1 => " (and 1 other cause)".to_owned(),
            n => format!(" (and {n} other causes)"),
        };
        writeln!(out, "{:width$}  {}{others}", rule.id.bold(), clean(&rule.title))?;
    }
    if !table.retired().is_empty() {
        writeln!(out)?;
        writeln!(out, "Retired ids (never reused):")?;
        for r in table.retired() {
            writeln!(out, "  {}  {}", clean(&r.id), clean(&r.reason))?;
        }
    }
    writeln!(out)?;
    writeln!(out, "`provdiag explain <CAUSE>` tells everything about one; `provdiag rules --format json` prints the table as data.")?;
    Ok(())
}

/// `rules test`'s warnings: one line each, before the problems and the verdict.
pub fn rules_warnings(out: &mut dyn Write, path: &str, warnings: &[String]) -> Result<()> {
    for w in warnings {
        writeln!(out, "{}: warning: {}", clean(path), clean(w))?;
    }
    Ok(())
}

/// What `rules test FILE` found: one line per problem, then a count. True when the file is sound.
pub fn rules_test(out: &mut dyn Write, path: &str, rules: usize, problems: &[Problem]) -> Result<bool> {
    for p in problems {
        writeln!(out, "{}: {}", clean(path), clean(&p.to_string()))?;
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if problems.is_empty() {
        writeln!(
            out,
            "{}: {} checked: schema, patterns and examples hold",
            clean(path),
            plural(rules, "rule")
        )?;
    } else if rules == 0 {
        writeln!(out, "{}: {}", clean(path), plural(problems.len(), "problem"))?;
    } else {
        writeln!(
            out,
            "{}: {} in {}",
            clean(path),
            plural(problems.len(), "problem"),
            plural(rules, "rule")
        )?;
    }
    Ok(problems.is_empty())
}
