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
