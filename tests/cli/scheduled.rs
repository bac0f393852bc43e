//! Scheduled runs (spec, "Scheduled runs"): `--state` carries the failures still open from run to run, for
//! files and `pull` alike; `provdiag ack`; the state file's lock and directory; `--save` that never loses
//! what it held; `github` that follows `--fail-on`. A fortnight of daily runs is played out twice: over
//! successive exports, and against a fake Okta that gains events between runs. `PROVDIAG_NOW` sets the
//! runs' clock (no test reads the wall clock).

use super::okta::{error_body, FakeOkta, Scripted};
use super::*;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

const TOKEN: &str = "00TESTschedTokenNotShown_51c2";

/// A provisioning event on day `day` of March 2026 at `hour`: `who` is None for an app-level event.
fn event(
    n: u32,
    (day, hour): (u32, u32),
    who: Option<&str>,
    app: &str,
    kind: &str,
    result: &str,
    reason: &str,
) -> String {
    let mut target =
        vec![serde_json::json!({"type": "AppInstance", "displayName": app, "id": format!("0oa{app}")})];
    if let Some(who) = who {
        target.push(serde_json::json!({
            "type": "User", "displayName": who, "alternateId": format!("{}@example.com", who.to_lowercase()),
            "id": format!("00u{who}")
        }));
    }
    serde_json::json!({
        "uuid": format!("5c4e{n:04}-0f0c-11ef-9a1b-0242ac120002"),
        "published": format!("2026-03-{day:02}T{hour:02}:00:00.000Z"),
        "eventType": kind,
        "outcome": {"result": result, "reason": if reason.is_empty() { Value::Null } else { reason.into() }},
        "target": target,
    })
    .to_string()
}

const PUSH: &str = "application.provision.user.push";
const AUTH: &str = "application.integration.authentication_failure";

