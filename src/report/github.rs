//! `--format github`: GitHub Actions workflow commands. An `::error` per incident and a `::warning` per
//! group of unrecognized failures or unreadable record, the most important first and no more than GitHub
//! shows, a `::notice` for what did not fit and one with the figures; and, where GitHub asks for one, the
//! markdown report appended to the step summary.

use std::io::{self, Write};
use std::path::PathBuf;

use super::{accounting, clean, markdown::Markdown, shape::unrecognized, some_users, Notes, Writer};
use crate::diagnosis::Diagnosis;
use crate::record::Source;
use crate::rules::RuleTable;

/// GitHub shows at most this many `::error` and this many `::warning` annotations of one step; the rest
/// are dropped without a word, so the report says itself how many it left out.
const SHOWN: usize = 10;

pub struct Github {
    /// The step summary file (`GITHUB_STEP_SUMMARY`), when the run is a GitHub Actions step.
    summary: Option<PathBuf>,
}

impl Github {
    pub fn new() -> Self {
        let summary = std::env::var_os("GITHUB_STEP_SUMMARY")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        Self { summary }
    }

    /// Appends the markdown report to the step summary. A summary that cannot be written costs only itself:
    /// the annotations are already out, and the run's outcome does not change.
    fn append_summary(&self, d: &Diagnosis, table: &RuleTable) -> io::Result<()> {
        let Some(path) = &self.summary else {
            return Ok(());
        };
        let mut report = Vec::new();
        Markdown.finish(&mut report, d, table)?;
        let written = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .and_then(|mut f| f.write_all(&report));
        if let Err(e) = written {
            Notes::warn(&format!(
                "cannot append the report to the step summary {} (GITHUB_STEP_SUMMARY): {e}",
                path.display()
            ));
        }
        Ok(())
    }
}

/// A message: `%`, CR and LF encoded (GitHub's rules for workflow command data). Text from the input is
/// `clean`ed before it gets here, so the only line breaks left are ours.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value: as data, plus `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `file=…,line=…,` when the place is a file in the workspace, not stdin or `-m`.
fn place(source: &Source) -> String {
    match &*source.path {
        "-" | "--message" => String::new(),
        path => format!("file={},line={},", property(&clean(path)), source.line),
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Writer for Github {
    fn finish(&mut self, out: &mut dyn Write, d: &Diagnosis, table: &RuleTable) -> io::Result<()> {
        // Most important first: incidents come most failures first.
        let errors: Vec<String> = d
            .incidents()
            .into_iter()
            .filter_map(|i| {
                let rule = &table.rules()[i.cause?];
                let app = i.app.as_deref().map(|a| clean(a).into_owned());
                let mut msg = plural(i.failures, "failure", "failures");
                if let Some(app) = &app {
                    msg += &format!(" on {app}");
                }
                msg += &format!(" [{}]", rule.id);
                if !i.users.is_empty() {
                    msg += &format!("; users: {}", some_users(&i.users, 10));
                }
                msg += "\nWhat to do:";
                for (k, step) in rule.steps_for(i.app.as_deref()).iter().enumerate() {
                    msg += &format!("\n{}. {}", k + 1, clean(step));
                }
                let title = match &app {
                    Some(app) => format!("{} ({app})", clean(&rule.title)),
                    None => clean(&rule.title).into_owned(),
                };
                let at = place(&d.findings[i.first_finding].finding.source);
                Some(format!("::error {at}title={}::{}", property(&title), data(&msg)))
            })
            .collect();
        let mut warnings: Vec<String> = unrecognized(d)
            .into_iter()
            .map(|g| {
                let title = match g.app {
                    Some(app) => format!("Unrecognized provisioning failure ({})", clean(app)),
                    None => "Unrecognized provisioning failure".to_owned(),
                };
                let at = place(&d.findings[g.first].finding.source);
                let msg = format!("{}× {}", g.count, clean(&g.shape));
                format!("::warning {at}title={}::{}", property(&title), data(&msg))
            })
            .collect();
        warnings.extend(d.errors.iter().map(|e| {
            let at = place(&e.source);
            format!(
                "::warning {at}title=Unreadable record::{}",
                data(&clean(&e.message))
            )
        }));
        for line in errors.iter().take(SHOWN).chain(warnings.iter().take(SHOWN)) {
            writeln!(out, "{line}")?;
        }
        let (more_errors, more_warnings) = (
            errors.len().saturating_sub(SHOWN) as u64,
            warnings.len().saturating_sub(SHOWN) as u64,
        );
        if more_errors + more_warnings > 0 {
            let mut left = Vec::new();
            if more_errors > 0 {
                left.push(plural(more_errors, "more incident", "more incidents"));
            }
            if more_warnings > 0 {
                left.push(plural(more_warnings, "more warning", "more warnings"));
            }
            writeln!(
                out,
                "::notice title=provdiag::{} not annotated: GitHub shows {SHOWN} errors and {SHOWN} warnings of a step. The step summary (or --format markdown) has them all.",
                left.join(" and ")
            )?;
        }
        writeln!(out, "::notice title=provdiag::{}", data(&accounting(d)))?;
        self.append_summary(d, table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escaping_follows_githubs_rules() {
        assert_eq!(data("50% done\r\nnext: a,b"), "50%25 done%0D%0Anext: a,b");
        assert_eq!(property("Box: EU, prod 5%"), "Box%3A EU%2C prod 5%25");
    }
}
