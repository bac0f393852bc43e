//! `--format github` in a GitHub Actions step: no more annotations than GitHub shows, the most important
//! first, a notice for the rest, the markdown report appended to the step summary; and under `--strict` no
//! format leaves a cut report behind.

use super::*;

/// A provisioning failure event of `user` on `app` (no app target when `app` is None).
fn event(n: usize, user: &str, app: Option<&str>, reason: &str) -> String {
    let mut target =
        vec![serde_json::json!({"type": "User", "displayName": user, "alternateId": format!("u{n}@x.io")})];
    if let Some(app) = app {
        target.push(serde_json::json!({"type": "AppInstance", "displayName": app}));
    }
    serde_json::json!({
        "uuid": format!("e-{n}"),
        "published": format!("2024-04-21T12:{:02}:00Z", n % 60),
        "eventType": "application.provision.user.push",
        "outcome": {"result": "FAILURE", "reason": reason},
        "target": target,
    })
    .to_string()
        + "\n"
}

/// 14 apps out of licences (app k with k+1 failures), 12 kinds of unrecognized message, 3 broken lines.
fn busy() -> tempfile::NamedTempFile {
    let mut text = String::new();
    let mut n = 0;
    for k in 0..14 {
        for _ in 0..=k {
            n += 1;
            text += &event(
                n,
                &format!("User {n}"),
                Some(&format!("App{k}")),
                "License Limit Exceeded.",
            );
        }
    }
    for k in 0..12 {
        n += 1;
        let words = [
            "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
            "kilo", "lima",
        ];
        text += &event(n, "Someone", Some("Odd"), &format!("The app said {}", words[k]));
    }
    text += "{\"cut\": \n{]\nnot json\n";
    let mut file = tempfile::Builder::new()
        .suffix(".ndjson")
        .tempfile()
        .expect("a temporary file");
    std::io::Write::write_all(&mut file, text.as_bytes()).expect("writes");
    file
}

fn run(args: &[&str], summary: Option<&std::path::Path>) -> (String, String, Option<i32>) {
    let mut cmd = provdiag();
    cmd.env_remove("GITHUB_STEP_SUMMARY");
    if let Some(path) = summary {
        cmd.env("GITHUB_STEP_SUMMARY", path);
    }
    let out = cmd.args(args).output().expect("runs");
    (
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
        out.status.code(),
    )
}

