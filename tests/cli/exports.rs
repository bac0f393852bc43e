//! Okta's exports: API pages, NDJSON, event hooks, single events, CSV; detection on files and stdin.

use super::*;
use predicates::prelude::*;

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).expect("fixture exists")
}

/// (cause, user, login, app) of a finding.
type Who = (Option<String>, Option<String>, Option<String>, Option<String>);

/// (cause, user, login, app) of each finding, from a report.
fn who(report: &Value) -> Vec<Who> {
    let s = |v: &Value| v.as_str().map(str::to_owned);
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (s(&f["cause"]), s(&f["user"]), s(&f["login"]), s(&f["app"])))
        .collect()
}

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

#[test]
fn an_api_page_gives_exact_figures_and_names_from_targets_by_type() {
    for args in [
        vec![fixture("syslog-api-page.json")],
        vec![fixture("syslog.ndjson")],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (report, code) = json_report(&args, "");
        assert_eq!(code, 1);
        assert_accounted(&report);
        // 10 events: 6 provisioning failures (one without a reason, unrecognized); a failed sign-in, a
        // failed SSO with a credentials message, a success and a policy denial are ignored.
        assert_eq!(figures(&report), [10, 6, 5, 1, 4, 0, 0], "{args:?}");
        let w = who(&report);
        assert_eq!(
            w[0],
            (
                some("license-limit-exceeded"),
                some("John Doe"),
                some("john.doe@example.com"),
                some("Salesforce.com")
            )
        );
        // Targets in another order still give the user and the app.
        assert_eq!(
            w[1],
            (
                some("create-users-disabled"),
                some("Zoë O'Brien"),
                some("zoe.obrien@example.com"),
                some("Salesforce.com")
            )
        );
        // An authentication failure with a null reason is diagnosed by its event type.
        assert_eq!(w[2], (some("invalid-credentials"), None, None, some("Box")));
        // `target: null` and the app only in debugData (as `AppName`).
        assert_eq!(w[4], (None, None, None, some("Zendesk")));
    }
}

