//! The corpus of real messages (fixtures/corpus/, each with its source), run through the binary with `-m` and
//! as piped lines: how well the diagnosis generalizes. `train.json` is what the rules were written from;
//! `held.json`, split from it by source, was never read to write them, and measures messages nobody here
//! tuned for. Both figures are published in docs/diagnosis.md; `cargo test --test cli corpus -- --nocapture`
//! prints them.

use regex::Regex;
use serde_json::Value;

use super::{builtin_table, json_report};

const SEEDS: [&str; 3] = [
    "invalid-credentials",
    "create-users-disabled",
    "license-limit-exceeded",
];

struct Case {
    message: String,
    shape: String,
    expected: String,
}

fn cases(part: &str) -> Vec<Case> {
    let path = format!("{}/fixtures/corpus/{part}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the corpus is readable");
    let list: Value = serde_json::from_str(&text).expect("the corpus is JSON");
    let mut out = Vec::new();
    for c in list.as_array().expect("the corpus is an array") {
        let s = |k: &str| {
            c[k].as_str()
                .unwrap_or_else(|| panic!("{part}: {k} is a string"))
                .to_owned()
        };
        assert!(
            s("source").starts_with("https://") || s("source").starts_with("http://"),
            "{part}: every message names its source"
        );
        out.push(Case {
            message: s("message"),
            shape: s("shape"),
            expected: s("expected"),
        });
    }
    out
}

/// Texts the rules were written from or are checked against: every train message and every example of a
/// built-in rule, folded (case and white space).
fn seen_texts() -> Vec<String> {
    let table = builtin_table();
    let examples = table["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .flat_map(|r| ["match", "no_match"].map(|k| &r["examples"][k]))
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned);
    cases("train")
        .into_iter()
        .map(|c| c.message)
        .chain(examples)
        .map(|t| folded(&t))
        .collect()
}

fn folded(text: &str) -> String {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    t.to_lowercase().trim_end_matches('.').to_owned()
}

/// A held message whose words a rule was written from or checked against is no longer unseen, whatever its
/// source: the same text in train or in a rule's examples, the held text inside one of them (a reason a
/// train Tasks sentence carries), or one of them making up half of it or more.
fn seen_before(message: &str, seen: &[String]) -> bool {
    let m = folded(message);
    seen.iter().any(|x| {
        *x == m || (m.len() >= 20 && x.contains(&m)) || (m.contains(x.as_str()) && 2 * x.len() >= m.len())
    })
}

/// What one message became: `Some(Some(cause))` diagnosed, `Some(None)` unrecognized, `None` ignored.
type Landed = Option<Option<String>>;

/// Each message with its own `-m`, in one run: every `-m` is a failure on the user's word, so the findings
/// come one per message line, in order. A message of several lines is its own run.
fn by_messages(texts: &[String]) -> Vec<(Landed, Value)> {
    let one_line: Vec<&String> = texts.iter().filter(|t| !t.contains('\n')).collect();
    let mut args = Vec::new();
    for t in &one_line {
        args.extend(["-m", t.as_str()]);
    }
    let (report, _) = json_report(&args, "");
    let found = report["findings"].as_array().expect("findings").clone();
    assert_eq!(found.len(), one_line.len(), "every -m message is one failure");
    let mut found = found.into_iter();
    texts
        .iter()
        .map(|t| {
            if t.contains('\n') {
                let (report, _) = json_report(&["-m", t], "");
                let f = report["findings"][0].clone();
                (landed(&f), f)
            } else {
                let f = found.next().unwrap_or(Value::Null);
                (landed(&f), f)
            }
        })
        .collect()
}

fn landed(f: &Value) -> Landed {
    if f.is_null() {
        return None;
    }
    Some(f["cause"].as_str().map(str::to_owned))
}

