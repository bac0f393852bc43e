//! The fast path (blocks parsed on several threads, the framer's bracket search) against a plain, slow
//! reading written independently here, on generated exports with duplicates and broken records.

use super::*;
use std::collections::HashSet;

/// A small deterministic generator (xorshift), so that a failure can be reproduced.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn events(n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng(seed);
    let types = [
        "user.session.start",
        "application.provision.user.push",
        "application.integration.authentication_failure",
        "user.authentication.sso",
        "application.provision.user.deactivate",
    ];
    let results = ["SUCCESS", "FAILURE", "FAILURE", "ALLOW"];
    let reasons = [
        "License Limit Exceeded.",
        "Matching user not found",
        "INVALID_CREDENTIALS",
        "Bad Gateway {x}",
        "null",
    ];
    (0..n)
        .map(|i| {
            let reason = match rng.pick(&reasons) {
                "null" => "null".to_owned(),
                r => format!("\"{r}\""),
            };
            format!(
                r#"{{"uuid":"{:08x}-0000-4000-8000-{:012x}","published":"2024-04-21T12:00:{:02}.000Z","eventType":"{}","outcome":{{"result":"{}","reason":{reason}}},"target":[{{"type":"AppInstance","displayName":"App [{}]"}},{{"type":"User","displayName":"Name \"{i}\" {{x}}","alternateId":"u{i}@example.com"}}],"debugContext":{{"debugData":{{"k":"{{[\\\"]}}"}}}},"version":"0"}}"#,
                i,
                i,
                i % 60,
                rng.pick(&types),
                rng.pick(&results),
                rng.next() % 5
            )
        })
        .collect()
}

/// The figures a plain reading gives: each non-blank line a record, parsed on its own into a `Value`.
fn plain_ndjson_figures(text: &str) -> (u64, u64, u64, u64, Vec<u64>) {
    let (mut records, mut failures, mut malformed, mut duplicates) = (0, 0, 0, 0);
    let mut failure_lines = Vec::new();
    let mut seen = HashSet::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        records += 1;
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            malformed += 1;
            continue;
        };
        if let Some(uuid) = v["uuid"].as_str() {
            if !seen.insert(uuid.to_owned()) {
                duplicates += 1;
                continue;
            }
        }
        let kind = v["eventType"].as_str().unwrap_or("");
        let provisioning = ["application.provision.", "application.integration."]
            .iter()
            .any(|p| kind.starts_with(p));
        if v["outcome"]["result"] == "FAILURE" && provisioning {
            failures += 1;
            failure_lines.push(n as u64 + 1);
        }
    }
    (records, failures, malformed, duplicates, failure_lines)
}

fn run_with_threads(threads: &str, path: &str) -> Value {
    let out = provdiag()
        .env("PROVDIAG_THREADS", threads)
        .args(["--format", "json", "--fail-on", "none", path])
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&out.stdout).expect("a JSON report");
    super::schema::assert_valid_document(&report);
    report
}

fn write(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("provdiag-exact-{}-{name}", std::process::id()));
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

#[test]
fn ndjson_figures_equal_a_plain_reading_with_any_number_of_threads() {
    let mut rng = Rng(7);
    let base = events(6000, 42);
    let mut lines = Vec::new();
    for (i, e) in base.iter().enumerate() {
        lines.push(e.clone());
        match rng.next() % 40 {
            0 => lines.push(base[i / 2].clone()),            // a repeat: duplicate
            1 => lines.push(e[..e.len() / 3].to_owned()),    // cut off
            2 => lines.push(String::new()),                  // blank
            3 => lines.push("not json at all {".to_owned()), // garbage
            _ => {}
        }
    }
    let text = lines.join("\r\n");
    let path = write("events.ndjson", &text);
    let (records, failures, malformed, duplicates, failure_lines) = plain_ndjson_figures(&text);
    let one = run_with_threads("1", &path);
    assert_accounted(&one);
    let s = &one["summary"];
    assert_eq!(
        (
            s["records"].as_u64(),
            s["failures"].as_u64(),
            s["malformed"].as_u64(),
            s["duplicates"].as_u64()
        ),
        (Some(records), Some(failures), Some(malformed), Some(duplicates))
    );
    let lines: Vec<u64> = one["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["source"]["line"].as_u64())
        .collect();
    assert_eq!(lines, failure_lines);
    for threads in ["2", "3", "8"] {
        assert!(
            run_with_threads(threads, &path) == one,
            "{threads} threads give another report"
        );
    }
}

#[test]
fn pretty_pages_give_the_figures_of_the_same_events_as_ndjson() {
    let base = events(5000, 9);
    // Two overlapping pages, pretty-printed, concatenated: the second repeats the last 500 events.
    let page = |from: usize, to: usize| -> String {
        let values: Vec<Value> = base[from..to]
            .iter()
            .map(|e| serde_json::from_str(e).expect("valid"))
            .collect();
        serde_json::to_string_pretty(&values).expect("serializes")
    };
    let pages = format!("{}\n{}\n", page(0, 3000), page(2500, 5000));
    let pages_path = write("pages.json", &pages);
    let from_pages = run_with_threads("2", &pages_path);
    let from_lines = run_with_threads("2", &write("lines.ndjson", &base.join("\n")));
    assert_accounted(&from_pages);
    let (a, b) = (&from_pages["summary"], &from_lines["summary"]);
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or(u64::MAX);
    assert_eq!(n(a, "duplicates"), 500, "the overlap is counted once");
    assert_eq!(n(a, "records") - 500, n(b, "records"));
    for k in ["failures", "diagnosed", "unrecognized", "ignored", "malformed"] {
        assert_eq!(n(a, k), n(b, k), "{k}");
    }
    assert_eq!(a["by_cause"], b["by_cause"]);
    assert!(
        run_with_threads("1", &pages_path) == from_pages,
        "one thread and two give different reports"
    );
}
