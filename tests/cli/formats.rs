//! Reports for people, scripts and tickets: every format carries the JSON report's incidents and figures.

use super::*;
use predicates::prelude::*;

/// The inputs every format is compared on: exports and a paste, with duplicates and a broken line.
fn inputs() -> Vec<String> {
    [
        "syslog.ndjson",
        "syslog-pages-overlap.json",
        "tasks-paste.txt",
        "syslog-bom-crlf-cut.ndjson",
    ]
    .map(fixture)
    .to_vec()
}

fn output(format: &str, extra: &[&str]) -> String {
    let out = provdiag()
        .args(["--format", format, "--color", "never"])
        .args(extra)
        .args(inputs())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{format}");
    String::from_utf8(out.stdout).expect("utf-8")
}

fn reference() -> Value {
    let args: Vec<String> = inputs();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (report, _) = json_report(&args, "");
    assert_accounted(&report);
    report
}

fn incidents(report: &Value) -> &Vec<Value> {
    report["incidents"].as_array().expect("incidents")
}

#[test]
fn ndjson_streams_the_same_findings_errors_incidents_and_summary() {
    let json = reference();
    let text = output("ndjson", &[]);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let of = |t: &str| -> Vec<Value> {
        lines
            .iter()
            .filter(|l| l["type"] == t)
            .map(|l| {
                let mut l = l.clone();
                l.as_object_mut().map(|o| o.remove("type"));
                l
            })
            .collect()
    };
    assert_eq!(
        lines.last().map(|l| l["type"].clone()),
        Some(Value::from("summary")),
        "summary last"
    );
    assert_eq!(of("finding"), *json["findings"].as_array().expect("findings"));
    assert_eq!(of("error"), *json["errors"].as_array().expect("errors"));
    assert_eq!(of("incident"), *incidents(&json));
    assert_eq!(of("summary"), [json["summary"].clone()]);
    // Streamed: every finding comes before the first incident.
    let last_finding = lines.iter().rposition(|l| l["type"] == "finding");
    let first_incident = lines.iter().position(|l| l["type"] == "incident");
    assert!(last_finding < first_incident);
}

#[test]
fn text_carries_each_incident_its_steps_and_the_figures() {
    let json = reference();
    let text = output("text", &[]);
    for i in incidents(&json).iter().filter(|i| !i["cause"].is_null()) {
        let app = i["app"].as_str().unwrap_or("(app not named)");
        let n = i["failures"].as_u64().expect("count");
        let head = format!("app: {app}  ·  {n} failure");
        assert!(text.contains(&head), "{head}\n{text}");
        for step in i["remediation"].as_array().expect("steps") {
            assert!(text.contains(step.as_str().expect("step")), "{step}");
        }
    }
    let [r, f, d, u, i, m, dup] = figures(&json);
    let line = format!("{r} records: {f} failures ({d} diagnosed, {u} unrecognized), {i} ignored, {m} malformed, {dup} duplicates");
    assert_eq!(text.lines().last(), Some(line.as_str()));
    // Most failures first.
    let counts: Vec<u64> = incidents(&json)
        .iter()
        .filter_map(|i| i["failures"].as_u64())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
}

#[test]
fn unrecognized_failures_read_as_one_line_per_shape_with_a_count() {
    let paste: String = (0..100)
        .map(|i| {
            format!(
                "Automatic provisioning of user User{i} Name to app Workday failed: Error while creating user User{i} Name : Precondition Failed. ref {} id 00u{:017}\n",
                1000 + i,
                i
            )
        })
        .collect();
    let out = provdiag()
        .args(["--color", "never"])
        .write_stdin(paste)
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Precondition Failed"))
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].contains("100×") && lines[0].contains("Workday"),
        "{}",
        lines[0]
    );
    assert!(!lines[0].contains("User1"), "names are masked: {}", lines[0]);
}

#[test]
fn markdown_is_a_ticket_with_the_same_incidents_and_figures() {
    let json = reference();
    let md = output("markdown", &[]);
    assert!(md.starts_with("# "), "a title");
    let row = format!("| {} |", figures(&json).map(|n| n.to_string()).join(" | "));
    assert!(md.contains(&row), "{row}\n{md}");
    for (n, i) in incidents(&json).iter().enumerate() {
        let app = i["app"].as_str().unwrap_or("(app not named)");
        let heading = format!("## {}. {}: {}", n + 1, i["title"].as_str().expect("title"), app);
        assert!(md.contains(&heading), "{heading}");
        assert!(md.contains(&format!("**Failures:** {}", i["failures"])));
    }
    assert!(md
        .contains("1. In the Okta Admin Console open Applications > Salesforce.com > Provisioning > To App"));
    assert!(md.contains("**Affected users ("));
    assert!(md.contains("](https://help.okta.com/"));
    assert!(md.contains("## Unreadable records"));
}