#[test]
fn published_times_bound_each_incident() {
    let (report, _) = json_report(&[&fixture("syslog.ndjson")], "");
    let lle = report["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .find(|i| i["cause"] == "license-limit-exceeded")
        .expect("incident");
    assert_eq!(lle["failures"], 2);
    assert_eq!(lle["first_seen"], "2024-04-21T12:47:34.228Z");
    assert_eq!(lle["last_seen"], "2024-04-21T13:01:12.400Z");
    assert_eq!(lle["users"], serde_json::json!(["John Doe", "Jane Roe"]));
}

#[test]
fn overlapping_pages_count_repeats_as_duplicates() {
    let (report, _) = json_report(&[&fixture("syslog-pages-overlap.json")], "");
    assert_accounted(&report);
    assert_eq!(figures(&report), [12, 6, 5, 1, 4, 0, 2]);
    // The same events given twice in one run: every one of the second copy is a duplicate.
    let page = fixture("syslog-api-page.json");
    let (twice, _) = json_report(&[&page, &page], "");
    assert_eq!(figures(&twice), [20, 6, 5, 1, 4, 0, 10]);
}

#[test]
fn an_event_hook_delivery_yields_its_events_with_their_lines() {
    let (report, _) = json_report(&[&fixture("event-hook.json")], "");
    assert_eq!(figures(&report), [3, 2, 2, 0, 1, 0, 0]);
    let text = String::from_utf8(read(&fixture("event-hook.json"))).expect("utf-8");
    for f in report["findings"].as_array().expect("findings") {
        let line = f["source"]["line"].as_u64().expect("line") as usize;
        let at = text.lines().nth(line - 1).expect("line exists");
        assert_eq!(at.trim(), "{", "a finding's line is where its event starts");
    }
}

#[test]
fn a_single_pretty_event_is_one_record() {
    let (report, _) = json_report(&[&fixture("single-event.json")], "");
    assert_eq!(figures(&report), [1, 1, 1, 0, 0, 0, 0]);
}

#[test]
fn bom_crlf_blank_lines_and_a_cut_last_line() {
    let (report, code) = json_report(&[&fixture("syslog-bom-crlf-cut.ndjson")], "");
    assert_eq!(code, 1);
    assert_accounted(&report);
    assert_eq!(figures(&report), [4, 2, 2, 0, 1, 1, 0]);
    assert_eq!(report["errors"][0]["source"]["line"], 5);
    assert_eq!(
        report["findings"][0]["source"]["line"], 1,
        "the BOM does not hide the first event"
    );
}

#[test]
fn every_shape_is_detected_on_stdin_as_from_a_file() {
    for name in [
        "syslog-api-page.json",
        "syslog.ndjson",
        "event-hook.json",
        "single-event.json",
        "syslog-pages-overlap.json",
        "syslog-bom-crlf-cut.ndjson",
        "syslog-export.csv",
        "tasks-paste.txt",
    ] {
        let (from_file, _) = json_report(&[&fixture(name)], "");
        let (from_stdin, _) = json_report(&[], read(&fixture(name)));
        assert_eq!(from_file["summary"], from_stdin["summary"], "{name}");
        assert_eq!(who(&from_file), who(&from_stdin), "{name}");
    }
}

#[test]
fn csv_maps_columns_by_name_and_survives_quotes_and_line_breaks() {
    let (report, _) = json_report(&[&fixture("syslog-export.csv")], "");
    assert_accounted(&report);
    // 6 rows: 3 provisioning failures, a failed sign-in and a success ignored, a repeated uuid.
    assert_eq!(figures(&report), [6, 3, 3, 0, 2, 0, 1]);
    let w = who(&report);
    assert_eq!(
        w[0],
        (
            some("license-limit-exceeded"),
            some("John Doe"),
            some("john.doe@example.com"),
            some("Salesforce.com")
        )
    );
    assert_eq!(w[1].1, some("O'Brien, Zoë"));
    let reason = report["findings"][2]["reason"].as_str().expect("reason");
    assert!(reason.contains("\"upstream\" timeout,\nretry later"), "{reason}");
    assert_eq!(report["findings"][2]["source"]["line"], 5);
}

/// The System Log CSV as a spreadsheet saves it where the list separator is `;` (Excel's "CSV" in much of
/// Europe), or as "Unicode Text" (tab-separated UTF-16LE with a byte-order mark): the same figures, findings
/// and places as the original, quoted delimiters, quotes and line breaks included.
#[test]
fn csv_saved_with_semicolons_or_tabs_reads_as_the_original() {
    let original = read(&fixture("syslog-export.csv"));
    // The fixture's rows, as csv_core reads them.
    let mut core = csv_core::Reader::new();
    let (mut out, mut ends) = (vec![0; original.len()], vec![0; original.len()]);
    let (mut pos, mut rows) = (0, Vec::new());
    loop {
        let (mut nout, mut nend) = (0, 0);
        let done = loop {
            let (result, nin, o, e) = core.read_record(&original[pos..], &mut out[nout..], &mut ends[nend..]);
            (pos, nout, nend) = (pos + nin, nout + o, nend + e);
            match result {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::Record => break false,
                csv_core::ReadRecordResult::End => break true,
                full => panic!("buffers hold the fixture: {full:?}"),
            }
        };
        if done {
            break;
        }
        let starts = std::iter::once(0).chain(ends[..nend].iter().copied());
        let fields: Vec<Vec<u8>> = starts
            .zip(&ends[..nend])
            .map(|(a, &b)| out[a..b].to_vec())
            .collect();
        rows.push(fields);
    }
    assert_eq!(rows.len(), 7, "a header and six rows");
    let saved = |delimiter: u8| -> Vec<u8> {
        let mut text = Vec::new();
        for row in &rows {
            for (i, field) in row.iter().enumerate() {
                if i > 0 {
                    text.push(delimiter);
                }
                if field.iter().any(|&b| b == delimiter || b"\"\r\n".contains(&b)) {
                    text.push(b'"');
                    for &b in field {
                        text.extend_from_slice(if b == b'"' {
                            b"\"\""
                        } else {
                            std::slice::from_ref(&b)
                        });
                    }
                    text.push(b'"');
                } else {
                    text.extend_from_slice(field);
                }
            }
            text.extend_from_slice(b"\r\n");
        }
        text
    };
    let semicolons = saved(b';');
    assert!(semicolons.starts_with(b"Published;Severity;Event Type;"));
    let tabs = String::from_utf8(saved(b'\t')).expect("UTF-8");
    let unicode_text: Vec<u8> = std::iter::once(0xFEFF)
        .chain(tabs.encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    let (want, want_code) = json_report(&[], original);
    for input in [semicolons, unicode_text] {
        let (report, code) = json_report(&[], input);
        assert_eq!(code, want_code);
        assert_eq!(figures(&report), figures(&want));
        assert_eq!(who(&report), who(&want));
        assert_eq!(report["findings"][2]["source"], want["findings"][2]["source"]);
        assert_eq!(report["findings"][2]["reason"], want["findings"][2]["reason"]);
    }
}

#[test]
fn csv_columns_in_any_order_and_case() {
    let csv = "OUTCOME_RESULT,uuid,outcome reason,EventType\r\nFAILURE,u1,Matching user not found,application.provision.user.push\r\nSUCCESS,u2,,application.provision.user.push\r\n";
    let (report, _) = json_report(&[], csv);
    assert_eq!(figures(&report), [2, 1, 1, 0, 1, 0, 0]);
    assert_eq!(report["findings"][0]["source"]["line"], 2);
}

#[test]
fn a_csv_without_the_needed_columns_says_which() {
    provdiag()
        .args(["-i", "csv"])
        .write_stdin("published,severity,displayMessage\n2024-04-21T12:00:00Z,WARN,Push\n")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("eventType, outcome.result")
                .and(predicate::str::contains("published, severity")),
        );
}

#[test]
fn forced_readers_override_detection() {
    let csv = "published,eventType,outcome.result,outcome.reason\n\
               2024-04-21T12:47:34.228Z,application.provision.user.push,FAILURE,License Limit Exceeded.\n";
    let (detected, _) = json_report(&[], csv);
    assert_eq!(figures(&detected), [1, 1, 1, 0, 0, 0, 0]);
    // Read as text, the header is a line too, and the row a line a rule matches.
    let (as_text, _) = json_report(&["-i", "text"], csv);
    assert_eq!(figures(&as_text), [2, 1, 1, 0, 1, 0, 0]);
    // Read as NDJSON, neither line is JSON.
    let (as_json, code) = json_report(&["-i", "ndjson"], csv);
    assert_eq!((figures(&as_json), code), ([2, 0, 0, 0, 0, 2, 0], 2));
}

#[test]
fn strict_makes_the_first_malformed_record_fatal() {
    provdiag()
        .args(["--strict", &fixture("syslog-bom-crlf-cut.ndjson")])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("syslog-bom-crlf-cut.ndjson:5")
                .and(predicate::str::contains("--strict")),
        );
}

#[test]
fn a_reason_that_is_a_whole_tasks_sentence_is_split() {
    let event = r#"{"uuid":"a","eventType":"application.provision.user.push","outcome":{"result":"FAILURE","reason":"Automatic provisioning of user Kim Lee to app Slack failed: Matching user not found."},"target":[]}"#;
    let (report, _) = json_report(&[], event);
    let f = &report["findings"][0];
    assert_eq!(
        (f["user"].as_str(), f["app"].as_str()),
        (Some("Kim Lee"), Some("Slack"))
    );
    assert_eq!(f["reason"], "Matching user not found.");
    assert_eq!(f["cause"], "create-users-disabled");
}