/// The fortnight: each day's events, the acknowledgement made that morning, and what the run must say —
/// its exit code and the open incidents as (cause, app, status).
struct Day {
    events: Vec<String>,
    ack: Option<[&'static str; 4]>,
    code: i32,
    open: Vec<(&'static str, &'static str, &'static str)>,
}

fn fortnight() -> Vec<Day> {
    let lic = "License Limit Exceeded.";
    let day = |events: Vec<String>, code, open: Vec<(&'static str, &'static str, &'static str)>| Day {
        events,
        ack: None,
        code,
        open,
    };
    vec![
        // 1: Ann cannot get a Box seat.
        day(
            vec![event(1, (1, 10), Some("Ann"), "Box", PUSH, "FAILURE", lic)],
            1,
            vec![("license-limit-exceeded", "Box", "new")],
        ),
        // 2: nothing about Ann today, Bob's push works: still open, still red.
        day(
            vec![event(2, (2, 9), Some("Bob"), "Box", PUSH, "SUCCESS", "")],
            1,
            vec![("license-limit-exceeded", "Box", "ongoing")],
        ),
        // 3: Zoom's API credentials stop working.
        day(
            vec![event(3, (3, 11), None, "Zoom", AUTH, "FAILURE", "")],
            1,
            vec![
                ("license-limit-exceeded", "Box", "ongoing"),
                ("invalid-credentials", "Zoom", "new"),
            ],
        ),
        // 4: a seat is freed and Ann's push is retried: Box resolved; Zoom still open.
        day(
            vec![event(4, (4, 9), Some("Ann"), "Box", PUSH, "SUCCESS", "")],
            1,
            vec![("invalid-credentials", "Zoom", "ongoing")],
        ),
        // 5: Zoom is acknowledged until the 8th at noon: green while everything open is acknowledged.
        Day {
            events: vec![],
            ack: Some([
                "invalid-credentials",
                "Zoom",
                "2026-03-08T12:00:00Z",
                "ZOOM-7: new admin token on order",
            ]),
            code: 0,
            open: vec![("invalid-credentials", "Zoom", "acknowledged")],
        },
        day(
            vec![event(6, (6, 9), Some("Bob"), "Box", PUSH, "SUCCESS", "")],
            0,
            vec![("invalid-credentials", "Zoom", "acknowledged")],
        ),
        day(vec![], 0, vec![("invalid-credentials", "Zoom", "acknowledged")]),
        // 8: the acknowledgement ran out at noon: red again.
        day(vec![], 1, vec![("invalid-credentials", "Zoom", "ongoing")]),
        // 9: the token is replaced; any provisioning success on Zoom resolves an app-level failure.
        day(
            vec![event(9, (9, 8), Some("Dan"), "Zoom", PUSH, "SUCCESS", "")],
            0,
            vec![],
        ),
        // 10, 11: Eve fails on Slack with a message no rule knows, twice.
        day(
            vec![event(
                10,
                (10, 10),
                Some("Eve"),
                "Slack",
                PUSH,
                "FAILURE",
                "Shard 7 said: kumquat",
            )],
            1,
            vec![("unrecognized", "Slack", "new")],
        ),
        day(
            vec![event(
                11,
                (11, 10),
                Some("Eve"),
                "Slack",
                PUSH,
                "FAILURE",
                "Shard 7 said: kumquat",
            )],
            1,
            vec![("unrecognized", "Slack", "ongoing")],
        ),
        // 12: Eve's push goes through.
        day(
            vec![event(12, (12, 8), Some("Eve"), "Slack", PUSH, "SUCCESS", "")],
            0,
            vec![],
        ),
        // 13: Fay fails and succeeds the same day; Gil fails.
        day(
            vec![
                event(
                    13,
                    (13, 8),
                    Some("Fay"),
                    "Box",
                    PUSH,
                    "FAILURE",
                    "Matching user not found.",
                ),
                event(14, (13, 9), Some("Fay"), "Box", PUSH, "SUCCESS", ""),
                event(
                    15,
                    (13, 10),
                    Some("Gil"),
                    "Box",
                    PUSH,
                    "FAILURE",
                    "Matching user not found.",
                ),
            ],
            1,
            vec![("create-users-disabled", "Box", "new")],
        ),
        // 14: Gil's account is created: nothing open.
        day(
            vec![event(16, (14, 7), Some("Gil"), "Box", PUSH, "SUCCESS", "")],
            0,
            vec![],
        ),
    ]
}

/// The clock of day `d`'s run: the evening, after that day's events.
fn evening(d: usize) -> String {
    format!("2026-03-{:02}T23:00:00Z", d + 1)
}

/// (cause, app, status) of each open incident of a JSON report, and the open_since of each.
fn open_incidents(report: &Value) -> Vec<(String, String, String)> {
    let mut open: Vec<(String, String, String)> = report["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .filter(|i| i["open"].as_u64() > Some(0))
        .map(|i| {
            (
                i["cause"].as_str().unwrap_or("unrecognized").to_owned(),
                i["app"].as_str().unwrap_or("").to_owned(),
                i["status"].as_str().unwrap_or("(no status)").to_owned(),
            )
        })
        .collect();
    open.sort();
    open
}

fn want(open: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    let mut w: Vec<(String, String, String)> = open
        .iter()
        .map(|(c, a, s)| (c.to_string(), a.to_string(), s.to_string()))
        .collect();
    w.sort();
    w
}

fn acknowledge(state: &Path, ack: [&str; 4], now: &str) {
    let [cause, app, until, reason] = ack;
    let out = provdiag()
        .env("PROVDIAG_NOW", now)
        .args([
            "ack", cause, "--app", app, "--until", until, "--reason", reason, "--state",
        ])
        .arg(state)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Checks one day's report against the plan: exit code, open incidents, and that an ongoing one says since
/// when (its first failure's time, from an earlier day).
fn check_day(d: usize, plan: &Day, report: &Value, code: Option<i32>) {
    assert_eq!(code, Some(plan.code), "day {}: {report}", d + 1);
    assert_eq!(open_incidents(report), want(&plan.open), "day {}", d + 1);
    for i in report["incidents"].as_array().expect("incidents") {
        let status = i["status"]
            .as_str()
            .expect("every incident has a status with --state");
        if status == "ongoing" || status == "acknowledged" {
            let since = i["open_since"].as_str().expect("open_since");
            assert!(
                since < evening(d).as_str() && since.starts_with("2026-03-"),
                "day {}: {i}",
                d + 1
            );
        }
        if status == "acknowledged" {
            assert_eq!(i["acknowledged"]["reason"], "ZOOM-7: new admin token on order");
        }
    }
}

#[test]
fn a_fortnight_of_daily_exports_is_red_exactly_while_something_unacknowledged_is_open() {
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("provdiag-state.json");
    for (d, plan) in fortnight().iter().enumerate() {
        let export = dir.path().join(format!("day-{}.ndjson", d + 1));
        let text: String = plan.events.iter().map(|e| format!("{e}\n")).collect();
        std::fs::write(&export, text).expect("written");
        if let Some(ack) = plan.ack {
            acknowledge(&state, ack, &evening(d).replace("23:00", "08:00"));
        }
        let out = provdiag()
            .env("PROVDIAG_NOW", evening(d))
            .args(["--format", "json", "--state"])
            .arg(&state)
            .arg(&export)
            .output()
            .expect("runs");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "day {}: a report ({e}): {}",
                d + 1,
                String::from_utf8_lossy(&out.stderr)
            )
        });
        schema::assert_valid_document(&report);
        check_day(d, plan, &report, out.status.code());
        // Day 11: Eve's second failure is the same open failure, counted twice, open since day 10.
        if d == 10 {
            let held: Value = serde_json::from_slice(&std::fs::read(&state).expect("state")).expect("JSON");
            let eve = held["open"]
                .as_array()
                .expect("open")
                .iter()
                .find(|o| o["user"] == "Eve")
                .cloned();
            let eve = eve.expect("Eve is open");
            assert_eq!(
                (eve["count"].as_u64(), eve["first_seen"].as_str()),
                (Some(2), Some("2026-03-10T10:00:00.000Z"))
            );
            assert_eq!(eve["message"], "Shard 7 said: kumquat");
            // In the report: yesterday's failure and today's, each once.
            let slack = report["incidents"][0].clone();
            assert_eq!(
                (slack["open"].as_u64(), slack["failures"].as_u64()),
                (Some(2), Some(2)),
                "{slack}"
            );
        }
    }
    // The file stays small: nothing open, the expired acknowledgement dropped.
    let held: Value = serde_json::from_slice(&std::fs::read(&state).expect("state")).expect("JSON");
    assert_eq!(held["open"], serde_json::json!([]), "{held}");
    assert_eq!(held["acknowledged"], serde_json::json!([]), "{held}");
}

/// `provdiag pull --org <fake> --format json …` at `now`, with an API token and no proxy.
fn pull(okta: &FakeOkta, now: &str, args: &[&str]) -> Output {
    let mut cmd = provdiag_offline();
    cmd.env("OKTA_API_TOKEN", TOKEN)
        .env("PROVDIAG_NOW", now)
        .args(["pull", "--org", &okta.url, "--max-wait", "0.05"])
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs")
}

fn json_of(out: &Output, what: &str) -> Value {
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{what}: a report ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    schema::assert_valid_document(&report);
    report
}

#[test]
fn a_fortnight_of_scheduled_pulls_reports_each_failure_until_a_success_resolves_it() {
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("acme.state.json");
    let state_arg = state.to_str().expect("a path");
    let save = dir.path().join("acme.ndjson");
    let okta = FakeOkta::start(Vec::new(), 2);
    let mut sent = 0;
    for (d, plan) in fortnight().iter().enumerate() {
        // Okta gains the day's events between runs.
        okta.okta().events.extend(plan.events.iter().cloned());
        sent += plan.events.len();
        if let Some(ack) = plan.ack {
            acknowledge(&state, ack, &evening(d).replace("23:00", "08:00"));
        }
        let out = pull(
            &okta,
            &evening(d),
            &[
                "--format",
                "json",
                "--state",
                state_arg,
                "--save",
                save.to_str().expect("a path"),
            ],
        );
        let report = json_of(&out, &format!("day {}", d + 1));
        check_day(d, plan, &report, out.status.code());
        // Each event is read once: the day's events and no more.
        assert_eq!(
            report["summary"]["records"].as_u64(),
            Some(plan.events.len() as u64),
            "day {}",
            d + 1
        );
        // --save keeps every day's events, appended.
        let saved = std::fs::read_to_string(&save).unwrap_or_default();
        assert_eq!(saved.lines().count(), sent, "day {}", d + 1);
    }
    // The fortnight diagnosed again offline, from the saved file: what is open now matches the last day.
    let (offline, code) = json_report(&[save.to_str().expect("a path")], "");
    assert_eq!(code, 0, "{offline}");
    assert_eq!(offline["summary"]["open"], 0);
}

#[test]
fn a_pull_with_state_annotates_for_github_without_file_and_by_fail_on() {
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("s.json");
    let events = vec![
        event(
            1,
            (1, 10),
            Some("Ann"),
            "Box",
            PUSH,
            "FAILURE",
            "License Limit Exceeded.",
        ),
        event(
            2,
            (1, 11),
            Some("Eve"),
            "Slack",
            PUSH,
            "FAILURE",
            "Shard 7 said: kumquat",
        ),
    ];
    let okta = FakeOkta::start(events, 5);
    let now = "2026-03-01T23:00:00Z";
    let out = pull(
        &okta,
        now,
        &["--format", "github", "--state", state.to_str().expect("a path")],
    );
    let gh = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{gh}");
    let annotations: Vec<&str> = gh
        .lines()
        .filter(|l| l.starts_with("::error") || l.starts_with("::warning"))
        .collect();
    assert_eq!(annotations.len(), 2, "{gh}");
    assert!(
        annotations
            .iter()
            .all(|l| l.starts_with("::error ") && !l.contains("file=")),
        "{gh}"
    );
    // The next day, with --fail-on naming the licence cause only: the licence incident is the error, Slack's
    // unrecognized failure, still open from yesterday, a warning; nothing carries a file.
    let out = pull(
        &okta,
        "2026-03-02T23:00:00Z",
        &[
            "--format",
            "github",
            "--fail-on",
            "license-limit-exceeded",
            "--state",
            state.to_str().expect("a path"),
        ],
    );
    let gh = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{gh}");
    assert_eq!(
        gh.lines().filter(|l| l.starts_with("::error ")).count(),
        1,
        "{gh}"
    );
    assert!(gh.lines().any(|l| l.starts_with("::warning title=Unrecognized provisioning failure (Slack)::1 failure still open from earlier runs, since 2026-03-01T11:00:00.000Z")), "{gh}");
    assert!(!gh.contains("file="), "{gh}");
}

#[test]
fn github_with_fail_on_none_writes_no_error() {
    let out = provdiag()
        .args(["--format", "github", "--fail-on", "none"])
        .arg(fixture("syslog.ndjson"))
        .output()
        .expect("runs");
    let gh = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{gh}");
    assert!(!gh.contains("::error"), "{gh}");
    // The open incidents are still there, as warnings pointing at their lines.
    assert!(
        gh.lines().filter(|l| l.starts_with("::warning file=")).count() >= 5,
        "{gh}"
    );
}

#[test]
fn a_failed_pull_leaves_the_save_file_as_it_was_and_a_good_one_appends() {
    let dir = tempfile::tempdir().expect("a directory");
    let save = dir.path().join("archive.ndjson");
    let earlier = "{\"uuid\":\"kept-from-an-earlier-run\"}\n";
    std::fs::write(&save, earlier).expect("written");
    let okta = FakeOkta::start(
        vec![event(
            1,
            (1, 10),
            Some("Ann"),
            "Box",
            PUSH,
            "FAILURE",
            "License Limit Exceeded.",
        )],
        5,
    );
    okta.okta().script.push_back(Scripted::Error(
        401,
        error_body("E0000011", "Invalid token provided"),
        vec![],
    ));
    let refused = pull(
        &okta,
        "2026-03-01T23:00:00Z",
        &["--format", "json", "--save", save.to_str().expect("a path")],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&save).expect("read"),
        earlier,
        "a failed pull loses nothing"
    );
    let good = pull(
        &okta,
        "2026-03-01T23:00:00Z",
        &["--format", "json", "--save", save.to_str().expect("a path")],
    );
    assert_eq!(good.status.code(), Some(1));
    let saved = std::fs::read_to_string(&save).expect("read");
    assert!(
        saved.starts_with(earlier) && saved.lines().count() == 2,
        "{saved}"
    );
}