#[test]
fn annotations_stop_at_what_github_shows_most_failures_first_then_say_how_many_more() {
    let input = busy();
    let path = input.path().to_str().expect("a UTF-8 path");
    let (report, _) = json_report(&[path], "");
    // Only the licences fail the run: unrecognized failures are the warnings.
    let fail_on = ["--fail-on", "license-limit-exceeded"];
    let (gh, _, code) = run(&[&fail_on[..], &["--format", "github", path]].concat(), None);
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = gh.lines().collect();
    let errors: Vec<&&str> = lines.iter().filter(|l| l.starts_with("::error ")).collect();
    let warnings: Vec<&&str> = lines.iter().filter(|l| l.starts_with("::warning ")).collect();
    assert_eq!((errors.len(), warnings.len()), (10, 10), "{gh}");
    // The ten incidents with the most failures, most first: App13 (14 failures) down to App4 (5).
    for (k, e) in errors.iter().enumerate() {
        let app = format!("App{}", 13 - k);
        assert!(
            e.contains(&format!("({app})::{} open failures on {app} ", 14 - k)),
            "{e}"
        );
    }
    // Unrecognized failures before unreadable records.
    let groups = report["unrecognized"].as_array().expect("groups").len();
    let malformed = report["summary"]["malformed"].as_u64().expect("malformed") as usize;
    assert_eq!((groups, malformed), (12, 3));
    assert!(warnings
        .iter()
        .all(|w| w.contains("title=Unrecognized provisioning failure (Odd)")));
    let diagnosed = report["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .filter(|i| !i["cause"].is_null())
        .count();
    let notice = format!(
        "::notice title=provdiag::{} more incidents and {} more warnings not annotated: GitHub shows 10 annotations of each kind per step.",
        diagnosed - 10,
        groups + malformed - 10
    );
    assert!(gh.contains(&notice), "{notice}\n{gh}");
    assert!(lines
        .last()
        .is_some_and(|l| l.starts_with("::notice title=provdiag::") && l.contains(" records: ")));
}

#[test]
fn no_notice_of_more_when_everything_fits() {
    let (gh, _, _) = run(&["--format", "github", &fixture("syslog.ndjson")], None);
    assert!(!gh.contains("not annotated"), "{gh}");
    assert_eq!(gh.lines().filter(|l| l.starts_with("::notice")).count(), 1);
}

#[test]
fn an_incident_without_an_app_reads_naturally() {
    let input = format!(
        "{}{}",
        event(1, "Ann Lee", None, "License Limit Exceeded."),
        event(2, "Bo Wu", None, "Odd thing")
    );
    let (gh, _, _) = run(
        &[
            "--format",
            "github",
            "--fail-on",
            "license-limit-exceeded",
            "-m",
            &input,
        ],
        None,
    );
    let error = gh.lines().find(|l| l.starts_with("::error ")).expect("an error");
    assert!(
        error.starts_with("::error title=The app has no licence left for this assignment::1 open failure [license-limit-exceeded]"),
        "{error}"
    );
    let warning = gh
        .lines()
        .find(|l| l.starts_with("::warning "))
        .expect("a warning");
    assert!(
        warning.starts_with("::warning title=Unrecognized provisioning failure::1× "),
        "{warning}"
    );
    assert!(!gh.contains("app not named") && !gh.contains("(("), "{gh}");
}

#[test]
fn the_markdown_report_is_appended_to_the_step_summary() {
    let input = fixture("syslog.ndjson");
    let (md, _, _) = run(&["--format", "markdown", &input], None);
    let summary = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(summary.path(), "## An earlier step\n\n").expect("writes");
    let (gh, stderr, code) = run(&["--format", "github", &input], Some(summary.path()));
    assert_eq!((code, stderr.as_str()), (Some(1), ""));
    assert!(gh.starts_with("::error "), "annotations still go to stdout");
    let (again, _, _) = run(&["--format", "github", &input], Some(summary.path()));
    assert_eq!(again, gh);
    let written = std::fs::read_to_string(summary.path()).expect("reads");
    assert_eq!(
        written,
        format!("## An earlier step\n\n{md}{md}"),
        "appended, not overwritten"
    );
    // Only the github format writes there.
    run(&["--format", "json", &input], Some(summary.path()));
    assert_eq!(std::fs::read_to_string(summary.path()).expect("reads"), written);
}

#[test]
fn an_unwritable_step_summary_is_a_warning_and_the_report_stands() {
    let input = fixture("syslog.ndjson");
    let (plain, _, _) = run(&["--format", "github", &input], None);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (gh, stderr, code) = run(&["--format", "github", &input], Some(dir.path()));
    assert_eq!(code, Some(1), "the outcome does not change");
    assert_eq!(gh, plain, "the annotations are whole");
    assert!(
        stderr.starts_with("provdiag: warning: cannot append the report to the step summary ")
            && stderr.contains("GITHUB_STEP_SUMMARY"),
        "{stderr}"
    );
}

/// Two failures, a malformed record, then a failure that a `--strict` run never reaches.
fn broken_after_failures() -> String {
    format!(
        "{}{}{{\"uuid\": \"cut\", \"outcome\": \n{}",
        event(1, "Ann Lee", Some("Box"), "License Limit Exceeded."),
        event(2, "Bo Wu", Some("Box"), "Odd thing"),
        event(3, "Cy Ray", Some("Box"), "License Limit Exceeded.")
    )
}

#[test]
fn under_strict_a_report_is_whole_or_absent_in_every_format() {
    let input = broken_after_failures();
    let summary = tempfile::NamedTempFile::new().expect("a temporary file");
    for format in ["text", "json", "ndjson", "markdown", "github"] {
        let (out, stderr, code) = run(
            &[
                "--strict", "--format", format, "--color", "never", "-i", "ndjson", "-m", &input,
            ],
            Some(summary.path()),
        );
        assert_eq!(code, Some(2), "{format}");
        assert!(
            stderr.contains("--message:3:") && stderr.contains("--strict"),
            "{format}: {stderr}"
        );
        match format {
            // Streamed: the findings read before the fatal record, each line whole, and nothing after.
            "ndjson" => {
                schema::assert_valid_ndjson(&out);
                let types: Vec<String> = out
                    .lines()
                    .map(|l| serde_json::from_str::<Value>(l).expect("JSON")["type"].to_string())
                    .collect();
                assert_eq!(types, ["\"finding\"", "\"finding\""], "{out}");
            }
            // A document is written once, at the end: none was.
            _ => assert_eq!(out, "", "{format}: no cut document"),
        }
    }
    assert_eq!(
        std::fs::read_to_string(summary.path()).expect("reads"),
        "",
        "no step summary either"
    );
    // Without --strict the same input gives whole reports of all three failures.
    let (report, code) = json_report(&["-i", "ndjson", "-m", &input], "");
    assert_eq!((report["summary"]["failures"].as_u64(), code), (Some(3), 1));
}

#[test]
fn notes_are_notices_and_notices_stay_within_what_github_shows() {
    let syslog = fixture("syslog.ndjson");
    let missing: Vec<String> = (0..12).map(|k| format!("/nonexistent/{k}.json")).collect();
    let mut args = vec!["--format", "github", syslog.as_str()];
    args.extend(missing.iter().map(String::as_str));
    let (gh, _, code) = run(&args, None);
    assert_eq!(code, Some(2), "inputs could not be read");
    let notices: Vec<&str> = gh.lines().filter(|l| l.starts_with("::notice ")).collect();
    assert_eq!(notices.len(), 10, "{gh}");
    let notes: Vec<&&str> = notices
        .iter()
        .filter(|l| l.starts_with("::notice title=provdiag note::cannot read /nonexistent/"))
        .collect();
    assert_eq!(notes.len(), 8, "{gh}");
    assert!(
        notices[8].starts_with("::notice title=provdiag::4 more notes not annotated: "),
        "{gh}"
    );
    assert!(notices[9].contains(" records: "), "the figures last: {gh}");
    // The markdown report lists every note.
    let mut args = vec!["--format", "markdown", syslog.as_str()];
    args.extend(missing.iter().map(String::as_str));
    let (md, _, _) = run(&args, None);
    let section = md
        .split("## What these figures cannot tell\n")
        .nth(1)
        .expect("a notes section");
    assert_eq!(
        section
            .lines()
            .filter(|l| l.starts_with("- cannot read /nonexistent/"))
            .count(),
        12
    );
}
