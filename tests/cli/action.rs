//! The GitHub Action (`action.yml`) run as GitHub runs it: its diagnosis step's `env:` mapping filled from the
//! inputs (or their defaults), the step's `run:` line under `bash --noprofile --norc -eo pipefail`, with
//! `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `RUNNER_TEMP` and the built provdiag first on `PATH`; then its verdict
//! step. Against the fake Okta, with a service app's key.

#![cfg(unix)]

use super::oauth::TokenEndpoint;
use super::okta::FakeOkta;
use super::*;
use std::collections::HashMap;
use std::path::Path;

const ACTION: &str = include_str!("../../action.yml");

/// One step of the action: its `env:` mapping and its `run:` line.
struct Step {
    env: Vec<(String, String)>,
    run: String,
}

/// The step whose `name:` is `name`, read from action.yml's plain layout (one `key: value` a line).
fn step(name: &str) -> Step {
    let start = ACTION
        .find(&format!("- name: {name}\n"))
        .unwrap_or_else(|| panic!("action.yml has a step '{name}'"));
    let body = &ACTION[start..];
    let end = body[1..].find("    - name: ").map_or(body.len(), |i| i + 1);
    let (mut env, mut run, mut in_env) = (Vec::new(), String::new(), false);
    for line in body[..end].lines().skip(1) {
        let trimmed = line.trim();
        if trimmed == "env:" {
            in_env = true;
        } else if let Some(r) = trimmed.strip_prefix("run: ") {
            run = r.to_owned();
            in_env = false;
        } else if in_env && line.starts_with("        ") {
            let (k, v) = trimmed.split_once(": ").expect("key: value");
            env.push((k.to_owned(), v.to_owned()));
        } else {
            in_env = false;
        }
    }
    assert!(!run.is_empty(), "step '{name}' runs a command");
    Step { env, run }
}

/// The inputs' defaults.
fn defaults() -> HashMap<String, String> {
    let inputs =
        &ACTION[ACTION.find("\ninputs:\n").expect("inputs")..ACTION.find("\noutputs:\n").expect("outputs")];
    let mut out = HashMap::new();
    let mut current = None;
    for line in inputs.lines() {
        if line.starts_with("  ") && !line.starts_with("    ") && line.ends_with(':') {
            current = Some(line.trim().trim_end_matches(':').to_owned());
        } else if let (Some(name), Some(v)) = (&current, line.trim().strip_prefix("default: ")) {
            out.insert(name.clone(), v.trim_matches('"').to_owned());
        }
    }
    out
}

/// `${{ inputs.x }}` and `${{ steps.run.outputs.x }}` as GitHub fills them.
fn expand(value: &str, inputs: &HashMap<String, String>, outputs: &HashMap<String, String>) -> String {
    let inner = value
        .trim()
        .trim_start_matches("${{")
        .trim_end_matches("}}")
        .trim();
    if let Some(name) = inner.strip_prefix("inputs.") {
        return inputs
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("action.yml has an input '{name}'"));
    }
    if let Some(name) = inner.strip_prefix("steps.run.outputs.") {
        return outputs.get(name).cloned().unwrap_or_default();
    }
    value.to_owned()
}

struct Run {
    status: i32,
    outputs: HashMap<String, String>,
    summary: String,
    log: String,
}