#[test]
fn a_second_run_on_the_same_state_is_refused_while_the_first_holds_it() {
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("s.json");
    let mut lock_name = state.as_os_str().to_owned();
    lock_name.push(".lock");
    let lock = std::fs::File::create(&lock_name).expect("created");
    lock.lock().expect("the first run's lock");
    let out = provdiag()
        .args(["--state"])
        .arg(&state)
        .args(["-m", "License Limit Exceeded."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use by another provdiag run"), "{err}");
    assert!(out.stdout.is_empty(), "nothing was read, nothing reported");
    drop(lock);
    let out = provdiag()
        .args(["--state"])
        .arg(&state)
        .args(["-m", "License Limit Exceeded."])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_state_in_a_missing_directory_is_refused_before_anything_is_read() {
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("no-such-dir").join("s.json");
    let out = provdiag()
        .arg("--state")
        .arg(&state)
        .arg(fixture("syslog.ndjson"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("does not exist") && err.contains("no-such-dir"),
        "{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "refused before reading: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_report_is_written_even_when_the_state_cannot_be() {
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("s.json");
    // The input is a FIFO: provdiag opens it only once it has read the state, so the test can take the state
    // file's place with a directory (which a rename cannot replace) while the run reads.
    let fifo = dir.path().join("input.ndjson");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("provdiag"))
        .args(["--format", "json", "--state"])
        .arg(&state)
        .arg(&fifo)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut input = std::fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .expect("provdiag opened it");
    std::fs::create_dir(&state).expect("a directory");
    std::fs::write(state.join("x"), "x").expect("written");
    std::io::Write::write_all(
        &mut input,
        &std::fs::read(fixture("syslog.ndjson")).expect("fixture"),
    )
    .expect("written");
    drop(input);
    let out = child.wait_with_output().expect("ends");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write --state"), "{err}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("the report is out");
    assert_eq!(report["summary"]["failures"], 6);
}

#[test]
fn ack_says_what_it_acknowledged_and_refuses_what_cannot_be() {
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("s.json");
    let ack = |args: &[&str]| {
        provdiag()
            .env("PROVDIAG_NOW", "2026-03-01T08:00:00Z")
            .arg("ack")
            .args(args)
            .arg("--state")
            .arg(&state)
            .output()
            .expect("runs")
    };
    let out = ack(&[
        "LICENSE_LIMIT_EXCEEDED",
        "--until",
        "7d",
        "--reason",
        "seats ordered",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("license-limit-exceeded on every app until 2026-03-08T08:00:00.000Z: seats ordered"),
        "{said}"
    );
    for (args, why) in [
        (
            &["licence-limit", "--until", "7d", "--reason", "r"][..],
            "did you mean",
        ),
        (
            &["license-limit-exceeded", "--until", "2026-02-01", "--reason", "r"],
            "already passed",
        ),
        (
            &["license-limit-exceeded", "--until", "7d", "--reason", " "],
            "--reason",
        ),
    ] {
        let out = ack(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(why), "{args:?}: {err}");
    }
    let held: Value = serde_json::from_slice(&std::fs::read(&state).expect("state")).expect("JSON");
    assert_eq!(held["acknowledged"].as_array().map(Vec::len), Some(1), "{held}");
}

#[test]
fn without_state_incidents_have_no_status() {
    let (report, _) = json_report(&[&fixture("syslog.ndjson")], "");
    for i in report["incidents"].as_array().expect("incidents") {
        assert!(i.get("status").is_none() && i.get("open_since").is_none(), "{i}");
    }
}

#[test]
fn a_closed_stderr_changes_nothing_but_the_messages() {
    // The read end is closed before provdiag starts: every message it writes meets a broken pipe.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("provdiag"))
        .args(["--format", "json", "-i", "ndjson"])
        .arg(fixture("syslog-bom-crlf-cut.ndjson"))
        .stderr(writer)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("the report is whole");
    assert!(report["summary"]["malformed"].as_u64() > Some(0), "{report}");
}

#[test]
fn a_window_that_ends_before_it_starts_is_a_usage_error() {
    let out = provdiag()
        .args(["--since", "2024-04-22", "--until", "2024-04-21"])
        .arg(fixture("syslog.ndjson"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--until") && err.contains("is not after --since"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // The same for pull: refused before anything is asked of Okta.
    let okta = FakeOkta::start(Vec::new(), 5);
    let out = pull(
        &okta,
        "2026-03-01T23:00:00Z",
        &["--since", "2024-04-22", "--until", "2024-04-21"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not after --since"));
    assert!(okta.seen().is_empty());
}

#[test]
fn a_pasted_failure_is_open_since_the_run_that_first_saw_it_and_stays_in_every_format() {
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("s.json");
    let empty = dir.path().join("nothing-today.txt");
    std::fs::write(&empty, "").expect("written");
    let run = |now: &str, format: &str, input: &[&str]| {
        provdiag()
            .env("PROVDIAG_NOW", now)
            .args(["--format", format, "--state"])
            .arg(&state)
            .args(input)
            .output()
            .expect("runs")
    };
    let paste = "Automatic provisioning of user Ann Lee to app Box failed: Shard 7 said: kumquat";
    let first = run("2026-03-01T08:00:00Z", "json", &["-m", paste]);
    assert_eq!(first.status.code(), Some(1));
    let empty = empty.to_str().expect("a path");
    let next = run("2026-03-02T08:00:00Z", "json", &[empty]);
    assert_eq!(next.status.code(), Some(1));
    let report = json_of(&next, "day 2");
    let open = &report["incidents"][0];
    assert_eq!(
        (
            open["status"].as_str(),
            open["open_since"].as_str(),
            open["open"].as_u64()
        ),
        (Some("ongoing"), Some("2026-03-01T08:00:00.000Z"), Some(1)),
        "{report}"
    );
    // Text and markdown show it too, with its status, instead of "No provisioning failures found".
    for format in ["text", "markdown"] {
        let out = run("2026-03-02T09:00:00Z", format, &[empty]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            !shown.contains("No provisioning failures found"),
            "{format}: {shown}"
        );
        assert!(
            shown.contains("ongoing, open since 2026-03-01T08:00:00.000Z"),
            "{format}: {shown}"
        );
    }
}

#[test]
fn with_redact_the_state_holds_pseudonyms_and_a_later_success_still_resolves() {
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("s.json");
    let day = |d: u32, event: String| {
        let export = dir.path().join(format!("day-{d}.ndjson"));
        std::fs::write(&export, event + "\n").expect("written");
        provdiag()
            .env("PROVDIAG_REDACT_KEY", "the team's key")
            .env("PROVDIAG_NOW", format!("2026-03-0{d}T23:00:00Z"))
            .args(["--redact", "--format", "json", "--state"])
            .arg(&state)
            .arg(&export)
            .output()
            .expect("runs")
    };
    let first = day(
        1,
        event(
            1,
            (1, 10),
            Some("Ann"),
            "Box",
            PUSH,
            "FAILURE",
            "License Limit Exceeded.",
        ),
    );
    assert_eq!(first.status.code(), Some(1));
    let held = std::fs::read_to_string(&state).expect("state");
    assert!(!held.contains("Ann") && !held.contains("ann@"), "{held}");
    let second = day(2, event(2, (2, 9), Some("Ann"), "Box", PUSH, "SUCCESS", ""));
    let report = json_of(&second, "day 2");
    assert_eq!(second.status.code(), Some(0), "{report}");
    assert_eq!(report["incidents"][0]["status"], "resolved", "{report}");
}

#[test]
fn a_closed_stderr_during_a_pull_that_waits_and_retries_changes_nothing_but_the_messages() {
    let okta = FakeOkta::start(
        vec![event(
            1,
            (1, 10),
            Some("Ann"),
            "Box",
            PUSH,
            "FAILURE",
            "License Limit Exceeded.",
        )],
        5,
    );
    // A rate limit and a server error first: each is said on stderr before the retry.
    okta.okta().script.extend([
        Scripted::Error(
            429,
            error_body("E0000047", "API call exceeded rate limit"),
            vec![],
        ),
        Scripted::Error(503, "busy".to_owned(), vec![]),
    ]);
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("provdiag"))
        .env("OKTA_API_TOKEN", TOKEN)
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .args([
            "pull",
            "--org",
            &okta.url,
            "--max-wait",
            "0.05",
            "--format",
            "json",
        ])
        .stderr(writer)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("the report is whole");
    assert_eq!(report["summary"]["failures"], 1);
    assert!(okta.seen().len() >= 3, "it retried");
}
