//! A green run means "no failures", never "read nothing" (spec, "Input that is not Okta's, and filters that keep
//! nothing"): each input a new user might hand provdiag in CI, built here from real bytes.

use super::*;

/// The fixture's ten events (six provisioning failures), one JSON text each.
fn events() -> Vec<Value> {
    std::fs::read_to_string(fixture("syslog.ndjson"))
        .expect("fixture")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("an event"))
        .collect()
}

/// Runs `--format json` on a file holding `bytes`: the report, the exit code and stderr.
fn run_file(suffix: &str, bytes: &[u8], args: &[&str]) -> (Value, i32, String) {
    let file = temp_file(suffix, bytes);
    let out = provdiag()
        .args(["--format", "json"])
        .args(args)
        .arg(file.path())
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("a report ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    schema::assert_valid_document(&report);
    (
        report,
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn notes(report: &Value) -> String {
    report["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_sign_in_page_saved_as_json_and_a_text_file_of_something_else_end_with_2() {
    let html = b"<!DOCTYPE html>\n<html lang=\"en\"><head><title>Acme - Sign In</title></head>\n<body><div id=\"okta-sign-in\"></div><script src=\"/js/okta-sign-in.min.js\"></script></body></html>\n";
    let readme =
        b"# Release notes\n\nVersion 2.1 fixes the login button.\nThanks to everyone who tested it.\n";
    for (suffix, bytes) in [(".json", &html[..]), (".txt", &readme[..])] {
        let (report, code, err) = run_file(suffix, bytes, &[]);
        assert_eq!(code, 2, "{suffix}: {report}");
        assert!(err.contains("nothing in it is Okta's"), "{err}");
        assert!(notes(&report).contains("nothing in it is Okta's"), "{report}");
        assert_accounted(&report);
    }
    // The text report does not say "No provisioning failures found".
    let file = temp_file(".json", html);
    let out = provdiag().arg(file.path()).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("No provisioning failures found"), "{text}");
}

#[test]
fn an_empty_input_and_one_blank_to_its_end_get_a_note() {
    for bytes in [&b""[..], &b"\n\n   \r\n"[..], &vec![b' '; 70_000][..]] {
        let (report, code, err) = run_file(".ndjson", bytes, &[]);
        assert_eq!(code, 0);
        assert!(notes(&report).contains("is empty"), "{report}");
        assert!(err.contains("is empty"), "{err}");
    }
}

#[test]
fn a_blank_message_is_a_usage_error_not_a_green_run() {
    // `provdiag -m "$ERROR"` with the variable unset or blank: a CI check must not pass on it.
    for text in ["", "   ", "\n\t"] {
        let out = provdiag().args(["-m", text]).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{text:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("the message is blank"), "{err}");
        assert!(out.stdout.is_empty(), "{text:?}: no report");
    }
    // A message beside a blank one is not read alone either: the run stops before it.
    let out = provdiag()
        .args(["-m", "Cannot deactivate an owner", "-m", ""])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_input_whose_first_64_kib_are_blank_is_read_to_its_end_on_the_right_lines() {
    let blank_lines = 70_000 / 2;
    let mut bytes = " \n".repeat(blank_lines).into_bytes();
    for e in events() {
        bytes.extend_from_slice(e.to_string().as_bytes());
        bytes.push(b'\n');
    }
    let (report, code, _) = run_file(".ndjson", &bytes, &[]);
    assert_eq!(code, 1);
    assert_eq!(figures(&report), [10, 6, 5, 1, 4, 0, 0]);
    let first = report["findings"][0]["source"]["line"].as_u64().expect("a line");
    assert!(first > blank_lines as u64, "line {first} counts the blank lines");
    let (plain, _) = json_report(&[&fixture("syslog.ndjson")], "");
    assert_eq!(
        first,
        plain["findings"][0]["source"]["line"].as_u64().expect("a line") + blank_lines as u64
    );
}

#[test]
fn a_json_array_of_pages_is_read_for_its_events() {
    let all = events();
    let pages = Value::Array(vec![
        Value::Array(all[..4].to_vec()),
        Value::Array(all[4..].to_vec()),
    ]);
    for text in [
        pages.to_string(),
        serde_json::to_string_pretty(&pages).expect("JSON"),
    ] {
        let (report, code, _) = run_file(".json", text.as_bytes(), &[]);
        assert_eq!(code, 1, "{report}");
        assert_eq!(figures(&report), [10, 6, 5, 1, 4, 0, 0], "{report}");
        assert_accounted(&report);
    }
}

#[test]
fn a_curl_i_capture_is_read_for_its_body_and_its_headers_are_no_records() {
    let page = std::fs::read(fixture("syslog-api-page.json")).expect("fixture");
    let head = "HTTP/1.1 200 OK\r\nDate: Sun, 21 Apr 2024 13:05:00 GMT\r\nContent-Type: application/json\r\nX-Rate-Limit-Limit: 60\r\nX-Rate-Limit-Remaining: 59\r\nX-Rate-Limit-Reset: 1713704760\r\nlink: <https://acme.okta.com/api/v1/logs?limit=1000>; rel=\"self\"\r\nlink: <https://acme.okta.com/api/v1/logs?after=1713704700000_1&limit=1000>; rel=\"next\"\r\n\r\n";
    let mut bytes = head.as_bytes().to_vec();
    bytes.extend_from_slice(&page);
    let (report, code, _) = run_file(".json", &bytes, &[]);
    let (plain, _) = json_report(&[&fixture("syslog-api-page.json")], "");
    assert_eq!(code, 1);
    assert_eq!(figures(&report), figures(&plain), "{report}");
    assert!(
        !report.to_string().contains("X-Rate-Limit"),
        "no header is a finding"
    );
    // Every finding keeps its line in the file: the head's nine lines come first.
    let lines = |r: &Value| -> Vec<u64> {
        r["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["source"]["line"].as_u64().expect("a line"))
            .collect()
    };
    assert_eq!(
        lines(&report),
        lines(&plain).iter().map(|l| l + 9).collect::<Vec<_>>()
    );
}

#[test]
fn a_sign_ins_only_export_gets_a_note_saying_what_it_held() {
    let sign_ins: String = events()
        .into_iter()
        .enumerate()
        .map(|(k, mut e)| {
            e["eventType"] = if k < 7 {
                "user.session.start"
            } else {
                "user.account.lock"
            }
            .into();
            e.to_string() + "\n"
        })
        .collect();
    let (report, code, err) = run_file(".ndjson", sign_ins.as_bytes(), &[]);
    assert_eq!(code, 0);
    assert_eq!(figures(&report), [10, 0, 0, 0, 10, 0, 0]);
    let said = notes(&report);
    assert!(
        said.contains("10 events and none is a provisioning event (7 sign-ins, 3 others)"),
        "{said}"
    );
    assert!(err.contains("none is a provisioning event"), "{err}");
}

#[test]
fn a_filter_that_keeps_nothing_is_named_with_the_nearest_apps() {
    let export = std::fs::read(fixture("syslog.ndjson")).expect("fixture");
    let (report, code, _) = run_file(".ndjson", &export, &["--app", "Salesfroce"]);
    assert_eq!(code, 0);
    let said = notes(&report);
    assert!(
        said.contains("--app Salesfroce (the nearest app names read: Salesforce.com"),
        "{said}"
    );
    let (report, _, _) = run_file(".ndjson", &export, &["--since", "7d"]);
    let said = notes(&report);
    assert!(
        said.contains("--since ") && said.contains("what was read runs from 2024-04-21T12:47:34.228Z"),
        "{said}"
    );
    // A filter that keeps something says nothing.
    let (report, code, _) = run_file(".ndjson", &export, &["--app", "salesforce.com"]);
    assert_eq!(code, 1);
    assert!(!notes(&report).contains("kept none"), "{report}");
}

#[test]
fn a_page_wrapped_in_envelopes_of_any_name_is_read_for_its_events() {
    let page: Value =
        serde_json::from_slice(&std::fs::read(fixture("syslog-api-page.json")).expect("fixture"))
            .expect("a page");
    let wrapped = [
        serde_json::json!({"status": 200, "result": {"logs": page.clone(), "count": 10}}),
        serde_json::json!({"response": {"body": {"items": page.clone()}}, "ok": true}),
    ];
    for envelope in wrapped {
        let text = serde_json::to_string_pretty(&envelope).expect("JSON");
        let (report, code, _) = run_file(".json", text.as_bytes(), &[]);
        assert_eq!(code, 1, "{envelope}");
        assert_eq!(figures(&report), [10, 6, 5, 1, 4, 0, 0], "{report}");
        // Each event on its own line of the file.
        let first = report["findings"][0]["source"]["line"].as_u64().expect("a line");
        assert!(first > 3, "line {first}");
    }
}
