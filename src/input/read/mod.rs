//! The readers, one per input shape, each a splitter and a decoder run by `parallel::run` (as ripgrep's
//! searcher runs a line splitter and hands matches to a sink): the opener picks one by the shape.

pub mod csv;
pub mod json;
pub mod ndjson;
pub mod text;