/// Each text on its own line of one piped input; what each line became.
fn by_lines(texts: &[String]) -> Vec<Landed> {
    let lines: Vec<String> = texts
        .iter()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let (report, _) = json_report(&[], lines.join("\n"));
    let mut out = vec![None; texts.len()];
    for f in report["findings"].as_array().expect("findings") {
        let line = f["source"]["line"].as_u64().expect("line") as usize;
        out[line - 1] = Some(f["cause"].as_str().map(str::to_owned));
    }
    out
}

fn show(l: &Landed) -> String {
    match l {
        Some(Some(c)) => c.clone(),
        Some(None) => "unrecognized".into(),
        None => "ignored".into(),
    }
}

/// The message with the Tasks sentence's prefix taken off: what an admin pastes from the task's detail.
fn bare(message: &str) -> String {
    let prefix =
        Regex::new(r"(?is)^automatic (?:provisioning|profile push) of .*? to app .*? failed: ?(.*)$")
            .expect("valid");
    prefix
        .captures(message)
        .map_or_else(|| message.to_owned(), |c| c[1].to_owned())
}

fn percent(hit: usize, of: usize) -> f64 {
    if of == 0 {
        100.0
    } else {
        100.0 * hit as f64 / of as f64
    }
}

/// One part's figures, as the issue measures them.
#[derive(Default)]
struct Figures {
    seed: usize,
    seed_right: usize,
    seed_wrong: usize,
    other: usize,
    other_right: usize,
    other_on_seed: usize,
    unrecognized: usize,
    left_unrecognized: usize,
    messages: usize,
    messages_failures: usize,
    without_why: usize,
    fragments: usize,
    fragments_counted: usize,
    /// Messages not measured: their words were seen while the rules were written (`seen_before`).
    set_aside: usize,
    misses: Vec<String>,
}

impl Figures {
    fn line(&self, part: &str) -> String {
        format!(
            "{part}: seed causes named right {}/{} ({:.0}%), on a wrong cause {}; other causes named right {}/{} ({:.0}%), \
             on a seed cause {}; left unrecognized {}/{}; -m failures {}/{}; bare fragments counted as lines {}/{} ({:.0}%); \
             diagnosed findings without a why {}; set aside as seen {}",
            self.seed_right,
            self.seed,
            percent(self.seed_right, self.seed),
            self.seed_wrong,
            self.other_right,
            self.other,
            percent(self.other_right, self.other),
            self.other_on_seed,
            self.left_unrecognized,
            self.unrecognized,
            self.messages_failures,
            self.messages,
            self.fragments_counted,
            self.fragments,
            percent(self.fragments_counted, self.fragments),
            self.without_why,
            self.set_aside,
        )
    }
}

/// Runs one part of the corpus as `-m` messages (what the figures count) and its bare fragments as piped
/// lines, leaving out the messages whose words were `seen` while the rules were written.
fn measure(part: &str, seen: &[String]) -> Figures {
    let all = cases(part);
    let total = all.len();
    let cases: Vec<Case> = all
        .into_iter()
        .filter(|c| !seen_before(&c.message, seen))
        .collect();
    let messages: Vec<String> = cases.iter().map(|c| c.message.clone()).collect();
    let by_m = by_messages(&messages);
    let mut fig = Figures {
        set_aside: total - cases.len(),
        ..Figures::default()
    };
    for (case, (got, finding)) in cases.iter().zip(&by_m) {
        fig.messages += 1;
        fig.messages_failures += usize::from(got.is_some());
        let cause = got.clone().flatten();
        if cause.is_some()
            && (finding["confidence"].is_null()
                || finding["evidence"]["text"].as_str().is_none_or(str::is_empty))
        {
            fig.without_why += 1;
        }
        let right = cause.as_deref() == Some(case.expected.as_str());
        if SEEDS.contains(&case.expected.as_str()) {
            fig.seed += 1;
            fig.seed_right += usize::from(right);
            fig.seed_wrong += usize::from(cause.is_some() && !right);
        } else if case.expected == "unrecognized" {
            fig.unrecognized += 1;
            fig.left_unrecognized += usize::from(cause.is_none());
        } else {
            fig.other += 1;
            fig.other_right += usize::from(right);
            fig.other_on_seed += usize::from(cause.as_deref().is_some_and(|c| SEEDS.contains(&c)));
        }
        if !right && case.expected != "unrecognized" || (case.expected == "unrecognized" && cause.is_some()) {
            fig.misses.push(format!(
                "{} -> {} ({})",
                case.expected,
                show(got),
                case.message.replace('\n', " ")
            ));
        }
    }
    // Bare fragments: every message that is not a whole Tasks sentence, and every sentence with its prefix
    // taken off, piped as lines.
    let fragments: Vec<String> = cases
        .iter()
        .map(|c| {
            if c.shape == "tasks-sentence" {
                bare(&c.message)
            } else {
                c.message.clone()
            }
        })
        .filter(|m| !m.trim().is_empty())
        .collect();
    let lines = by_lines(&fragments);
    fig.fragments = fragments.len();
    fig.fragments_counted = lines.iter().filter(|l| l.is_some()).count();
    fig
}

