//! The whole pipeline (detect, read, match, redact, group, report) on arbitrary bytes: it must never
//! panic, and the spec's accounting must hold whatever it reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use provdiag::input::{InputFormat, InputSpec};
use provdiag::redact::RedactKey;
use provdiag::report::OutputFormat;
use provdiag::rules::RuleTable;
use provdiag::group::Filter;
use provdiag::{run_pipeline, Options};
use std::sync::LazyLock;

static TABLE: LazyLock<RuleTable> = LazyLock::new(|| RuleTable::load(None).expect("built-in rules"));

const INPUTS: [InputFormat; 5] =
    [InputFormat::Auto, InputFormat::Text, InputFormat::Json, InputFormat::Ndjson, InputFormat::Csv];
const OUTPUTS: [OutputFormat; 5] =
    [OutputFormat::Text, OutputFormat::Json, OutputFormat::Ndjson, OutputFormat::Markdown, OutputFormat::Github];

fuzz_target!(|data: &[u8]| {
    // The first byte picks the reader, the output format and --redact; the rest is the input.
    let Some((&pick, bytes)) = data.split_first() else { return };
    let options = Options {
        input: INPUTS[usize::from(pick) % 5],
        format: OUTPUTS[usize::from(pick / 5) % 5],
        strict: false,
        redact: (pick >= 128).then(|| RedactKey::new(b"fuzz")),
        to_terminal: false,
        brief: false,
        filter: Filter::default(),
    };
    let mut out = Vec::new();
    let diagnosis = run_pipeline(&[InputSpec::Message(bytes.to_vec())], &options, &TABLE, &mut out)
        .expect("without --strict, only a failed write ends a run");
    let s = diagnosis.summary;
    assert_eq!(s.records, s.failures + s.ignored + s.malformed + s.duplicates);
    assert_eq!(s.failures, s.diagnosed + s.unrecognized);
    assert_eq!(s.failures, s.open + s.resolved);
    let report = String::from_utf8(out).expect("reports are UTF-8");
    if !matches!(options.format, OutputFormat::Text) {
        assert!(!report.chars().any(|c| c.is_control() && c != '\n'), "control character in report");
    }
});
