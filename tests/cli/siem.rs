//! SIEM exports of the same System Log events (fixtures/syslog.ndjson, turned into each shape by
//! scripts/siem-fixtures.py) give the same figures and the same findings as Okta's own NDJSON.

use super::*;
use predicates::prelude::*;

/// Each SIEM shape, and where the shape comes from.
const SHAPES: &[(&str, &str)] = &[
    (
        "siem-sentinel.json",
        // Sentinel's own sample rows of the Okta_CL table (type suffixes, target_s as JSON text).
        "https://github.com/Azure/Azure-Sentinel/blob/master/Sample%20Data/Custom/Okta_CL.json",
    ),
    (
        "siem-sentinel.ndjson",
        // The same rows one per line, as `az monitor log-analytics query` output is often saved.
        "https://github.com/Azure/Azure-Sentinel/blob/master/Solutions/Okta%20Single%20Sign-On/Parsers/OktaSSO.yaml",
    ),
    (
        "siem-sentinel.csv",
        // The Log Analytics portal's CSV export: `TimeGenerated [UTC]`, times as `4/21/2024, 12:47:34.228 PM`.
        "https://learn.microsoft.com/en-us/azure/azure-monitor/logs/log-analytics-tutorial",
    ),
    (
        "siem-sentinel-v2.json",
        // The newer connector's OktaV2_CL table: the columns its data collection rule projects.
        "https://github.com/Azure/Azure-Sentinel/blob/master/Solutions/Okta%20Single%20Sign-On/Data%20Connectors/OktaNativePollerConnectorV2/OktaSSOv2_DCR.json",
    ),
    (
        "siem-sentinel-v2.csv",
        // The same rows from the portal's CSV export: DebugData and OriginalTarget as JSON text.
        "https://github.com/Azure/Azure-Sentinel/blob/master/Solutions/Okta%20Single%20Sign-On/Parsers/OktaSSO.yaml",
    ),
    (
        "siem-splunk.json",
        // search/jobs/export with output_mode=json: `{"preview":false,"offset":N,"result":{"_raw":…}}`,
        // newest first; sourcetype OktaIM2:log of the Splunk Add-on for Okta Identity Cloud.
        "https://help.splunk.com/en/splunk-enterprise/search/search-manual/9.0/export-search-results/export-data-using-the-splunk-rest-api",
    ),
    (
        "siem-splunk.csv",
        // Splunk Web's CSV export of the same search: the event in the `_raw` column.
        "https://splunk.github.io/splunk-add-on-for-okta-identity-cloud/Sourcetypes",
    ),
    (
        "siem-elastic.ndjson",
        // Documents of Elastic's Okta integration: okta.* in snake case, @timestamp from published.
        "https://github.com/elastic/integrations/blob/main/packages/okta/data_stream/system/elasticsearch/ingest_pipeline/default.yml",
    ),
    (
        "siem-elastic-search.json",
        // The same documents as an `_search` response: hits.hits[]._source.
        "https://www.elastic.co/guide/en/elasticsearch/reference/current/search-search.html",
    ),
    (
        "siem-elastic-flat.ndjson",
        // The same documents with flattened dotted keys, as exports that flatten write them.
        "https://github.com/elastic/integrations/blob/main/packages/okta/data_stream/system/sample_event.json",
    ),
];

/// What a finding says, whatever shape it was read from (its place in the input aside).
fn said(report: &Value) -> Vec<Vec<Value>> {
    let mut all: Vec<Vec<Value>> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            [
                "uuid",
                "cause",
                "user",
                "login",
                "app",
                "reason",
                "event_type",
                "published",
                "resolved_at",
            ]
            .iter()
            .map(|k| f[*k].clone())
            .collect()
        })
        .collect();
    all.sort_by_key(|f| f[0].to_string());
    all
}

