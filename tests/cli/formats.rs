//! Reports for people, scripts and tickets.
