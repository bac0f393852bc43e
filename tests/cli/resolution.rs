//! "Is it fixed yet?": failures resolved by later successes, per-app lines, the time and app filters and the exit
//! codes, on timelines of System Log events built here in Okta's LogEvent shape.

use super::*;
use predicates::prelude::*;

/// A person as the System Log names them: Okta id, login, display name.
type Person = (&'static str, &'static str, &'static str);
/// An app instance: Okta id, display name.
type AppRef = (&'static str, &'static str);

const ANA: Person = ("00u1ana0ANA1ana2ana3", "ana.lima@example.com", "Ana Lima");
const BO: Person = ("00u2bo00BOB1bob2bob3", "bo.wu@example.com", "Bo Wu");
const SALESFORCE: AppRef = ("0oa1sfdcSFDC2345sfd6", "Salesforce.com");
const BOX_EU: AppRef = ("0oa2boxeBOXE2345box7", "Box");
const BOX_US: AppRef = ("0oa3boxuBOXU2345box8", "Box");
const ZOOM: AppRef = ("0oa4zoomZOOM2345zoo9", "Zoom");

const PUSH: &str = "application.provision.user.push";
const PROFILE: &str = "application.provision.user.push_profile";
const DEACTIVATE: &str = "application.provision.user.deactivate";
const AUTH_FAILURE: &str = "application.integration.authentication_failure";

/// One event of a timeline.
#[derive(Clone, Copy)]
struct Ev {
    uuid: u32,
    at: &'static str,
    kind: &'static str,
    result: &'static str,
    reason: Option<&'static str>,
    who: Option<Person>,
    app: AppRef,
}

fn ev(
    uuid: u32,
    at: &'static str,
    kind: &'static str,
    result: &'static str,
    who: Option<Person>,
    app: AppRef,
) -> Ev {
    Ev {
        uuid,
        at,
        kind,
        result,
        reason: (result == "FAILURE").then_some("License Limit Exceeded."),
        who,
        app,
    }
}

/// The event as one NDJSON line, laid out as Okta's API and SIEM exports write it.
fn line(e: &Ev) -> String {
    let mut target = Vec::new();
    if let Some((id, login, name)) = e.who {
        // An export without target ids (some SIEM tables drop them) has `null` there.
        let id = id.get(3..).map(|rest| (id, format!("0ua{rest}")));
        let (user_id, app_user_id) = id.map_or((Value::Null, Value::Null), |(u, a)| (u.into(), a.into()));
        target.push(serde_json::json!({"id": user_id, "type": "User", "alternateId": login, "displayName": name, "detailEntry": null}));
        target.push(serde_json::json!({"id": app_user_id, "type": "AppUser", "alternateId": login, "displayName": name, "detailEntry": null}));
    }
    target.push(serde_json::json!({"id": e.app.0, "type": "AppInstance", "alternateId": e.app.1, "displayName": e.app.1, "detailEntry": null}));
    let reason = match (e.reason, e.who) {
        (Some(r), Some((_, _, name))) => serde_json::Value::from(format!(
            "Automatic provisioning of user {name} to app {} failed: {r}",
            e.app.1
        )),
        (Some(r), None) => serde_json::Value::from(r),
        (None, _) => serde_json::Value::Null,
    };
    serde_json::json!({
        "actor": {"id": e.app.0, "type": "PublicClientApp", "alternateId": e.app.1, "displayName": e.app.1, "detailEntry": null},
        "client": {"userAgent": null, "zone": "null", "device": null, "id": null, "ipAddress": null, "geographicalContext": null},
        "displayMessage": "Push new user to external application",
        "eventType": e.kind,
        "outcome": {"result": e.result, "reason": reason},
        "published": e.at,
        "severity": if e.result == "FAILURE" { "WARN" } else { "INFO" },
        "debugContext": {"debugData": {"requestId": format!("Zi{:08}", e.uuid)}},
        "transaction": {"type": "JOB", "id": "cpr1abc9XyZ", "detail": {}},
        "uuid": format!("6bd0ba4f-{:04x}-11ef-9a1b-0242ac120002", e.uuid),
        "version": "0",
        "target": target
    })
    .to_string()
}

fn ndjson(events: &[Ev]) -> String {
    events.iter().map(|e| line(e) + "\n").collect()
}

/// The JSON report of a timeline, its accounting checked, and the exit code.
fn report(events: &[Ev], args: &[&str]) -> (Value, i32) {
    let (report, code) = json_report(args, ndjson(events));
    assert_accounted(&report);
    let s = &report["summary"];
    assert_eq!(
        s["failures"].as_u64(),
        Some(s["open"].as_u64().unwrap_or(0) + s["resolved"].as_u64().unwrap_or(0)),
        "failures = open + resolved: {report}"
    );
    (report, code)
}

fn uuid(n: u32) -> String {
    format!("6bd0ba4f-{n:04x}-11ef-9a1b-0242ac120002")
}

/// The `resolved_at` of the finding of event `n` (Null when open).
fn resolved_at(report: &Value, n: u32) -> Value {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["uuid"] == uuid(n))
        .map(|f| f["resolved_at"].clone())
        .unwrap_or_else(|| panic!("no finding for event {n}: {report}"))
}