#[test]
fn every_siem_shape_gives_the_figures_and_findings_of_oktas_own_ndjson() {
    let (okta, okta_code) = json_report(&[&fixture("syslog.ndjson")], "");
    assert_eq!(figures(&okta), [10, 6, 5, 1, 4, 0, 0]);
    for (name, source) in SHAPES {
        let bytes = std::fs::read(fixture(name)).expect("fixture exists");
        for (how, report, code) in [
            ("file", json_report(&[&fixture(name)], "")),
            ("stdin", json_report(&[], bytes)),
        ]
        .map(|(how, (report, code))| (how, report, code))
        {
            let what = format!("{name} from {how} (shape: {source})");
            assert_accounted(&report);
            assert_eq!(figures(&report), figures(&okta), "{what}");
            for k in ["by_cause", "open", "resolved"] {
                assert_eq!(report["summary"][k], okta["summary"][k], "{k} of {what}");
            }
            assert_eq!(said(&report), said(&okta), "{what}");
            assert_eq!(code, okta_code, "{what}");
            assert_eq!(report["notes"], serde_json::json!([]), "{what}");
        }
    }
}

#[test]
fn a_splunk_preview_row_and_the_trailer_are_not_records() {
    let event = std::fs::read_to_string(fixture("syslog.ndjson")).expect("fixture");
    let first = event.lines().next().expect("an event");
    let raw = serde_json::to_string(first).expect("a string");
    let export = format!(
        "{{\"preview\":true,\"offset\":0,\"result\":{{\"_raw\":{raw}}}}}\n\
         {{\"preview\":false,\"offset\":0,\"result\":{{\"_raw\":{raw}}}}}\n\
         {{\"preview\":false,\"lastrow\":true}}\n"
    );
    let (report, _) = json_report(&[], export);
    assert_eq!(figures(&report), [1, 1, 1, 0, 0, 0, 0]);
}

#[test]
fn a_splunk_raw_that_is_not_json_is_read_as_a_line_of_text() {
    let csv = "_time,_raw\n2024-04-21T12:47:34.228+0000,\"Automatic provisioning of user Kim Lee to app Slack failed: Matching user not found.\"\n";
    let (report, _) = json_report(&[], csv);
    assert_eq!(figures(&report), [1, 1, 1, 0, 0, 0, 0]);
    assert_eq!(report["findings"][0]["user"], "Kim Lee");
    assert_eq!(report["findings"][0]["source"]["line"], 2);
}

#[test]
fn a_broken_siem_row_costs_only_itself() {
    let lines = std::fs::read_to_string(fixture("siem-elastic.ndjson")).expect("fixture");
    let mut broken: Vec<&str> = lines.lines().collect();
    let cut = &broken[3][..broken[3].len() / 2];
    broken[3] = cut;
    let (report, _) = json_report(&[], broken.join("\n"));
    assert_accounted(&report);
    assert_eq!(figures(&report)[0], 10);
    assert_eq!(figures(&report)[5], 1);
    assert_eq!(report["errors"][0]["source"]["line"], 4);
}

#[test]
fn hits_of_a_search_response_keep_their_own_lines() {
    let (report, _) = json_report(&[&fixture("siem-elastic-search.json")], "");
    let text = std::fs::read_to_string(fixture("siem-elastic-search.json")).expect("fixture");
    let lines: Vec<&str> = text.lines().collect();
    for f in report["findings"].as_array().expect("findings") {
        let line = f["source"]["line"].as_u64().expect("line") as usize;
        assert!(lines[line - 1].contains("\"_source\""), "{}", lines[line - 1]);
        let uuid = f["uuid"].as_str().expect("uuid");
        assert!(lines[line - 3].contains("_id") && lines[line - 3].contains(uuid));
    }
}

#[test]
fn an_export_without_uuid_or_time_says_what_it_cannot_do() {
    // A Sentinel CSV with only the columns someone picked: no uuid_g, no published_t.
    let csv = "eventType_s,outcome_result_s,outcome_reason_s,target_s\n\
               application.provision.user.push,FAILURE,License Limit Exceeded.,\"[{\"\"type\"\": \"\"AppInstance\"\", \"\"displayName\"\": \"\"Box\"\"}]\"\n\
               application.provision.user.push,FAILURE,License Limit Exceeded.,\"[{\"\"type\"\": \"\"AppInstance\"\", \"\"displayName\"\": \"\"Box\"\"}]\"\n";
    let out = provdiag()
        .args(["--format", "json"])
        .write_stdin(csv)
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    // Two copies of one failure cannot be told apart without a uuid: both count.
    assert_eq!(figures(&report), [2, 2, 2, 0, 0, 0, 0]);
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[0].contains("uuid") && notes[0].contains("duplicates"),
        "{notes:?}"
    );
    assert!(
        notes[1].contains("published") && notes[1].contains("resolved"),
        "{notes:?}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    for note in &notes {
        assert_eq!(stderr.matches(note).count(), 1, "once on stderr: {stderr}");
    }
    // The ticket and the workflow say them too.
    for (format, shown) in [
        ("markdown", format!("- {}", notes[0])),
        ("github", "::notice title=provdiag note::".to_owned()),
    ] {
        provdiag()
            .args(["--format", format])
            .write_stdin(csv)
            .assert()
            .stdout(predicate::str::contains(shown));
    }
    // NDJSON gives each note a line of its own.
    let note_line = format!(
        "{{\"type\":\"note\",\"note\":{}}}",
        serde_json::to_string(notes[0]).expect("a JSON string")
    );
    provdiag()
        .args(["--format", "ndjson"])
        .write_stdin(csv)
        .assert()
        .stdout(predicate::str::contains(note_line));
}

