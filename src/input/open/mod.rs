//! Opening an input: what its first bytes say it is.

pub mod detect;
