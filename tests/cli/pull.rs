//! `provdiag pull` against a fake Okta on a loopback port (see `okta`): paging, duplicates, rate limits,
//! retries, Okta's errors, the state and save files, and the token kept out of every output.

use super::okta::{error_body, FakeOkta, Scripted};
use super::*;
use std::process::Output;
use std::time::Duration;

const TOKEN: &str = "00TESTtokenDoNotShow_7f3a9c";

/// The events of the API page fixture (10 events: 6 provisioning failures, 4 diagnosed), one JSON text each.
pub fn fixture_events() -> Vec<String> {
    let page: Vec<Value> =
        serde_json::from_slice(&std::fs::read(fixture("syslog-api-page.json")).expect("fixture"))
            .expect("an array");
    page.iter().map(|e| e.to_string()).collect()
}

/// A provisioning failure (or success) like the fixture's first event, with its own uuid and time.
fn event(n: u32, result: &str, reason: &str) -> String {
    let mut e: Value = serde_json::from_str(&fixture_events()[0]).expect("an event");
    e["uuid"] = format!("7c1e0000-{n:04}-11ef-9a1b-0242ac120002").into();
    e["published"] = format!("2024-04-22T08:{:02}:{:02}.000Z", n / 60, n % 60).into();
    e["outcome"]["result"] = result.into();
    e["outcome"]["reason"] = reason.into();
    e.to_string()
}

/// `provdiag pull --org <fake> --format json …` with an API token and no proxy.
fn pull(okta: &FakeOkta, args: &[&str]) -> Output {
    pull_with(okta, args, |cmd| {
        cmd.env("OKTA_API_TOKEN", TOKEN);
    })
}

fn pull_with(okta: &FakeOkta, args: &[&str], env: impl FnOnce(&mut assert_cmd::Command)) -> Output {
    let mut cmd = provdiag_offline();
    env(&mut cmd);
    cmd.args([
        "pull",
        "--org",
        &okta.url,
        "--format",
        "json",
        "--max-wait",
        "0.05",
    ])
    .args(args)
    .timeout(Duration::from_secs(60))
    .output()
    .expect("runs")
}

/// The JSON report on stdout, checked against the shipped schema.
fn report(out: &Output) -> Value {
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is a JSON report ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    super::schema::assert_valid_document(&report);
    report
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The `after` cursor of each request.
fn cursors(okta: &FakeOkta) -> Vec<Option<String>> {
    okta.seen().iter().map(|s| s.param("after")).collect()
}

#[test]
fn every_page_is_read_through_several_link_headers_with_exact_figures() {
    for one_link_header in [false, true] {
        let okta = FakeOkta::start(fixture_events(), 3);
        okta.okta().one_link_header = one_link_header;
        let out = pull(&okta, &[]);
        let report = report(&out);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_accounted(&report);
        assert_eq!(figures(&report), [10, 6, 5, 1, 4, 0, 0]);
        // Pages of 3, 3, 3 and 1, then the empty page that ends a polling read.
        let want: Vec<Option<String>> = [None, Some("3"), Some("6"), Some("9"), Some("10")]
            .iter()
            .map(|c| c.map(str::to_owned))
            .collect();
        assert_eq!(cursors(&okta), want, "one Link header: {one_link_header}");
        let places: Vec<String> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["source"]["path"].as_str().unwrap_or("").to_owned())
            .collect();
        assert!(places[0].ends_with("/api/v1/logs page 1"), "{places:?}");
        // Failures are events 1, 4-7 and 9: pages 1, 2, 2, 2, 3, 3.
        assert!(
            places[1].ends_with("page 2") && places[5].ends_with("page 3"),
            "{places:?}"
        );
    }
}

#[test]
fn overlapping_pages_count_each_repeated_event_as_a_duplicate() {
    let okta = FakeOkta::start(fixture_events(), 4);
    okta.okta().overlap = 1;
    let out = pull(&okta, &[]);
    let report = report(&out);
    assert_accounted(&report);
    // Pages of events 1-4, 4-7, 7-10, then the empty page: events 4 and 7 come twice.
    assert_eq!(figures(&report), [12, 6, 5, 1, 4, 0, 2], "{}", stderr(&out));
}

