//! Bad input never loses data and never crashes provdiag: odd bytes, broken structure, size, bad
//! invocations, hostile text, closed pipes. Every broken input is built from real bytes here.

use super::*;
use predicates::prelude::*;
use std::process::Stdio;

const LLE: &str =
    "Automatic provisioning of user John Doe to app Salesforce.com failed: License Limit Exceeded.";

fn event(uuid: &str, result: &str, reason: &str) -> String {
    format!(
        r#"{{"uuid":"{uuid}","published":"2024-04-21T12:00:00.000Z","eventType":"application.provision.user.push","outcome":{{"result":"{result}","reason":"{reason}"}},"target":[{{"type":"User","displayName":"Ann Lee","alternateId":"ann@example.com"}},{{"type":"AppInstance","displayName":"Box"}}]}}"#
    )
}

#[test]
fn invalid_utf8_is_decoded_per_record_and_never_fatal() {
    let mut bytes =
        b"Automatic provisioning of user Jos\xe9 \xff to app Box failed: License Limit Exceeded.\n".to_vec();
    bytes.extend_from_slice(format!("{LLE}\n").as_bytes());
    let (report, code) = json_report(&[], bytes);
    assert_eq!(code, 1);
    assert_eq!(figures(&report), [2, 2, 2, 0, 0, 0, 0]);
    assert_eq!(report["findings"][0]["user"], "Jos\u{fffd} \u{fffd}");
    // The same in an NDJSON event.
    let mut ndjson = event("a", "FAILURE", "License Limit Exceeded").into_bytes();
    let at = ndjson.windows(3).position(|w| w == b"Ann").expect("name");
    ndjson[at + 1] = 0xC3; // a lone lead byte
    let (report, _) = json_report(&[], ndjson);
    assert_eq!(figures(&report), [1, 1, 1, 0, 0, 0, 0]);
}

