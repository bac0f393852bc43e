//! Apps: which events are about the same app (by Okta id where known, else by name), and how each fared.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;

use super::kept::Failures;
use super::model::{time_text, App};
use super::resolve::Map;
use crate::record::keys::{Hasher, Key, Subject, Where};
use crate::record::Finding;

/// What is known of one (app id, app name) pair.
#[derive(Default)]
struct Entry {
    id: Option<String>,
    name: Option<String>,
    successes: u64,
    last_success: Option<Timestamp>,
    /// Of any event: a renamed app goes by its latest name.
    last_seen: Option<Timestamp>,
}

/// The apps' successes as they are read: one entry per distinct (id, name), not per event.
#[derive(Default)]
pub(super) struct Tally {
    entries: Vec<(Where, Entry)>,
    at: Map<Where, usize>,
}

/// The apps of a run, and the app of each failure (an index into `lines`).
pub(super) struct Closed {
    pub lines: Vec<App>,
    /// Indices into `lines` (as u32: one of these per failure).
    pub of_failure: Vec<Option<u32>>,
}

impl Tally {
    fn entry(&mut self, app: Where, (id, name): (Option<&str>, Option<&str>)) -> &mut Entry {
        let k = *self.at.entry(app).or_insert_with(|| {
            self.entries.push((
                app,
                Entry {
                    id: id.map(str::to_owned),
                    name: name.map(str::to_owned),
                    ..Entry::default()
                },
            ));
            self.entries.len() - 1
        });
        &mut self.entries[k].1
    }

    pub(super) fn success(&mut self, s: &Subject, f: &Finding) {
        if s.app.is_none() {
            return;
        }
        let e = self.entry(s.app, (f.app_id.as_deref(), f.app.as_deref()));
        e.successes += 1;
        e.last_success = e.last_success.max(s.at);
        e.last_seen = e.last_seen.max(s.at);
    }

    pub(super) fn close(mut self, hasher: &Hasher, failures: &Failures) -> Closed {
        for k in 0..failures.len() {
            let (app, at) = failures.app_and_time(hasher, k);
            if !app.is_none() {
                let e = self.entry(app, failures.app(k));
                e.last_seen = e.last_seen.max(at);
            }
        }
        let group_of = groups(&self.entries);
        let n = group_of.iter().flatten().max().map_or(0, |g| g + 1);
        let mut lines: Vec<App> = (0..n)
            .map(|_| App {
                app: String::new(),
                app_id: None,
                successes: 0,
                open: 0,
                resolved: 0,
                last_success: None,
                last_failure: None,
                failing: false,
            })
            .collect();
        let mut named_at: Vec<Option<Option<Timestamp>>> = vec![None; n];
        let mut last_success: Vec<Option<Timestamp>> = vec![None; n];
        for ((_, e), g) in self.entries.iter().zip(&group_of) {
            let Some(g) = *g else { continue };
            let line = &mut lines[g];
            line.successes += e.successes;
            last_success[g] = last_success[g].max(e.last_success);
            if named_at[g].is_none_or(|at| e.last_seen > at) {
                named_at[g] = Some(e.last_seen);
                line.app = e.name.clone().or_else(|| e.id.clone()).unwrap_or_default();
            }
            if line.app_id.is_none() {
                line.app_id = e.id.clone();
            }
        }
        let mut last_failure: Vec<Option<Timestamp>> = vec![None; n];
        let mut of_failure = Vec::with_capacity(failures.len());
        for k in 0..failures.len() {
            let (app, at) = failures.app_and_time(hasher, k);
            let g = self
                .at
                .get(&app)
                .and_then(|&k| group_of[k])
                .filter(|_| !app.is_none());
            of_failure.push(g.map(|g| g as u32));
            let Some(g) = g else { continue };
            if failures.is_open(k) {
                lines[g].open += 1;
            } else {
                lines[g].resolved += 1;
            }
            last_failure[g] = last_failure[g].max(at);
        }
        for (g, line) in lines.iter_mut().enumerate() {
            line.last_success = last_success[g].map(time_text);
            line.last_failure = last_failure[g].map(time_text);
            line.failing = match (last_failure[g], last_success[g]) {
                (Some(f), Some(s)) => f > s,
                (Some(_), None) => true,
                (None, _) => line.open > 0 && line.successes == 0,
            };
        }
        // Failing apps first, then by name: the ones to look at stand at the top.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&lines[a], &lines[b]);
            y.failing
                .cmp(&x.failing)
                .then_with(|| x.app.to_lowercase().cmp(&y.app.to_lowercase()))
                .then_with(|| x.app_id.cmp(&y.app_id))
        });
        let mut new_index = vec![0; n];
        for (to, &from) in order.iter().enumerate() {
            new_index[from] = to;
        }
        let mut slots: Vec<Option<App>> = lines.into_iter().map(Some).collect();
        let lines = order.iter().filter_map(|&g| slots[g].take()).collect();
        for g in of_failure.iter_mut().flatten() {
            *g = new_index[*g as usize] as u32;
        }
        Closed { lines, of_failure }
    }
}

/// The app each entry belongs to: entries with an Okta id by that id; an entry with only a name joins the one
/// id that name goes with, or, if the name goes with none or several, stands for itself.
fn groups(entries: &[(Where, Entry)]) -> Vec<Option<usize>> {
    let mut by_id: HashMap<Key, usize> = HashMap::new();
    let mut ids_of_name: HashMap<Key, HashSet<usize>> = HashMap::new();
    let mut next = 0;
    let mut out = vec![None; entries.len()];
    for (k, (w, _)) in entries.iter().enumerate() {
        if let Some(id) = w.id {
            let g = *by_id.entry(id).or_insert_with(|| {
                next += 1;
                next - 1
            });
            out[k] = Some(g);
            if let Some(name) = w.name {
                ids_of_name.entry(name).or_default().insert(g);
            }
        }
    }
    let mut by_name: HashMap<Key, usize> = HashMap::new();
    for (k, (w, _)) in entries.iter().enumerate() {
        if let (None, Some(name)) = (w.id, w.name) {
            out[k] = Some(match ids_of_name.get(&name) {
                Some(gs) if gs.len() == 1 => *gs.iter().next().unwrap_or(&0),
                _ => *by_name.entry(name).or_insert_with(|| {
                    next += 1;
                    next - 1
                }),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::keys::Hasher;

    #[test]
    fn a_name_joins_the_one_id_it_goes_with_and_stands_alone_when_it_goes_with_several() {
        let h = Hasher::default();
        let entry = |id: Option<&str>, name: &str| (h.app(id, Some(name)), Entry::default());
        let entries = [
            entry(Some("0oa1"), "Salesforce.com"),
            entry(None, "salesforce.com"),
            entry(Some("0oa2"), "Box"),
            entry(Some("0oa3"), "Box"),
            entry(None, "Box"),
            entry(Some("0oa1"), "Salesforce (renamed)"),
            (Where::default(), Entry::default()),
        ];
        let g = groups(&entries);
        assert_eq!(g[0], g[1], "a pasted name joins its app's id, whatever the case");
        assert_eq!(g[0], g[5], "a renamed app keeps its id");
        assert_ne!(g[2], g[3], "two apps named Box");
        assert!(
            g[4].is_some() && g[4] != g[2] && g[4] != g[3],
            "which Box is unknown"
        );
        assert_eq!(g[6], None, "no app named");
    }
}
