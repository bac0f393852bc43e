//! What a newcomer looks for in the help: where completions go, and how `pull` takes its credentials.

use super::*;

#[test]
fn completions_help_says_where_each_shells_file_goes() {
    let out = provdiag().args(["completions", "--help"]).output().expect("runs");
    let help = String::from_utf8_lossy(&out.stdout);
    for (shell, place) in [
        ("bash", "bash-completion/completions/provdiag"),
        ("zsh", "_provdiag"),
        ("fish", ".config/fish/completions/provdiag.fish"),
        ("powershell", "$PROFILE"),
        ("elvish", "provdiag.elv"),
    ] {
        assert!(
            help.contains(&format!("provdiag completions {shell} >")),
            "{shell}: {help}"
        );
        assert!(help.contains(place), "{shell}: {help}");
        // The line is one that the shell generates: the command works for that shell.
        let generated = provdiag().args(["completions", shell]).output().expect("runs");
        assert!(
            generated.status.success() && !generated.stdout.is_empty(),
            "{shell}"
        );
    }
}

#[test]
fn pull_help_says_which_credential_wins_and_that_http_is_for_loopback() {
    let out = provdiag().args(["pull", "--help"]).output().expect("runs");
    let help = String::from_utf8_lossy(&out.stdout);
    let flat: String = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let order = [
        "OKTA_CLIENT_CLIENTID",
        "OKTA_API_TOKEN",
        "OKTA_CLIENT_TOKEN",
        "OKTA_ACCESS_TOKEN",
    ]
    .map(|v| {
        flat.find(v)
            .unwrap_or_else(|| panic!("{v} in pull --help: {help}"))
    });
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "the order they are chosen in: {help}"
    );
    assert!(flat.contains("The first of these that is set is used"), "{help}");
    assert!(flat.contains("http:// only to a loopback address"), "{help}");
    assert!(flat.contains("OKTA_CLIENT_ORGURL"), "{help}");
}

/// `licence` and `license` are one word wherever a cause id is typed.
#[test]
fn licence_and_license_name_the_same_cause() {
    let explained = provdiag()
        .args(["explain", "licence-limit-exceeded"])
        .output()
        .expect("runs");
    assert_eq!(
        explained.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&explained.stderr)
    );
    assert!(String::from_utf8_lossy(&explained.stdout).starts_with("license-limit-exceeded"));
    let message =
        "Automatic provisioning of user John Doe to app Salesforce.com failed: License Limit Exceeded.";
    for (fail_on, code) in [
        ("licence-limit-exceeded", 1),
        ("LICENCE_LIMIT_EXCEEDED", 1),
        ("invalid-credentials", 0),
    ] {
        let out = provdiag()
            .args(["-m", message, "--fail-on", fail_on])
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(code),
            "--fail-on {fail_on}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Open and resolved users apart, on the same basis as the counts: a user is open while any of their
/// failures is, and the two lists together are `users`.
#[test]
fn open_and_resolved_users_are_listed_apart() {
    // Jane fails twice and is fixed by a later success; John fails and is not.
    let events = |n: u32, who: &str, result: &str| {
        serde_json::json!({
            "uuid": format!("00000000-0000-4000-8000-00000000000{n}"),
            "published": format!("2024-04-21T12:0{n}:00.000Z"),
            "eventType": "application.provision.user.push",
            "displayMessage": "Push user to app",
            "outcome": { "result": result, "reason": if result == "FAILURE" { "License Limit Exceeded" } else { "" } },
            "target": [
                { "type": "AppInstance", "displayName": "Salesforce.com", "alternateId": "salesforce" },
                { "type": "AppUser", "displayName": who, "alternateId": format!("{}@example.com", who.to_lowercase().replace(' ', ".")) }
            ]
        })
        .to_string()
    };
    let input = [
        events(1, "Jane Roe", "FAILURE"),
        events(2, "John Doe", "FAILURE"),
        events(3, "Jane Roe", "FAILURE"),
        events(4, "Jane Roe", "SUCCESS"),
    ]
    .join("\n");
    let (report, code) = json_report(&["--fail-on", "any"], input);
    assert_eq!(code, 1, "{report}");
    let incident = &report["incidents"][0];
    assert_eq!(
        (incident["open"].as_u64(), incident["resolved"].as_u64()),
        (Some(1), Some(2)),
        "{incident}"
    );
    assert_eq!(
        incident["open_users"],
        serde_json::json!(["John Doe"]),
        "{incident}"
    );
    assert_eq!(
        incident["resolved_users"],
        serde_json::json!(["Jane Roe"]),
        "{incident}"
    );
    assert_eq!(
        incident["users"],
        serde_json::json!(["Jane Roe", "John Doe"]),
        "{incident}"
    );
}

/// A markdown ticket writes the other documented causes out instead of pointing at `provdiag explain`.
#[test]
fn a_markdown_ticket_writes_the_other_causes_out() {
    let message =
        "Automatic provisioning of user John Doe to app Salesforce.com failed: Matching user not found.";
    let out = provdiag()
        .args(["--format", "markdown", "-m", message])
        .output()
        .expect("runs");
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(!md.contains("provdiag explain"), "{md}");
    let rules = builtin_table();
    let rule = rules["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["id"] == "create-users-disabled")
        .expect("the rule");
    let others = rule["other_causes"].as_array().expect("other causes");
    assert!(!others.is_empty());
    let start = md
        .find("**Other documented causes of this message:**")
        .expect("the list");
    let items = md[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with("- "))
        .count();
    assert_eq!(items, others.len(), "{md}");
    assert!(
        md[start..].contains(" To tell: ") && md[start..].contains(" Fix: "),
        "{md}"
    );
}

/// Text and markdown open with one line per incident, open ones first; `--brief` stops there, with the figures.
#[test]
fn the_overview_comes_first_and_brief_prints_only_it_and_the_figures() {
    let input = fixture("retried-newest-first.ndjson");
    let (json, _) = json_report(&[&input], "");
    let incidents = json["incidents"].as_array().expect("incidents");
    let text = provdiag()
        .args(["--color", "never", &input])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Overview", "{text}");
    let rows = &lines[1..=incidents.len()];
    for (row, i) in rows.iter().zip(incidents.iter()) {
        let state = if i["open"].as_u64() > Some(0) {
            "open"
        } else {
            "resolved"
        };
        assert!(row.trim_start().starts_with(state), "{row}");
        assert!(
            row.contains(i["cause"].as_str().unwrap_or("unrecognized")),
            "{row}"
        );
    }
    assert!(
        text.find("Overview") < text.find("Apps") && text.find("Apps") < text.find("What to do"),
        "{text}"
    );
    let brief = provdiag()
        .args(["--color", "never", "--brief", &input])
        .output()
        .expect("runs");
    let brief = String::from_utf8_lossy(&brief.stdout).into_owned();
    assert_eq!(
        brief.lines().count(),
        incidents.len() + 3,
        "overview, a blank line, the figures: {brief}"
    );
    assert_eq!(brief.lines().last(), text.lines().last(), "the same figures");
    let md = provdiag()
        .args(["--format", "markdown", "--brief", &input])
        .output()
        .expect("runs");
    let md = String::from_utf8_lossy(&md.stdout).into_owned();
    assert!(
        md.contains("## Overview") && md.contains("| records |") && !md.contains("What to do"),
        "{md}"
    );
}
