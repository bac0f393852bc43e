//! Markdown is safe to paste: whatever the input and a rules file hold, the report parsed by a CommonMark
//! parser has no link, image, HTML, emphasis, quote or code that carries their text, its table keeps its
//! columns, and each name reads as itself.

use proptest::prelude::*;
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use serde_json::json;

use provdiag::group::Filter;
use provdiag::input::{InputFormat, InputSpec};
use provdiag::report::{clean, OutputFormat};
use provdiag::rules::{Examples, Rule, RuleTable};
use provdiag::{run_pipeline, Options as RunOptions};

/// What a failure carries: its user, its app, and its reason.
type Failure = (String, String, String);

/// A rule from a "rules file" whose words are arbitrary; it matches reasons holding `zz-mark`.
fn table(title: &str, summary: &str, step: &str, source: &str) -> RuleTable {
    let custom = Rule {
        id: "custom-cause".into(),
        title: title.into(),
        summary: summary.into(),
        patterns: vec!["zz-mark".into()],
        unless: Vec::new(),
        event_types: Vec::new(),
        cues: Default::default(),
        remediation: vec![step.into(), "Then retry on {app}.".into()],
        source: Some(source.into()),
        app_sources: Vec::new(),
        other_causes: Vec::new(),
        examples: Examples::default(),
    };
    let builtin = RuleTable::load(None).expect("built-in rules");
    let mut rules = vec![custom];
    rules.extend(builtin.rules().iter().cloned());
    RuleTable::compile(rules, Vec::new()).expect("compiles")
}

/// The failure event of `f`, or with `resolved` the later success that resolves it.
fn event(n: usize, (user, app, reason): &Failure, resolved: bool) -> String {
    let (result, hour) = if resolved {
        ("SUCCESS", 13)
    } else {
        ("FAILURE", 12)
    };
    json!({
        "uuid": format!("u-{n}-{result}"),
        "published": format!("2024-04-21T{hour}:{:02}:00Z", n % 60),
        "eventType": "application.provision.user.push",
        "outcome": {"result": result, "reason": reason},
        "target": [
            {"type": "User", "displayName": user, "alternateId": format!("{user}@x")},
            {"type": "AppInstance", "displayName": app},
        ],
    })
    .to_string()
}

/// The markdown report of `failures` (each one at an odd place resolved by a later success, and one
/// malformed line quoting `junk`) read from a file named `file`.
fn report(failures: &[Failure], junk: &str, file: &str, table: &RuleTable) -> String {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join(file);
    let mut text: String = failures
        .iter()
        .enumerate()
        .map(|(n, f)| event(n, f, false) + "\n")
        .collect();
    for (n, f) in failures.iter().enumerate().filter(|(n, _)| n % 2 == 1) {
        text += &(event(n, f, true) + "\n");
    }
    text += &format!("{{\"outcome\": \"{}\n", junk.replace(['"', '\\', '\n', '\r'], ""));
    std::fs::write(&path, text).expect("writes");
    let options = RunOptions {
        input: InputFormat::Ndjson,
        format: OutputFormat::Markdown,
        strict: false,
        redact: None,
        to_terminal: false,
        brief: false,
        filter: Filter::default(),
    };
    let mut out = Vec::new();
    run_pipeline(&[InputSpec::Path(path)], &options, table, &mut out).expect("runs");
    String::from_utf8(out).expect("utf-8")
}

/// The labels the report itself sets in bold.
fn ours(strong: &str) -> bool {
    [
        "Cause:",
        "Failures:",
        "Open:",
        "Resolved:",
        "First seen:",
        "Last seen:",
        "Other documented causes of this message:",
        "(last event failed)",
    ]
    .contains(&strong)
        || ((strong.starts_with("Open users (") || strong.starts_with("Resolved users ("))
            && strong.ends_with("):"))
}