#[test]
#[allow(clippy::print_stdout)] // the figures, for `-- --nocapture` and docs/diagnosis.md
fn the_rules_generalize_to_messages_they_were_not_written_from() {
    // Train is measured whole; held without the messages train or a rule's examples hold in other words
    // from another source (the split is by source, and a message may be quoted by several).
    let train = measure("train", &[]);
    let held = measure("held", &seen_texts());
    println!("{}", train.line("train"));
    println!("{}", held.line("held"));
    // Only the part the rules are written from lists its misses: the held part's are for measuring, not for
    // reading while writing rules.
    println!("train misses:\n  {}", train.misses.join("\n  "));
    for (part, f) in [("train", &train), ("held", &held)] {
        // The user's word: every -m message is a failure, and every diagnosed one says why.
        assert_eq!(f.messages_failures, f.messages, "{}", f.line(part));
        assert_eq!(f.without_why, 0, "{}", f.line(part));
    }
    // The floors reached on the held part (docs/diagnosis.md): not a tuned 100%.
    assert!(
        percent(held.seed_right, held.seed) >= HELD_SEED_FLOOR,
        "{}",
        held.line("held")
    );
    assert!(
        held.seed_wrong <= HELD_SEED_WRONG_CEILING,
        "{}",
        held.line("held")
    );
    assert!(
        percent(held.other_right, held.other) >= HELD_OTHER_FLOOR,
        "{}",
        held.line("held")
    );
    assert!(
        held.other_on_seed <= HELD_OTHER_ON_SEED_CEILING,
        "{}",
        held.line("held")
    );
    assert!(
        percent(held.fragments_counted, held.fragments) >= HELD_FRAGMENTS_FLOOR,
        "{}",
        held.line("held")
    );
    // The part the rules were written from holds them better. Not every train message is held: the later
    // searches brought messages whose label a reader could argue (docs/diagnosis.md), and no rule was bent
    // to one of them; 80% is what the train part reached when the nineteenth to thirty-eighth searches
    // joined it, 478 messages of apps' and SCIM servers' own words (83% after the seventh, 82% after the
    // ninth, 81% after the thirteenth, 82% again after the forty-ninth), 79% when the eighty-ninth to
    // ninety-fourth joined it, 81% once their words were learned, 79.6% when the ninety-fifth to hundredth
    // joined it, 81% once theirs were.
    assert!(
        percent(train.other_right, train.other) >= 80.0,
        "{}",
        train.line("train")
    );
    assert!(
        percent(train.seed_right, train.seed) >= 90.0,
        "{}",
        train.line("train")
    );
    // Three train messages are labelled by a cause their words do not say: Okta's own "Error authenticating:
    // Unauthorized" test, Xero's 401 `AuthorizationUnsuccessful`, which its thread (the eighteenth search)
    // put down to a missing scope, and Bitbucket's "Token is invalid or not supported for this endpoint",
    // a missing permission by its page while its twin "Token is invalid, expired, or not supported for this
    // endpoint" is credentials by another (the thirty-fourth search). All read as credentials; no rule was
    // bent to any of them. The fifty-first and fifty-fifth searches brought two more: Salesforce's
    // "OAuth2 login failed. Reason: OAUTH_APP_ACCESS_DENIED" (its page gives an unapproved user or an IP
    // restriction) and a connector's "Can't authenticate with the data source. Verify the credentials …",
    // which its page puts down to missing permissions while the same table's twin is credentials. The English
    // pairs (2026-12-07) brought a sixth: "Invalid credentials detected. Try signing in with a different account
    // or check the permissions for your account", which its page puts down to a disabled integration. The
    // eighty-fourth and eighty-fifth searches brought two more whose threads found another root cause behind
    // words that say credentials: "No valid credentials found for PagerDuty provider" (an expired subscription)
    // and ServiceNow's "Can't authenticate with the data source. verify that the credentials …" (tables the
    // account may not read). The ninety-eighth search brought a ninth: Freshdesk's "Your account has been
    // suspended.", the whole subscription by its source, in the words a suspended API account also says.
    assert!(train.other_on_seed <= 9, "{}", train.line("train"));
}

