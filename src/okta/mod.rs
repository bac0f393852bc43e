//! The ground floor: what Okta's words mean, with no I/O. Every stage above imports from here; no reader
//! reaches into a sibling reader for Okta's vocabulary.
//!
//! - `event`: which event types are provisioning operations, what an outcome means, the operation a type
//!   names, and the event with its one target type;
//! - `tasks`: the Tasks sentence and the shapes of a provisioning error copied without it;
//! - `fields`: every name Okta's CSV and the SIEMs (Sentinel, Splunk, Elastic) give a LogEvent's fields;
//! - `anatomy`: the layers of an error message (Okta's wrapper and its operation, the HTTP status, the app's
//!   reason, the JSON bodies in it), which the reader of a pasted line and the matcher both ask.

pub mod anatomy;
pub mod event;
pub mod fields;
pub mod tasks;

pub use event::{is_provisioning, operation, Event, Named, Outcome, TargetRef, PROVISIONING_PREFIXES};