#[test]
fn a_time_that_is_not_rfc3339_counts_as_none() {
    // A portal export in another locale keeps its times as written: they cannot be ordered.
    let csv = "published_t [UTC],eventType_s,outcome_result_s,uuid_g\n\
               21.04.2024 12:47:34,application.provision.user.push,FAILURE,6bd0ba4f-0001-11ef-9a1b-0242ac120002\n";
    let (report, _) = json_report(&[], csv);
    assert_eq!(report["findings"][0]["published"], "21.04.2024 12:47:34");
    let notes = report["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].as_str().is_some_and(|n| n.contains("published")));
}

#[test]
fn a_few_siem_columns_are_enough_to_tell_a_csv() {
    for csv in [
        "TimeGenerated [UTC],EventOriginalType,OriginalOutcomeResult,EventOriginalResultDetails\n\"4/21/2024, 12:47:34.228 PM\",application.provision.user.push,FAILURE,License Limit Exceeded.\n",
        "eventType_s,outcome_result_s,outcome_reason_s\napplication.provision.user.push,FAILURE,License Limit Exceeded.\n",
        "okta.event_type,okta.outcome.result,okta.outcome.reason\napplication.provision.user.push,FAILURE,License Limit Exceeded.\n",
    ] {
        let (report, _) = json_report(&[], csv);
        assert_eq!(figures(&report), [1, 1, 1, 0, 0, 0, 0], "{csv}");
        assert_eq!(report["findings"][0]["event_type"], "application.provision.user.push");
    }
}

/// A CSV row and a SIEM's JSON row are one flat row to the same decoder: a field named twice (here
/// `eventType` and Sentinel's `eventType_s`, a target's `displayName` twice) takes its first value that is
/// not blank in both, and a flattened target keeps its index in both.
#[test]
fn a_csv_row_and_a_json_row_with_the_same_fields_read_alike() {
    let names = [
        "uuid",
        "published",
        "eventType",
        "eventType_s",
        "outcome.result",
        "outcome.reason",
        "target.1.type",
        "target.1.displayName",
        "target_1_displayName_s",
        "target.3.type",
        "target.3.displayName",
    ];
    let values = [
        "f1b7d4b5-0f0c-11ef-9a1b-0242ac120002",
        "2024-04-21T12:47:34.228Z",
        "",
        "application.provision.user.push",
        "FAILURE",
        "Matching user not found.",
        "User",
        " ",
        "Ana Lima",
        "AppInstance",
        "Workday",
    ];
    let csv = format!("{}\n{}\n", names.join(","), values.join(","));
    let row: serde_json::Map<String, Value> = names
        .iter()
        .zip(values)
        .map(|(k, v)| (k.to_string(), Value::from(v)))
        .collect();
    let json = format!("{}\n", Value::Object(row));
    let (from_csv, _) = json_report(&["-i", "csv"], csv);
    let (from_json, _) = json_report(&["-i", "ndjson"], json);
    for report in [&from_csv, &from_json] {
        assert_eq!(figures(report)[..2], [1, 1], "{report}");
        let f = &report["findings"][0];
        assert_eq!(f["event_type"], "application.provision.user.push", "{report}");
        assert_eq!(f["user"], "Ana Lima", "{report}");
        assert_eq!(f["app"], "Workday", "{report}");
    }
    assert_eq!(said(&from_csv), said(&from_json));
}