#[test]
fn the_query_asks_for_provisioning_events_in_the_window_oldest_first() {
    let okta = FakeOkta::start(fixture_events(), 6);
    let out = pull(
        &okta,
        &["--since", "2024-04-20T00:00:00Z", "--until", "2024-04-22"],
    );
    assert_eq!(figures(&report(&out)), [10, 6, 5, 1, 4, 0, 0]);
    let seen = okta.seen();
    // A bounded request: its last page has no next link, and nothing more is asked.
    assert_eq!(seen.len(), 2);
    let first = &seen[0];
    assert!(first.target.starts_with("/api/v1/logs?"), "{}", first.target);
    let filter = first.param("filter").expect("a filter");
    for prefix in [
        "application.provision",
        "application.integration",
        "application.configuration",
        "app.user_management",
    ] {
        assert!(filter.contains(&format!("eventType sw \"{prefix}\"")), "{filter}");
    }
    assert_eq!(filter.matches(" or ").count(), 3, "{filter}");
    assert_eq!(first.param("since").as_deref(), Some("2024-04-20T00:00:00Z"));
    assert_eq!(first.param("until").as_deref(), Some("2024-04-22T00:00:00Z"));
    assert_eq!(first.param("limit").as_deref(), Some("1000"));
    assert_eq!(first.param("sortOrder").as_deref(), Some("ASCENDING"));
    // The next page is Okta's own link, followed as given.
    assert_eq!(seen[1].param("after").as_deref(), Some("6"));
    assert_eq!(seen[1].param("since"), None);
}

