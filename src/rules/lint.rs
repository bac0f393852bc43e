//! Warnings for `provdiag rules test`: what a sound rules file may still do by mistake. A rule that takes a
//! built-in id replaces that rule; a rule that matches the built-in causes' examples takes their failures (a
//! `--rules` file is checked first); a placeholder other than `{app}` is printed as written.

use super::{builtin_text, fold, RuleFile, RuleTable};

/// The warnings for a rules file's text (none for a file that does not parse: its problems say why).
pub fn warnings(text: &str) -> Vec<String> {
    let Ok(file) = serde_json::from_str::<RuleFile>(text) else {
        return Vec::new();
    };
    let Ok(builtin) = serde_json::from_str::<RuleFile>(builtin_text()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for rule in &file.rules {
        if builtin.rules.iter().any(|b| b.id == rule.id) {
            out.push(format!(
                "rule '{}' has a built-in rule's id: it replaces that rule in every run that reads this file (give it an id of its own unless that is the intent)",
                rule.id
            ));
        }
        let texts = [("title", &rule.title), ("summary", &rule.summary)]
            .into_iter()
            .map(|(f, t)| (f.to_owned(), t.as_str()))
            .chain(
                rule.remediation
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (format!("remediation[{i}]"), s.as_str())),
            );
        for (field, text) in texts {
            for name in placeholders(text).into_iter().filter(|n| n != "app") {
                out.push(format!(
                    "rule '{}', field '{field}': {{{name}}} is not a placeholder (only {{app}} is filled in): it would be printed as written",
                    rule.id
                ));
            }
        }
    }
    // Which built-in causes' examples the file's rules would take.
    if let Ok(table) = RuleTable::compile(file.rules.clone()) {
        for rule in &builtin.rules {
            for example in &rule.examples.matching {
                let Some(i) = table.match_text(&fold(example), None) else {
                    continue;
                };
                let taker = &table.rules()[i];
                if taker.id != rule.id {
                    out.push(format!(
                        "rule '{}' matches an example of the built-in cause '{}' (\"{}\"): it would take those failures, as a rules file is checked first; narrow its patterns or add `unless`",
                        taker.id,
                        rule.id,
                        short(example)
                    ));
                    break;
                }
            }
        }
    }
    out
}

/// The `{word}` placeholders in a text.
fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end)
                if end > 0
                    && after[..end]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                out.push(after[..end].to_owned());
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

fn short(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rule: &str) -> String {
        format!(r#"{{"version": 1, "rules": [{rule}]}}"#)
    }

    #[test]
    fn a_sound_narrow_rule_gets_no_warning() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/rules-extra.json"))
            .expect("fixture");
        assert_eq!(warnings(&text), Vec::<String>::new());
    }

    #[test]
    fn a_built_in_id_a_catch_all_and_an_unknown_placeholder_are_warned_about() {
        let all = warnings(&file(
            r#"{"id": "license-limit-exceeded", "title": "t", "summary": "s", "patterns": ["seats? left"],
                "remediation": ["Ask {admin} for seats in {app}."], "examples": {"match": ["no seats left"]}}"#,
        ));
        assert!(all.iter().any(|w| w.contains("built-in rule's id")), "{all:?}");
        assert!(
            all.iter()
                .any(|w| w.contains("{admin} is not a placeholder") && w.contains("remediation[0]")),
            "{all:?}"
        );
        assert!(!all.iter().any(|w| w.contains("{app} is not")), "{all:?}");
        let greedy = warnings(&file(
            r#"{"id": "anything", "title": "t", "summary": "s", "patterns": [".*"], "remediation": ["r"]}"#,
        ));
        // `.*` takes every built-in cause's failures: one warning per cause.
        let builtin: RuleFile = serde_json::from_str(builtin_text()).expect("built-in");
        let with_examples = builtin
            .rules
            .iter()
            .filter(|r| !r.examples.matching.is_empty())
            .count();
        assert_eq!(
            greedy
                .iter()
                .filter(|w| w.contains("matches an example of the built-in cause"))
                .count(),
            with_examples
        );
    }
}