/// Checks the parsed report; `names` must each read as themselves in some block's text. The only links
/// are the table's `https` sources, shown as their own address.
fn check(md: &str, names: &[&str], table: &RuleTable) -> Result<(), TestCaseError> {
    let sources: Vec<&str> = table
        .rules()
        .iter()
        .filter_map(|r| r.source.as_deref())
        .filter(|s| s.starts_with("https://"))
        .collect();
    let options = Options::all()
        .difference(Options::ENABLE_SMART_PUNCTUATION)
        .difference(Options::ENABLE_HEADING_ATTRIBUTES);
    let mut blocks: Vec<String> = vec![String::new()];
    let mut strong: Option<String> = None;
    let mut link = false;
    let (mut columns, mut cells): (Option<usize>, usize) = (None, 0);
    for event in Parser::new_ext(md, options) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => prop_assert!(false, "HTML {h:?} in\n{md}"),
            Event::InlineMath(m) | Event::DisplayMath(m) => prop_assert!(false, "math {m:?}"),
            Event::FootnoteReference(f) => prop_assert!(false, "footnote {f:?}"),
            Event::TaskListMarker(_) => prop_assert!(false, "a task list in\n{md}"),
            Event::Code(c) => {
                prop_assert!(provdiag::rules::is_kebab(&c), "code span {c:?} in\n{md}");
            }
            Event::Text(t) => {
                if let Some(s) = strong.as_mut() {
                    s.push_str(&t);
                }
                if let Some(b) = blocks.last_mut() {
                    b.push_str(&t);
                }
            }
            Event::Start(tag) => match tag {
                Tag::Link {
                    link_type, dest_url, ..
                } => {
                    prop_assert!(
                        link_type == LinkType::Autolink && sources.contains(&&*dest_url),
                        "a link to {dest_url:?} in\n{md}"
                    );
                    link = true;
                }
                Tag::Strong => strong = Some(String::new()),
                Tag::Paragraph | Tag::Heading { .. } | Tag::Item | Tag::TableCell => {
                    blocks.push(String::new())
                }
                Tag::TableHead | Tag::TableRow => cells = 0,
                Tag::Table(_) | Tag::List(_) => {}
                other => prop_assert!(false, "{other:?} in\n{md}"),
            },
            Event::End(TagEnd::Strong) => {
                let s = strong.take().unwrap_or_default();
                prop_assert!(ours(&s), "bold {s:?} in\n{md}");
            }
            Event::End(TagEnd::Link) => link = false,
            Event::End(TagEnd::TableCell) => cells += 1,
            Event::End(TagEnd::TableHead) => columns = Some(cells),
            Event::End(TagEnd::TableRow) => prop_assert_eq!(Some(cells), columns, "a row's cells\n{}", md),
            _ => {}
        }
    }
    prop_assert!(!link);
    for name in names {
        // Readers trim what they read; the report shows the rest with control characters escaped.
        let name = clean(name.trim());
        let name = name.trim();
        prop_assert!(
            name.is_empty() || blocks.iter().any(|b| b.contains(name)),
            "{name:?} does not read as itself in\n{md}"
        );
    }
    // What GitHub turns into a link with no markup at all (pulldown-cmark leaves it to the renderer):
    // every `://`, `www.` and `@` outside our own source line is broken by a backslash.
    for line in md.lines().filter(|l| !l.starts_with("Source: <https://")) {
        let lower = line.to_lowercase();
        for (at, _) in lower.match_indices("://").chain(lower.match_indices('@')) {
            prop_assert!(lower[..at].ends_with('\\'), "a bare link in {line:?}");
        }
        for (at, _) in lower.match_indices("www.") {
            let word_start = lower[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            prop_assert!(!word_start, "a bare www link in {line:?}");
        }
    }
    Ok(())
}

/// Text that tries everything: markup, links, HTML, block starts, table pipes, line breaks.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[\\[\\]()<>*_`~|#>\\-+=:!&$@.\\\\ a-zA-Z0-9/\\n\\t{}^\"';%]{0,24}",
        1 => any::<String>(),
        2 => prop::sample::select(vec![
            "Evil](http://evil.example) *x*".to_owned(),
            "<img src=x onerror=alert(1)>".to_owned(),
            "# Heading".to_owned(),
            "> quoted".to_owned(),
            "- item".to_owned(),
            "1. first".to_owned(),
            "a | b | c".to_owned(),
            "``code``".to_owned(),
            "www.evil.example".to_owned(),
            "ann@evil.example".to_owned(),
            "line\n\n# new block".to_owned(),
            "[x]: https://evil.example".to_owned(),
            "---".to_owned(),
            "$\\color{red}{x}$".to_owned(),
            "&lt;b&gt;".to_owned(),
            "    indented code".to_owned(),
            "***".to_owned(),
            "![i](https://evil.example/i.png)".to_owned(),
        ]),
    ]
}

fn failure() -> impl Strategy<Value = Failure> {
    (
        nasty(),
        nasty(),
        nasty(),
        prop::sample::select(vec!["zz-mark ", "License Limit Exceeded. ", ""]),
    )
        .prop_map(|(user, app, reason, mark)| (user, app, format!("{mark}{reason}")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::proptest_cases(96)))]

    #[test]
    fn nothing_from_the_input_or_a_rules_file_makes_markup(
        failures in prop::collection::vec(failure(), 1..6),
        rule in (nasty(), nasty(), nasty()),
        source in prop_oneof![Just("https://help.okta.com/en-us/a.htm".to_owned()), nasty()],
        junk in nasty(),
        file in "[a-z\\[\\]()*_#|`<>&$]{1,12}",
    ) {
        let (title, summary, step) = rule;
        // A rules file's words are never empty (the loader refuses them).
        let title = format!("T {title}");
        let summary = format!("S {summary}");
        let table = table(&title, &summary, &step, &source);
        let md = report(&failures, &junk, &format!("{file}.ndjson"), &table);
        // Every app is named (an open incident, the resolved list, the apps table); the users and the
        // rule's summary of open failures are shown. A failure at an even place is open unless a success
        // of the same person on the same app (a failure at an odd place) resolves it too.
        let key = |(user, app, _): &Failure| (user.trim().to_lowercase(), app.trim().to_lowercase());
        let resolved: Vec<_> = failures.iter().skip(1).step_by(2).map(key).collect();
        let open = failures.iter().step_by(2).filter(|f| !resolved.contains(&key(f)));
        let mut names: Vec<&str> = failures.iter().map(|(_, app, _)| app.as_str()).collect();
        names.extend(open.clone().map(|(user, _, _)| user.as_str()));
        if open.clone().any(|(_, _, r)| r.starts_with("zz-mark")) {
            names.extend([title.as_str(), summary.as_str()]);
        }
        check(&md, &names, &table)?;
    }
}

#[test]
fn an_app_named_like_a_link_stays_text_in_the_steps() {
    let evil = "Evil](http://evil.example) *x*";
    let failures = [(
        "<img src=x>".to_owned(),
        evil.to_owned(),
        "License Limit Exceeded.".to_owned(),
    )];
    let table = table("T", "S", "Fix {app}.", "x");
    let md = report(&failures, "<b>|", "a|b.ndjson", &table);
    assert!(
        md.contains("1. In Evil\\](http\\://evil.example) \\*x\\*, check"),
        "{md}"
    );
    check(&md, &[evil, "<img src=x>"], &table).expect("inert");
}