/// Runs a step in `dir` (the workspace) as GitHub would.
fn run_step(
    step: &Step,
    dir: &Path,
    inputs: &HashMap<String, String>,
    outputs: &HashMap<String, String>,
) -> Run {
    let runner = dir.join("runner");
    std::fs::create_dir_all(&runner).expect("runner temp");
    let (output_file, summary_file) = (runner.join("output"), runner.join("summary"));
    std::fs::write(&output_file, "").expect("output file");
    let script = runner.join("step.sh");
    std::fs::write(&script, &step.run).expect("step script");
    let bin = assert_cmd::cargo::cargo_bin("provdiag");
    let path = format!(
        "{}:{}",
        bin.parent().expect("a directory").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&script)
        .current_dir(dir);
    for var in [
        "OKTA_API_TOKEN",
        "OKTA_ACCESS_TOKEN",
        "OKTA_CLIENT_TOKEN",
        "OKTA_CLIENT_ORGURL",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("PATH", path)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR"))
        .env("GITHUB_WORKSPACE", dir)
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .env("RUNNER_TEMP", &runner)
        .env("RUNNER_OS", "Linux");
    for (k, v) in &step.env {
        cmd.env(k, expand(v, inputs, outputs));
    }
    let out = cmd.output().expect("bash runs");
    let outputs = std::fs::read_to_string(&output_file)
        .expect("outputs")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    Run {
        status: out.status.code().unwrap_or(-1),
        outputs,
        summary: std::fs::read_to_string(&summary_file).unwrap_or_default(),
        log: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

#[test]
fn the_action_pulls_with_a_service_app_keeps_its_state_writes_the_summary_and_turns_red_on_open_failures() {
    let okta = FakeOkta::start(super::pull::fixture_events(), 4);
    let public: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("keys/test-rsa.pub.json")).expect("public key"),
    )
    .expect("a JWK");
    okta.okta().auth = Some(TokenEndpoint::new(public));
    let dir = tempfile::tempdir().expect("a workspace");
    let mut inputs = defaults();
    inputs.insert("org".into(), okta.url.clone());
    inputs.insert("client-id".into(), "0oa8fakeServiceApp7".into());
    inputs.insert(
        "private-key".into(),
        std::fs::read_to_string(fixture("keys/test-rsa.pem")).expect("key"),
    );
    let diagnose = step("diagnose");
    let first = run_step(&diagnose, dir.path(), &inputs, &HashMap::new());
    assert_eq!(first.status, 0, "the step itself does not fail: {}", first.log);
    assert_eq!(
        first.outputs.get("exit-code").map(String::as_str),
        Some("1"),
        "{}",
        first.log
    );
    let report_path = first.outputs.get("report").expect("a report output");
    let report: Value =
        serde_json::from_slice(&std::fs::read(report_path).expect("the JSON report")).expect("JSON");
    assert_eq!(figures(&report), [10, 6, 5, 1, 4, 0, 0]);
    if let Some(open) = first.outputs.get("open").filter(|o| !o.is_empty()) {
        assert_eq!(
            Some(open.as_str()),
            report["summary"]["open"].to_string().as_str().into()
        );
    }
    // The summary is the markdown report; the log has the text one.
    assert!(
        first.summary.starts_with('#') && first.summary.contains("Salesforce"),
        "{}",
        first.summary
    );
    assert!(first.log.contains("10 records: "), "{}", first.log);
    let state = dir.path().join(&inputs["state"]);
    assert!(state.is_file(), "the state is kept at the state input's path");
    // The private key is in no output, log or summary.
    assert!(!format!("{}{}", first.log, first.summary).contains("PRIVATE KEY"));

    // The verdict step turns the job red on the open failures.
    let verdict = run_step(&step("verdict"), dir.path(), &inputs, &first.outputs);
    assert_eq!(verdict.status, 1);

    // The next run goes on from the state: nothing new arrived, but nothing fixed the failures either, so
    // the state keeps them open and the job stays red (spec, "Scheduled runs").
    let requests = okta.seen().len();
    let second = run_step(&diagnose, dir.path(), &inputs, &HashMap::new());
    assert_eq!(
        second.outputs.get("exit-code").map(String::as_str),
        Some("1"),
        "{}",
        second.log
    );
    let asked = &okta.seen()[requests];
    assert!(
        asked.param("after").is_some(),
        "the second run starts where the first ended: {asked:?}"
    );
    let verdict = run_step(&step("verdict"), dir.path(), &inputs, &second.outputs);
    assert_eq!(verdict.status, 1);
}

#[test]
fn the_action_diagnoses_files_when_no_org_is_given() {
    let dir = tempfile::tempdir().expect("a workspace");
    let mut inputs = defaults();
    inputs.insert(
        "files".into(),
        format!("{}\n{}", fixture("syslog.ndjson"), fixture("tasks-paste.txt")),
    );
    inputs.insert("fail-on".into(), "none".into());
    inputs.insert("format".into(), "github".into());
    let run = run_step(&step("diagnose"), dir.path(), &inputs, &HashMap::new());
    assert_eq!(
        run.outputs.get("exit-code").map(String::as_str),
        Some("0"),
        "{}",
        run.log
    );
    // --format github writes workflow commands to the log and appends the markdown to the summary itself.
    assert!(run.log.contains("::warning"), "{}", run.log);
    assert!(run.summary.starts_with('#'), "{}", run.summary);
    let report: Value =
        serde_json::from_slice(&std::fs::read(run.outputs.get("report").expect("report")).expect("read"))
            .expect("JSON");
    assert!(report["summary"]["records"].as_u64().unwrap_or(0) > 0);
}

/// The README's workflow uses this action with inputs it has, and the credentials from a secret.
#[test]
fn the_readme_workflow_uses_the_actions_own_inputs() {
    let readme = include_str!("../../README.md");
    let start = readme.find("```yaml\n").expect("a workflow in the README");
    let workflow = &readme[start..start + readme[start..].find("\n```\n").expect("its end")];
    let inputs = defaults();
    let with = &workflow[workflow.find("with:\n").expect("with:")..];
    let used: Vec<&str> = with
        .lines()
        .skip(1)
        .filter_map(|l| l.trim().split_once(':').map(|(k, _)| k))
        .collect();
    assert!(used.contains(&"private-key") && used.contains(&"org"), "{used:?}");
    for name in used {
        assert!(
            inputs.contains_key(name),
            "the README sets `{name}`, which action.yml does not have"
        );
    }
    assert!(workflow.contains("${{ secrets."), "the key comes from a secret");
    assert!(workflow.contains("schedule:"), "a daily run");
}

/// scripts/install.sh picks the archive for the machine, checks its SHA-256, and installs the binary; an
/// archive that does not match is not installed.
#[test]
fn the_install_script_installs_the_matching_archive_and_refuses_a_wrong_checksum() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().expect("a directory");
    let (release, bin) = (dir.path().join("release"), dir.path().join("bin"));
    let target = "aarch64-apple-darwin";
    let inner = release.join(format!("provdiag-{target}"));
    std::fs::create_dir_all(&inner).expect("dirs");
    std::fs::copy(assert_cmd::cargo::cargo_bin("provdiag"), inner.join("provdiag")).expect("copy");
    let archive = format!("provdiag-{target}.tar.gz");
    let tar = std::process::Command::new("tar")
        .args(["-czf", &archive, &format!("provdiag-{target}")])
        .current_dir(&release)
        .status()
        .expect("tar runs");
    assert!(tar.success());
    let sum = format!(
        "{:x}",
        Sha256::digest(std::fs::read(release.join(&archive)).expect("archive"))
    );
    let install = |checksum: &str| {
        std::fs::write(
            release.join(format!("{archive}.sha256")),
            format!("{checksum}  {archive}\n"),
        )
        .expect("checksum");
        std::process::Command::new("sh")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/install.sh"))
            .env("PROVDIAG_DOWNLOAD_URL", format!("file://{}", release.display()))
            .env("PROVDIAG_INSTALL_DIR", &bin)
            .env("PROVDIAG_OS", "Darwin")
            .env("PROVDIAG_ARCH", "arm64")
            .output()
            .expect("sh runs")
    };
    let wrong = install(&"0".repeat(64));
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("does not match its SHA-256"));
    assert!(!bin.join("provdiag").exists(), "nothing installed");
    let right = install(&sum);
    assert!(
        right.status.success(),
        "{}",
        String::from_utf8_lossy(&right.stderr)
    );
    let version = std::process::Command::new(bin.join("provdiag"))
        .arg("--version")
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("provdiag "));
}
