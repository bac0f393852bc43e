//! The core diagnoser: Tasks messages in, causes and fixes out; exit codes, --fail-on, explain, rules.

use super::*;
use predicates::prelude::*;

const SEED: [(&str, &str); 3] = [
    (
        "invalid-credentials",
        "Automatic provisioning of user John Doe to app Salesforce.com failed: The credentials used to connect to the API were invalid; please check your configuration",
    ),
    ("create-users-disabled", "Automatic provisioning of user John Doe to app Salesforce.com failed: Matching user not found."),
    ("license-limit-exceeded", "Automatic provisioning of user John Doe to app Salesforce.com failed: License Limit Exceeded."),
];

/// The facts of the seed each cause's remediation must keep.
fn seed_facts(cause: &str) -> &'static [&'static str] {
    match cause {
        "invalid-credentials" => &[
            "admin account",
            "Sign in to Salesforce.com directly",
            "Provisioning > Integration",
            "another admin account",
            "password",
            "username",
            "Retry Selected",
        ],
        "create-users-disabled" => &[
            "Provisioning > To App",
            "Edit",
            "Create Users",
            "Update User Attributes",
            "Deactivate Users",
            "Retry Selected",
        ],
        "license-limit-exceeded" => &[
            "licen",
            "role or licence level",
            "Retry Selected",
            "Dashboard > Tasks",
        ],
        _ => unreachable!(),
    }
}

#[test]
fn each_seed_message_lands_on_its_cause_by_message_pipe_and_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (cause, message) in SEED {
        let file = dir.path().join(format!("{cause}.txt"));
        std::fs::write(&file, format!("{message}\n")).expect("write");
        let path = file.to_string_lossy().into_owned();
        for (args, stdin) in [
            (vec!["-m", message], ""),
            (vec![], message),
            (vec![path.as_str()], ""),
        ] {
            let (report, code) = json_report(&args, stdin);
            assert_eq!(code, 1, "{args:?}");
            assert_eq!(
                findings(&report),
                [(
                    1,
                    Some(cause.into()),
                    Some("John Doe".into()),
                    Some("Salesforce.com".into())
                )],
                "{args:?}"
            );
            let steps = report["incidents"][0]["remediation"].to_string();
            for fact in seed_facts(cause) {
                assert!(
                    steps.contains(fact),
                    "{cause}: remediation lacks {fact:?}: {steps}"
                );
            }
        }
    }
}

#[test]
fn text_report_names_cause_user_app_and_numbered_steps() {
    provdiag()
        .args(["-m", SEED[1].1])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("create-users-disabled"))
        .stdout(predicate::str::contains("open users: John Doe"))
        .stdout(predicate::str::contains("app: Salesforce.com"))
        .stdout(predicate::str::contains(
            "1. In the Okta Admin Console open Applications > Salesforce.com > Provisioning > To App",
        ))
        .stdout(predicate::str::ends_with(
            "1 record: 1 failure (1 diagnosed, 0 unrecognized; 1 open, 0 resolved), 0 ignored, 0 malformed, 0 duplicates\n",
        ));
}

#[test]
fn a_paste_is_accounted_exactly() {
    let (report, code) = json_report(&[&fixture("tasks-paste.txt")], "");
    assert_eq!(code, 1);
    assert_accounted(&report);
    // 13 lines, 2 blank: 7 sentences with known reasons (the app's Bad Gateway included), 1 bare message a
    // rule knows, and 3 lines that are no failures.
    assert_eq!(figures(&report), [11, 8, 8, 0, 3, 0, 0]);
    let f = findings(&report);
    let names: Vec<(Option<String>, Option<String>)> = f.iter().map(|x| (x.2.clone(), x.3.clone())).collect();
    assert!(
        names.contains(&(Some("Zoë O'Brien".into()), Some("Salesforce.com".into()))),
        "{names:?}"
    );
    assert!(names.contains(&(
        Some("ana.lima@example.com".into()),
        Some("AWS IAM Identity Center".into())
    )));
    assert_eq!(
        f.iter().find(|x| x.0 == 5).map(|x| x.1.as_deref()),
        Some(Some("license-limit-exceeded"))
    );
}

