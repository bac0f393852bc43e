//! The overview a busy admin reads first: one line per incident (state, cause, app, its users, since when),
//! open ones first, in the order the details follow. `--brief` prints it and the figures only.

use crate::group::{Incident, Report};

pub struct Row {
    /// `open` or `resolved`.
    pub state: &'static str,
    /// The cause id, or `unrecognized`.
    pub cause: String,
    pub app: String,
    /// The open users of an open incident; the resolved ones of a resolved incident.
    pub users: usize,
    /// The earliest failure still open (of a resolved incident: its first), where events have times.
    pub since: Option<String>,
}

/// The rows, open incidents first.
pub fn rows(r: &Report) -> Vec<Row> {
    let (open, resolved): (Vec<&Incident>, Vec<&Incident>) = r.incidents.iter().partition(|i| i.open > 0);
    open.into_iter()
        .chain(resolved)
        .map(|i| {
            let (open_users, resolved_users) = i.users_apart(r);
            let since = i
                .members
                .iter()
                .filter_map(|&k| r.failures.get(k))
                .filter(|f| i.open == 0 || f.resolved_at.is_none())
                .filter_map(|f| f.finding.published.clone())
                .min_by(|a, b| {
                    if crate::group::earlier(a, b) {
                        std::cmp::Ordering::Less
                    } else {
                        std::cmp::Ordering::Greater
                    }
                });
            Row {
                state: if i.open > 0 { "open" } else { "resolved" },
                cause: i
                    .cause
                    .as_ref()
                    .map_or_else(|| "unrecognized".to_owned(), |c| c.id.to_string()),
                app: i.app.clone().unwrap_or_else(|| "(app not named)".to_owned()),
                users: if i.open > 0 {
                    open_users.len()
                } else {
                    resolved_users.len()
                },
                since,
            }
        })
        .collect()
}

/// "1 user", "3 users"; "no user named" where the events name nobody.
pub fn users(n: usize) -> String {
    match n {
        0 => "no user named".to_owned(),
        1 => "1 user".to_owned(),
        n => format!("{n} users"),
    }
}
