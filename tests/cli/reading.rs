//! The reading stage's promises (issue 11): every record accounted for, nothing lost, memory and time
//! bounded by the input, not by its shape. Each test builds its broken input from bytes.

use super::*;
use predicates::prelude::*;
use std::io::{BufRead, BufReader, Write};

/// A failed provisioning event with its own uuid, user and app.
fn failure(i: usize) -> String {
    format!(
        r#"{{"uuid":"{i:08x}-0000-4000-8000-000000000000","published":"2024-04-21T12:00:00.000Z","eventType":"application.provision.user.push","outcome":{{"result":"FAILURE","reason":"License Limit Exceeded."}},"target":[{{"type":"User","displayName":"User {i}","alternateId":"u{i}@example.com"}},{{"type":"AppInstance","displayName":"Box"}}]}}"#
    )
}

fn run(args: &[&str]) -> (Value, i32, String) {
    let out = provdiag()
        .args(["--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (report, out.status.code().unwrap_or(-1), stderr)
}

/// Item 1: the N of a `targetN.type` column is never a size.
#[test]
fn csv_target_indices_from_the_header_are_never_sizes() {
    let mut csv = String::from(
        "eventType,outcome.result,outcome.reason,target20.type,target20.displayName,\
         target63.type,target63.displayName,target18446744073709551615.type,\
         target99999999999999999999999.type,target4000000000.type,target20000000.type\n",
    );
    for _ in 0..20 {
        csv.push_str(
            "application.provision.user.push,FAILURE,License Limit Exceeded.,User,Ann Lee,AppInstance,Box,User,User,User,User\n",
        );
    }
    let (report, code) = json_report(&[], csv);
    assert_eq!(code, 1);
    assert_accounted(&report);
    assert_eq!(figures(&report), [20, 20, 20, 0, 0, 0, 0]);
    assert_eq!(
        findings(&report)[0],
        (
            2,
            Some("license-limit-exceeded".into()),
            Some("Ann Lee".into()),
            Some("Box".into())
        )
    );
}

/// Item 2: after a line of garbage too long to keep, the next event is read.
#[test]
fn an_overlong_line_of_garbage_costs_only_itself() {
    let mut bytes = vec![b'x'; 9 << 20];
    bytes.push(b'\n');
    bytes.extend_from_slice(failure(1).as_bytes());
    bytes.push(b'\n');
    for input in ["json", "ndjson", "auto"] {
        let (report, code) = json_report(&["-i", input], bytes.clone());
        assert_accounted(&report);
        assert_eq!(figures(&report), [2, 1, 1, 0, 0, 1, 0], "{input}");
        assert_eq!(code, 1, "{input}");
        assert_eq!(report["findings"][0]["source"]["line"], 2, "{input}");
    }
}

/// Item 3: a deeply nested pretty value with a long line of brackets, and megabytes of `debugData`.
#[test]
fn big_values_inside_an_event_are_framed_and_read_whole() {
    // One indented event whose `extra` field is a long line of nested objects: framed in one pass (each
    // bracket used to search back to the start of its line).
    let nested = format!("{}1{}", "{\"a\":".repeat(100), "}".repeat(100));
    let extra: Vec<String> = (0..10_000).map(|_| nested.clone()).collect();
    let event = failure(1).replacen('{', &format!("{{\"extra\": [{}],\n   ", extra.join(",")), 1);
    let page = format!("[\n  {event}\n]\n");
    let (report, _) = json_report(&["-i", "json"], page);
    assert_accounted(&report);
    // The nesting (101 levels) is within the limit: the event is read.
    assert_eq!(figures(&report), [1, 1, 1, 0, 0, 0, 0]);
    // debugData of megabytes: only its appname is read.
    let big: Vec<String> = (0..100_000)
        .map(|i| format!("\"k{i}\": {{\"v\": [{i}, \"x\", null, {{\"y\": true}}]}}"))
        .collect();
    let event = failure(2)
        .replace(
            r#"{"type":"AppInstance","displayName":"Box"}"#,
            r#"{"type":"AppInstance"}"#,
        )
        .replacen(
            '{',
            &format!(
                "{{\"debugContext\": {{\"debugData\": {{{}, \"AppName\": \"Zoom\"}}}},",
                big.join(",")
            ),
            1,
        );
    let (report, _) = json_report(&[], event);
    assert_accounted(&report);
    assert_eq!(figures(&report)[..2], [1, 1]);
    assert_eq!(report["findings"][0]["app"], "Zoom");
}

/// Item 4: only an event hook delivery is looked into for `data.events`.
#[test]
fn an_event_carrying_data_events_is_an_event_and_a_broken_hook_is_an_error() {
    let carrying = failure(1).replacen('{', r#"{"data":{"events":[]},"#, 1);
    let (report, code) = json_report(&[], carrying);
    assert_eq!(code, 1);
    assert_eq!(figures(&report), [1, 1, 1, 0, 0, 0, 0]);
    // A hook whose data is broken, and one whose events are not a list, among good deliveries.
    let hook = |data: &str| {
        format!(r#"{{"eventType":"com.okta.event_hook","eventTypeVersion":"1.0","data":{data}}}"#)
    };
    let deliveries = [
        hook(&format!(r#"{{"events":[{},{}]}}"#, failure(2), failure(3))),
        hook("\"oops\""),
        hook(r#"{"events":{"a":1}}"#),
        hook(&format!(r#"{{"events":[{}]}}"#, failure(4))),
    ]
    .join("\n");
    let (report, _) = json_report(&[], deliveries);
    assert_accounted(&report);
    assert_eq!(figures(&report), [5, 3, 3, 0, 0, 2, 0]);
    let lines: Vec<u64> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["source"]["line"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(lines, [2, 3]);
}

/// Item 5: valid JSON is one record, however it is laid out.
#[test]
fn valid_json_with_a_value_on_a_line_of_its_own_is_one_record() {
    let event = failure(1);
    let (key, rest) = event.split_at(1);
    // `  {"x":` then the event on its own line at the same indentation, then its close.
    let value = format!("  {{\"wrapper\":\n  {key}{rest}}}\n");
    assert!(
        serde_json::from_str::<Value>(&value).is_ok(),
        "the input is valid JSON"
    );
    let (report, _) = json_report(&["-i", "json"], value);
    assert_accounted(&report);
    // One record: the event its wrapper holds, a failure.
    assert_eq!(figures(&report), [1, 1, 1, 0, 0, 0, 0]);
}

/// Item 7: an unclosed quote early in a big CSV costs its row, not the rest of the file.
#[test]
fn an_unclosed_quote_in_a_big_csv_costs_only_its_row() {
    const ROWS: usize = 150_000;
    let mut csv = String::from("uuid,eventType,outcome.result,outcome.reason\n");
    csv.push_str("u0,application.provision.user.push,FAILURE,\"License Limit Exceeded.\n");
    for i in 1..=ROWS {
        csv.push_str(&format!(
            "u{i},application.provision.user.push,FAILURE,License Limit Exceeded.\n"
        ));
    }
    assert!(csv.len() > 8 << 20, "more than a row may hold");
    let file = temp_file(".csv", csv.as_bytes());
    let (report, code, _) = run(&[&path(&file)]);
    assert_eq!(code, 1);
    assert_accounted(&report);
    let n = ROWS as u64;
    assert_eq!(figures(&report), [n + 1, n, n, 0, 0, 1, 0]);
    assert_eq!(report["errors"][0]["source"]["line"], 2);
    assert_eq!(report["findings"][0]["source"]["line"], 3);
}

/// Item 8: a line is read for what it is, whatever the file's shape.
#[test]
fn events_and_tasks_lines_are_read_as_such_whatever_the_file_shape() {
    let tasks = "Automatic provisioning of user Jo Park to app Zoom failed: License Limit Exceeded.";
    let events: Vec<String> = (1..=5).map(failure).collect();
    // A pasted Tasks line, then NDJSON events: read as text, the events are still events.
    let mixed = format!("{tasks}\n{}\n", events.join("\n"));
    let (report, _) = json_report(&[], mixed);
    assert_accounted(&report);
    assert_eq!(figures(&report), [6, 6, 6, 0, 0, 0, 0]);
    let apps: Vec<Option<String>> = findings(&report).into_iter().map(|f| f.3).collect();
    assert_eq!(
        apps,
        ["Zoom", "Box", "Box", "Box", "Box", "Box"].map(|a| Some(a.to_owned()))
    );
    // NDJSON with a Tasks line appended: that line is its failure, not a malformed record.
    let appended = format!("{}\n{tasks}\n", events.join("\n"));
    let (report, _) = json_report(&[], appended);
    assert_accounted(&report);
    assert_eq!(figures(&report), [6, 6, 6, 0, 0, 0, 0]);
    assert_eq!(findings(&report)[5].0, 6);
    assert_eq!(findings(&report)[5].3.as_deref(), Some("Zoom"));
}

/// Item 9: stderr names the first few errors and counts the rest; the report keeps every one.
#[test]
fn errors_on_stderr_stop_after_a_few_and_the_report_keeps_them_all() {
    let values: Vec<Value> = (1..=300)
        .map(|i| serde_json::from_str(&failure(i)).expect("valid"))
        .collect();
    let pretty = serde_json::to_string_pretty(&values).expect("serializes");
    let file = temp_file(".json", pretty.as_bytes());
    let (report, _, stderr) = run(&["-i", "ndjson", &path(&file)]);
    assert_accounted(&report);
    let malformed = figures(&report)[5];
    assert!(malformed > 1000, "every line of the page is malformed");
    assert!(stderr.lines().count() <= 25, "{stderr}");
    assert!(
        stderr.contains(&format!("and {} more", malformed - 20)),
        "{stderr}"
    );
    // Forced onto NDJSON, the CSV reader names a few of the "header"'s names, cut short.
    let long = failure(1).replacen('{', &format!("{{\"note\":\"{}\",", "n".repeat(4000)), 1);
    let ndjson = temp_file(".ndjson", long.as_bytes());
    let out = provdiag()
        .args(["-i", "csv", &path(&ndjson)])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("lacks the columns"), "{stderr}");
    assert!(stderr.len() < 800, "{} bytes on stderr: {stderr}", stderr.len());
}

/// Millions of broken lines cost their count, not their messages: the JSON report lists the first 10,000
/// with their places and says so, `--format ndjson` writes every one, and every one is counted.
#[test]
fn the_report_lists_the_first_ten_thousand_unreadable_records_and_counts_them_all() {
    const BROKEN: usize = 12_345;
    let mut input = "not json\n".repeat(BROKEN);
    input.push_str(&failure(1));
    input.push('\n');
    let (report, code) = json_report(&["-i", "ndjson"], input.as_str());
    assert_eq!(code, 1);
    assert_accounted(&report);
    assert_eq!(
        figures(&report),
        [BROKEN as u64 + 1, 1, 1, 0, 0, BROKEN as u64, 0]
    );
    let errors = report["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 10_000);
    assert_eq!(errors[9_999]["source"]["line"], 10_000);
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("12345 records could not be read") && notes.contains("first 10000"),
        "{notes}"
    );
    // Every one, as it is read.
    let out = provdiag()
        .args(["-i", "ndjson", "--format", "ndjson"])
        .write_stdin(input.as_str())
        .output()
        .expect("runs");
    let errors = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with(r#"{"type":"error""#))
        .count();
    assert_eq!(errors, BROKEN);
    // The text report counts them all, and says where they are listed; so does stderr.
    let out = provdiag()
        .args(["-i", "ndjson"])
        .write_stdin(input.as_str())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("and 12325 more malformed records (--format json lists the first 10000"),
        "{stderr}"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Unreadable records (12345)"), "{text}");
    assert!(
        text.contains("and 12335 more (--format ndjson lists them)"),
        "{text}"
    );
    // Markdown lists the 10,000 the JSON report keeps, then says how many more; GitHub counts them among
    // the warnings it could not annotate.
    for (format, more) in [
        ("markdown", "- and 2345 more (`--format ndjson` lists them)"),
        ("github", "12335 more warnings not annotated"),
    ] {
        let out = provdiag()
            .args(["-i", "ndjson", "--format", format])
            .write_stdin(input.as_str())
            .output()
            .expect("runs");
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(
            report.contains(more),
            "{format}: {}",
            &report[report.len().saturating_sub(2000)..]
        );
    }
}

/// Item 10: with `--format ndjson`, a finding is written as soon as its line is read from a live stdin.
#[test]
fn a_finding_from_a_slow_stdin_is_written_before_the_input_ends() {
    let bin = assert_cmd::cargo::cargo_bin("provdiag");
    let utf16 = |text: String| -> Vec<u8> {
        std::iter::once(0xFEFF)
            .chain(format!("{text}\n").encode_utf16())
            .flat_map(u16::to_le_bytes)
            .collect()
    };
    let sentence = "Automatic provisioning of user A B to app Box failed: License Limit Exceeded.";
    for first in [
        format!("{}\n", failure(1)).into_bytes(),
        format!("{sentence}\n").into_bytes(),
        // Through the UTF-16 decoder too.
        utf16(failure(1)),
    ] {
        let mut child = std::process::Command::new(&bin)
            .args(["--format", "ndjson"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starts");
        let mut stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        stdin.write_all(&first).expect("written");
        stdin.flush().expect("flushed");
        // The input stays open: the finding must come without it ending. A hang guard, not a timing.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(std::time::Duration::from_secs(120));
        drop(stdin);
        let _ = child.wait();
        let line = line.expect("a finding before the input ended");
        let v: Value = serde_json::from_str(&line).expect("an NDJSON object");
        assert_eq!(v["type"], "finding", "{line}");
        assert_eq!(v["cause"], "license-limit-exceeded");
    }
}

/// Item 11: binary anywhere, nothing readable, and an Okta API error are unreadable inputs (exit 2).
#[test]
fn binary_unreadable_and_api_error_inputs_exit_2_with_a_clear_message() {
    // A NUL byte after the first 64 KiB.
    let mut bytes = Vec::new();
    for i in 1..=400 {
        bytes.extend_from_slice(failure(i).as_bytes());
        bytes.push(b'\n');
    }
    assert!(bytes.len() > 64 << 10);
    bytes.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\n");
    let file = temp_file(".ndjson", &bytes);
    let (report, code, stderr) = run(&[&path(&file)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("binary") && stderr.contains("NUL"), "{stderr}");
    assert_eq!(figures(&report)[1], 400, "the events before it were read");
    // Records, none of them readable.
    let (report, code) = json_report(&["-i", "ndjson"], "{\"a\":\n{\"b\"\n[1,\n");
    assert_eq!(code, 2);
    assert_eq!(figures(&report)[0], figures(&report)[5]);
    // What curl gets back for a bad token.
    let api_error = r#"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oaeXyz","errorCauses":[]}"#;
    // As curl prints it (no newline), as a saved file ends (a newline), or pretty-printed.
    let pretty = "{\n  \"errorCode\": \"E0000011\",\n  \"errorSummary\": \"Invalid token provided\"\n}\n";
    let shapes = [api_error.to_owned(), format!("{api_error}\n"), pretty.to_owned()];
    for (args, body) in [vec![], vec!["-i", "json"], vec!["-i", "ndjson"]]
        .into_iter()
        .flat_map(|args| shapes.iter().map(move |body| (args.clone(), body)))
    {
        if args.contains(&"ndjson") && body.starts_with("{\n") {
            continue; // one object over several lines is not NDJSON
        }
        let out = provdiag()
            .args(&args)
            .write_stdin(body.as_str())
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("E0000011 Invalid token provided") && stderr.contains("API error"),
            "{stderr}"
        );
    }
}

/// Item 12: gzip bytes, from a `.gz` file or on stdin, are read as what they hold.
#[test]
fn gzip_input_is_read_as_what_it_holds() {
    let events: Vec<String> = (1..=1000).map(failure).collect();
    let plain = events.join("\n") + "\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(plain.as_bytes()).expect("compressed");
    let gz = gz.finish().expect("compressed");
    let (from_plain, _) = json_report(&[], plain.clone());
    assert_eq!(figures(&from_plain), [1000, 1000, 1000, 0, 0, 0, 0]);
    let (from_stdin, code) = json_report(&[], gz.clone());
    assert_eq!(code, 1);
    assert_eq!(figures(&from_stdin), figures(&from_plain));
    let file = temp_file(".ndjson.gz", &gz);
    let (from_file, _, _) = run(&[&path(&file)]);
    assert_eq!(figures(&from_file), figures(&from_plain));
    // A cut gzip file: what was decoded is kept, the input is unreadable from there.
    let cut = temp_file(".gz", &gz[..gz.len() / 2]);
    let (report, code, stderr) = run(&[&path(&cut)]);
    assert_eq!(code, 2, "{stderr}");
    assert_accounted(&report);
}

/// UTF-16 with a byte-order mark (what Windows PowerShell 5.1's `>` writes) is read as the text it holds, in
/// either byte order, from a file, stdin or gzip, with each record on its own line as in the UTF-8 original.
#[test]
fn utf16_with_a_byte_order_mark_is_read_as_its_text() {
    let utf16 = |text: &str, big_endian: bool| -> Vec<u8> {
        let units = std::iter::once(0xFEFF).chain(text.encode_utf16());
        units
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    };
    let texts = [
        std::fs::read_to_string(fixture("syslog.ndjson")).expect("fixture"),
        std::fs::read_to_string(fixture("syslog-api-page.json")).expect("fixture"),
        std::fs::read_to_string(fixture("syslog-export.csv")).expect("fixture"),
        std::fs::read_to_string(fixture("tasks-paste.txt")).expect("fixture"),
    ];
    for text in &texts {
        let (want, want_code) = json_report(&[], text.as_str());
        assert!(figures(&want)[1] > 0, "the fixture holds failures");
        for big_endian in [false, true] {
            let bytes = utf16(text, big_endian);
            let (from_stdin, code) = json_report(&[], bytes.clone());
            assert_eq!(code, want_code);
            assert_eq!(figures(&from_stdin), figures(&want));
            assert_eq!(findings(&from_stdin), findings(&want));
            let file = temp_file(".json", &bytes);
            let (from_file, _, stderr) = run(&[&path(&file)]);
            assert_eq!(findings(&from_file), findings(&want), "{stderr}");
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&bytes).expect("compressed");
            let (from_gzip, _) = json_report(&[], gz.finish().expect("compressed"));
            assert_eq!(findings(&from_gzip), findings(&want));
        }
    }
    // A lone surrogate in a name and an odd last byte: each becomes U+FFFD, the byte a line of its own that
    // is one more malformed record, and every other record is kept.
    let mut bytes = utf16(&texts[0], false);
    let doe: Vec<u8> = "Doe".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let names: Vec<usize> = (0..bytes.len() - 6)
        .filter(|&i| bytes[i..i + 6] == doe[..])
        .collect();
    assert!(!names.is_empty(), "the fixture names John Doe");
    for at in names {
        bytes[at..at + 2].copy_from_slice(&0xD800u16.to_le_bytes());
    }
    bytes.push(b'x');
    let (report, _) = json_report(&[], bytes);
    let (want, _) = json_report(&[], texts[0].as_str());
    let [records, failures, diagnosed, unrecognized, ignored, malformed, duplicates] = figures(&want);
    assert_eq!(
        figures(&report),
        [
            records + 1,
            failures,
            diagnosed,
            unrecognized,
            ignored,
            malformed + 1,
            duplicates
        ]
    );
    assert!(
        findings(&report)
            .iter()
            .any(|f| f.2.as_deref() == Some("John \u{fffd}oe")),
        "{:?}",
        findings(&report)
    );
}

/// What Windows PowerShell 5.1 saves of a System Log page with `Invoke-RestMethod … | ConvertTo-Json > file`:
/// UTF-16LE with a byte-order mark, CRLF line ends, its wide indentation, `'` escaped as `\u0027`, and each
/// target left as PowerShell's text of an object (`ConvertTo-Json` stops at depth 2 unless told otherwise).
/// Both failures are read whole: cause, user and app.
#[test]
fn a_page_saved_by_windows_powershell_keeps_its_failures_and_their_names() {
    let event = |uuid: &str, reason: &str, user: &str, login: &str| {
        [
            "    {".to_owned(),
            "        \"eventType\":  \"application.provision.user.push\",".to_owned(),
            "        \"outcome\":  {".to_owned(),
            "                        \"result\":  \"FAILURE\",".to_owned(),
            format!("                        \"reason\":  \"{reason}\""),
            "                    },".to_owned(),
            "        \"published\":  \"2024-04-21T12:47:34.228Z\",".to_owned(),
            format!("        \"uuid\":  \"{uuid}\","),
            "        \"target\":  [".to_owned(),
            format!("                       \"@{{id=00u{uuid}; type=User; alternateId={login}; displayName={user}; detailEntry=}}\","),
            "                       \"@{id=0oa1; type=AppInstance; alternateId=salesforce; displayName=Salesforce.com; detailEntry=}\"".to_owned(),
            "                   ]".to_owned(),
            "    }".to_owned(),
        ]
        .join("\r\n")
    };
    let page = format!(
        "[\r\n{},\r\n{}\r\n]\r\n",
        event(
            "a1",
            "License Limit Exceeded.",
            "John Doe",
            "john.doe@example.com"
        ),
        event(
            "b2",
            "Matching user not found.",
            "Zoë O\\u0027Brien",
            "zoe@example.com"
        ),
    );
    let bytes: Vec<u8> = std::iter::once(0xFEFF)
        .chain(page.encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    let file = temp_file(".json", &bytes);
    let (report, code, stderr) = run(&[&path(&file)]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(figures(&report), [2, 2, 2, 0, 0, 0, 0], "{stderr}");
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        findings(&report),
        [
            (2, s("license-limit-exceeded"), s("John Doe"), s("Salesforce.com")),
            (
                15,
                s("create-users-disabled"),
                s("Zoë O'Brien"),
                s("Salesforce.com")
            ),
        ]
    );
}

/// JSON that holds no System Log event never passes for an export without failures: the events of an
/// envelope not known by name are read (Windows PowerShell's `{"value": […], "Count": n}`, a script's
/// `{"events": […]}`, an event under a key), an object holding a Tasks sentence is that failure, and any other
/// object (another Okta export, such as a list of users) is reported as no event: an input of nothing else
/// exits 2.
#[test]
fn json_that_is_no_event_is_read_for_what_it_holds_or_reported() {
    let (a, b) = (failure(1), failure(2));
    let pretty = |v: &str| {
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(v).expect("valid")).expect("printed")
    };
    let powershell = format!(r#"{{"value":[{a},{b}],"Count":2}}"#);
    for wrapped in [
        powershell.clone(),
        pretty(&powershell),
        format!(r#"{{"events":[{a},{b}],"next":null}}"#),
        format!(r#"[{{"event":{a}}},{{"event":{b}}}]"#),
    ] {
        let (report, code) = json_report(&[], wrapped.as_str());
        assert_eq!((figures(&report), code), ([2, 2, 2, 0, 0, 0, 0], 1), "{wrapped}");
        assert_accounted(&report);
    }
    // Each event's finding is placed on the line where it starts.
    let (report, _) = json_report(&[], pretty(&powershell));
    let lines: Vec<u64> = findings(&report).iter().map(|f| f.0).collect();
    let starts: Vec<u64> = pretty(&powershell)
        .lines()
        .zip(1..)
        .filter(|(l, _)| *l == "    {")
        .map(|(_, n)| n)
        .collect();
    assert_eq!(starts.len(), 2);
    assert_eq!(lines, starts);
    // Users, not events: each one reported, none counted as ignored.
    let users = r#"[{"id":"00u1","status":"ACTIVE","profile":{"login":"a@example.com"}},{"id":"00u2","status":"ACTIVE","profile":{"login":"b@example.com"}}]"#;
    let (report, code) = json_report(&[], users);
    assert_eq!((figures(&report), code), ([2, 0, 0, 0, 0, 2, 0], 2));
    let message = report["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("not a System Log event"), "{message}");
    // A note holding a Tasks sentence is that failure, as a line of text would be; so is an Okta error
    // copied bare, on any line of any string the object holds.
    let note = r#"{"note": "Automatic provisioning of user A B to app Box failed: License Limit Exceeded."}"#;
    let (report, code) = json_report(&[], note);
    assert_eq!((figures(&report), code), ([1, 1, 1, 0, 0, 0, 0], 1));
    assert_eq!(findings(&report)[0].3.as_deref(), Some("Box"));
    let task = r#"{"task": {"id": 7, "detail": ["seen today\nUnauthorized. Errors reported by remote server: Invalid SCIM token, please check your configuration"]}}"#;
    let (report, code) = json_report(&[], task);
    assert_eq!((figures(&report), code), ([1, 1, 1, 0, 0, 0, 0], 1));
    assert_eq!(findings(&report)[0].1.as_deref(), Some("invalid-credentials"));
}

#[test]
fn provdiag_threads_must_be_a_positive_number() {
    for bad in ["abc", "0", "-3", ""] {
        provdiag()
            .env("PROVDIAG_THREADS", bad)
            .args(["-m", "x"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("PROVDIAG_THREADS"));
    }
}

/// Completeness over every reader: N events built from bytes give exactly N records, on any number of
/// workers.
#[test]
fn n_events_give_exactly_n_records_in_every_shape() {
    const N: usize = 5000;
    let events: Vec<String> = (1..=N).map(failure).collect();
    let values: Vec<Value> = events
        .iter()
        .map(|e| serde_json::from_str(e).expect("valid"))
        .collect();
    let mut csv = String::from("uuid,eventType,outcome.result,outcome.reason\n");
    for i in 1..=N {
        csv.push_str(&format!(
            "{i:08x}-0000-4000-8000-000000000000,application.provision.user.push,FAILURE,\"License Limit Exceeded.\"\r\n"
        ));
    }
    let shapes = [
        ("ndjson", events.join("\n")),
        (
            "pretty",
            serde_json::to_string_pretty(&values).expect("serializes"),
        ),
        ("array", serde_json::to_string(&values).expect("serializes")),
        ("concatenated", events.join("")),
        ("csv", csv),
    ];
    for (name, text) in shapes {
        let file = temp_file(".txt", text.as_bytes());
        for threads in ["1", "2", "64"] {
            let out = provdiag()
                .env("PROVDIAG_THREADS", threads)
                .args(["--format", "json", &path(&file)])
                .output()
                .expect("runs");
            let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
            assert_accounted(&report);
            let n = N as u64;
            assert_eq!(
                figures(&report),
                [n, n, n, 0, 0, 0, 0],
                "{name}, {threads} threads"
            );
        }
    }
}

#[test]
fn an_indented_event_split_at_a_member_is_one_event_to_auto_detection() {
    let event = "  {\"uuid\": \"a1\", \"eventType\": \"application.provision.user.push\", \"outcome\":\n    {\"result\": \"FAILURE\", \"reason\": \"License Limit Exceeded.\"}}\n";
    let (auto, _) = json_report(&[], event);
    let (json, _) = json_report(&["-i", "json"], event);
    assert_eq!(figures(&auto), figures(&json), "auto reads what -i json reads");
    assert_eq!(auto["summary"]["malformed"], 0, "{auto}");
    assert_eq!(auto["summary"]["diagnosed"], 1, "{auto}");
}
