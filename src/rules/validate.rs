//! Validating a rules file: its structure read into the schema, each rule's fields and patterns, every
//! problem placed on its rule and field.

use anyhow::Result;
use regex::Regex;

use super::schema::{Rule, RuleFile};

/// One thing wrong with a rules file, placed as precisely as it can be: which rule, which field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Index of the rule in the file, and its id when it has one.
    pub rule: Option<(usize, Option<String>)>,
    /// The field, as a path inside the rule (`patterns[2]`) or the file (`version`).
    pub field: Option<String>,
    pub message: String,
}

impl Problem {
    pub(crate) fn file(message: impl Into<String>) -> Self {
        Self {
            rule: None,
            field: None,
            message: message.into(),
        }
    }

    pub(crate) fn field(
        index: usize,
        id: &str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            rule: Some((index, Some(id.to_owned()))),
            field: Some(field.into()),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.rule {
            Some((i, Some(id))) => write!(f, "rule '{id}' (rule {} in the file)", i + 1)?,
            Some((i, None)) => write!(f, "rule {} in the file", i + 1)?,
            None => {}
        }
        match (&self.rule, &self.field) {
            (Some(_), Some(field)) => write!(f, ", field '{field}': ")?,
            (None, Some(field)) => write!(f, "field '{field}': ")?,
            (Some(_), None) => write!(f, ": ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

/// Parses and validates one rule file: version, ids, non-empty fields, and, with `each_pattern`, patterns
/// that compile one by one. The error names the rule and the field at fault. The built-in table is read
/// without `each_pattern`: compiling each pattern on its own took 40% of a run's start, the table ships
/// inside the binary, and a test validates it in full.
pub(crate) fn parse(text: &str, each_pattern: bool) -> Result<RuleFile> {
    let file = read_rule_file(text).map_err(|p| anyhow::anyhow!("{p}"))?;
    if let Some(p) = problems(&file, each_pattern).into_iter().next() {
        anyhow::bail!("{p}");
    }
    Ok(file)
}

/// The file's structure read into a `RuleFile`, or the one problem that stopped it.
pub(crate) fn read_rule_file(text: &str) -> Result<RuleFile, Problem> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Problem::file(format!("not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(Problem::file(
            "a rules file is a JSON object with \"version\" and \"rules\" (the output of `provdiag rules --format json`)",
        ));
    }
    serde_path_to_error::deserialize::<_, RuleFile>(&value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        placed(&value, &path, message)
    })
}

/// Places a problem found at JSON `path` (`rules[2].examples.match`) on its rule and field.
fn placed(value: &serde_json::Value, path: &str, message: String) -> Problem {
    let Some(rest) = path.strip_prefix("rules[") else {
        let field = (!path.is_empty() && path != ".").then(|| path.to_owned());
        return Problem {
            rule: None,
            field,
            message,
        };
    };
    let (index, field) = match rest.split_once(']') {
        Some((n, field)) => (n.parse::<usize>().ok(), field.trim_start_matches('.')),
        None => (None, ""),
    };
    let Some(index) = index else {
        return Problem::file(format!("{path}: {message}"));
    };
    let id = value["rules"][index]["id"].as_str().map(str::to_owned);
    Problem {
        rule: Some((index, id)),
        field: (!field.is_empty()).then(|| field.to_owned()),
        message,
    }
}

/// Prefixes of ids that name a fix instead of the problem.
pub(crate) const FIX_PREFIXES: &[&str] = &["use-", "enable-", "fix-", "avoid-"];

/// Everything wrong with a file's contents, rule by rule; each pattern compiled on its own only if
/// `each_pattern` (the set compiles them all anyway, but without saying which one is at fault).
pub(crate) fn problems(file: &RuleFile, each_pattern: bool) -> Vec<Problem> {
    let mut out = Vec::new();
    if file.version != 1 {
        out.push(Problem {
            rule: None,
            field: Some("version".into()),
            message: format!(
                "unsupported version {} (this provdiag reads version 1)",
                file.version
            ),
        });
    }
    let mut seen = std::collections::HashSet::new();
    for (i, rule) in file.rules.iter().enumerate() {
        out.extend(validate(i, rule, each_pattern));
        if !seen.insert(rule.id.as_str()) {
            out.push(Problem::field(i, &rule.id, "id", "this id appears twice"));
        }
        if file.retired.iter().any(|r| r.id == rule.id) {
            out.push(Problem::field(
                i,
                &rule.id,
                "id",
                "this id is retired and may not be used again",
            ));
        }
    }
    for (k, r) in file.retired.iter().enumerate() {
        if !is_kebab(&r.id) || r.reason.trim().is_empty() {
            out.push(Problem {
                rule: None,
                field: Some(format!("retired[{k}]")),
                message: "a retired id is kebab-case and says why it was retired".into(),
            });
        }
    }
    out
}

fn validate(i: usize, rule: &Rule, each_pattern: bool) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut bad = |field: &str, message: String| out.push(Problem::field(i, &rule.id, field, message));
    if !is_kebab(&rule.id) {
        bad(
            "id",
            format!("'{}' is not kebab-case (lowercase words joined by '-')", rule.id),
        );
    } else if let Some(p) = FIX_PREFIXES.iter().find(|p| rule.id.starts_with(**p)) {
        bad(
            "id",
            format!("an id names the problem, not the fix: drop the '{p}' prefix"),
        );
    }
    if rule.title.trim().is_empty() {
        bad("title", "needs a title".into());
    }
    if rule.summary.trim().is_empty() {
        bad("summary", "needs a summary".into());
    }
    if rule.patterns.is_empty() && rule.event_types.is_empty() {
        bad(
            "patterns",
            "has neither patterns nor event_types: nothing can select it".into(),
        );
    }
    if rule.remediation.iter().all(|s| s.trim().is_empty()) {
        bad("remediation", "has no remediation steps".into());
    }
    for (words, weight) in &rule.cues {
        if !(1..=3).contains(weight) {
            bad(
                "cues",
                format!("{words:?} weighs {weight}: a cue's weight is 1, 2 or 3"),
            );
        }
    }
    for (field, list) in regex_fields(rule).into_iter().filter(|_| each_pattern) {
        for (k, p) in list.iter().enumerate() {
            if let Err(e) = Regex::new(p) {
                let first = e.to_string();
                let first = first.lines().last().unwrap_or("").trim().to_owned();
                bad(
                    &format!("{field}[{k}]"),
                    format!("{p:?} is not a valid regex: {first}"),
                );
            }
        }
    }
    if let Some(s) = &rule.source {
        if !is_https(s) {
            bad("source", format!("{s:?} is not an https:// URL"));
        }
    }
    for (k, o) in rule.other_causes.iter().enumerate() {
        if o.cause.trim().is_empty() || o.tell.trim().is_empty() || o.fix.trim().is_empty() {
            bad(
                &format!("other_causes[{k}]"),
                "needs a cause, how to tell it (tell) and its fix".into(),
            );
        }
        if let Some(s) = o.source.as_deref().filter(|s| !is_https(s)) {
            bad(
                &format!("other_causes[{k}].source"),
                format!("{s:?} is not an https:// URL"),
            );
        }
    }
    out
}