#[test]
fn since_defaults_to_a_day_back() {
    let okta = FakeOkta::start(Vec::new(), 5);
    let out = pull(&okta, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let since: jiff::Timestamp = okta.seen()[0]
        .param("since")
        .expect("since")
        .parse()
        .expect("a time");
    let back = jiff::Timestamp::now().duration_since(since);
    // A day, give or take the run (not a wall-clock assertion on provdiag's speed: a window of an hour).
    assert!((back.as_secs() - 86_400).abs() < 3_600, "{back:?}");
    assert_eq!(okta.seen().len(), 1, "an empty first page ends the read");
}

#[test]
fn an_api_token_is_sent_as_ssws_and_an_access_token_as_bearer() {
    let okta = FakeOkta::start(fixture_events(), 20);
    pull(&okta, &[]);
    let okta2 = FakeOkta::start(fixture_events(), 20);
    pull_with(&okta2, &[], |cmd| {
        cmd.env("OKTA_ACCESS_TOKEN", "eyJraWQiOiJhY2Nlc3MifQ");
    });
    for (fake, want) in [
        (&okta, format!("SSWS {TOKEN}")),
        (&okta2, "Bearer eyJraWQiOiJhY2Nlc3MifQ".to_owned()),
    ] {
        let auth: Vec<Option<String>> = fake.seen().iter().map(|s| s.authorization.clone()).collect();
        assert!(!auth.is_empty());
        assert!(
            auth.iter().all(|a| a.as_deref() == Some(want.as_str())),
            "{auth:?}"
        );
    }
}

#[test]
fn remaining_zero_is_waited_out_so_okta_never_answers_429() {
    let okta = FakeOkta::start(fixture_events(), 4);
    // One request per window of a second: after each answer, X-Rate-Limit-Remaining is 0.
    okta.okta().rate_limit = Some(1);
    // No cap on the waits: the reset must really be waited for.
    let mut cmd = provdiag();
    cmd.env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("OKTA_ACCESS_TOKEN");
    let out = cmd
        .env("OKTA_API_TOKEN", TOKEN)
        .args(["pull", "--org", &okta.url, "--format", "json"])
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    assert_eq!(figures(&report(&out)), [10, 6, 5, 1, 4, 0, 0], "{}", stderr(&out));
    let statuses: Vec<u16> = okta.seen().iter().map(|s| s.status).collect();
    assert_eq!(statuses, [200; 4], "no request ran into the limit");
    assert!(
        stderr(&out).contains("X-Rate-Limit-Remaining is 0"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_429_is_waited_out_and_the_page_asked_again() {
    let okta = FakeOkta::start(fixture_events(), 20);
    okta.okta().script.push_back(Scripted::Error(
        429,
        error_body(
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
        ),
        vec![
            ("X-Rate-Limit-Remaining".into(), "0".into()),
            ("X-Rate-Limit-Reset".into(), "now+1".into()),
        ],
    ));
    let out = pull(&okta, &[]);
    assert_eq!(figures(&report(&out)), [10, 6, 5, 1, 4, 0, 0], "{}", stderr(&out));
    let statuses: Vec<u16> = okta.seen().iter().map(|s| s.status).collect();
    assert_eq!(statuses, [429, 200, 200]);
    let err = stderr(&out);
    assert!(err.contains("429 E0000047") && err.contains("waiting"), "{err}");
}

#[test]
fn a_503_and_a_hung_answer_are_retried() {
    for (scripted, extra) in [
        (
            Scripted::Error(503, error_body("E0000009", "Internal Server Error"), vec![]),
            vec![],
        ),
        (Scripted::Hang(Duration::from_secs(5)), vec!["--timeout", "0.5"]),
    ] {
        let okta = FakeOkta::start(fixture_events(), 20);
        okta.okta().script.push_back(scripted);
        let out = pull(&okta, &extra);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(figures(&report(&out)), [10, 6, 5, 1, 4, 0, 0]);
        assert_eq!(
            okta.seen().len(),
            3,
            "the failed request, the same page again, the empty page"
        );
        assert_eq!(okta.seen()[0].target, okta.seen()[1].target);
        assert!(stderr(&out).contains("waiting"), "{}", stderr(&out));
    }
}

#[test]
fn failures_that_do_not_pass_give_up_after_a_few_attempts_with_exit_2() {
    let okta = FakeOkta::start(fixture_events(), 20);
    for _ in 0..10 {
        okta.okta()
            .script
            .push_back(Scripted::Error(503, String::new(), vec![]));
    }
    let out = pull(&okta, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(okta.seen().len(), 5);
    assert_eq!(
        figures(&report(&out)),
        [0; 7],
        "the report of what was read is still written"
    );
    assert!(stderr(&out).contains("Okta answered 503"), "{}", stderr(&out));
}

#[test]
fn oktas_errors_are_shown_with_code_summary_and_hint_after_the_report_of_what_was_read() {
    let cases = [
        (
            401,
            "E0000011",
            "Invalid token provided",
            "OKTA_API_TOKEN",
            "check OKTA_API_TOKEN",
        ),
        (
            401,
            "E0000011",
            "Invalid token provided",
            "OKTA_ACCESS_TOKEN",
            "check OKTA_ACCESS_TOKEN",
        ),
        (
            403,
            "E0000006",
            "You do not have permission to perform the requested action",
            "OKTA_API_TOKEN",
            "may read the System Log",
        ),
        (
            403,
            "E0000006",
            "You do not have permission to perform the requested action",
            "OKTA_ACCESS_TOKEN",
            "okta.logs.read",
        ),
        (
            404,
            "E0000007",
            "Not found: Resource not found: logs (Org)",
            "OKTA_API_TOKEN",
            "no Okta org answers",
        ),
    ];
    for (status, code, summary, var, hint) in cases {
        let okta = FakeOkta::start(fixture_events(), 4);
        // The first page is read; the second is refused.
        okta.okta().script_from = 1;
        okta.okta()
            .script
            .push_back(Scripted::Error(status, error_body(code, summary), vec![]));
        let out = pull_with(&okta, &[], |cmd| {
            cmd.env(var, TOKEN);
        });
        assert_eq!(out.status.code(), Some(2), "{code}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("Okta answered {status} {code} \"{summary}\"")),
            "{err}"
        );
        assert!(err.contains(hint), "{err}");
        assert!(err.contains("after 1 page"), "{err}");
        // What was read is reported, whole: the first page's four events (two failures, both diagnosed).
        let report = report(&out);
        assert_accounted(&report);
        assert_eq!(figures(&report), [4, 2, 2, 0, 2, 0, 0], "{code}");
    }
}

#[test]
fn with_a_state_file_each_event_is_diagnosed_once_across_runs() {
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().expect("a path");
    let okta = FakeOkta::start(fixture_events(), 4);
    let first = pull(&okta, &["--state", state_arg]);
    assert_eq!(
        figures(&report(&first)),
        [10, 6, 5, 1, 4, 0, 0],
        "{}",
        stderr(&first)
    );
    // Nothing new: nothing read again; but what the first run found is still open, and the exit code says so.
    let again = pull(&okta, &["--state", state_arg]);
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    let carried = report(&again);
    assert_eq!(figures(&carried), [0; 7]);
    let open: Vec<&Value> = carried["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .filter(|i| i["open"].as_u64() > Some(0))
        .collect();
    assert_eq!(open.len(), 5, "{carried}");
    assert!(open
        .iter()
        .all(|i| i["status"] == "ongoing" && i["open_since"].is_string()));
    // A run that Okta refuses at once leaves the state as it was.
    let kept = std::fs::read_to_string(&state).expect("state");
    okta.okta().script_from = okta.seen().len();
    okta.okta().script.push_back(Scripted::Error(
        401,
        error_body("E0000011", "Invalid token provided"),
        vec![],
    ));
    let refused = pull(&okta, &["--state", state_arg]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&state).expect("state"), kept);
    // Events arrive between runs: the next run reads those and only those, wherever --since points.
    okta.okta().events.extend([
        event(
            1,
            "FAILURE",
            "Automatic provisioning of user Ann Lee to app Salesforce.com failed: License Limit Exceeded.",
        ),
        event(2, "SUCCESS", ""),
        event(3, "FAILURE", "Matching user not found."),
    ]);
    let before = okta.seen().len();
    let third = pull(&okta, &["--state", state_arg, "--since", "7d"]);
    let report = report(&third);
    assert_eq!(figures(&report), [3, 2, 2, 0, 1, 0, 0], "{}", stderr(&third));
    let users: Vec<Placed> = findings(&report);
    assert_eq!(users.len(), 2);
    assert!(
        stderr(&third).contains("--since is ignored"),
        "{}",
        stderr(&third)
    );
    // It went on from Okta's own link, never from a time.
    let seen = okta.seen();
    assert_eq!(seen[before].param("after").as_deref(), Some("10"));
    assert_eq!(seen[before].param("since"), None);
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).expect("state")).expect("JSON");
    assert_eq!(saved["org"].as_str(), Some(okta.url.as_str()));
    assert!(
        saved["next"].as_str().is_some_and(|n| n.contains("after=13")),
        "{saved}"
    );
}

#[test]
fn a_state_file_goes_on_after_the_latest_event_where_the_pages_end_without_a_next_link() {
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().expect("a path");
    let okta = FakeOkta::start(fixture_events(), 4);
    okta.okta().ends = true;
    let first = pull(&okta, &["--state", state_arg, "--since", "2024-04-01"]);
    assert_eq!(
        figures(&report(&first)),
        [10, 6, 5, 1, 4, 0, 0],
        "{}",
        stderr(&first)
    );
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).expect("state")).expect("JSON");
    assert_eq!(
        saved["since"].as_str(),
        Some("2024-04-21T13:02:00.000Z"),
        "{saved}"
    );
    assert_eq!(
        saved["seen"][0].as_str(),
        Some("6bd0ba4f-000a-11ef-9a1b-0242ac120002")
    );
    okta.okta().events.extend([
        event(1, "FAILURE", "Matching user not found."),
        event(2, "SUCCESS", ""),
    ]);
    let before = okta.seen().len();
    // This server ignores `since` and sends everything again: only the new events are read.
    let second = pull(&okta, &["--state", state_arg]);
    assert_eq!(
        figures(&report(&second)),
        [2, 1, 1, 0, 1, 0, 0],
        "{}",
        stderr(&second)
    );
    assert_eq!(
        okta.seen()[before].param("since").as_deref(),
        Some("2024-04-21T13:02:00.000Z")
    );
}

