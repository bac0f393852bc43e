//! What users expect of a command-line tool: mistakes that point the way out, color that follows the
//! terminal's conventions, `--redact` that holds, `-o` written whole or not at all, a manual page.

use super::*;
use predicates::prelude::*;
use std::process::Command as Process;

const LLE: &str =
    "Automatic provisioning of user John Doe to app Salesforce.com failed: License Limit Exceeded.";
const UNKNOWN: &str = "Automatic provisioning of user John Doe to app Box failed: Something odd happened";
const CREDS: &str = "Automatic provisioning of user John Doe to app Box failed: The credentials used to connect to the API were invalid; please check your configuration";

fn stderr_of(cmd: &mut assert_cmd::Command) -> (Option<i32>, String) {
    let out = cmd.output().expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// Item 1: mistakes get a way out.

#[test]
fn a_message_passed_as_a_file_suggests_m() {
    let (code, err) = stderr_of(provdiag().arg(LLE));
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot read Automatic provisioning"), "{err}");
    assert!(err.contains("pass it with -m"), "{err}");
    // Unquoted, the words arrive as many FILEs.
    let words: Vec<&str> = LLE.split(' ').collect();
    let (code, err) = stderr_of(provdiag().args(&words));
    assert_eq!(code, Some(2));
    assert!(err.contains("quote it and pass it with -m"), "{err}");
    // A missing file that does not read like a message gets no such hint.
    let (code, err) = stderr_of(provdiag().arg("no-such-export.json"));
    assert_eq!(code, Some(2));
    assert!(
        err.contains("cannot read no-such-export.json") && !err.contains("-m"),
        "{err}"
    );
}

#[test]
fn fail_on_takes_a_list_of_causes_and_unrecognized() {
    let code = |message: &str, fail_on: &str| {
        provdiag()
            .args(["-m", message, "--fail-on", fail_on])
            .output()
            .expect("runs")
            .status
            .code()
    };
    let list = "unrecognized,license-limit-exceeded";
    assert_eq!(code(LLE, list), Some(1));
    assert_eq!(code(UNKNOWN, list), Some(1));
    assert_eq!(code(CREDS, list), Some(0), "a cause not in the list");
    assert_eq!(code(LLE, "LICENSE_LIMIT_EXCEEDED"), Some(1), "Okta's code");
    assert_eq!(code(CREDS, "none"), Some(0));
    assert_eq!(code(CREDS, "any"), Some(1));
}

#[test]
fn a_wrong_fail_on_value_names_the_nearest_and_the_valid_ones() {
    let (code, err) = stderr_of(provdiag().args(["-m", LLE, "--fail-on", "unrecognized,licence-limit"]));
    assert_eq!(code, Some(2));
    assert!(err.contains("'licence-limit'"), "{err}");
    assert!(err.contains("did you mean 'license-limit-exceeded'?"), "{err}");
    for valid in [
        "any",
        "none",
        "unrecognized",
        "invalid-credentials",
        "create-users-disabled",
    ] {
        assert!(err.contains(valid), "{valid} missing: {err}");
    }
}

#[test]
fn explain_finds_a_cause_however_it_is_typed_or_suggests_the_nearest() {
    for typed in [
        "LICENSE_LIMIT_EXCEEDED",
        "License Limit Exceeded",
        "license_limit_exceeded",
    ] {
        provdiag()
            .args(["explain", typed])
            .assert()
            .success()
            .stdout(predicate::str::starts_with("license-limit-exceeded"));
    }
    let (code, err) = stderr_of(provdiag().args(["explain", "licence-limit"]));
    assert_eq!(code, Some(2));
    assert!(err.contains("did you mean 'license-limit-exceeded'?"), "{err}");
}

#[test]
fn completions_offer_cause_ids_and_user_rules_ids_are_still_accepted() {
    let table = builtin_table();
    let ids: Vec<&str> = table["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(ids.len() >= 3);
    for shell in ["bash", "zsh", "fish"] {
        let out = provdiag().args(["completions", shell]).output().expect("runs");
        let script = String::from_utf8_lossy(&out.stdout);
        for id in &ids {
            assert!(script.contains(id), "{shell} completion lacks {id}");
        }
        assert!(script.contains("unrecognized"), "{shell}: --fail-on words");
    }
    // The completion list does not restrict: a --rules file's id works in --fail-on and explain.
    let extra = fixture("rules-extra.json");
    let gateway = "Automatic provisioning of user A to app Workday failed: Bad Gateway. Errors reported by remote server: upstream timeout";
    provdiag()
        .args([
            "--rules",
            &extra,
            "-m",
            gateway,
            "--fail-on",
            "upstream-gateway-timeout",
        ])
        .assert()
        .code(1);
    provdiag()
        .args(["--rules", &extra, "explain", "UPSTREAM_GATEWAY_TIMEOUT"])
        .assert()
        .success();
}

// Item 2: color.

/// Runs provdiag on a pseudo-terminal (util-linux `script`), with `env` set; what it printed.
#[cfg(target_os = "linux")]
fn at_terminal(args: &str, env: &[(&str, &str)]) -> String {
    let bin = assert_cmd::cargo::cargo_bin("provdiag");
    let line = format!("'{}' {args}", bin.display());
    let mut cmd = Process::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("TERM", "xterm-256color");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .expect("util-linux `script` gives provdiag a terminal for these tests");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[cfg(target_os = "linux")]
#[test]
fn at_a_terminal_color_follows_clicolor_term_and_no_color() {
    let args = format!("'{}'", fixture("tasks-paste.txt"));
    let colored = |s: &str| s.contains("\u{1b}[");
    let plain = at_terminal(&args, &[]);
    assert!(colored(&plain), "a terminal gets color: {plain}");
    assert!(plain.contains("records:"), "the run happened: {plain}");
    for env in [("CLICOLOR", "0"), ("TERM", "dumb"), ("NO_COLOR", "1")] {
        let out = at_terminal(&args, &[env]);
        assert!(!colored(&out) && out.contains("records:"), "{env:?}: {out}");
    }
    // The flag wins over the environment, and CLICOLOR_FORCE over a dumb terminal.
    assert!(colored(&at_terminal(
        &format!("--color always {args}"),
        &[("NO_COLOR", "1")]
    )));
    assert!(!colored(&at_terminal(&format!("--color never {args}"), &[])));
    assert!(colored(&at_terminal(
        &args,
        &[("TERM", "dumb"), ("CLICOLOR_FORCE", "1")]
    )));
    // A report written to a file is not for the terminal.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("report.txt");
    at_terminal(&format!("-o '{}' {args}", file.display()), &[]);
    let written = std::fs::read_to_string(&file).expect("the report was written");
    assert!(!colored(&written) && written.contains("records:"), "{written}");
}

#[test]
fn off_a_terminal_only_clicolor_force_or_always_give_color() {
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = provdiag();
        cmd.args(["-m", LLE]).args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        String::from_utf8(cmd.output().expect("runs").stdout).expect("utf-8")
    };
    let colored = |s: String| s.contains("\u{1b}[");
    assert!(!colored(run(&[], &[])));
    assert!(colored(run(&[], &[("CLICOLOR_FORCE", "1"), ("TERM", "dumb")])));
    assert!(!colored(run(&[], &[("CLICOLOR_FORCE", "0")])));
    assert!(colored(run(
        &["--color", "always"],
        &[("TERM", "dumb"), ("CLICOLOR", "0")]
    )));
}

// Item 4: --redact that holds.

/// John Doe's pseudonym in a redacted run with `key` (None: no PROVDIAG_REDACT_KEY), and stderr.
fn john(key: Option<&str>) -> (String, String) {
    let mut cmd = provdiag();
    cmd.args(["--redact", "--format", "json", "--fail-on", "none", "-m", LLE]);
    if let Some(k) = key {
        cmd.env("PROVDIAG_REDACT_KEY", k);
    }
    let out = cmd.output().expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    super::schema::assert_valid_document(&report);
    let user = report["findings"][0]["user"].as_str().expect("a user").to_owned();
    (user, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn pseudonyms_need_the_key() {
    let (a, err) = john(None);
    let (b, _) = john(None);
    assert_ne!(a, b, "without a key, each run has its own");
    assert!(
        err.contains("random key") && err.contains("PROVDIAG_REDACT_KEY"),
        "{err}"
    );
    let (c, err) = john(Some("our shared secret"));
    let (d, _) = john(Some("our shared secret"));
    assert_eq!(c, d, "the same key, the same pseudonym");
    assert!(!err.contains("random key"), "{err}");
    let (e, _) = john(Some("another secret"));
    assert_ne!(c, e);
    // Nobody without the key can recompute it from a staff list: it is no plain hash of the name.
    let hex = c.strip_prefix("Person ").expect("a pseudonym");
    for name in ["John Doe", "john doe"] {
        use sha2::Digest;
        let sha: String = sha2::Sha256::digest(name.as_bytes())[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_ne!(hex, sha);
        let mut fnv = fnv::FnvHasher::default();
        std::hash::Hasher::write(&mut fnv, name.as_bytes());
        let fnv = format!("{:012x}", std::hash::Hasher::finish(&fnv) & 0xffff_ffff_ffff);
        assert_ne!(hex, fnv);
    }
}

/// The reason of the only finding of `paste`, redacted with a fixed key.
fn redacted_reason(args: &[&str], paste: &str) -> String {
    let out = provdiag()
        .env("PROVDIAG_REDACT_KEY", "k")
        .args(["--redact", "--format", "json", "--fail-on", "none"])
        .args(args)
        .write_stdin(paste)
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    super::schema::assert_valid_document(&report);
    assert_eq!(report["summary"]["failures"], 1, "{report}");
    report["findings"][0]["reason"]
        .as_str()
        .expect("a reason")
        .to_owned()
}

#[test]
fn redaction_replaces_the_people_and_keeps_the_message_word_for_word() {
    let message = "Automatic provisioning of user John Doe to app Forest Admin failed: Error while verifying if user John Doe exists: Unauthorized. Errors reported by remote server: Invalid SCIM token, please check your configuration";
    let reason = redacted_reason(&["-m", message], "");
    let re = regex::Regex::new(
        r"^Error while verifying if user Person [0-9a-f]{12} exists: Unauthorized\. Errors reported by remote server: Invalid SCIM token, please check your configuration$",
    )
    .expect("regex");
    assert!(re.is_match(&reason), "{reason}");
}

#[test]
fn a_pasted_line_a_rule_matched_keeps_its_whole_message_with_only_people_replaced() {
    let paste = "2024-04-21 12:47 Quentin Marchetti-Ybarra: Error while verifying if user qmy@example.com exists: Unauthorized. Errors reported by remote server: Invalid SCIM token, please check your configuration\n";
    let reason = redacted_reason(&[], paste);
    assert!(!reason.contains("Quentin") && !reason.contains("qmy"), "{reason}");
    let re = regex::Regex::new(
        r"^Error while verifying if user person-[0-9a-f]{12}@redacted\.invalid exists: Unauthorized\. Errors reported by remote server: Invalid SCIM token, please check your configuration$",
    )
    .expect("regex");
    assert!(re.is_match(&reason), "{reason}");
    let reason = redacted_reason(
        &[],
        "2024-04-21 12:47 Quentin Marchetti-Ybarra: LICENSE_LIMIT_EXCEEDED: License Limit Exceeded\n",
    );
    assert_eq!(reason, "LICENSE_LIMIT_EXCEEDED: License Limit Exceeded");
    // Pasted from a page's HTML: the rule matched the message as written, and the name before it is cut
    // all the same.
    let reason = redacted_reason(
        &[],
        "2024-04-21 12:47 Quentin Marchetti-Ybarra: Couldn&#39;t authenticate you\n",
    );
    assert_eq!(reason, "Couldn't authenticate you");
}

// Item 7: batteries.

#[test]
fn output_writes_the_whole_report_to_the_file_and_nothing_to_stdout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.json");
    let path_arg = path.to_str().expect("utf-8 path");
    let syslog = fixture("syslog.ndjson");
    let out = provdiag()
        .args(["--format", "json", "-o", path_arg, &syslog])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "the exit code still tells");
    assert!(out.stdout.is_empty());
    let (expected, _) = json_report(&[&syslog], "");
    let written: Value = serde_json::from_slice(&std::fs::read(&path).expect("written")).expect("json");
    assert_eq!(written, expected);
    let names: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(names.len(), 1, "no temporary file left behind");
}

#[test]
fn output_is_not_written_at_all_when_the_run_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("broken.ndjson");
    let good = r#"{"uuid":"a","eventType":"application.provision.user.push","outcome":{"result":"FAILURE","reason":"License Limit Exceeded."}}"#;
    std::fs::write(&broken, format!("{good}\n{{\"uuid\":\"b\",\"outc\n{good}\n")).expect("write");
    let report = dir.path().join("report.json");
    // A new file: never created.
    provdiag()
        .args(["--strict", "--format", "json", "-o"])
        .arg(&report)
        .arg(&broken)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--strict"));
    assert!(!report.exists(), "no partial report");
    // An earlier report: left as it was.
    std::fs::write(&report, "earlier").expect("write");
    provdiag()
        .args(["--strict", "--format", "json", "-o"])
        .arg(&report)
        .arg(&broken)
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(&report).expect("read"), "earlier");
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(left.len(), 2, "only the input and the earlier report");
    // A place that cannot be written: said, exit 2.
    provdiag()
        .args(["-m", LLE, "-o"])
        .arg(dir.path().join("no-such-dir/report.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot write").and(predicate::str::contains("--output")));
}

#[test]
fn man_renders_the_manual_page_from_the_command_line_definitions() {
    let out = provdiag().arg("man").output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        page.starts_with(".ie") || page.contains(".TH provdiag"),
        "roff: {page}"
    );
    for option in ["fail\\-on", "redact", "output", "explain", "completions"] {
        assert!(page.contains(option), "{option} missing from the manual page");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("provdiag.1");
    provdiag()
        .args(["man", "-o"])
        .arg(&file)
        .assert()
        .success()
        .stdout("");
    assert_eq!(
        std::fs::read_to_string(&file).expect("written"),
        page,
        "-o works for man too"
    );
    let help = provdiag().arg("--help").output().expect("runs");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("Write the report to FILE instead of stdout"));
    assert!(
        page.contains("Write the report to FILE instead of stdout"),
        "the same words as --help"
    );
}
