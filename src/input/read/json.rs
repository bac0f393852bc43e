//! JSON streams: the JSON framer, and the JSON decoder reading each value it cuts.

use std::io::Read;

use crate::input::decode::json::parse_values;
use crate::input::parallel;
use crate::input::reading::Reading;
use crate::input::sink::{ReadFail, Sink};
use crate::input::split::json::Framer;

/// Reads a stream of JSON values: arrays of events, single events, event hook deliveries, in any layout.
pub fn read(input: impl Read + Send, reading: &Reading, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    parallel::run(Framer::new(input, reading.limits), parse_values, reading, sink)
}