/// What the held part reached when these floors were set (docs/diagnosis.md), rounded down: measured on the
/// messages whose words were not seen while the rules were written. The held part grew on 2026-12-07 several
/// times, each time by a hash of the page's address (the last time, of the app's repository) before anyone
/// here read the messages (train got the other pages). First by 82 messages of the forty-fifth to forty-ninth searches (29/36 seeds right, 4
/// wrong; 123/198 others, 7 on a seed cause, once their twins in train were set aside). Then by 118 messages
/// from 68 pages of the fiftieth to fifty-fifth searches, 31 of them in Japanese, Chinese, Korean, German,
/// French, Spanish, Italian, Dutch and Russian, which the rules of that moment barely read: 51/81 seeds
/// (62%) with 6 on a wrong cause, 149/265 others (56%) with 10 on a seed cause, 301/354 fragments (85%). The
/// rules learned from those searches' train pages then reached 53/81 seeds, 157/264 others, 310/353
/// fragments. Then by 52 messages from 32 pages of the fifty-sixth to fifty-eighth searches (Okta's
/// Japanese pages, apps' messages in more languages, English credentials): 61/95 seeds (64%) with 8 on a
/// wrong cause, 163/299 others (54%) with 12 on a seed cause, 329/404 fragments (81%). The rules and the
/// failure words in other languages learned from their train pages then reached 168/299 others (56%) and
/// 358/404 fragments (88%); the seeds did not move. Last by 20 messages of the fifty-ninth search (apps'
/// translated seat and credential strings, split by the app's repository so that one app's translations stay
/// on one side): 66/113 seeds (58%), 170/301 others (56%), 371/424 fragments (87%), the wrong ones unchanged.
/// The rules learned from its train part then reached 67/113 seeds (59%), 372/424 fragments; a review's
/// narrowing of the words in other languages (81 of its look-alike probes off a seed cause) took one back.
/// Then, on 2026-12-07 again, by 49 messages of the sixtieth to sixty-second searches (apps' SCIM code and
/// translated seat and credential strings of eleven apps new to the corpus, split by repository), 36 of them
/// seeds the rules of that moment named 11 times: 77/149 seeds (51.7%) with 9 on a wrong cause, 177/312
/// others (56%) with 12 on a seed cause, 405/471 fragments (85%). The word families learned from their
/// train part, and a review's narrowing of them (133 of its 156 look-alike probes had moved onto a wrong
/// cause; 6 were left), then reached 80/149 seeds (53.7%), 177/312 others with 12 on a seed cause, 407/471
/// fragments (86%). Then, the same day, by 63 messages of the sixty-third to sixty-seventh searches
/// (Okta's own event texts, public threads, and apps' seat and API-key strings with their translations, split
/// by repository), 38 of them seeds the rules of that moment named 18 times: 96/185 seeds (51.9%) with 10
/// on a wrong cause, 185/336 others (55%) with 11 on a seed cause, 443/531 fragments (83%). The phrases
/// learned from their train part, then a seat or credential noun weighed beside a reached or invalid word in
/// any of the other languages (one cue for each of the two causes), reached 114/185 seeds; a review's
/// vetoes of those pairs' look-alikes (storage, request, room and field limits; sessions, licence keys,
/// certificates, databases) took two back: 112/185 seeds (60.5%) with 10 on a wrong cause, 185/336 others
/// with 11 on a seed cause, 448/531 fragments (84%). Then by 162 messages of the sixty-ninth to seventy-seventh
/// searches (apps' API error references, SCIM servers, Feishu's and WeCom's error tables, and translated seat
/// and API-key strings found from their English words, split by repository before anyone read them): with
/// the rules of that moment 157/270 seeds (58.1%) with 12 on a wrong cause, 216/407 others (53.1%) with 12 on a
/// seed cause, 565/690 fragments (81.9%). The English pairs (a credential noun beside a refusing state, a
/// seat noun beside a used-up word), their review's vetoes and the train part's words took it to 166/270
/// seeds (61.5%) with 11 on a wrong cause, 216/407 others with 13 on a seed cause (one already on a wrong
/// cause moved onto the credentials), 568/690 fragments (82.3%). Then by 50 messages of the seventy-eighth to
/// eighty-fifth searches (ETL connectors' and SDKs' issue threads, Terraform providers, European-language
/// strings, seat messages in English; split by repository before anyone read them), with the rules of that
/// moment: 170/277 seeds (61.4%) with 11 on a wrong cause, 235/442 others (53.2%) with 15 on a seed cause,
/// 606/732 fragments (82.8%). The phrases learned from their train part took it to 171/277 seeds (61.7%), the
/// rest unchanged. Then by 112 messages of the eighty-ninth to ninety-fourth searches (seat and credential
/// strings in apps' locale files, Japanese and Chinese API error tables, SCIM servers' code, SaaS API
/// references, European-language help pages; split by repository or page before anyone read them), 36 of their
/// 63 seeds named by the rules of that moment: 201/333 seeds (60.4%) with 12 on a wrong cause, 252/473 others
/// (53.3%) with 16 on a seed cause, 677/835 fragments (81.1%). The words learned from their train part took it
/// to 207/333 seeds (62.2%) and 682/835 fragments (81.7%), the rest unchanged. Then by 75 messages of the
/// ninety-fifth to hundredth searches (vendors' API and SCIM references, issue threads where an integration
/// pasted the app's answer, SCIM servers' and admin APIs' code, seat and sign-up strings in English; split by
/// repository or page before anyone read them), 10 of their 19 seeds named by the rules of that moment, 4 on
/// a wrong cause: 215/349 seeds (61.6%) with 15 on a wrong cause, 276/516 others (53.5%) with 17 on a seed
/// cause, 738/898 fragments (82.2%). The words learned from their train part took it to 216/349 seeds (61.9%),
/// the rest unchanged.
const HELD_SEED_FLOOR: f64 = 61.5;
const HELD_SEED_WRONG_CEILING: usize = 15;
const HELD_OTHER_FLOOR: f64 = 53.0;
const HELD_OTHER_ON_SEED_CEILING: usize = 17;
const HELD_FRAGMENTS_FLOOR: f64 = 81.0;

