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
        .env("PROVDIAG_REDACT_KEY", "a key shared by the runs")
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
    super::schema::assert_valid_ndjson(&text);
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
    // Streamed findings carry no resolution yet: `resolution` lines bring it at the end.
    let without_resolution: Vec<Value> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f.as_object_mut().map(|o| o.remove("resolved_at"));
            f
        })
        .collect();
    assert_eq!(of("finding"), without_resolution);
    let resolved: Vec<(Value, Value)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| !f["resolved_at"].is_null())
        .map(|f| (f["source"].clone(), f["resolved_at"].clone()))
        .collect();
    assert!(!resolved.is_empty(), "the inputs hold a resolved failure");
    let resolutions: Vec<(Value, Value)> = of("resolution")
        .iter()
        .map(|r| (r["source"].clone(), r["resolved_at"].clone()))
        .collect();
    assert_eq!(resolutions, resolved);
    assert_eq!(of("error"), *json["errors"].as_array().expect("errors"));
    assert_eq!(of("incident"), *incidents(&json));
    assert_eq!(
        of("unrecognized"),
        *json["unrecognized"].as_array().expect("unrecognized")
    );
    let notes: Vec<Value> = of("note").into_iter().map(|n| n["note"].clone()).collect();
    assert_eq!(notes, *json["notes"].as_array().expect("notes"));
    assert_eq!(of("app"), *json["apps"].as_array().expect("apps"));
    let mut summary = of("summary");
    assert_eq!(summary.len(), 1);
    let version = summary[0].as_object_mut().and_then(|o| o.remove("version"));
    assert_eq!(
        version,
        Some(json["version"].clone()),
        "the summary carries the version"
    );
    assert_eq!(summary, [json["summary"].clone()]);
    // Streamed: every finding comes before the first incident.
    let last_finding = lines.iter().rposition(|l| l["type"] == "finding");
    let first_incident = lines.iter().position(|l| l["type"] == "incident");
    assert!(last_finding < first_incident);
}

#[test]
fn text_carries_each_incident_its_steps_and_the_figures() {
    let json = reference();
    let text = output("text", &[]);
    for i in incidents(&json)
        .iter()
        .filter(|i| !i["cause"].is_null() && i["open"].as_u64() > Some(0))
    {
        let app = i["app"].as_str().unwrap_or("(app not named)");
        let n = i["open"].as_u64().expect("count");
        let head = format!("app: {app}  ·  {n} open failure");
        assert!(text.contains(&head), "{head}\n{text}");
        // Off a terminal the text is wrapped at 100 columns: the steps are read across the breaks.
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for step in i["remediation"].as_array().expect("steps") {
            assert!(flat.contains(step.as_str().expect("step")), "{step}");
        }
    }
    // The incidents' paragraphs (indented); the apps' table and the figures stay one line each, and so
    // does a line that ends in a link (a URL is never broken).
    let ends_in_link = |l: &str| l.rsplit(' ').next().is_some_and(|w| w.starts_with("https://"));
    let long: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.starts_with("   ") && l.chars().count() > 100 && l.trim().contains(' ') && !ends_in_link(l)
        })
        .collect();
    assert_eq!(long, Vec::<&str>::new(), "no paragraph line past 100 columns");
    assert!(
        text.lines().filter(|l| l.starts_with("   ")).count() > 10,
        "{text}"
    );
    let [r, f, d, u, i, m, dup] = figures(&json);
    let (open, resolved) = (&json["summary"]["open"], &json["summary"]["resolved"]);
    let line = format!("{r} records: {f} failures ({d} diagnosed, {u} unrecognized; {open} open, {resolved} resolved), {i} ignored, {m} malformed, {dup} duplicates");
    assert_eq!(text.lines().last(), Some(line.as_str()));
    // Open incidents first, most open failures first; then the resolved ones.
    let counts: Vec<u64> = incidents(&json)
        .iter()
        .filter_map(|i| i["open"].as_u64())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    for i in incidents(&json).iter().filter(|i| i["open"] == 0) {
        let brief = format!(
            "{} · {} failure",
            i["app"].as_str().unwrap_or("(app not named)"),
            i["failures"]
        );
        let resolved_section = text
            .split("Resolved by later successes")
            .nth(1)
            .expect("a resolved section");
        assert!(resolved_section.contains(&brief), "{brief}\n{text}");
    }
}

