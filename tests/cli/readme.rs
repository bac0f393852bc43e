//! The README's examples run as tests, so it cannot drift from what provdiag does: its `console` blocks
//! through trycmd, its `sh` blocks as the commands they show, and its rules-file example as a rules file.

use super::*;

const README: &str = include_str!("../../README.md");

#[test]
fn readme_examples_hold() {
    trycmd::TestCases::new()
        .register_bin("provdiag", trycmd::cargo::cargo_bin("provdiag"))
        .env("NO_COLOR", "1")
        .case("README.md");
}

/// The bodies of the README's fenced blocks of one language.
fn blocks(lang: &str) -> Vec<&'static str> {
    let fence = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = README;
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let Some(end) = body.find("\n```") else { break };
        out.push(&body[..end + 1]);
        rest = &body[end..];
    }
    out
}

/// Every command of an `sh` block is one this test knows how to check; an unknown one fails, so no shell
/// example goes untested.
#[test]
fn readme_shell_commands_hold() {
    let commands: Vec<&str> = blocks("sh")
        .into_iter()
        .flat_map(str::lines)
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert!(!commands.is_empty(), "the README shows how to set up");
    for command in commands {
        if let Some(args) = command.strip_prefix("cargo run --release -- ") {
            // `cargo run` builds and runs this very binary: run it with the same arguments.
            let args: Vec<&str> = args.split_whitespace().collect();
            let out = provdiag().args(&args).output().expect("runs");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                matches!(out.status.code(), Some(0 | 1)) && stdout.contains(" records: "),
                "`{command}` diagnoses: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
        } else if command == "cargo install --locked --path ." {
            // `--locked` fails when Cargo.lock does not fit Cargo.toml; `cargo metadata --locked` checks the
            // same without building. Not --offline: metadata reads every platform's manifests, and a fresh clone has
            // downloaded only this platform's crates.
            let out = std::process::Command::new(env!("CARGO"))
                .args(["metadata", "--locked", "--format-version", "1"])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .output()
                .expect("cargo runs");
            assert!(
                out.status.success(),
                "`{command}` would fail: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        } else if let Some(url) = command
            .strip_prefix("curl --proto '=https' --tlsv1.2 -LsSf ")
            .and_then(|c| c.strip_suffix(" | sh"))
        {
            readme_release_asset(url, "provdiag-installer.sh");
        } else if let Some(image) = command
            .strip_prefix("docker run --rm ghcr.io/")
            .and_then(|c| c.strip_suffix(" --version"))
        {
            // The image the release workflow pushes, of this repository.
            assert_eq!(image, REPO, "`{command}`");
            assert!(RELEASE.contains("ghcr.io/${GITHUB_REPOSITORY,,}") && RELEASE.contains("--push"));
        } else if let Some(url) = command
            .strip_prefix("cargo install --locked --git ")
            .and_then(|c| c.strip_suffix(" provdiag"))
        {
            assert_eq!(url, format!("https://github.com/{REPO}"), "`{command}`");
        } else if command == "cargo test" {
            // This is that run.
        } else if let Some(setting) = command.strip_prefix("export ") {
            // The token is set in the environment: one of the two variables `pull` reads.
            let var = setting.split('=').next().unwrap_or("");
            assert!(
                matches!(
                    var,
                    "OKTA_API_TOKEN"
                        | "OKTA_ACCESS_TOKEN"
                        | "OKTA_CLIENT_CLIENTID"
                        | "OKTA_CLIENT_PRIVATEKEY"
                ),
                "`{command}` sets a variable pull does not read"
            );
        } else if let Some(args) = command.strip_prefix("provdiag pull ") {
            readme_pull(command, args);
        } else {
            panic!(
                "the README shows `{command}`, which no test runs: make it a console block or check it here"
            );
        }
    }
}

/// The GitHub repository the install lines download from: the one the install scripts default to.
const REPO: &str = "provdiag/provdiag";
const RELEASE: &str = include_str!("../../.github/workflows/release.yml");

/// An install line's URL is a release's asset: the workflow publishes it under that name, and the install
/// script it fetches downloads from the same repository.
fn readme_release_asset(url: &str, asset: &str) {
    assert_eq!(
        url,
        format!("https://github.com/{REPO}/releases/latest/download/{asset}")
    );
    assert!(
        RELEASE.contains(&format!("dist/{asset}")),
        "release.yml publishes {asset}"
    );
    let script = if asset.ends_with(".ps1") {
        include_str!("../../scripts/install.ps1")
    } else {
        include_str!("../../scripts/install.sh")
    };
    assert!(
        script.contains(&format!("'{REPO}'")) || script.contains(&format!("-{REPO}}}")),
        "{asset} defaults to {REPO}"
    );
}

/// The Windows line: the PowerShell install script, from the same release.
#[test]
fn readme_powershell_install_line_is_a_release_asset() {
    let lines: Vec<&str> = blocks("powershell").into_iter().flat_map(str::lines).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let url = lines[0]
        .split("irm ")
        .nth(1)
        .and_then(|r| r.split(" | iex").next())
        .expect("irm <url> | iex");
    readme_release_asset(url, "provdiag-installer.ps1");
}

/// The rules file the README shows is one provdiag accepts, and its examples land on its rule.
#[test]
fn readme_rules_file_example_is_a_valid_rules_file() {
    let examples = blocks("json");
    assert_eq!(examples.len(), 1, "one rules-file example");
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), examples[0]).expect("write");
    let rules: serde_json::Value = serde_json::from_str(examples[0]).expect("the example is JSON");
    let id = rules["rules"][0]["id"]
        .as_str()
        .expect("the example has a rule id");
    provdiag()
        .arg("--rules")
        .arg(file.path())
        .args(["explain", id])
        .assert()
        .success();
}

/// Runs a `provdiag pull` example against a fake Okta (its `--org` pointed there), in an empty directory: it
/// reads and reports every event, and writes the files it names.
fn readme_pull(command: &str, args: &str) {
    let okta = super::okta::FakeOkta::start(super::pull::fixture_events(), 4);
    let dir = tempfile::tempdir().expect("a directory");
    let mut args: Vec<&str> = args.split_whitespace().collect();
    let org = args.iter().position(|&a| a == "--org").expect("an --org") + 1;
    args[org] = &okta.url;
    let out = provdiag()
        .env("OKTA_API_TOKEN", "00readmeExampleToken")
        .env_remove("OKTA_ACCESS_TOKEN")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .current_dir(dir.path())
        .arg("pull")
        .args(&args)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        matches!(out.status.code(), Some(0 | 1))
            && (stdout.contains("10 records: ") || stdout.contains("\"records\": 10")),
        "`{command}` reads every event: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for flag in ["--state", "--save"] {
        if let Some(i) = args.iter().position(|&a| a == flag) {
            assert!(
                dir.path().join(args[i + 1]).is_file(),
                "`{command}` writes {}",
                args[i + 1]
            );
        }
    }
}