#[test]
fn a_held_message_whose_words_were_seen_is_set_aside() {
    let seen = [
        "automatic provisioning of user jane to app box failed: user account is inactive".to_owned(),
        "authentication failed".to_owned(),
    ];
    // The same text, however cased and spaced; a reason a seen sentence carries.
    assert!(seen_before("Authentication  FAILED.", &seen));
    assert!(seen_before("User account is inactive", &seen));
    // A seen text that makes up half of the message or more.
    assert!(seen_before("Error: authentication failed", &seen));
    // Words a message merely shares with a seen one leave it measured.
    assert!(!seen_before(
        "SCIM authentication failed because the bearer token of the connector was rotated",
        &seen
    ));
    assert!(!seen_before("inactive", &seen));
}

#[test]
fn a_message_copied_out_of_a_page_or_a_json_string_gets_the_cause_it_gets_as_written() {
    let texts: Vec<String> = cases("train")
        .into_iter()
        .map(|c| c.message)
        .filter(|m| !m.contains('\n'))
        .collect();
    let written: Vec<Landed> = by_messages(&texts).into_iter().map(|(l, _)| l).collect();
    type Paste = fn(&str) -> String;
    let pastes: [(&str, Paste); 3] = [
        ("as an article's HTML", |m| {
            html_escape::encode_quoted_attribute(m).into_owned()
        }),
        ("with a blog's curly quotes", |m| m.replace('"', "\u{201d}")),
        ("copied out of a JSON string", |m| {
            let quoted = serde_json::to_string(m).expect("a string serializes");
            quoted[1..quoted.len() - 1].to_owned()
        }),
    ];
    for (how, paste) in pastes {
        let pasted: Vec<String> = texts.iter().map(|m| paste(m)).collect();
        let got: Vec<Landed> = by_messages(&pasted).into_iter().map(|(l, _)| l).collect();
        let differ: Vec<String> = (0..texts.len())
            .filter(|&i| got[i] != written[i])
            .map(|i| format!("{} -> {} for {}", show(&written[i]), show(&got[i]), pasted[i]))
            .collect();
        assert!(
            differ.is_empty(),
            "{how}, {} of {} differ:\n{}",
            differ.len(),
            texts.len(),
            differ.join("\n")
        );
    }
}