#[test]
fn a_state_file_from_another_org_is_refused() {
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("state.json");
    std::fs::write(&state, r#"{"version": 1, "org": "https://other.okta.com", "next": "https://other.okta.com/api/v1/logs?after=5"}"#)
        .expect("written");
    let okta = FakeOkta::start(fixture_events(), 4);
    let out = pull(&okta, &["--state", state.to_str().expect("a path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("https://other.okta.com"),
        "{}",
        stderr(&out)
    );
    assert!(
        okta.seen().is_empty(),
        "nothing was asked, so the token went nowhere"
    );
}

#[test]
fn the_save_file_holds_every_event_byte_for_byte() {
    let dir = tempfile::tempdir().expect("a directory");
    let save = dir.path().join("saved.ndjson");
    let mut events = fixture_events();
    // Escapes and non-ASCII text are kept as sent, not re-encoded.
    events.push(
        event(
            7,
            "FAILURE",
            "Automatic provisioning of user Zoë \"Z\" O'Brien to app Box failed: Conflict",
        )
        .replace('ë', "\\u00eb"),
    );
    events.push(event(
        8,
        "FAILURE",
        "Automatic provisioning of user Zoë to app Box failed: x",
    ));
    let okta = FakeOkta::start(events.clone(), 3);
    okta.okta().overlap = 1;
    let out = pull(&okta, &["--save", save.to_str().expect("a path")]);
    let report = report(&out);
    assert_accounted(&report);
    let saved = std::fs::read_to_string(&save).expect("saved");
    // Every event received, duplicates included, as the pages held them.
    let mut want = String::new();
    for s in okta.seen().iter() {
        let from: usize = s.param("after").and_then(|a| a.parse().ok()).unwrap_or(0);
        for e in events.iter().skip(from).take(3) {
            want.push_str(e);
            want.push('\n');
        }
    }
    assert_eq!(saved, want);
    // Diagnosed again offline, the saved events give the same figures.
    let (offline, _) = json_report(&[save.to_str().expect("a path")], "");
    assert_eq!(figures(&offline), figures(&report));
}

#[test]
fn a_next_link_that_leaves_the_org_is_not_followed() {
    let okta = FakeOkta::start(fixture_events(), 4);
    okta.okta().script.push_back(Scripted::Error(
        200,
        "[]".to_owned(),
        vec![(
            "Link".into(),
            "<https://evil.example/api/v1/logs?after=1>; rel=\"next\"".into(),
        )],
    ));
    let out = pull(&okta, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not followed"), "{}", stderr(&out));
}

#[test]
fn an_answer_that_is_not_a_page_of_events_ends_the_pull_after_what_was_read() {
    let okta = FakeOkta::start(fixture_events(), 4);
    okta.okta().script_from = 1;
    okta.okta().script.push_back(Scripted::Error(
        200,
        "<html><body>Sign in</body></html>".into(),
        vec![],
    ));
    let out = pull(&okta, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a JSON array of events"),
        "{}",
        stderr(&out)
    );
    assert_eq!(figures(&report(&out)), [4, 2, 2, 0, 2, 0, 0]);
}

#[test]
fn no_token_and_plain_http_are_refused_before_anything_is_asked() {
    let okta = FakeOkta::start(fixture_events(), 4);
    let out = pull_with(&okta, &[], |_| {});
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("OKTA_API_TOKEN") && err.contains("OKTA_ACCESS_TOKEN"),
        "{err}"
    );
    let out = provdiag()
        .env("OKTA_API_TOKEN", TOKEN)
        .args(["pull", "--org", "http://acme.okta.com"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("https://"), "{}", stderr(&out));
    assert!(okta.seen().is_empty());
}

#[test]
fn the_token_appears_in_no_output_whatever_goes_wrong() {
    let dir = tempfile::tempdir().expect("a directory");
    let echo = format!("Invalid token provided: {TOKEN}");
    let scripts: Vec<(&str, Vec<Scripted>, Vec<&str>)> = vec![
        ("read", vec![], vec![]),
        (
            "401 echoing the token",
            vec![Scripted::Error(
                401,
                error_body("E0000011", &echo),
                vec![("X-Okta-Request-Id".into(), TOKEN.into())],
            )],
            vec![],
        ),
        (
            "403",
            vec![Scripted::Error(
                403,
                error_body(
                    "E0000006",
                    "You do not have permission to perform the requested action",
                ),
                vec![],
            )],
            vec![],
        ),
        (
            "404",
            vec![Scripted::Error(404, "<html>not found</html>".into(), vec![])],
            vec![],
        ),
        (
            "redirect",
            vec![Scripted::Error(
                302,
                String::new(),
                vec![("Location".into(), format!("https://evil.example/?t={TOKEN}"))],
            )],
            vec![],
        ),
        (
            "503 each time",
            (0..6)
                .map(|_| Scripted::Error(503, error_body("E0000009", &echo), vec![]))
                .collect(),
            vec![],
        ),
        (
            "hung each time",
            (0..6).map(|_| Scripted::Hang(Duration::from_secs(3))).collect(),
            vec!["--timeout", "0.2"],
        ),
        (
            "429 each time",
            (0..12)
                .map(|_| Scripted::Error(429, error_body("E0000047", &echo), vec![]))
                .collect(),
            vec![],
        ),
        (
            "next link elsewhere",
            vec![Scripted::Error(
                200,
                "[]".into(),
                vec![(
                    "Link".into(),
                    format!("<https://evil.example/?t={TOKEN}>; rel=next"),
                )],
            )],
            vec![],
        ),
    ];
    for (what, script, extra) in scripts {
        let okta = FakeOkta::start(fixture_events(), 4);
        okta.okta().script_from = 1;
        okta.okta().script.extend(script);
        let save = dir.path().join(format!("{}.ndjson", what.replace(' ', "-")));
        let state = dir.path().join(format!("{}.state", what.replace(' ', "-")));
        let mut args = vec![
            "--save",
            save.to_str().expect("path"),
            "--state",
            state.to_str().expect("path"),
        ];
        args.extend(extra);
        let out = pull(&okta, &args);
        let outputs = [
            ("stdout", out.stdout.clone()),
            ("stderr", out.stderr.clone()),
            ("save", std::fs::read(&save).unwrap_or_default()),
            ("state", std::fs::read(&state).unwrap_or_default()),
        ];
        for (name, bytes) in outputs {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(TOKEN), "{what}: the token is in {name}: {text}");
        }
        assert!(okta
            .seen()
            .iter()
            .all(|s| s.authorization.as_deref() == Some(&format!("SSWS {TOKEN}")[..])));
    }
    // No org, a bad org, a refused connection: the messages made before any answer.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    for org in [
        format!("http://127.0.0.1:{port}"),
        format!("https://x:{TOKEN}@acme.okta.com"),
        "acme".into(),
    ] {
        let out = provdiag()
            .env("OKTA_API_TOKEN", TOKEN)
            .args(["pull", "--org", &org, "--max-wait", "0.01"])
            .timeout(Duration::from_secs(60))
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{org}");
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert!(!all.contains(TOKEN), "{org}: {all}");
    }
}

/// Lines of a child's stdout, as they come.
#[cfg(unix)]
fn lines_of(child: &mut std::process::Child) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[cfg(unix)]
#[test]
fn follow_streams_findings_as_events_arrive_and_ctrl_c_ends_it_with_the_report() {
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("state.json");
    let okta = FakeOkta::start(fixture_events(), 4);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("provdiag"))
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("OKTA_ACCESS_TOKEN")
        .env("OKTA_API_TOKEN", TOKEN)
        .args([
            "pull",
            "--org",
            &okta.url,
            "--follow",
            "--format",
            "ndjson",
            "--poll-interval",
            "0.1",
        ])
        .arg("--state")
        .arg(&state)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let lines = lines_of(&mut child);
    let findings = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|_| {
                let line = lines
                    .recv_timeout(Duration::from_secs(30))
                    .expect("a finding arrives");
                serde_json::from_str::<Value>(&line).expect("a JSON line")
            })
            .collect()
    };
    // The six failures already in the log come first, before anything ends.
    let first = findings(6);
    assert!(first.iter().all(|f| f["type"] == "finding"), "{first:?}");
    // New events are read as they arrive.
    okta.okta().events.extend([
        event(
            1,
            "FAILURE",
            "Automatic provisioning of user Ann Lee to app Salesforce.com failed: License Limit Exceeded.",
        ),
        event(2, "SUCCESS", ""),
    ]);
    let later = findings(1);
    assert_eq!(
        later[0]["uuid"].as_str(),
        Some("7c1e0000-0001-11ef-9a1b-0242ac120002"),
        "{later:?}"
    );
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = child.wait().expect("ends");
    assert_eq!(
        exit.code(),
        Some(1),
        "Ctrl-C ends with the report and its exit code"
    );
    let rest: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(&l).expect("a JSON line"))
        .collect();
    let all: Vec<String> = first
        .iter()
        .chain(&later)
        .chain(&rest)
        .map(Value::to_string)
        .collect();
    super::schema::assert_valid_ndjson(&(all.join("\n") + "\n"));
    let summary = rest.last().expect("a summary");
    assert_eq!(summary["type"], "summary", "{rest:?}");
    assert_eq!(summary["records"], 12, "{summary}");
    assert_eq!(summary["failures"], 7, "{summary}");
    // The state says where to go on: after the twelve events.
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).expect("state")).expect("JSON");
    assert!(
        saved["next"].as_str().is_some_and(|n| n.contains("after=12")),
        "{saved}"
    );
}

