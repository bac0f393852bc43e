//! What Okta's words mean, with no I/O: the ground floor every stage above reads from.

pub mod anatomy;