#[test]
fn github_annotations_carry_each_incident_and_are_escaped() {
    let json = reference();
    let gh = output("github", &[]);
    let lines: Vec<&str> = gh.lines().collect();
    let diagnosed = incidents(&json).iter().filter(|i| !i["cause"].is_null()).count();
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("::error ")).count(),
        diagnosed
    );
    assert!(lines
        .iter()
        .any(|l| l.starts_with("::warning ") && l.contains("Unrecognized provisioning failure")));
    assert!(lines
        .last()
        .is_some_and(|l| l.starts_with("::notice title=provdiag::") && l.contains("records: ")));
    for l in &lines {
        let (props, _message) = l
            .split_once("::")
            .and_then(|(_, rest)| rest.split_once("::"))
            .expect("command::");
        assert!(props.split(',').all(|p| p.contains('=')), "{l}");
    }
    // Properties escape `:` and `,`; messages escape `%` and line breaks.
    let tricky =
        "Automatic provisioning of user A B to app Box: EU, 100% to app X failed: License Limit Exceeded.";
    let out = provdiag()
        .args(["--format", "github", "-m", tricky])
        .output()
        .expect("runs");
    let gh = String::from_utf8(out.stdout).expect("utf-8");
    let error = gh
        .lines()
        .find(|l| l.starts_with("::error "))
        .expect("an error annotation");
    assert!(
        error
            .contains("title=The app has no licence left for this assignment (Box%3A EU%2C 100%25 to app X)"),
        "{error}"
    );
    assert!(error.contains("%0AWhat to do:%0A1. "), "{error}");
    assert!(
        !error.contains("-m") && !error.contains("file="),
        "no file for -m: {error}"
    );
}

#[test]
fn github_points_at_the_file_and_line_of_the_first_failure() {
    let out = provdiag()
        .args(["--format", "github", "fixtures/syslog.ndjson"])
        .output()
        .expect("runs");
    let gh = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        gh.lines()
            .any(|l| l.starts_with("::error file=fixtures/syslog.ndjson,line=1,title=")),
        "{gh}"
    );
}

/// Every name, login and email the inputs hold.
const PEOPLE: &[&str] = &[
    "John Doe",
    "john.doe",
    "Jane Roe",
    "jane.roe",
    "Zoë O'Brien",
    "zoe.obrien",
    "Ravi Patel",
    "ravi.patel",
    "Mei Chen",
    "ana.lima",
    "example.com",
];

#[test]
fn redact_leaves_no_person_in_any_format_and_keeps_people_apart() {
    for format in ["text", "json", "ndjson", "markdown", "github"] {
        let out = output(format, &["--redact"]);
        for who in PEOPLE {
            assert!(!out.contains(who), "{format}: {who} leaked");
        }
        assert!(out.contains("Salesforce.com"), "{format}: apps stay");
        assert_eq!(out, output(format, &["--redact"]), "{format}: stable across runs");
    }
    let args: Vec<String> = inputs();
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (plain, _) = json_report(&args, "");
    args.push("--redact");
    let (redacted, _) = json_report(&args, "");
    assert_eq!(plain["summary"], redacted["summary"]);
    for (p, r) in incidents(&plain).iter().zip(incidents(&redacted)) {
        let distinct = |v: &Value| {
            let mut users: Vec<String> = v["users"]
                .as_array()
                .expect("users")
                .iter()
                .map(|u| u.to_string())
                .collect();
            users.sort();
            users.dedup();
            users.len()
        };
        assert_eq!(distinct(p), distinct(r), "people stay distinguishable");
    }
}

#[test]
fn redact_keeps_only_the_matched_words_of_a_line_without_a_tasks_sentence() {
    let paste = "2024-04-21 12:47 Quentin Marchetti-Ybarra: LICENSE_LIMIT_EXCEEDED: License Limit Exceeded\n";
    let (report, _) = json_report(&["--redact"], paste);
    assert_eq!(report["findings"][0]["cause"], "license-limit-exceeded");
    let reason = report["findings"][0]["reason"].as_str().expect("a reason");
    assert!(
        !reason.contains("Quentin") && !reason.contains("Marchetti"),
        "{reason}"
    );
    assert!(reason.to_lowercase().contains("license"), "{reason}");
    let (plain, _) = json_report(&[], paste);
    assert!(
        plain["findings"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("Quentin")),
        "unredacted, the line stays"
    );
}

#[test]
fn the_same_person_gets_the_same_pseudonym_across_inputs() {
    let (report, _) = json_report(
        &["--redact", "fixtures/syslog.ndjson", "fixtures/tasks-paste.txt"],
        "",
    );
    let john: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["source"]["line"] == 1 || f["source"]["line"] == 3)
        .filter_map(|f| f["user"].as_str())
        .collect();
    assert_eq!(john.len(), 2);
    assert_eq!(john[0], john[1], "John Doe from an event and from a paste");
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        provdiag()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("provdiag").and(predicate::str::contains("fail-on")));
    }
    provdiag().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn no_progress_line_when_stderr_is_not_a_terminal() {
    let many: String = (0..50_000).map(|i| format!("line {i} of noise\n")).collect();
    provdiag().write_stdin(many).assert().success().stderr("");
}