#[test]
fn precision_a_bare_403_or_400_or_a_licence_assignment_conflict_is_no_seed_cause() {
    // Texts quoted from the fixtures' sources; none of them says bad credentials or no seats.
    for text in [
        "Unable to update Group Push mapping target App group <group name>: Error while creating user group <group name>: HTTP 403 Forbidden",
        "Automatic provisioning of user to app Getty Images failed: com.saasure.application.generic.client.AppApiException: javax.ws.rs.BadRequestException: HTTP 400 Bad Request",
        "Could not push profile for Office 365 user <username>, received error: Received response with HTTP status code 400. httpStatusCode=400 errorCode=Request_BadRequest errorMessage=\"User license is inherited from a group membership and it cannot be removed directly from the user.\"",
        "Automatic profile push of user <user> to app Salesforce.com failed: User's Profile can't be set to 'Identity User' because it's derived from a license that doesn't require the following permission(s): ChatterinternalUser. Select a different profile.",
    ] {
        let got = by_messages(&[text.to_owned()]).remove(0).0;
        let cause = got.clone().flatten();
        assert!(got.is_some(), "{text} is a failure");
        assert!(!cause.as_deref().is_some_and(|c| SEEDS.contains(&c)), "{text} -> {}", show(&got));
    }
}

#[test]
fn every_builtin_rule_cites_its_source_and_the_seed_rules_keep_okta_s_page() {
    let table = builtin_table();
    let rules = table["rules"].as_array().expect("rules");
    let mut sources = std::collections::HashSet::new();
    for r in rules {
        let source = r["source"]
            .as_str()
            .unwrap_or_else(|| panic!("{} has a source", r["id"]));
        assert!(source.starts_with("https://"), "{source}");
        sources.insert(source.to_owned());
    }
    assert!(
        sources.len() * 2 > rules.len(),
        "rules do not all point at the same pages: {sources:?}"
    );
    for r in &rules[..3] {
        assert!(
            r["source"].as_str().is_some_and(|s| s.contains("help.okta.com")),
            "{}",
            r["id"]
        );
    }
}