fn open_resolved(report: &Value) -> (u64, u64) {
    let s = &report["summary"];
    (
        s["open"].as_u64().expect("open"),
        s["resolved"].as_u64().expect("resolved"),
    )
}

fn app_lines<'a>(report: &'a Value, name: &str) -> Vec<&'a Value> {
    report["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .filter(|a| a["app"] == name)
        .collect()
}

#[test]
fn a_later_success_resolves_and_resolved_at_is_the_first_success_after_the_failure() {
    let events = [
        ev(
            1,
            "2024-04-21T09:00:00.000Z",
            PUSH,
            "FAILURE",
            Some(ANA),
            SALESFORCE,
        ),
        ev(
            2,
            "2024-04-21T08:00:00.000Z",
            PUSH,
            "SUCCESS",
            Some(ANA),
            SALESFORCE,
        ),
        ev(
            3,
            "2024-04-21T11:00:00.000Z",
            PUSH,
            "SUCCESS",
            Some(ANA),
            SALESFORCE,
        ),
        ev(
            4,
            "2024-04-21T10:00:00.000Z",
            PUSH,
            "SUCCESS",
            Some(ANA),
            SALESFORCE,
        ),
        // Bo's only success came before his failure: still open.
        ev(
            5,
            "2024-04-21T07:00:00.000Z",
            PUSH,
            "SUCCESS",
            Some(BO),
            SALESFORCE,
        ),
        ev(
            6,
            "2024-04-21T09:30:00.000Z",
            PUSH,
            "FAILURE",
            Some(BO),
            SALESFORCE,
        ),
        // Another operation for Bo does not resolve a push.
        ev(
            7,
            "2024-04-21T12:00:00.000Z",
            DEACTIVATE,
            "SUCCESS",
            Some(BO),
            SALESFORCE,
        ),
    ];
    let (r, code) = report(&events, &[]);
    assert_eq!(resolved_at(&r, 1), "2024-04-21T10:00:00.000Z");
    assert_eq!(resolved_at(&r, 6), Value::Null);
    assert_eq!(open_resolved(&r), (1, 1));
    assert_eq!(
        figures(&r),
        [7, 2, 2, 0, 5, 0, 0],
        "successes are ignored records"
    );
    assert_eq!(code, 1, "Bo's failure is open");
    let incident = &r["incidents"][0];
    assert_eq!(
        (incident["open"].as_u64(), incident["resolved"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(incident["source"]
        .as_str()
        .is_some_and(|s| s.starts_with("https://")));
    assert_eq!(incident["messages"][0]["shape"], "License Limit Exceeded.");
    assert_eq!(incident["messages"][0]["count"], 2);
}

#[test]
fn a_credentials_failure_is_resolved_by_any_later_success_on_its_app_only() {
    let creds = |n, at, app| Ev {
        uuid: n,
        at,
        kind: AUTH_FAILURE,
        result: "FAILURE",
        reason: Some(
            "The credentials used to connect to the API were invalid; please check your configuration",
        ),
        who: None,
        app,
    };
    let events = [
        creds(1, "2024-04-21T09:00:00.000Z", ZOOM),
        creds(2, "2024-04-21T09:00:00.000Z", SALESFORCE),
        ev(3, "2024-04-21T09:45:00.000Z", PROFILE, "SUCCESS", Some(BO), ZOOM),
        ev(4, "2024-04-21T10:00:00.000Z", PUSH, "SUCCESS", Some(ANA), ZOOM),
        // Before the failure: proves nothing.
        ev(
            5,
            "2024-04-21T08:00:00.000Z",
            PUSH,
            "SUCCESS",
            Some(ANA),
            SALESFORCE,
        ),
    ];
    let (r, code) = report(&events, &[]);
    assert_eq!(resolved_at(&r, 1), "2024-04-21T09:45:00.000Z");
    assert_eq!(resolved_at(&r, 2), Value::Null);
    assert_eq!(code, 1);
    let resolved: Vec<&Value> = r["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .filter(|i| i["open"] == 0)
        .collect();
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0]["app"], "Zoom");
    assert_eq!(resolved[0]["cause"], "invalid-credentials");
    assert_eq!(resolved[0]["resolved_at"], "2024-04-21T09:45:00.000Z");
    assert_eq!(
        r["incidents"][0]["app"], "Salesforce.com",
        "open incidents come first"
    );
}

#[test]
fn a_renamed_user_is_matched_by_okta_id() {
    let renamed: Person = (ANA.0, "ana.silva@example.com", "Ana Silva");
    let namesake: Person = ("00u9ana9ANA9ana9ana9", ANA.1, ANA.2);
    let events = [
        ev(
            1,
            "2024-04-21T09:00:00.000Z",
            PUSH,
            "FAILURE",
            Some(ANA),
            SALESFORCE,
        ),
        ev(
            2,
            "2024-04-21T10:00:00.000Z",
            PUSH,
            "SUCCESS",
            Some(renamed),
            SALESFORCE,
        ),
        // Same login and name, another Okta id: another person, whose failure stays open.
        ev(
            3,
            "2024-04-21T09:00:00.000Z",
            PUSH,
            "FAILURE",
            Some(namesake),
            ZOOM,
        ),
        ev(4, "2024-04-21T10:00:00.000Z", PUSH, "SUCCESS", Some(ANA), ZOOM),
    ];
    let (r, _) = report(&events, &[]);
    assert_eq!(resolved_at(&r, 1), "2024-04-21T10:00:00.000Z");
    assert_eq!(resolved_at(&r, 3), Value::Null);
}

#[test]
fn two_apps_with_one_name_are_two_apps() {
    let events = [
        ev(1, "2024-04-21T09:00:00.000Z", PUSH, "FAILURE", Some(ANA), BOX_EU),
        ev(2, "2024-04-21T10:00:00.000Z", PUSH, "SUCCESS", Some(ANA), BOX_US),
    ];
    let (r, code) = report(&events, &[]);
    assert_eq!(resolved_at(&r, 1), Value::Null, "a success on the other Box");
    assert_eq!(code, 1);
    let boxes = app_lines(&r, "Box");
    assert_eq!(boxes.len(), 2, "{r}");
    let eu = boxes
        .iter()
        .find(|a| a["app_id"] == BOX_EU.0)
        .expect("the EU Box");
    let us = boxes
        .iter()
        .find(|a| a["app_id"] == BOX_US.0)
        .expect("the US Box");
    assert_eq!(
        (eu["open"].as_u64(), eu["successes"].as_u64(), &eu["failing"]),
        (Some(1), Some(0), &Value::Bool(true))
    );
    assert_eq!(
        (us["open"].as_u64(), us["successes"].as_u64(), &us["failing"]),
        (Some(0), Some(1), &Value::Bool(false))
    );
    assert_eq!(r["incidents"][0]["app_id"], BOX_EU.0);
    // Text tells them apart by id.
    let out = provdiag()
        .args(["--color", "never"])
        .write_stdin(ndjson(&events))
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains(&format!("Box ({})", BOX_EU.0)), "{text}");
    assert!(text.contains(&format!("Box ({})", BOX_US.0)), "{text}");
}

#[test]
fn input_order_does_not_matter_newest_first_as_siems_export() {
    let events = vec![
        ev(
            1,
            "2024-04-21T09:00:00.000Z",
            PUSH,
            "FAILURE",
            Some(ANA),
            SALESFORCE,
        ),
        ev(
            2,
            "2024-04-21T09:10:00.000Z",
            PUSH,
            "FAILURE",
            Some(BO),
            SALESFORCE,
        ),
        ev(
            3,
            "2024-04-21T10:00:00.000Z",
            PUSH,
            "SUCCESS",
            Some(ANA),
            SALESFORCE,
        ),
        ev(
            4,
            "2024-04-21T10:30:00.000Z",
            PUSH,
            "FAILURE",
            Some(ANA),
            SALESFORCE,
        ),
        ev(
            5,
            "2024-04-21T11:00:00.000Z",
            PUSH,
            "SUCCESS",
            Some(ANA),
            SALESFORCE,
        ),
        ev(
            6,
            "2024-04-21T12:00:00.000Z",
            PUSH,
            "SUCCESS",
            Some(ANA),
            SALESFORCE,
        ),
    ];
    let (oldest_first, _) = report(&events, &[]);
    let newest_first: Vec<Ev> = events.into_iter().rev().collect();
    let (newest, _) = report(&newest_first, &[]);
    for (n, want) in [
        (1, "2024-04-21T10:00:00.000Z".into()),
        (2, Value::Null),
        (4, "2024-04-21T11:00:00.000Z".into()),
    ] {
        assert_eq!(resolved_at(&oldest_first, n), want, "event {n}");
        assert_eq!(resolved_at(&newest, n), want, "event {n}, newest first");
    }
    assert_eq!(oldest_first["summary"], newest["summary"]);
    assert_eq!(oldest_first["apps"], newest["apps"]);
}

#[test]
fn an_app_with_only_successes_has_its_line() {
    let events = [
        ev(
            1,
            "2024-04-21T09:00:00.000Z",
            PUSH,
            "FAILURE",
            Some(ANA),
            SALESFORCE,
        ),
        ev(
            2,
            "2024-04-21T09:30:00.000Z",
            PUSH,
            "SUCCESS",
            Some(BO),
            SALESFORCE,
        ),
        ev(3, "2024-04-21T08:00:00.000Z", PUSH, "SUCCESS", Some(ANA), ZOOM),
        ev(4, "2024-04-21T10:00:00.000Z", PROFILE, "SUCCESS", Some(BO), ZOOM),
    ];
    let (r, _) = report(&events, &[]);
    let zoom = app_lines(&r, "Zoom");
    assert_eq!(zoom.len(), 1);
    let zoom = zoom[0];
    assert_eq!(
        (
            &zoom["successes"],
            &zoom["open"],
            &zoom["resolved"],
            &zoom["failing"]
        ),
        (
            &Value::from(2),
            &Value::from(0),
            &Value::from(0),
            &Value::Bool(false)
        )
    );
    assert_eq!(zoom["last_success"], "2024-04-21T10:00:00.000Z");
    assert_eq!(zoom["last_failure"], Value::Null);
    let sf = app_lines(&r, "Salesforce.com")[0];
    assert_eq!(sf["failing"], false, "its last event is Bo's success");
    assert_eq!(sf["last_failure"], "2024-04-21T09:00:00.000Z");
    assert_eq!(
        r["apps"][0]["app"], "Salesforce.com",
        "sorted by name when none is failing"
    );
    // In text, one line per app; markdown, a table.
    let text = provdiag()
        .args(["--color", "never"])
        .write_stdin(ndjson(&events))
        .output()
        .expect("runs");
    let text = String::from_utf8(text.stdout).expect("utf-8");
    assert!(
        text.contains(
            "Zoom            2 successes · 0 open · 0 resolved · last success 2024-04-21T10:00:00.000Z"
        ),
        "{text}"
    );
    let md = provdiag()
        .args(["--format", "markdown"])
        .write_stdin(ndjson(&events))
        .output()
        .expect("runs");
    let md = String::from_utf8(md.stdout).expect("utf-8");
    assert!(
        md.contains("| Zoom | 2 | 0 | 0 | 2024-04-21T10:00:00.000Z |  |"),
        "{md}"
    );
}

#[test]
fn an_app_whose_last_event_failed_stands_out() {
    let events = [
        ev(
            1,
            "2024-04-21T09:00:00.000Z",
            PUSH,
            "SUCCESS",
            Some(ANA),
            SALESFORCE,
        ),
        ev(
            2,
            "2024-04-21T10:00:00.000Z",
            PUSH,
            "FAILURE",
            Some(BO),
            SALESFORCE,
        ),
        ev(3, "2024-04-21T09:00:00.000Z", PUSH, "SUCCESS", Some(ANA), ZOOM),
    ];
    let (r, _) = report(&events, &[]);
    assert_eq!(r["apps"][0]["app"], "Salesforce.com", "failing apps first");
    assert_eq!(r["apps"][0]["failing"], true);
    for (color, mark) in [("never", " ! Salesforce.com"), ("always", "\u{1b}[")] {
        let out = provdiag()
            .args(["--color", color])
            .write_stdin(ndjson(&events))
            .output()
            .expect("runs");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        let line = text
            .lines()
            .find(|l| l.contains("Salesforce.com") && l.contains(" open · "))
            .unwrap_or_else(|| panic!("an app line: {text}"));
        assert!(line.contains(mark), "{color}: {line:?}");
    }
}

#[test]
fn filters_choose_what_is_diagnosed_and_count_the_rest_as_ignored() {
    let events = [
        ev(
            1,
            "2024-04-20T09:00:00.000Z",
            PUSH,
            "FAILURE",
            Some(ANA),
            SALESFORCE,
        ),
        ev(
            2,
            "2024-04-21T09:00:00.000Z",
            PUSH,
            "FAILURE",
            Some(BO),
            SALESFORCE,
        ),
        ev(3, "2024-04-21T09:00:00.000Z", PUSH, "FAILURE", Some(ANA), ZOOM),
        ev(
            4,
            "2024-04-22T09:00:00.000Z",
            PUSH,
            "SUCCESS",
            Some(BO),
            SALESFORCE,
        ),
    ];
    let paste =
        "Automatic provisioning of user Ana Lima to app Salesforce.com failed: License Limit Exceeded.";
    let run = |args: &[&str]| {
        let mut args = args.to_vec();
        args.extend(["-m", paste, "-"]);
        let (r, code) = json_report(&args, ndjson(&events));
        assert_accounted(&r);
        (r, code)
    };
    let failures = |r: &Value| r["summary"]["failures"].as_u64().expect("failures");
    let (all, _) = run(&[]);
    assert_eq!(failures(&all), 4);
    // RFC 3339, with an offset.
    let (since, _) = run(&["--since", "2024-04-21T11:00:00+02:00"]);
    assert_eq!(
        failures(&since),
        3,
        "event 1 is older; the pasted line has no time"
    );
    assert_eq!(
        figures(&since)[4],
        2,
        "event 1 and the success are ignored: {since}"
    );
    // A date: midnight UTC, --until exclusive; the success after it resolves nothing.
    let (until, code) = run(&["--until", "2024-04-22"]);
    assert_eq!(failures(&until), 4);
    assert_eq!(open_resolved(&until), (4, 0), "the success is after --until");
    assert_eq!(code, 1);
    let (within, _) = run(&["--since", "2024-04-21", "--until", "2024-04-23"]);
    assert_eq!(open_resolved(&within), (2, 1));
    // A duration back from now: these 2024 events are all older than a week; pasted lines are kept.
    let (recent, _) = run(&["--since", "7d"]);
    assert_eq!(failures(&recent), 1);
    assert_eq!(recent["findings"][0]["source"]["path"], "--message");
    let (recent, _) = run(&["--since", "90m"]);
    assert_eq!(failures(&recent), 1);
    // Apps: by name whatever the case, by Okta id, repeatable.
    let (zoom, _) = run(&["--app", "zOOm"]);
    assert_eq!(failures(&zoom), 1);
    assert_eq!(
        app_lines(&zoom, "Salesforce.com").len(),
        0,
        "other apps left out entirely"
    );
    let (both, _) = run(&["--app", "ZOOM", "--app", SALESFORCE.0]);
    assert_eq!(
        failures(&both),
        3,
        "the pasted line names Salesforce.com but carries no id"
    );
    let (by_name, _) = run(&["--app", "salesforce.com", "--app", "zoom"]);
    assert_eq!(failures(&by_name), 4);
    // Wrong values name the flag and the forms that work.
    provdiag()
        .args(["--since", "yesterday", "-m", "x"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--since").and(predicates::str::contains("24h")));
}

#[test]
fn exit_codes_count_open_failures_unless_resolved_ones_are_included() {
    let fixed = [
        ev(
            1,
            "2024-04-21T09:00:00.000Z",
            PUSH,
            "FAILURE",
            Some(ANA),
            SALESFORCE,
        ),
        ev(
            2,
            "2024-04-21T10:00:00.000Z",
            PUSH,
            "SUCCESS",
            Some(ANA),
            SALESFORCE,
        ),
    ];
    let code = |events: &[Ev], args: &[&str]| report(events, args).1;
    assert_eq!(code(&fixed, &[]), 0, "everything was fixed");
    let text = provdiag()
        .args(["--color", "never"])
        .write_stdin(ndjson(&fixed))
        .output()
        .expect("runs");
    let text = String::from_utf8(text.stdout).expect("utf-8");
    assert!(
        text.starts_with(
            "No open provisioning failures: the one failure read was resolved by a later success."
        ),
        "{text}"
    );
    assert_eq!(code(&fixed, &["--include-resolved"]), 1);
    assert_eq!(code(&fixed, &["--fail-on", "license-limit-exceeded"]), 0);
    assert_eq!(
        code(
            &fixed,
            &["--fail-on", "license-limit-exceeded", "--include-resolved"]
        ),
        1
    );
    let mut half = fixed.to_vec();
    half.push(ev(3, "2024-04-21T09:00:00.000Z", PUSH, "FAILURE", Some(BO), ZOOM));
    assert_eq!(code(&half, &[]), 1);
    assert_eq!(code(&half, &["--fail-on", "unrecognized"]), 0);
    assert_eq!(code(&half, &["--fail-on", "none", "--include-resolved"]), 0);
    // The open one is on Zoom: filtered to Salesforce.com, the run is green.
    assert_eq!(code(&half, &["--app", "Salesforce.com"]), 0);
}

#[test]
fn ndjson_says_at_the_end_which_streamed_findings_were_resolved() {
    let events = [
        ev(
            1,
            "2024-04-21T09:00:00.000Z",
            PUSH,
            "FAILURE",
            Some(ANA),
            SALESFORCE,
        ),
        ev(
            2,
            "2024-04-21T09:00:00.000Z",
            PUSH,
            "FAILURE",
            Some(BO),
            SALESFORCE,
        ),
        ev(
            3,
            "2024-04-21T10:00:00.000Z",
            PUSH,
            "SUCCESS",
            Some(ANA),
            SALESFORCE,
        ),
    ];
    let out = provdiag()
        .args(["--format", "ndjson"])
        .write_stdin(ndjson(&events))
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    super::schema::assert_valid_ndjson(&text);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let kinds: Vec<&str> = lines.iter().filter_map(|l| l["type"].as_str()).collect();
    assert_eq!(
        kinds,
        ["finding", "finding", "resolution", "incident", "app", "summary"]
    );
    assert!(lines[0].get("resolved_at").is_none(), "not known while streaming");
    assert_eq!(lines[2]["uuid"], uuid(1));
    assert_eq!(lines[2]["source"]["line"], 1);
    assert_eq!(lines[2]["resolved_at"], "2024-04-21T10:00:00.000Z");
    assert_eq!(
        (lines[5]["open"].as_u64(), lines[5]["resolved"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn resolution_sees_people_as_the_input_names_them_even_under_redact() {
    let events = [
        ev(
            1,
            "2024-04-21T09:00:00.000Z",
            PUSH,
            "FAILURE",
            Some(ANA),
            SALESFORCE,
        ),
        ev(
            2,
            "2024-04-21T10:00:00.000Z",
            PUSH,
            "SUCCESS",
            Some(("", ANA.1, ANA.2)),
            SALESFORCE,
        ),
    ];
    let (r, code) = report(&events, &["--redact"]);
    assert_eq!(resolved_at(&r, 1), "2024-04-21T10:00:00.000Z", "matched by login");
    assert_eq!(code, 0);
    assert!(!r.to_string().contains("Ana"), "{r}");
}

#[test]
fn pasted_failures_have_no_time_and_stay_open() {
    let success = ev(
        1,
        "2024-04-21T10:00:00.000Z",
        PUSH,
        "SUCCESS",
        Some(ANA),
        SALESFORCE,
    );
    let paste =
        "Automatic provisioning of user Ana Lima to app Salesforce.com failed: License Limit Exceeded.";
    let (r, code) = json_report(&["-m", paste, "-"], ndjson(&[success]));
    assert_accounted(&r);
    assert_eq!(open_resolved(&r), (1, 0));
    assert_eq!(r["findings"][0]["resolved_at"], Value::Null);
    assert_eq!(code, 1);
    let sf = app_lines(&r, "Salesforce.com");
    assert_eq!(sf.len(), 1, "the pasted name joins the app's id: {r}");
    assert_eq!(
        (sf[0]["successes"].as_u64(), sf[0]["open"].as_u64()),
        (Some(1), Some(1))
    );
}
