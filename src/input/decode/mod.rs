//! Decoders: a frame (a line, a JSON value, a CSV row) to records, as vector's codecs turn a frame into
//! events. A decoder runs on a worker and knows nothing of where its frames came from but the reading's
//! name, line numbers and limits.

pub mod csv;
pub mod event;
pub mod flat;
pub mod json;
pub mod line;
pub mod siem;
pub mod text;

use crate::input::reading::Reading;
use crate::input::split::{Frame, FrameKind};
use crate::record::{InputError, Record};

/// The record of a frame the splitter already knows to be broken.
pub fn broken_frame(frame: &Frame, reading: &Reading) -> Option<Record> {
    let message = match frame.kind {
        FrameKind::Value => return None,
        FrameKind::Garbage => "not a JSON object".to_owned(),
        FrameKind::CutOff => "event cut off: the input ends inside it".to_owned(),
        FrameKind::TooBig => too_big(reading.limits.max_record),
    };
    let source = reading.source(frame.line);
    Some(Record::Malformed(Box::new(InputError { source, message })))
}

/// What a record over the size limit is told as.
pub fn too_big(max_record: usize) -> String {
    if max_record >= 1 << 20 {
        format!("record longer than {} MiB, skipped", max_record >> 20)
    } else {
        format!("record longer than {max_record} bytes, skipped")
    }
}
