//! NDJSON: the line splitter, and the JSON decoder reading each line (a line that is not JSON but holds a
//! Tasks sentence, pasted into the file, is that failure).

use std::io::Read;

use crate::input::decode::json::parse_lines;
use crate::input::parallel;
use crate::input::reading::Reading;
use crate::input::sink::{ReadFail, Sink};
use crate::input::split::lines::Lines;

/// Reads one event per line.
pub fn read(input: impl Read + Send, reading: &Reading, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    parallel::run(Lines::new(input, reading.limits), parse_lines, reading, sink)
}