#[test]
fn binary_input_is_named_and_skipped_and_the_others_are_read() {
    let binary_file = temp_file(".bin", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0");
    let binary = path(&binary_file);
    provdiag()
        .args([binary.as_str(), "-m", LLE, "--format", "json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(binary.as_str()).and(predicate::str::contains("binary")))
        .stdout(predicate::str::contains("\"diagnosed\": 1"));
    // UTF-16 without its byte-order mark (with one, it is read): named as such, with how to convert it.
    let utf16_file = temp_file(".txt", b"A\0u\0t\0o\0m\0a\0t\0i\0c\0 \0");
    let utf16 = path(&utf16_file);
    provdiag()
        .arg(&utf16)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("UTF-16").and(predicate::str::contains("iconv")));
}

#[test]
fn empty_and_closed_stdin_are_clean_runs() {
    provdiag()
        .write_stdin("")
        .assert()
        .success()
        .stdout(predicate::str::contains("No provisioning failures found."))
        .stdout(predicate::str::contains("0 records: 0 failures"));
    let bin = assert_cmd::cargo::cargo_bin("provdiag");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("\"$0\" <&-")
        .arg(&bin)
        .stdout(Stdio::null())
        .status()
        .expect("sh runs");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_page_cut_mid_array_keeps_every_whole_event_and_reports_the_cut() {
    let page = format!(
        "[\n{},\n{},\n{}\n]\n",
        event("a", "FAILURE", "x"),
        event("b", "FAILURE", "License Limit Exceeded"),
        event("c", "SUCCESS", "")
    );
    let cut = &page[..page.len() - 40];
    let (report, _) = json_report(&[], cut);
    assert_accounted(&report);
    assert_eq!(figures(&report), [3, 2, 1, 1, 0, 1, 0]);
    assert_eq!(report["errors"][0]["source"]["line"], 4);
    assert!(report["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("cut off")));
}

#[test]
fn an_event_cut_in_the_middle_of_a_page_costs_only_itself() {
    let page = std::fs::read_to_string(fixture("syslog-api-page.json")).expect("fixture");
    let lines: Vec<&str> = page.lines().collect();
    let starts: Vec<usize> = (0..lines.len()).filter(|&i| lines[i] == "  {").collect();
    // Keep the first four lines of the fourth event (a create-users failure), then go on with the fifth.
    let (cut, next) = (starts[3], starts[4]);
    let broken = [&lines[..cut + 4], &lines[next..]].concat().join("\n");
    let (report, _) = json_report(&[], broken);
    assert_accounted(&report);
    assert_eq!(figures(&report), [10, 5, 4, 1, 4, 1, 0]);
    assert_eq!(report["errors"][0]["source"]["line"], cut as u64 + 1);
    assert!(report["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("cut off")));
}

#[test]
fn wrong_types_and_absurd_nesting_are_malformed_records_with_a_place() {
    let lines = [
        event("a", "FAILURE", "License Limit Exceeded"),
        r#"{"uuid":"b","eventType":"application.provision.user.push","outcome":"FAILURE"}"#.to_owned(),
        r#"{"uuid":"c","eventType":"application.provision.user.push","outcome":{"result":"FAILURE"},"target":{"type":"User"}}"#.to_owned(),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        format!("{{\"a\":{}1{}}}", "{\"a\":".repeat(50_000), "}".repeat(50_000)),
        "[1, 2, 3]".to_owned(),
        event("d", "FAILURE", "Matching user not found"),
    ];
    let (report, _) = json_report(&["-i", "ndjson"], lines.join("\n"));
    assert_accounted(&report);
    assert_eq!(figures(&report), [7, 2, 2, 0, 0, 5, 0]);
    let places: Vec<u64> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["source"]["line"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(places, [2, 3, 4, 5, 6]);
    for nested in &report["errors"].as_array().expect("errors")[2..4] {
        let message = nested["message"].as_str().unwrap_or_default();
        assert!(message.contains("nested deeper than 128 levels"), "{message}");
    }
    // The same nesting inside a JSON stream, and as a pretty page.
    let (report, _) = json_report(&[], format!("[{}]", "[".repeat(200_000)));
    assert_accounted(&report);
}

#[test]
fn ragged_rows_and_an_unclosed_quote_in_csv_are_malformed_with_their_line() {
    let csv = "eventType,outcome.result,outcome.reason,uuid\n\
        application.provision.user.push,FAILURE,License Limit Exceeded,u1\n\
        application.provision.user.push,FAILURE\n\
        application.provision.user.push,FAILURE,Matching user not found,u3\n\
        application.provision.user.push,FAILURE,\"unclosed,u4\n\
        application.provision.user.push,FAILURE,x,u5\n";
    let (report, _) = json_report(&[], csv);
    assert_accounted(&report);
    // The unclosed quote costs its own line: the row after it is read.
    assert_eq!(figures(&report)[..4], [5, 3, 2, 1]);
    assert_eq!(report["errors"][0]["source"]["line"], 3);
    assert_eq!(report["errors"][1]["source"]["line"], 5);
}

#[test]
fn a_csv_row_of_tens_of_megabytes_is_reported_and_the_next_row_read() {
    let mut csv =
        b"eventType,outcome.result,outcome.reason\napplication.provision.user.push,FAILURE,\"".to_vec();
    csv.resize(csv.len() + (20 << 20), b'x');
    csv.extend_from_slice(b"\"\napplication.provision.user.push,FAILURE,License Limit Exceeded\n");
    let (report, _) = json_report(&[], csv);
    assert_accounted(&report);
    assert_eq!(figures(&report)[..3], [2, 1, 1]);
    assert_eq!(report["errors"][0]["source"]["line"], 2);
}

#[test]
fn a_reader_forced_onto_the_wrong_input_fails_cleanly() {
    let csv = std::fs::read(fixture("syslog-export.csv")).expect("fixture");
    let (report, code) = json_report(&["-i", "json"], csv.clone());
    assert_accounted(&report);
    assert_eq!(code, 1, "rows holding a Tasks sentence are those failures");
    assert!(figures(&report)[5] > 0, "the other rows are malformed JSON");
    let (same, _) = json_report(&["-i", "ndjson"], csv);
    assert_accounted(&same);
    assert_eq!(
        figures(&same),
        figures(&report),
        "as lines, the same rows are failures and the rest malformed"
    );
    provdiag()
        .args(["-i", "csv", &fixture("syslog.ndjson")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("lacks the columns"));
}

#[test]
fn a_line_of_tens_of_megabytes_is_skipped_and_the_next_one_read() {
    for input in ["text", "ndjson", "json"] {
        let mut bytes = Vec::with_capacity(21 << 20);
        bytes.extend_from_slice(b"{\"uuid\":\"");
        bytes.resize(20 << 20, b'x');
        bytes.extend_from_slice(b"\"}\n");
        bytes.extend_from_slice(event("z", "FAILURE", "License Limit Exceeded").as_bytes());
        let (report, _) = json_report(&["-i", input], bytes);
        assert_accounted(&report);
        assert_eq!(figures(&report)[..3], [2, 1, 1], "{input}");
        assert!(
            report["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("MiB")),
            "{input}"
        );
    }
}

#[test]
fn bad_invocations_say_what_to_do_and_the_other_inputs_are_read() {
    let dir = std::env::temp_dir();
    let dir = dir.to_string_lossy();
    provdiag()
        .args([dir.as_ref(), "/nonexistent/x.json", "-m", LLE, "--format", "json"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("is a directory")
                .and(predicate::str::contains("cannot read /nonexistent/x.json")),
        )
        .stdout(predicate::str::contains("\"diagnosed\": 1"));
    // Nothing read is not "no failures".
    provdiag().arg("/nonexistent/x.json").assert().code(2).stdout(
        predicate::str::contains("1 input could not be read")
            .and(predicate::str::contains("No provisioning failures found").not()),
    );
    provdiag()
        .args(["--format", "yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values"));
    provdiag().args(["--input", "xml"]).assert().code(2);
    provdiag().args(["--color", "sometimes"]).assert().code(2);
}

#[test]
fn control_characters_from_the_input_never_reach_human_output_raw() {
    let hostile = "Automatic provisioning of user Eve\u{1b}]0;pwned\u{7}\u{1b}[2J to app Box\u{9b}31m failed: License Limit Exceeded\r\u{1b}[31mred\u{202e}";
    for format in ["text", "markdown", "github"] {
        let out = provdiag()
            .args(["-m", hostile, "--format", format, "--color", "never"])
            .output()
            .expect("runs");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        assert!(
            !text.contains('\u{1b}')
                && !text.contains('\u{7}')
                && !text.contains('\r')
                && !text.contains('\u{9b}'),
            "{format}: {text:?}"
        );
        assert!(!text.contains('\u{202e}'), "{format}");
        // Shown escaped (Markdown adds its own backslashes so that it renders the same).
        assert!(
            text.replace('\\', "").contains("Eveu{1b}]0;pwnedu{7}"),
            "{format}: {text}"
        );
        let err = String::from_utf8(out.stderr).expect("utf-8");
        assert!(!err.contains('\u{1b}'), "{format}: stderr");
    }
    let (report, _) = json_report(&["-m", hostile], "");
    assert_eq!(
        report["findings"][0]["user"], "Eve\u{1b}]0;pwned\u{7}\u{1b}[2J",
        "JSON keeps the data, escaped by JSON itself"
    );
}

#[test]
fn a_closed_stdout_ends_the_run_quietly_with_the_exit_code_of_what_was_found_in_every_format() {
    // Many apps, so that every format writes far more than a pipe holds. `github` is not among them: it
    // writes no more annotations than GitHub shows, a few kilobytes whatever the input.
    let many: String = (0..20_000)
        .map(|i| {
            event(&format!("id-{i}"), "FAILURE", "License Limit Exceeded")
                .replace("\"Box\"", &format!("\"App {}\"", i % 4000))
                + "\n"
        })
        .collect();
    let input_file = temp_file(".ndjson", many.as_bytes());
    let input = path(&input_file);
    let bin = assert_cmd::cargo::cargo_bin("provdiag");
    // `set -o pipefail` steps stay honest: failures were found, so 1; with `--fail-on none`, 0. Never 101.
    for (fail_on, code) in [("any", "1"), ("none", "0")] {
        for format in ["text", "json", "ndjson", "markdown"] {
            let out = std::process::Command::new("bash")
                .arg("-c")
                .arg("\"$0\" --fail-on \"$3\" --format \"$1\" \"$2\" | head -c 100 >/dev/null; echo \"${PIPESTATUS[0]}\"")
                .args([bin.as_os_str(), format.as_ref(), input.as_ref(), fail_on.as_ref()])
                .output()
                .expect("bash runs");
            assert_eq!(
                String::from_utf8_lossy(&out.stdout).trim(),
                code,
                "{format} {fail_on}"
            );
            assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{format}: quiet");
        }
    }
}

#[cfg(unix)]
#[test]
fn the_text_reports_notes_escape_what_came_from_the_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    // An Okta API error whose summary retitles the window and clears the screen.
    let api = dir.path().join("api-error.json");
    std::fs::write(
        &api,
        r#"{"errorCode":"E0000011","errorSummary":"Invalid\u001b]0;pwned\u0007\u001b[2J token"}"#,
    )
    .expect("write");
    // A file whose name forges a line: its events carry no uuid, which a note names it for.
    let forged = dir.path().join("x\u{1b}[2K\rNote: all clear");
    std::fs::write(
        &forged,
        "{\"eventType\":\"application.provision.user.push\",\"outcome\":{\"result\":\"FAILURE\",\"reason\":\"License Limit Exceeded.\"}}\n",
    )
    .expect("write");
    let out = provdiag()
        .args(["--color", "never"])
        .arg(&api)
        .arg(&forged)
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let notes: Vec<&str> = text.lines().filter(|l| l.starts_with("Note: ")).collect();
    assert!(notes.iter().any(|n| n.contains("E0000011")), "{text}");
    assert!(notes.iter().any(|n| n.contains("no uuid")), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\r'),
        "{text:?}"
    );
    assert!(
        text.contains("Invalid\\u{1b}]0;pwned\\u{7}"),
        "shown escaped: {text}"
    );
}

#[test]
fn a_csv_quote_left_open_costs_its_line_only_however_little_follows_it() {
    let mut csv = String::from("uuid,published,eventType,outcome.result,outcome.reason\n");
    csv.push_str(
        "u-open,2024-04-21T12:00:00Z,application.provision.user.push,FAILURE,\"License Limit Exceeded.\n",
    );
    for i in 0..2000 {
        csv.push_str(&format!(
            "u-{i},2024-04-21T12:00:01Z,application.provision.user.push,FAILURE,License Limit Exceeded.\n"
        ));
    }
    let file = temp_file(".csv", csv.as_bytes());
    let (report, code) = json_report(&[&path(&file)], "");
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["malformed"], 1, "{}", report["summary"]);
    assert_eq!(report["summary"]["failures"], 2000, "{}", report["summary"]);
    assert_eq!(report["errors"][0]["source"]["line"], 2);
    let message = report["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("quote"), "{message}");
}
