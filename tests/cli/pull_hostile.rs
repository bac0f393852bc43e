//! `provdiag pull` against a hostile or broken server (spec, "pull, continued"): numbers that overflow, waits
//! that would last decades, links that loop or leave the org, a name that does not resolve, settings that
//! cannot work, and Ctrl-C in a plain pull. None may panic, hang or lose what was read.

use super::okta::{FakeOkta, Scripted};
use super::pull::fixture_events;
use super::*;
use std::process::Output;
use std::time::Duration;

const TOKEN: &str = "00TESTtokenDoNotShow_7f3a9c";

/// `provdiag pull --org <org> --format json …` with an API token and no proxy; `bounded` caps every wait
/// with the hidden `--max-wait`, so that retries take milliseconds.
fn run(org: &str, args: &[&str], bounded: bool, env: &[(&str, &str)]) -> Output {
    let mut cmd = provdiag_offline();
    cmd.env("OKTA_API_TOKEN", TOKEN);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(["pull", "--org", org, "--format", "json"]);
    if bounded {
        cmd.args(["--max-wait", "0.05"]);
    }
    cmd.args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs")
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is a JSON report ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

#[test]
fn rate_limit_numbers_past_any_clock_neither_panic_nor_lose_the_pages() {
    for reset in ["18446744073709551615", "99999999999999999999999", "-5"] {
        let okta = FakeOkta::start(fixture_events(), 4);
        okta.okta().script_from = 1;
        // A page whose limit is used up, then a 429, each with a reset no clock reaches.
        let headers = vec![
            header("X-Rate-Limit-Remaining", "0"),
            header("X-Rate-Limit-Reset", reset),
        ];
        okta.okta()
            .script
            .push_back(Scripted::Error(429, "{}".into(), headers.clone()));
        let out = run(&okta.url, &[], true, &[]);
        assert_eq!(out.status.code(), Some(1), "{reset}: {}", stderr(&out));
        assert_eq!(figures(&report(&out))[..2], [10, 6], "{reset}");
    }
}

#[test]
fn a_reset_in_milliseconds_or_hours_away_is_not_believed_and_retry_after_is() {
    // Without --max-wait: a wait believed would last decades (milliseconds read as seconds) or hours.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis()
        .to_string();
    let backoff = regex::Regex::new(r"waiting (1\.\d|2(\.0)?) s").expect("regex");
    for reset in [now_ms.as_str(), "now+7200"] {
        let okta = FakeOkta::start(fixture_events(), 10);
        okta.okta().script.push_back(Scripted::Error(
            429,
            "{}".into(),
            vec![
                header("X-Rate-Limit-Remaining", "0"),
                header("X-Rate-Limit-Reset", reset),
            ],
        ));
        let out = run(&okta.url, &[], false, &[]);
        assert_eq!(out.status.code(), Some(1), "{reset}: {}", stderr(&out));
        assert!(
            backoff.is_match(&stderr(&out)),
            "{reset}: a backoff: {}",
            stderr(&out)
        );
    }
    // Retry-After on 429 and 503: a second, not the two of a backoff.
    for status in [429, 503] {
        let okta = FakeOkta::start(fixture_events(), 10);
        okta.okta().script.push_back(Scripted::Error(
            status,
            "{}".into(),
            vec![header("Retry-After", "1")],
        ));
        let out = run(&okta.url, &[], false, &[]);
        assert_eq!(out.status.code(), Some(1), "{status}: {}", stderr(&out));
        assert!(stderr(&out).contains("waiting 1 s"), "{status}: {}", stderr(&out));
    }
}

#[test]
fn next_links_that_lead_back_end_the_pull_after_reporting_what_was_read() {
    let events = fixture_events();
    let okta = FakeOkta::start(events.clone(), 4);
    let page = |from: usize, next: &str| {
        Scripted::Error(
            200,
            format!("[{}]", events[from..from + 3].join(",")),
            vec![header(
                "Link",
                &format!("</api/v1/logs?after={next}>; rel=\"next\""),
            )],
        )
    };
    // a → b → a: two pages pointing at each other.
    okta.okta()
        .script
        .extend([page(0, "a"), page(3, "b"), page(6, "a")]);
    let out = run(&okta.url, &[], true, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("already read"), "{}", stderr(&out));
    assert_eq!(okta.seen().len(), 3, "no page asked twice");
    assert_eq!(figures(&report(&out))[0], 9, "the three pages are reported");
}

#[test]
fn the_page_that_carried_a_refused_link_is_diagnosed() {
    let events = fixture_events();
    let okta = FakeOkta::start(events.clone(), 4);
    okta.okta().script.push_back(Scripted::Error(
        200,
        format!("[{}]", events.join(",")),
        vec![header(
            "Link",
            "<https://evil.example/api/v1/logs?after=1>; rel=\"next\"",
        )],
    ));
    let out = run(&okta.url, &[], true, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not followed"), "{}", stderr(&out));
    assert_eq!(figures(&report(&out))[..2], [10, 6]);
}

#[test]
fn a_name_that_does_not_resolve_gets_its_hint_at_once() {
    // `.invalid` never resolves (RFC 6761): no network is needed to fail.
    let out = run("nosuch-admin.invalid", &[], true, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("host not found"), "{err}");
    assert!(
        err.contains("admin console") && err.contains("nosuch.invalid"),
        "{err}"
    );
    assert!(
        !err.contains("waiting") && !err.contains("attempts"),
        "not retried: {err}"
    );
}

#[test]
fn a_timeout_of_zero_and_a_proxy_that_is_no_address_are_usage_errors() {
    let okta = FakeOkta::start(fixture_events(), 4);
    let out = run(&okta.url, &["--timeout", "0"], true, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--timeout"), "{}", stderr(&out));
    let out = run(&okta.url, &[], true, &[("HTTPS_PROXY", "http://[::1")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("HTTPS_PROXY"), "{}", stderr(&out));
    assert!(okta.seen().is_empty(), "nothing asked");
}

#[cfg(unix)]
#[test]
fn ctrl_c_ends_a_plain_pull_with_the_report_of_what_was_read() {
    let okta = FakeOkta::start(fixture_events(), 4);
    okta.okta().script_from = 1;
    okta.okta()
        .script
        .push_back(Scripted::Hang(Duration::from_secs(2)));
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("provdiag"))
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("OKTA_ACCESS_TOKEN")
        .env("OKTA_API_TOKEN", TOKEN)
        .args(["pull", "--org", &okta.url, "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starts");
    // The second page is being asked for (and hangs): the first was read.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while okta.seen().len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the second page is never asked"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let out = child.wait_with_output().expect("ends");
    assert_eq!(out.status.code(), Some(1), "the report's exit code");
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(figures(&report)[..2], [4, 2]);
}