#[test]
fn unrecognized_failures_read_as_one_line_per_shape_with_a_count() {
    let paste: String = (0..100)
        .map(|i| {
            format!(
                "Automatic provisioning of user User{i} Name to app Workday failed: Error while creating user User{i} Name : Sync deferred by the app. ref {} id 00u{:017}\n",
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
        .filter(|l| l.contains("Sync deferred by the app"))
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
    let [r, f, d, u, i, m, dup] = figures(&json);
    let (open, resolved) = (&json["summary"]["open"], &json["summary"]["resolved"]);
    let row = format!("| {r} | {f} | {d} | {u} | {open} | {resolved} | {i} | {m} | {dup} |");
    assert!(md.contains(&row), "{row}\n{md}");
    let open_incidents = incidents(&json).iter().filter(|i| i["open"] != 0);
    for (n, i) in open_incidents.enumerate() {
        let title = i["title"].as_str().expect("title");
        // An incident without an app is headed by its title alone.
        let heading = match i["app"].as_str() {
            Some(app) => format!("\n## {}. {title}: {app}\n", n + 1),
            None => format!("\n## {}. {title}\n", n + 1),
        };
        assert!(md.contains(&heading), "{heading}");
        assert!(md.contains(&format!("**Failures:** {}", i["failures"])));
    }
    assert!(md
        .contains("1. In the Okta Admin Console open Applications > Salesforce.com > Provisioning > To App"));
    assert!(md.contains("**Open users ("));
    assert!(
        md.contains("\nSource: <https://help.okta.com/"),
        "the source shows its address"
    );
    assert!(md.contains("## Unreadable records"));
}

#[test]
fn github_annotations_carry_each_incident_and_are_escaped() {
    let json = reference();
    let gh = output("github", &[]);
    let lines: Vec<&str> = gh.lines().collect();
    let diagnosed = incidents(&json)
        .iter()
        .filter(|i| !i["cause"].is_null() && i["open"] != 0)
        .count();
    // `--fail-on any` (the default) fails the run on unrecognized failures too: they are errors.
    let unrecognized = lines
        .iter()
        .filter(|l| l.starts_with("::error ") && l.contains("Unrecognized provisioning failure"))
        .count();
    assert!(unrecognized >= 1, "{gh}");
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("::error ")).count(),
        diagnosed + unrecognized
    );
    assert!(!lines
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
    // Why it has its cause, as text and markdown say it, before what to do.
    let why = error.find("%0Awhy: the message says ").expect("a why line");
    assert!(why < error.find("%0AWhat to do:").unwrap_or(0), "{error}");
    assert!(
        !error.contains("-m") && !error.contains("file="),
        "no file for -m: {error}"
    );
}

#[test]
fn github_points_at_the_file_and_line_of_the_first_open_failure() {
    let out = provdiag()
        .args(["--format", "github", "fixtures/syslog.ndjson"])
        .output()
        .expect("runs");
    let gh = String::from_utf8(out.stdout).expect("utf-8");
    let (json, _) = json_report(&["fixtures/syslog.ndjson"], "");
    let first_open = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["cause"] == "license-limit-exceeded" && f["resolved_at"].is_null())
        .and_then(|f| f["source"]["line"].as_u64())
        .expect("an open licence failure");
    let resolved_line = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| !f["resolved_at"].is_null())
        .and_then(|f| f["source"]["line"].as_u64())
        .expect("a resolved failure");
    assert!(first_open > resolved_line, "the fixture resolves the first one");
    let want = format!("::error file=fixtures/syslog.ndjson,line={first_open},title=The app has no licence");
    assert!(gh.lines().any(|l| l.starts_with(&want)), "{want}\n{gh}");
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
        assert_eq!(
            out,
            output(format, &["--redact"]),
            "{format}: stable across runs with the same key"
        );
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
fn redact_replaces_the_people_in_the_evidence_a_rule_quotes() {
    // A --rules file's pattern whose match spans a person: the evidence quotes those words.
    let dir = tempfile::tempdir().expect("a temp dir");
    let rules = dir.path().join("rules.json");
    let mut table: Value =
        serde_json::from_str(&std::fs::read_to_string("fixtures/rules-extra.json").expect("the fixture"))
            .expect("the fixture is JSON");
    let mut rule = table["rules"][0].clone();
    rule["id"] = "user-locked-in-app".into();
    rule["patterns"] = serde_json::json!([r"\buser \S+ is locked\b"]);
    rule["examples"] =
        serde_json::json!({"match": ["User someone@example.com is locked"], "no_match": ["locked out"]});
    table["rules"] = serde_json::json!([rule]);
    std::fs::write(&rules, table.to_string()).expect("the rules file is written");
    let rules = rules.to_str().expect("a UTF-8 path");
    let message = "SCIM error: User jane.doe@example.com is locked";
    for redact in [false, true] {
        let mut args = vec!["--rules", rules, "-m", message];
        if redact {
            args.push("--redact");
        }
        let (report, _) = json_report(&args, "");
        let evidence = &report["findings"][0]["evidence"];
        assert_eq!(evidence["layer"], "rule", "{report}");
        let text = evidence["text"].as_str().expect("the evidence's text");
        if redact {
            assert!(!report.to_string().contains("jane.doe"), "{report}");
            let reason = report["findings"][0]["reason"].as_str().expect("a reason");
            let pseudonym = reason
                .split(' ')
                .find(|w| w.ends_with("@redacted.invalid"))
                .expect("a pseudonym");
            assert!(
                text.contains(pseudonym),
                "the same pseudonym as the message's: {text}"
            );
        } else {
            assert!(text.contains("jane.doe@example.com"), "{text}");
        }
    }
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
    let mut many: String = (0..50_000).map(|i| format!("line {i} of noise\n")).collect();
    many += "Automatic provisioning of user A to app B failed: License Limit Exceeded.\n";
    provdiag().write_stdin(many).assert().code(1).stderr("");
}
