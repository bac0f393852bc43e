//! An incident's people, open and resolved apart: a person is open while any of their failures in the
//! incident is; resolved once every one of them is. Both lists keep the order people were first seen, and
//! together they are the incident's `users`.

use crate::group::{Incident, Report};

/// (open, resolved) users of `i`.
pub fn split(i: &Incident, r: &Report) -> (Vec<String>, Vec<String>) {
    let open: std::collections::HashSet<&str> = i
        .members
        .iter()
        .filter_map(|&k| r.failures.get(k))
        .filter(|f| f.resolved_at.is_none())
        .filter_map(|f| f.finding.user.as_ref().or(f.finding.login.as_ref()))
        .map(String::as_str)
        .collect();
    i.users.iter().cloned().partition(|u| open.contains(u.as_str()))
}
