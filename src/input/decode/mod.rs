//! Decoders: a frame (a line, a JSON value, a CSV row) to records.

pub mod csv;
pub mod flat;
pub mod json;
pub mod line;
pub mod siem;
pub mod text;