/// What a sound rules file may still do by mistake, for `rules test` (the table adds the rules that would
/// take built-in causes' failures): a rule that takes a built-in id, and says something else, replaces that
/// rule in every run; a placeholder other than `{app}` is printed as written. A built-in rule copied as it
/// is (`rules --format json`, edited in one place) replaces nothing and is not warned about.
pub(crate) fn warnings(file: &RuleFile, builtin: &RuleFile) -> Vec<String> {
    let as_value = |r: &Rule| serde_json::to_value(r).ok();
    let mut out = Vec::new();
    for rule in &file.rules {
        if let Some(b) = builtin.rules.iter().find(|b| b.id == rule.id) {
            if as_value(b) != as_value(rule) {
                out.push(format!(
                    "rule '{}' has a built-in rule's id: it replaces that rule in every run that reads this file (give it an id of its own unless that is the intent)",
                    rule.id
                ));
            }
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
        for (field, list) in regex_fields(rule) {
            for (k, p) in list.iter().enumerate() {
                if let Some(letter) = super::matcher::boundary_beside_non_ascii(p) {
                    out.push(format!(
                        "rule '{}', field '{field}[{k}]': a word boundary (\\b) beside '{letter}' never matches there: provdiag's word boundaries are ASCII ones (a non-ASCII letter is no word character to them); write (?:^|\\W) or leave it out",
                        rule.id
                    ));
                }
            }
        }
        for (field, text) in texts {
            for name in unknown_placeholders(text) {
                out.push(format!(
                    "rule '{}', field '{field}': {{{name}}} is not a placeholder (only {{app}} is filled in): it would be printed as written",
                    rule.id
                ));
            }
        }
    }
    // A fallback or a context that names no rule or no operation provdiag knows is silently never used.
    let known_id = |id: &str| file.rules.iter().chain(&builtin.rules).any(|r| r.id == id);
    let known_operation = |name: &str| crate::okta::anatomy::Operation::from_name(name).is_some();
    let f = &file.fallbacks;
    let causes = each(&f.scim_types, "fallbacks.scim_types", |e| &e.causes)
        .chain(each(&f.statuses, "fallbacks.statuses", |e| &e.causes))
        .chain(each(&f.operations, "fallbacks.operations", |e| &e.causes));
    for (field, ids) in causes {
        for (j, id) in ids.iter().enumerate() {
            if !known_id(id) {
                out.push(format!(
                    "field '{field}.causes[{j}]': no rule has the id '{id}', built-in or in this file: the entry never names it"
                ));
            }
        }
    }
    let operations = each(&f.statuses, "fallbacks.statuses", |e| &e.operations)
        .flat_map(|(field, ops)| each(ops, field + ".operations", |o| o))
        .chain(
            each(&f.operations, "fallbacks.operations", |e| &e.operation).map(|(k, o)| (k + ".operation", o)),
        )
        .chain(each(&file.contexts, "contexts", |c| &c.operation).map(|(k, o)| (k + ".operation", o)));
    let names: Vec<&str> = crate::okta::anatomy::Operation::ALL
        .iter()
        .map(|o| o.as_str())
        .collect();
    for (field, name) in operations {
        if !known_operation(name) {
            out.push(format!(
                "field '{field}': '{name}' is no operation provdiag names ({}): the entry is never used",
                names.join(", ")
            ));
        }
    }
    // An operation's steps are filled in as a rule's remediation is.
    for (k, c) in file.contexts.iter().enumerate() {
        for (j, step) in c.steps.iter().enumerate() {
            for name in unknown_placeholders(step) {
                out.push(format!(
                    "field 'contexts[{k}].steps[{j}]': {{{name}}} is not a placeholder (only {{app}} is filled in): it would be printed as written"
                ));
            }
        }
    }
    out
}

/// A rule's regular expressions by field: its patterns, its `unless` patterns and its cues' words.
fn regex_fields(rule: &Rule) -> [(&'static str, Vec<&str>); 3] {
    [
        ("patterns", rule.patterns.iter().map(String::as_str).collect()),
        ("unless", rule.unless.iter().map(String::as_str).collect()),
        ("cues", rule.cues.keys().map(String::as_str).collect()),
    ]
}

/// Each entry of `items` with where it stands in the file (`fallbacks.statuses[2]`) and what `get` takes of it.
fn each<'a, T, U: 'a>(
    items: &'a [T],
    field: impl Into<String>,
    get: impl Fn(&'a T) -> U + 'a,
) -> impl Iterator<Item = (String, U)> + 'a {
    let field = field.into();
    items
        .iter()
        .enumerate()
        .map(move |(k, e)| (format!("{field}[{k}]"), get(e)))
}

fn unknown_placeholders(text: &str) -> Vec<String> {
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
                if &after[..end] != "app" {
                    out.push(after[..end].to_owned());
                }
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

/// An `https://` URL with a host.
pub(crate) fn is_https(s: &str) -> bool {
    s.strip_prefix("https://").is_some_and(|rest| {
        rest.split('/').next().is_some_and(|h| h.contains('.')) && !s.contains(char::is_whitespace)
    })
}

/// Lowercase ASCII words of letters and digits joined by single hyphens.
pub fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id
            .split('-')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_rule_file(text: &str) -> Result<RuleFile> {
        parse(text, true)
    }

    #[test]
    fn rule_file_errors_name_the_rule_and_the_field() {
        let cases = [
            ("[]", "JSON object with \"version\" and \"rules\""),
            (
                r#"{"version":1,"rules":[{"id":"a","title":"t","summary":"s","patterns":["x"],"remediation":["r"]},{"id":"b","summary":"s","patterns":["x"],"remediation":["r"]}]}"#,
                "rule 'b' (rule 2 in the file): missing field `title`",
            ),
            (
                r#"{"version":1,"rules":[{"id":"a","title":"t","summary":"s","patern":["x"],"remediation":["r"]}]}"#,
                "rule 'a' (rule 1 in the file), field 'patern': unknown field `patern`",
            ),
            (
                r#"{"version":1,"rules":[{"id":"a","title":"t","summary":"s","patterns":["x"],"remediation":["r"],"examples":{"match":[3]}}]}"#,
                "field 'examples.match[0]': invalid type: integer `3`, expected a string",
            ),
            (
                r#"{"version":1,"rules":[{"id":"fix-token","title":"t","summary":"s","patterns":["x"],"remediation":["r"]}]}"#,
                "field 'id': an id names the problem, not the fix",
            ),
            (
                r#"{"version":1,"retired":[{"id":"old-cause","reason":"split in two"}],"rules":[{"id":"old-cause","title":"t","summary":"s","patterns":["x"],"remediation":["r"]}]}"#,
                "field 'id': this id is retired",
            ),
            (
                r#"{"version":1,"rules":[{"id":"a","title":"t","summary":"s","patterns":["x"],"remediation":["r"],"source":"http://example.com"}]}"#,
                "field 'source'",
            ),
        ];
        for (text, want) in cases {
            let err = format!("{:#}", parse_rule_file(text).expect_err(text));
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    #[test]
    fn kebab_check_rejects_other_shapes() {
        for bad in ["", "Bad", "a--b", "-a", "a-", "a_b", "a b"] {
            assert!(!is_kebab(bad), "{bad}");
        }
        assert!(is_kebab("api-rate-limit-exceeded2"));
    }

    #[test]
    fn broken_rule_files_are_refused_with_a_reason() {
        let cases = [
            ("{", "EOF"),
            (r#"{"version":2,"rules":[]}"#, "version"),
            (
                r#"{"version":1,"rules":[{"id":"X","title":"t","summary":"s","patterns":["a"],"remediation":["r"]}]}"#,
                "kebab",
            ),
            (
                r#"{"version":1,"rules":[{"id":"x","title":"t","summary":"s","patterns":["("],"remediation":["r"]}]}"#,
                "regex",
            ),
            (
                r#"{"version":1,"rules":[{"id":"x","title":"t","summary":"s","patterns":["a"],"remediation":[]}]}"#,
                "remediation",
            ),
            (
                r#"{"version":1,"rules":[{"id":"x","title":"t","summary":"s","remediation":["r"]}]}"#,
                "neither",
            ),
        ];
        for (text, want) in cases {
            let err = format!("{:#}", parse_rule_file(text).expect_err(text));
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    /// The built-in table, and the warnings a sound rules file `text` gets beside it.
    fn builtin_and_warnings(text: &str) -> (RuleFile, Vec<String>) {
        let builtin = parse(crate::rules::builtin_text(), false).expect("built-in");
        let file = parse(text, true).expect("a sound file");
        let all = warnings(&file, &builtin);
        (builtin, all)
    }

    #[test]
    fn a_changed_built_in_id_and_an_unknown_placeholder_are_warned_about() {
        let (builtin, all) = builtin_and_warnings(
            r#"{"version": 1, "rules": [{"id": "license-limit-exceeded", "title": "t", "summary": "s",
                "patterns": ["seats? left"], "remediation": ["Ask {admin} for seats in {app}."]}],
                "contexts": [{"operation": "import", "steps": ["Import {app} again, {when} it suits."]}]}"#,
        );
        assert!(all.iter().any(|w| w.contains("built-in rule's id")), "{all:?}");
        assert!(
            all.iter()
                .any(|w| w.contains("{admin} is not a placeholder") && w.contains("remediation[0]")),
            "{all:?}"
        );
        assert!(
            all.iter()
                .any(|w| w.contains("{when} is not a placeholder") && w.contains("contexts[0].steps[0]")),
            "{all:?}"
        );
        assert!(!all.iter().any(|w| w.contains("{app} is not")), "{all:?}");
        assert_eq!(all.len(), 3, "{all:?}");
        // The built-in table, as `rules --format json` prints it, replaces nothing and fills in only {app}.
        assert_eq!(warnings(&builtin, &builtin), Vec::<String>::new());
    }

    #[test]
    fn a_word_boundary_beside_a_non_ascii_letter_is_warned_about() {
        let (_, all) = builtin_and_warnings(
            r#"{"version": 1, "rules": [{"id": "seat-cap", "title": "t", "summary": "s",
                "patterns": ["seats? left"], "unless": ["\\bgrup\\b"], "cues": {"\\büye sınır": 2},
                "remediation": ["Free a seat in {app}."]}]}"#,
        );
        assert_eq!(all.len(), 1, "{all:?}");
        assert!(
            all[0].contains("'cues[0]'") && all[0].contains("beside 'ü'"),
            "{all:?}"
        );
    }

    #[test]
    fn fallbacks_and_contexts_that_name_no_rule_or_no_operation_are_warned_about() {
        let (_, all) = builtin_and_warnings(
            r#"{"version": 1, "rules": [{"id": "seat-pool-empty", "title": "t", "summary": "s",
                "patterns": ["seat pool is empty"], "remediation": ["Free a seat in {app}."]}],
                "fallbacks": {
                    "statuses": [{"status": "409", "operations": ["create", "creates"],
                                  "causes": ["seat-pool-empty", "account-already-exists", "no-such-id"]}],
                    "operations": [{"operation": "imports", "causes": ["seat-pool-empty"]}]},
                "contexts": [{"operation": "group_push", "steps": ["Push it again."]}]}"#,
        );
        let has = |field: &str, words: &str| all.iter().any(|w| w.contains(field) && w.contains(words));
        assert!(has("fallbacks.statuses[0].causes[2]", "'no-such-id'"), "{all:?}");
        assert!(has("fallbacks.statuses[0].operations[1]", "'creates'"), "{all:?}");
        assert!(has("fallbacks.operations[0].operation", "'imports'"), "{all:?}");
        assert!(has("contexts[0].operation", "'group_push'"), "{all:?}");
        // Its own rule's id and a built-in one are known; `create` is an operation.
        assert_eq!(all.len(), 4, "{all:?}");
    }

    #[test]
    fn placeholders_are_words_in_braces() {
        assert_eq!(unknown_placeholders("{app} {x_1} {} { a } {json: 1} {b"), ["x_1"]);
    }
}
