//! `--format github`: GitHub Actions workflow commands. An `::error` per open diagnosed incident and a
//! `::warning` per message shape of open unrecognized failures or per unreadable record, the most important
//! first and no more than GitHub shows (an incident's says what the app said, why it has its cause and
//! what to do), a `::notice` per note, one for what did not fit and one with the figures; and, where GitHub
//! asks for one, the markdown report appended to the step summary. What later successes resolved is not
//! annotated: it needs nobody's attention.

use std::io::{self, Write};
use std::path::PathBuf;

use super::markdown::Markdown;
use super::notes::Notes;
use super::shape::messages;
use super::wording;
use super::writer::{accounting, app_name, some_users, Writer};
use crate::group::{Incident, Report};
use crate::record::Source;
use crate::text::clean;

/// GitHub shows at most this many annotations of each kind (`::error`, `::warning`, `::notice`) of one
/// step; the rest are dropped without a word, so the report says itself how many it left out.
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
    fn append_summary(&self, d: &Report) -> io::Result<()> {
        let Some(path) = &self.summary else {
            return Ok(());
        };
        let mut report = Vec::new();
        Markdown { brief: false }.finish(&mut report, d)?;
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

/// `file=…,line=…,` when the place is a file in the workspace, not stdin, `-m` or a page `pull` read from
/// Okta's API (named by its URL).
fn place(source: &Source) -> String {
    match &*source.path {
        "-" | "--message" => String::new(),
        path if path.contains("://") => String::new(),
        path => format!("file={},line={},", property(&clean(path)), source.line),
    }
}

/// The place of an incident's first failure; none for one carried from earlier runs only (`--state`).
fn incident_place(d: &Report, i: &Incident) -> String {
    if i.members.is_empty() {
        return String::new();
    }
    d.failures
        .get(i.first(d))
        .map_or_else(String::new, |f| place(&f.finding.source))
}

/// `::error` for what fails the run (`--fail-on`), `::warning` for the rest.
fn level(fails: bool) -> &'static str {
    if fails {
        "error"
    } else {
        "warning"
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Writer for Github {
    fn finish(&mut self, out: &mut dyn Write, d: &Report) -> io::Result<()> {
        // `--fail-on` decides the level: what fails the run is an `::error`, the rest (acknowledged and
        // unselected incidents) are `::warning`s, the most important first either way.
        let (errors, warnings): (Vec<String>, Vec<String>) = incidents(d)
            .into_iter()
            .chain(warnings(d))
            .partition(|line| line.starts_with("::error"));
        let notes: Vec<String> = d
            .notes
            .iter()
            .map(|n| format!("::notice title=provdiag note::{}", data(&clean(n))))
            .collect();
        // Two notices always have room: what did not fit, and the figures.
        let kinds = [
            (&errors, SHOWN, "incident"),
            (&warnings, SHOWN, "warning"),
            (&notes, SHOWN - 2, "note"),
        ];
        let mut left = Vec::new();
        for (lines, room, kind) in kinds {
            for line in lines.iter().take(room) {
                writeln!(out, "{line}")?;
            }
            let mut more = lines.len().saturating_sub(room) as u64;
            if kind == "warning" {
                // Unreadable records past those the report keeps are warnings not annotated too.
                more += d.summary.malformed.saturating_sub(d.errors.len() as u64);
            }
            if more > 0 {
                left.push(format!("{more} more {kind}{}", if more == 1 { "" } else { "s" }));
            }
        }
        if let Some((last, first)) = left.split_last() {
            let list = match first {
                [] => last.clone(),
                _ => format!("{} and {last}", first.join(", ")),
            };
            writeln!(
                out,
                "::notice title=provdiag::{list} not annotated: GitHub shows {SHOWN} annotations of each kind per step. The step summary (or --format markdown) has them all."
            )?;
        }
        writeln!(out, "::notice title=provdiag::{}", data(&accounting(d)))?;
        self.append_summary(d)
    }
}

/// An annotation per open diagnosed incident; open incidents come most open failures first.
fn incidents(d: &Report) -> Vec<String> {
    d.incidents
        .iter()
        .filter(|i| i.open > 0 || i.fails)
        .filter_map(|i| {
            let cause = i.cause.as_ref()?;
            let app = i
                .app
                .as_deref()
                .map(|a| app_name(d, Some(a), i.app_id.as_deref()));
            let mut msg = plural(i.open, "open failure", "open failures");
            if let Some(app) = &app {
                msg += &format!(" on {app}");
            }
            msg += &format!(" [{}]", cause.id);
            if i.resolved > 0 {
                msg += &format!(" ({} resolved)", i.resolved);
            }
            if !i.users.is_empty() {
                msg += &format!("; users: {}", some_users(&i.users, 10));
            }
            if let Some(since) = &i.open_since {
                msg += &format!("; open since {}", clean(since));
            }
            if let Some(ack) = &i.acknowledged {
                msg += &format!(
                    "\nAcknowledged until {}: {}",
                    clean(&ack.until),
                    clean(&ack.reason)
                );
            }
            let said = messages(d, i);
            if !said.is_empty() {
                msg += &format!("\n{} said:", app.as_deref().unwrap_or("The app"));
                for m in said.iter().take(3) {
                    msg += &format!("\n{}× {}", m.count, clean(&m.shape));
                }
            }
            if let Some(w) = &i.why {
                msg += &format!("\n{}", clean(&wording::why(w, &i.alternatives)));
            }
            msg += "\nWhat to do:";
            for (k, step) in cause.remediation.iter().enumerate() {
                msg += &format!("\n{}. {}", k + 1, clean(step));
            }
            if let Some(source) = &cause.source {
                msg += &format!("\nMore: {}", clean(source));
            }
            let title = match &app {
                Some(app) => format!("{} ({app})", clean(&cause.title)),
                None => clean(&cause.title).into_owned(),
            };
            let at = incident_place(d, i);
            Some(format!(
                "::{} {at}title={}::{}",
                level(i.fails),
                property(&title),
                data(&msg)
            ))
        })
        .collect()
}

/// A `::warning` per message shape of open unrecognized failures (most failures first, whatever the app),
/// then one per unreadable record.
fn warnings(d: &Report) -> Vec<String> {
    let mut shapes: Vec<(u64, String)> = d
        .incidents
        .iter()
        .filter(|i| i.open > 0 && i.cause.is_none())
        .flat_map(|i| {
            let level = level(i.fails);
            let title = match i.app.as_deref() {
                Some(a) => format!(
                    "Unrecognized provisioning failure ({})",
                    app_name(d, Some(a), i.app_id.as_deref())
                ),
                None => "Unrecognized provisioning failure".to_owned(),
            };
            let carried = (i.carried > 0).then(|| {
                let msg = format!(
                    "{} still open from earlier runs{}",
                    plural(i.carried, "failure", "failures"),
                    i.open_since
                        .as_deref()
                        .map(|s| format!(", since {}", clean(s)))
                        .unwrap_or_default()
                );
                let line = format!("::{level} title={}::{}", property(&title), data(&msg));
                (i.carried, line)
            });
            messages(d, i)
                .into_iter()
                .map(move |m| {
                    let at = d
                        .failures
                        .get(m.first)
                        .map_or_else(String::new, |f| place(&f.finding.source));
                    let msg = format!("{}× {}", m.count, clean(&m.shape));
                    let line = format!("::{level} {at}title={}::{}", property(&title), data(&msg));
                    (m.count, line)
                })
                .chain(carried)
        })
        .collect();
    shapes.sort_by_key(|(count, _)| std::cmp::Reverse(*count));
    let mut lines: Vec<String> = shapes.into_iter().map(|(_, line)| line).collect();
    lines.extend(d.errors.iter().map(|e| {
        let at = place(&e.source);
        format!(
            "::warning {at}title=Unreadable record::{}",
            data(&clean(&e.message))
        )
    }));
    lines
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
