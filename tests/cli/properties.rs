//! Properties over arbitrary and damaged bytes: no reader panics, the spec's accounting always holds, and
//! one broken record costs only itself.

use proptest::prelude::*;
use provdiag::group::{Filter, Summary};
use provdiag::input::{InputFormat, InputSpec};
use provdiag::redact::RedactKey;
use provdiag::report::OutputFormat;
use provdiag::rules::RuleTable;
use provdiag::{run_pipeline, Options};

const INPUTS: [InputFormat; 5] = [
    InputFormat::Auto,
    InputFormat::Text,
    InputFormat::Json,
    InputFormat::Ndjson,
    InputFormat::Csv,
];
const OUTPUTS: [OutputFormat; 5] = [
    OutputFormat::Text,
    OutputFormat::Json,
    OutputFormat::Ndjson,
    OutputFormat::Markdown,
    OutputFormat::Github,
];

/// Runs the whole pipeline on `bytes`; the summary, or None if the input was refused as a whole.
fn run(bytes: &[u8], input: InputFormat, format: OutputFormat, redact: bool) -> Option<Summary> {
    static TABLE: std::sync::LazyLock<RuleTable> =
        std::sync::LazyLock::new(|| RuleTable::load(None).expect("built-in rules"));
    let table = &*TABLE;
    let options = Options {
        input,
        format,
        strict: false,
        redact: redact.then(|| RedactKey::new(b"a test key")),
        to_terminal: false,
        brief: false,
        filter: Filter::default(),
    };
    let mut out = Vec::new();
    let diagnosis = run_pipeline(&[InputSpec::Message(bytes.to_vec())], &options, table, &mut out)
        .expect("only --strict or a failed write ends a run");
    if format != OutputFormat::Text {
        let text = String::from_utf8(out).expect("reports are UTF-8");
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "a control character reached the report"
        );
        match format {
            OutputFormat::Json => super::schema::assert_valid_document(
                &serde_json::from_str(&text).expect("the JSON report is JSON"),
            ),
            OutputFormat::Ndjson => super::schema::assert_valid_ndjson(&text),
            _ => {}
        }
    }
    let unreadable = diagnosis.unreadable_inputs > 0;
    let s = diagnosis.summary;
    assert_eq!(
        s.records,
        s.failures + s.ignored + s.malformed + s.duplicates,
        "{s:?}"
    );
    assert_eq!(s.failures, s.diagnosed + s.unrecognized, "{s:?}");
    assert_eq!(s.by_cause.values().sum::<u64>(), s.diagnosed, "{s:?}");
    (!unreadable).then_some(s)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::proptest_cases(200)))]

    #[test]
    fn arbitrary_bytes_never_break_any_reader(bytes in proptest::collection::vec(any::<u8>(), 0..2048), i in 0..5usize, o in 0..5usize, redact: bool) {
        run(&bytes, INPUTS[i], OUTPUTS[o], redact);
    }

    #[test]
    fn json_like_noise_never_breaks_the_json_readers(text in "[\\[\\]{}\",:a-z0-9 \\n\\\\]{0,400}", i in 0..5usize) {
        run(text.as_bytes(), INPUTS[i], OutputFormat::Json, false);
    }

    #[test]
    fn damaged_exports_keep_their_accounting(name in prop::sample::select(vec![
            "syslog-api-page.json", "syslog.ndjson", "event-hook.json", "syslog-export.csv", "tasks-paste.txt",
            "syslog-pages-overlap.json"]),
        cut in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        junk in proptest::collection::vec(any::<u8>(), 0..16)) {
        let mut bytes = fixture(name);
        bytes.truncate(cut.index(bytes.len() + 1));
        let at = at.index(bytes.len() + 1);
        bytes.splice(at..at, junk);
        run(&bytes, InputFormat::Auto, OutputFormat::Json, true);
    }

    #[test]
    fn one_broken_ndjson_line_costs_only_itself(line in 0..10usize, junk in "[^\\n\\r\\x00]{0,80}") {
        let whole = fixture("syslog.ndjson");
        let before = run(&whole, InputFormat::Ndjson, OutputFormat::Json, false).expect("read");
        let text = String::from_utf8(whole).expect("utf-8");
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let was_failure = lines[line].contains("\"FAILURE\"") && lines[line].contains("application.");
        let half: String = lines[line].chars().take(lines[line].chars().count() / 2).collect();
        lines[line] = format!("{half}{junk}");
        // Half an event and some junk can happen to close into valid JSON (`…"published":"x"` + `}`): that
        // is a record, not a broken line.
        prop_assume!(serde_json::from_str::<serde_json::Value>(&lines[line]).is_err());
        let after = run(lines.join("\n").as_bytes(), InputFormat::Ndjson, OutputFormat::Json, false).expect("read");
        prop_assert_eq!(after.records, before.records);
        prop_assert_eq!(after.malformed, 1);
        prop_assert_eq!(after.failures, before.failures - u64::from(was_failure));
    }
}