#[test]
fn the_report_goes_to_output_file_whole_also_when_the_pull_stops() {
    let dir = tempfile::tempdir().expect("a directory");
    let file = dir.path().join("report.json");
    let okta = FakeOkta::start(fixture_events(), 4);
    okta.okta().script_from = 1;
    okta.okta().script.push_back(Scripted::Error(
        401,
        error_body("E0000011", "Invalid token provided"),
        vec![],
    ));
    let out = pull(&okta, &["-o", file.to_str().expect("a path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let report: Value = serde_json::from_slice(&std::fs::read(&file).expect("written")).expect("JSON");
    assert_eq!(figures(&report), [4, 2, 2, 0, 2, 0, 0]);
}

#[test]
fn a_pull_reports_what_the_same_events_read_from_a_file_report_whatever_the_page_size() {
    let (offline, _) = json_report(&[&fixture("syslog-api-page.json")], "");
    for page_size in [1, 3, 1000] {
        let okta = FakeOkta::start(fixture_events(), page_size);
        let pulled = report(&pull(&okta, &[]));
        // Resolution and grouping see one run across pages: a success on a later page resolves a failure.
        assert_eq!(pulled["summary"], offline["summary"], "pages of {page_size}");
        assert_eq!(
            pulled["incidents"].as_array().map(Vec::len),
            offline["incidents"].as_array().map(Vec::len)
        );
    }
    let okta = FakeOkta::start(fixture_events(), 4);
    let only = report(&pull(&okta, &["--app", "salesforce.com"]));
    let (offline_only, _) = json_report(&["--app", "salesforce.com", &fixture("syslog-api-page.json")], "");
    assert_eq!(only["summary"], offline_only["summary"]);
}