#[test]
fn variants_of_case_spacing_quotes_and_prefixes_match() {
    let lines = [
        "AUTOMATIC PROVISIONING OF USER John Doe TO APP Salesforce.com FAILED: LICENSE LIMIT EXCEEDED",
        "  automatic provisioning of user John Doe to app Salesforce.com failed:license limit exceeded  ",
        "[2024-04-21 12:47:34] 'Automatic provisioning of user John Doe to app Salesforce.com failed: License Limit Exceeded.'",
        "Task failed\t\"Automatic provisioning of user John Doe to app Salesforce.com failed: License\u{a0}Limit  Exceeded!\"",
        "«Automatic provisioning of user John Doe to app Salesforce.com failed: LICENSE_LIMIT_EXCEEDED: License Limit Exceeded»",
    ];
    for line in lines {
        let (report, _) = json_report(&["-m", line], "");
        assert_eq!(
            findings(&report),
            [(
                1,
                Some("license-limit-exceeded".into()),
                Some("John Doe".into()),
                Some("Salesforce.com".into())
            )],
            "{line}"
        );
    }
}

#[test]
fn lines_that_are_no_failures_are_ignored_and_blank_lines_are_not_records() {
    let (report, code) = json_report(
        &[],
        "\n\nhello\r\nUser John Doe signed in\n   \nProvisioning of user A to app B succeeded\nWe push groups to Slack every night\nTesting the API connection now\nnull\nnull null\nSync done, no problems found in user group Eng\n",
    );
    // Nothing in it is Okta's: a green run must not mean "read nothing" (spec), so exit 2, figures whole.
    assert_eq!(code, 2);
    assert!(report["notes"][0]
        .as_str()
        .is_some_and(|n| n.contains("nothing in it is Okta's")));
    assert_eq!(figures(&report), [8, 0, 0, 0, 8, 0, 0]);
}

#[test]
fn a_hundred_failures_of_one_cause_on_one_app_are_one_incident() {
    let paste: String = (0..100)
        .map(|i| format!("Automatic provisioning of user User {i} to app Box failed: The credentials used to connect to the API were invalid\n"))
        .collect();
    let (report, _) = json_report(&[], paste);
    let incidents = report["incidents"].as_array().expect("incidents");
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0]["failures"], 100);
    assert_eq!(incidents[0]["users"].as_array().map(Vec::len), Some(100));
    assert!(incidents[0]["remediation"][1]
        .as_str()
        .is_some_and(|s| s.contains("Applications > Box > Provisioning")));
}

#[test]
fn fail_on_selects_which_failures_set_exit_1() {
    let known = SEED[2].1;
    let unknown = "Automatic provisioning of user A to app B failed: Something new";
    let code = |args: &[&str]| provdiag().args(args).output().expect("runs").status.code();
    assert_eq!(code(&["-m", known]), Some(1));
    assert_eq!(code(&["-m", known, "--fail-on", "none"]), Some(0));
    assert_eq!(code(&["-m", known, "--fail-on", "unrecognized"]), Some(0));
    assert_eq!(code(&["-m", unknown, "--fail-on", "unrecognized"]), Some(1));
    assert_eq!(
        code(&["-m", known, "--fail-on", "license-limit-exceeded"]),
        Some(1)
    );
    assert_eq!(
        code(&[
            "-m",
            known,
            "--fail-on",
            "invalid-credentials,create-users-disabled"
        ]),
        Some(0)
    );
    // `-m` is a failure on the user's word, known or not.
    assert_eq!(code(&["-m", "nothing to see"]), Some(1));
    assert_eq!(
        code(&["-m", "nothing to see", "--fail-on", "license-limit-exceeded"]),
        Some(0)
    );
    assert_eq!(code(&["-m", known, "--fail-on", "no-such-cause"]), Some(2));
}

