//! CLI behaviour, run as a user would: the built binary over fixtures and built inputs.

mod action;
mod broken;
mod conventions;
mod corpus;
mod diagnose;
mod exactness;
mod exports;
mod formats;
mod github;
mod house;
mod markdown;
mod newcomer;
mod not_okta;
mod oauth;
mod okta;
mod output;
mod properties;
mod pull;
mod pull_hostile;
mod reading;
mod readme;
mod resolution;
mod scheduled;
mod schema;
mod siem;

use assert_cmd::Command;
use serde_json::Value;

/// How many cases a property test runs: `default`, or `PROVDIAG_PROPTEST_CASES` when it is set to a number
/// (CONTRIBUTING.md: a longer run before a release or after a change to a reader).
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("PROVDIAG_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// The binary, with the environment that changes its output cleared.
pub fn provdiag() -> Command {
    let mut cmd = Command::cargo_bin("provdiag").expect("the binary is built");
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("PROVDIAG_REDACT_KEY");
    cmd
}

/// The binary for `pull`, with every Okta credential and proxy variable of the environment cleared: each
/// test sets the credential it means, and no request leaves for a proxy.
pub fn provdiag_offline() -> Command {
    let mut cmd = provdiag();
    for var in [
        "OKTA_API_TOKEN",
        "OKTA_ACCESS_TOKEN",
        "OKTA_CLIENT_TOKEN",
        "OKTA_CLIENT_CLIENTID",
        "OKTA_CLIENT_PRIVATEKEY",
        "OKTA_CLIENT_PRIVATEKEYID",
        "OKTA_CLIENT_ORGURL",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs with `--format json` and the given arguments and stdin; the report and the exit code.
pub fn json_report(args: &[&str], stdin: impl Into<Vec<u8>>) -> (Value, i32) {
    let out = provdiag()
        .args(["--format", "json"])
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    schema::assert_valid_document(&report);
    (report, out.status.code().unwrap_or(-1))
}

/// The built-in rule table as `provdiag rules --format json` prints it (the run must succeed).
pub fn builtin_table() -> Value {
    let out = provdiag()
        .args(["rules", "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "rules --format json failed");
    serde_json::from_slice(&out.stdout).expect("the table is JSON")
}

/// The summary figures in the spec's order: records, failures, diagnosed, unrecognized, ignored,
/// malformed, duplicates.
pub fn figures(report: &Value) -> [u64; 7] {
    let s = &report["summary"];
    [
        "records",
        "failures",
        "diagnosed",
        "unrecognized",
        "ignored",
        "malformed",
        "duplicates",
    ]
    .map(|k| s[k].as_u64().unwrap_or_else(|| panic!("summary.{k} is a number")))
}

/// Asserts the spec's accounting identities on a report.
pub fn assert_accounted(report: &Value) {
    let [records, failures, diagnosed, unrecognized, ignored, malformed, duplicates] = figures(report);
    assert_eq!(records, failures + ignored + malformed + duplicates, "{report}");
    assert_eq!(failures, diagnosed + unrecognized, "{report}");
    let findings = report["findings"].as_array().map_or(0, Vec::len) as u64;
    assert_eq!(findings, failures, "every failure is a finding");
    // Every malformed record is an error, up to the 10,000 a report lists.
    let errors = report["errors"].as_array().map_or(0, Vec::len) as u64;
    assert_eq!(
        errors,
        malformed.min(10_000),
        "every malformed record is an error"
    );
}

/// (line, cause, user, app) of a finding.
pub type Placed = (u64, Option<String>, Option<String>, Option<String>);

/// (line, cause, user, app) of each finding.
pub fn findings(report: &Value) -> Vec<Placed> {
    let s = |v: &Value| v.as_str().map(str::to_owned);
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| {
            (
                f["source"]["line"].as_u64().unwrap_or(0),
                s(&f["cause"]),
                s(&f["user"]),
                s(&f["app"]),
            )
        })
        .collect()
}

/// A temporary file holding `bytes`, removed when dropped (the tests leave nothing in the temp directory).
pub fn temp_file(suffix: &str, bytes: &[u8]) -> tempfile::NamedTempFile {
    use std::io::Write;
    let mut file = tempfile::Builder::new()
        .prefix("provdiag-test-")
        .suffix(suffix)
        .tempfile()
        .expect("a temporary file");
    file.write_all(bytes).expect("written");
    file
}

/// A temporary file's path as an argument.
pub fn path(file: &tempfile::NamedTempFile) -> String {
    file.path().to_string_lossy().into_owned()
}

pub fn fixture(name: &str) -> String {
    format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}