#[test]
fn unknown_fail_on_cause_lists_the_known_ones() {
    provdiag()
        .args(["-m", "x", "--fail-on", "nope"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown value 'nope' in --fail-on")
                .and(predicate::str::contains("license-limit-exceeded")),
        );
}

#[test]
fn explain_tells_everything_about_a_cause() {
    provdiag()
        .args(["explain", "create-users-disabled"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Create Users, Update User Attributes and Deactivate Users",
        ))
        .stdout(predicate::str::contains("matching user not found"))
        .stdout(predicate::str::contains("help.okta.com"));
    provdiag()
        .args(["explain", "no-such-cause"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "known causes: invalid-credentials, create-users-disabled, license-limit-exceeded",
        ));
}

#[test]
fn rules_json_is_the_schema_rules_files_take() {
    let out = provdiag()
        .args(["rules", "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let table: Value = serde_json::from_slice(&out.stdout).expect("json");
    let ids: Vec<&str> = table["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(
        &ids[..3],
        [
            "invalid-credentials",
            "create-users-disabled",
            "license-limit-exceeded"
        ]
    );
    // What it prints is accepted back as a --rules file.
    let file = temp_file(".json", &out.stdout);
    provdiag()
        .args(["--rules", &path(&file), "-m", SEED[2].1])
        .assert()
        .code(1);
    provdiag()
        .arg("rules")
        .assert()
        .success()
        .stdout(predicate::str::contains("license-limit-exceeded"));
}

#[test]
fn extra_rules_come_before_the_built_in_ones() {
    let line = "Automatic provisioning of user Ravi Patel to app Workday failed: Bad Gateway. Errors reported by remote server: upstream timeout";
    // Built in, the app's words (a timeout) say the app is unreachable; the extra rule, written on the whole
    // message, is more precise and comes first.
    let (plain, _) = json_report(&["-m", line], "");
    assert_eq!(plain["findings"][0]["cause"], "app-unreachable");
    let (extra, _) = json_report(&["--rules", &fixture("rules-extra.json"), "-m", line], "");
    assert_eq!(extra["findings"][0]["cause"], "upstream-gateway-timeout");
    assert!(extra["incidents"][0]["remediation"][0]
        .as_str()
        .is_some_and(|s| s.contains("status page of Workday")));
    provdiag()
        .args([
            "--rules",
            &fixture("rules-extra.json"),
            "explain",
            "upstream-gateway-timeout",
        ])
        .assert()
        .success();
}

#[test]
fn a_broken_or_missing_rules_file_is_an_error_naming_it() {
    let file = temp_file(
        ".json",
        br#"{"version":1,"rules":[{"id":"Bad Id","title":"t","summary":"s","patterns":["x"],"remediation":["r"]}]}"#,
    );
    let name = path(&file);
    provdiag()
        .args(["--rules", &name, "-m", "x"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(name.as_str()).and(predicate::str::contains("kebab-case")));
    provdiag()
        .args(["--rules", "/nonexistent/rules.json", "-m", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read rules file /nonexistent/rules.json",
        ));
}

#[test]
fn color_follows_the_flag_and_the_environment() {
    let esc = predicate::str::contains("\u{1b}[");
    let run = |args: &[&str], env: Option<(&str, &str)>| {
        let mut cmd = provdiag();
        cmd.args(["-m", SEED[2].1]).args(args);
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        String::from_utf8(cmd.output().expect("runs").stdout).expect("utf-8")
    };
    assert!(esc.eval(&run(&["--color", "always"], None)));
    assert!(!esc.eval(&run(&["--color", "never"], Some(("CLICOLOR_FORCE", "1")))));
    assert!(!esc.eval(&run(&[], None)), "not a terminal: no color");
    assert!(esc.eval(&run(&[], Some(("CLICOLOR_FORCE", "1")))));
    assert!(!esc.eval(&run(&[], Some(("NO_COLOR", "1")))));
    // Color never changes the words.
    let strip = regex::Regex::new("\u{1b}\\[[0-9;]*m").expect("regex");
    assert_eq!(
        strip.replace_all(&run(&["--color", "always"], None), ""),
        run(&["--color", "never"], None)
    );
}

#[test]
fn rules_test_passes_a_sound_file_and_names_each_problem_of_a_broken_one() {
    let sound = provdiag()
        .args(["rules", "test", &fixture("rules-extra.json")])
        .output()
        .expect("runs");
    assert_eq!(sound.status.code(), Some(0), "{sound:?}");
    assert!(String::from_utf8_lossy(&sound.stdout).contains("1 rule checked"));

    // What `rules --format json` prints passes its own test.
    let table = provdiag()
        .args(["rules", "--format", "json"])
        .output()
        .expect("runs");
    let dir = tempfile::tempdir().expect("temp dir");
    let builtin = dir.path().join("builtin.json");
    std::fs::write(&builtin, &table.stdout).expect("written");
    let own = provdiag()
        .args(["rules", "test", &builtin.to_string_lossy()])
        .output()
        .expect("runs");
    assert_eq!(own.status.code(), Some(0), "{own:?}");

    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        r#"{"version":1,"rules":[
  {"id":"token-gone","title":"t","summary":"s","patterns":["token gone"],"remediation":["r {app}"],
   "source":"https://example.com/a","examples":{"match":["token is gone"]}},
  {"id":"use-new-token","title":"t","summary":"s","patterns":["[a-"],"remediation":["r"]}]}"#,
    )
    .expect("written");
    let out = provdiag()
        .args(["rules", "test", &broken.to_string_lossy()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("rule 'use-new-token' (rule 2 in the file), field 'id': an id names the problem"),
        "{text}"
    );
    assert!(
        text.contains("rule 'use-new-token' (rule 2 in the file), field 'patterns[0]'"),
        "{text}"
    );
    assert!(text.contains("2 problems in 2 rules"), "{text}");

    // A file that is not a rule table at all says so, instead of serde's "invalid length 0".
    std::fs::write(&broken, "[]").expect("written");
    let out = provdiag()
        .args(["--rules", &broken.to_string_lossy(), "-m", "x"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("a rules file is a JSON object"), "{err}");
    assert!(!err.contains("invalid length"), "{err}");
}

#[test]
fn a_rule_anchored_to_the_app_s_reason_is_accepted_with_a_whole_tasks_sentence_as_its_example() {
    // The README: an example is read as a failure is, layer by layer, so `^…$` on the app's reason holds for
    // the whole sentence, in `rules test` and in a run with `--rules` (whose built-in examples are checked too).
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("anchored.json");
    let sentence = "Automatic provisioning of user jane to app Acme failed: Error while creating user jane: \
                    Errors reported by remote server: Seat pool is closed";
    std::fs::write(
        &file,
        serde_json::json!({"version": 1, "rules": [{
            "id": "seat-pool-closed", "title": "t", "summary": "s",
            "patterns": ["^\\W*seat pool is closed\\W*$"], "remediation": ["r"],
            "examples": {"match": [sentence], "no_match": ["the seat pool is closed today"]}
        }]})
        .to_string(),
    )
    .expect("written");
    let path = file.to_string_lossy();
    let test = provdiag().args(["rules", "test", &path]).output().expect("runs");
    assert_eq!(test.status.code(), Some(0), "{test:?}");
    let (report, _) = json_report(&["--rules", &path, "-m", sentence], "");
    assert_eq!(report["findings"][0]["cause"], "seat-pool-closed", "{report}");
}

#[test]
fn explain_shows_the_other_causes_and_their_sources() {
    let out = provdiag()
        .args(["explain", "create-users-disabled"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Other causes of the same message:"), "{text}");
    assert!(text.contains("How to tell:"), "{text}");
    assert!(
        text.contains("https://support.okta.com/help/s/article/automatic-provisioning-of-user-to-app-box-failed-matching-user-not-found"),
        "{text}"
    );
    let listing = provdiag().arg("rules").output().expect("runs");
    assert!(String::from_utf8_lossy(&listing.stdout).contains("(and 3 other causes)"));
    // The general source first, then the articles about one app, each labelled with its app.
    let more = text
        .find("More: https://help.okta.com/")
        .expect("the general source");
    let example = text
        .find("An example from Expensify: https://support.okta.com/")
        .expect("an app's article, labelled");
    assert!(more < example, "{text}");
}

/// A message with several documented causes says so: the text report with the count of the rule's other
/// causes and the command that tells them apart, markdown with each written out; one cause says nothing.
#[test]
fn an_incident_points_at_the_other_documented_causes_of_its_message() {
    let rules = builtin_table();
    let others = |id: &str| {
        rules["rules"]
            .as_array()
            .and_then(|list| list.iter().find(|r| r["id"] == id))
            .and_then(|r| r["other_causes"].as_array())
            .map_or(0, Vec::len)
    };
    let n = others("create-users-disabled");
    assert!(n >= 2, "the seed rule documents its other causes");
    let matching = "Automatic provisioning of user X to app Box failed: Matching user not found";
    for format in ["text", "markdown"] {
        let out = provdiag()
            .args(["--color", "never", "-f", format, "-m", matching])
            .output()
            .expect("runs");
        let report = String::from_utf8_lossy(&out.stdout);
        if format == "text" {
            assert!(
                report.contains(&format!("{n} other documented causes"))
                    && report.contains("explain create-users-disabled"),
                "{format}: {report}"
            );
        } else {
            // A ticket stands alone: the causes are written out, one item each, not pointed at.
            let items = report
                .lines()
                .filter(|l| l.starts_with("- ") && l.contains(" To tell: "))
                .count();
            assert_eq!(items, n, "{format}: {report}");
            assert!(!report.contains("provdiag explain"), "{format}: {report}");
        }
    }
    assert_eq!(others("license-limit-exceeded"), 0);
    let out = provdiag()
        .args([
            "--color",
            "never",
            "-m",
            "Automatic provisioning of user X to app Y failed: License Limit Exceeded.",
        ])
        .output()
        .expect("runs");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("other documented cause"));
}
