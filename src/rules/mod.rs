//! The rule table: its JSON schema (shared by the built-in table, `--rules FILE` and `rules --format json`),
//! its loading and validation, and the matcher that maps a failure to its cause.

use anyhow::{bail, Context, Result};
use regex::Regex;
use regex_automata::{meta, util::syntax, Input, MatchKind, PatternSet};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::OnceLock;

use crate::record::Finding;

pub mod lint;
mod lookup;
pub use lookup::{builtin_ids, nearest, normalize_id};

const BUILTIN: &str = include_str!("builtin.json");

/// The file: a schema version, the ids no longer in use, and the rules in precedence order.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub version: u32,
    /// Ids that named a cause once and are kept so that they are never given to another.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<RetiredId>,
    pub rules: Vec<Rule>,
}

/// An id no rule may take again.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetiredId {
    pub id: String,
    /// Why it went, and which rule took over its failures, if any.
    pub reason: String,
}

/// One known cause of provisioning failures.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable kebab-case id naming the problem; never renamed, never reused.
    pub id: String,
    pub title: String,
    /// One paragraph: what is wrong and why.
    pub summary: String,
    /// Regular expressions, matched case-insensitively against the failure's reason with every run of
    /// white space folded to one space. Any one of them selects the rule.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Regular expressions that keep the rule from applying although a pattern matched: the words that
    /// tell a look-alike cause apart (an MFA prompt is not a wrong password).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
    /// System Log event types that are this cause whatever their reason says.
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Steps in order; `{app}` is replaced by the app's name.
    pub remediation: Vec<String>,
    /// The Okta article or app document the rule was learned from (https).
    #[serde(default, alias = "link", skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Other documented causes of the same message, after the likeliest one the rule names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_causes: Vec<OtherCause>,
    #[serde(default)]
    pub examples: Examples,
}

/// A less likely cause of a rule's message: what it is, how to tell it apart, and its fix.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherCause {
    pub cause: String,
    /// What the admin can check to know this is the cause.
    pub tell: String,
    pub fix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Texts that must, and must not, land on the rule.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default, rename = "match")]
    pub matching: Vec<String>,
    #[serde(default)]
    pub no_match: Vec<String>,
}

impl Rule {
    /// The remediation steps with the app's name filled in.
    pub fn steps_for(&self, app: Option<&str>) -> Vec<String> {
        let app = app.unwrap_or("the app");
        self.remediation.iter().map(|s| s.replace("{app}", app)).collect()
    }
}

/// One set of patterns compiled once, with the rule each pattern belongs to.
struct Compiled {
    /// Every pattern in one automaton that tells which of them match. Built without a literal prefilter:
    /// for 151 case-insensitive patterns the prefilter took 25 ms of every run's start to build, and
    /// buys nothing on a message of a hundred bytes (0.5 µs a match either way).
    set: meta::Regex,
    /// For each pattern in `set`, the index of its rule.
    owner: Vec<usize>,
    /// Each pattern's text, and the pattern compiled on its own the first time the words it matched are asked
    /// for (only `--redact` and example checks ask): compiled up front they took a third of the memory a run
    /// starts with.
    text: Vec<String>,
    each: Vec<OnceLock<Option<Regex>>>,
}

impl Compiled {
    fn new<'a>(patterns: impl Iterator<Item = (usize, &'a str)>) -> Result<Self> {
        let (owner, patterns): (Vec<usize>, Vec<String>) =
            patterns.map(|(i, p)| (i, ascii_word_boundaries(p))).unzip();
        let build = |patterns: &[String]| {
            meta::Builder::new()
                .configure(
                    meta::Config::new()
                        .match_kind(MatchKind::All)
                        .auto_prefilter(false)
                        .nfa_size_limit(Some(64 << 20)),
                )
                // Patterns may match bytes that are no UTF-8 (an ASCII pattern's `.` is a byte): the set
                // only tells which patterns match, never where.
                .syntax(syntax::Config::new().case_insensitive(true).utf8(false))
                .build_many(patterns)
                .map_err(anyhow::Error::new)
        };
        let in_ascii_mode: Vec<String> = patterns.iter().map(|p| ascii_mode(p)).collect();
        // A pattern that needs Unicode (`\p{L}`) fails in ASCII mode: the whole set is then compiled as
        // written.
        let set = build(&in_ascii_mode)
            .or_else(|_| build(&patterns))
            .context("cannot compile the rule patterns")?;
        let each = patterns.iter().map(|_| OnceLock::new()).collect();
        Ok(Self {
            set,
            owner,
            text: patterns,
            each,
        })
    }

    /// The rules of the patterns that match `text`, in pattern order (a rule may come more than once).
    fn matching_rules(&self, text: &str) -> impl Iterator<Item = usize> + '_ {
        let mut found = PatternSet::new(self.set.pattern_len());
        if !self.owner.is_empty() {
            self.set.which_overlapping_matches(&Input::new(text), &mut found);
        }
        let rules: Vec<usize> = found.iter().map(|p| self.owner[p.as_usize()]).collect();
        rules.into_iter()
    }

    /// The patterns of rule `rule`, each compiled on its own. One the set compiled always compiles alone.
    fn of_rule(&self, rule: usize) -> impl Iterator<Item = &Regex> + '_ {
        (0..self.owner.len())
            .filter(move |&k| self.owner[k] == rule)
            .filter_map(|k| {
                self.each[k]
                    .get_or_init(|| {
                        regex::RegexBuilder::new(&self.text[k])
                            .case_insensitive(true)
                            .build()
                            .ok()
                    })
                    .as_ref()
            })
    }
}

/// `pattern` with its word boundaries (`\b`, `\B`) made ASCII ones. A Unicode word boundary keeps the fast
/// engines off any text with a non-ASCII letter in it (a name such as Zoë): matching the whole table then
/// took 230 µs a failure instead of 0.5 µs. Message words are ASCII; only a letter such as `ë` right next
/// to one of them is told apart differently.
fn ascii_word_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(b @ ('b' | 'B')) => {
                out.push_str("(?-u:\\");
                out.push(b);
                // `\b{start}` and its kin keep their braces inside the group.
                if chars.as_str().starts_with('{') {
                    for c in chars.by_ref() {
                        out.push(c);
                        if c == '}' {
                            break;
                        }
                    }
                }
                out.push(')');
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// An ASCII pattern with Unicode off, for the set: its letters then fold case as ASCII letters, and its `.`
/// and negated classes match a byte. Unicode case folding and classes made the built-in set three times as
/// long to compile (~12 ms against ~4 ms: the most of what `provdiag -m …` spent), for what only tells
/// apart a message whose words are written with non-ASCII look-alikes (the Kelvin sign for a `k`), and a
/// gap such as `.{0,60}` counted in characters rather than bytes. A pattern with a non-ASCII letter stays
/// as it is.
fn ascii_mode(pattern: &str) -> String {
    if pattern.is_ascii() {
        format!("(?-u:{pattern})")
    } else {
        pattern.to_owned()
    }
}

/// The rule table: user rules first, then the built-in ones, their patterns in one set (and the `unless`
/// patterns in another).
pub struct RuleTable {
    rules: Vec<Rule>,
    retired: Vec<RetiredId>,
    /// The sets, compiled when the first failure is matched: the built-in table's take ~5 ms, which
    /// `explain`, `rules` and runs without a failure never spend. (Compiling them on a thread of their own
    /// as a run starts saved no time on 2 cores and left 2 MiB more at the peak, in that thread's malloc
    /// arena.) A user's table is compiled at once, so that its problems are told before anything is read.
    sets: OnceLock<Result<Sets, String>>,
}

/// A table's patterns compiled.
struct Sets {
    patterns: Compiled,
    unless: Compiled,
}

impl Sets {
    fn new(rules: &[Rule]) -> Result<Self> {
        // One field's patterns of every rule, each with the index of its rule.
        let set = |field: fn(&Rule) -> &[String]| {
            Compiled::new(
                rules
                    .iter()
                    .enumerate()
                    .flat_map(move |(i, r)| field(r).iter().map(move |p| (i, p.as_str()))),
            )
        };
        Ok(Self {
            patterns: set(|r| r.patterns.as_slice())?,
            unless: set(|r| r.unless.as_slice())?,
        })
    }
}

impl RuleTable {
    /// The built-in table, preceded by the rules of `extra` if given. A user rule whose id is a built-in
    /// id replaces the built-in one.
    pub fn load(extra: Option<&Path>) -> Result<Self> {
        let mut rules = Vec::new();
        if let Some(path) = extra {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read rules file {}", path.display()))?;
            let file =
                parse_rule_file(&text).with_context(|| format!("invalid rules file {}", path.display()))?;
            rules = file.rules;
        }
        let builtin = parse_builtin().context("invalid built-in rule table")?;
        for rule in builtin.rules {
            if !rules.iter().any(|r: &Rule| r.id == rule.id) {
                rules.push(rule);
            }
        }
        let Some(path) = extra else {
            // The built-in table alone: it compiles (a unit test says so), when first needed.
            return Ok(Self {
                rules,
                retired: builtin.retired,
                sets: OnceLock::new(),
            });
        };
        let table = Self::compile_with_retired(rules, builtin.retired)?;
        if let Some(p) = table.example_problems(false).first() {
            bail!("invalid rules file {}: {p}", path.display());
        }
        Ok(table)
    }

    /// Compiles rules already validated one by one.
    pub fn compile(rules: Vec<Rule>) -> Result<Self> {
        Self::compile_with_retired(rules, Vec::new())
    }

    /// Compiles rules already validated one by one, keeping the file's retired ids.
    pub fn compile_with_retired(rules: Vec<Rule>, retired: Vec<RetiredId>) -> Result<Self> {
        let sets = Sets::new(&rules)?;
        Ok(Self {
            rules,
            retired,
            sets: OnceLock::from(Ok(sets)),
        })
    }

    /// The compiled sets; `None` only if they could not be compiled, which `load` and `compile` rule out
    /// for a user's table, and a unit test for the built-in one.
    fn sets(&self) -> Option<&Sets> {
        self.sets
            .get_or_init(|| Sets::new(&self.rules).map_err(|e| format!("{e:#}")))
            .as_ref()
            .ok()
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Ids kept out of use.
    pub fn retired(&self) -> &[RetiredId] {
        &self.retired
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn ids(&self) -> Vec<&str> {
        self.rules.iter().map(|r| r.id.as_str()).collect()
    }

    /// For each rule, whether one of its `unless` patterns matches `text` (already folded).
    fn vetoed(&self, text: &str) -> Vec<bool> {
        let mut out = vec![false; self.rules.len()];
        let Some(sets) = self.sets() else { return out };
        for rule in sets.unless.matching_rules(text) {
            out[rule] = true;
        }
        out
    }

    /// The first rule in table order that matches `text` (already folded) or `event_type`, and that none
    /// of its `unless` patterns rules out.
    pub fn match_text(&self, text: &str, event_type: Option<&str>) -> Option<usize> {
        let vetoed = self.vetoed(text);
        let by_pattern = self
            .sets()
            .and_then(|sets| sets.patterns.matching_rules(text).filter(|&r| !vetoed[r]).min());
        let by_type = event_type.and_then(|t| {
            self.rules
                .iter()
                .enumerate()
                .position(|(i, r)| !vetoed[i] && r.event_types.iter().any(|e| e.eq_ignore_ascii_case(t)))
        });
        match (by_pattern, by_type) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The words of `text` that rule `rule` matched (the first of its patterns that does), `text` folded;
    /// nothing when one of its `unless` patterns rules it out.
    pub fn matched_text(&self, rule: usize, text: &str) -> Option<String> {
        let folded = fold(text);
        if self.vetoed(&folded).get(rule).copied().unwrap_or(false) {
            return None;
        }
        self.sets()?
            .patterns
            .of_rule(rule)
            .find_map(|re| re.find(&folded).map(|m| m.as_str().to_owned()))
    }

    /// Where in `text` (already folded) rule `rule` matched first, if it did.
    pub fn match_start(&self, rule: usize, text: &str) -> Option<usize> {
        if self.vetoed(text).get(rule).copied().unwrap_or(false) {
            return None;
        }
        self.sets()?
            .patterns
            .of_rule(rule)
            .filter_map(|re| re.find(text).map(|m| m.start()))
            .min()
    }

    /// The cause of a failure: its reason first, else nothing but its event type.
    pub fn classify(&self, finding: &Finding) -> Option<usize> {
        let text = fold(finding.reason.as_deref().unwrap_or(""));
        self.match_text(&text, finding.event_type.as_deref())
    }

    /// Each rule's examples land on it (first match in the table for `match`; for `no_match`, not on it).
    /// With `first_only` false a `match` example only has to match its own rule: a user's rule may be
    /// shadowed by an earlier one on purpose.
    pub fn check_examples(&self, first_only: bool) -> Result<()> {
        match self.example_problems(first_only).into_iter().next() {
            Some(p) => bail!("{p}"),
            None => Ok(()),
        }
    }

    /// Every example that does not land where it says, one problem each.
    pub fn example_problems(&self, first_only: bool) -> Vec<Problem> {
        let mut out = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            for (k, ex) in rule.examples.matching.iter().enumerate() {
                let landed = self.match_text(&fold(ex), None);
                let ok = if first_only {
                    landed == Some(i)
                } else {
                    self.matched_text(i, ex).is_some()
                };
                if !ok {
                    let instead = match landed {
                        Some(j) if j != i => format!("it lands on '{}', an earlier rule", self.rules[j].id),
                        _ => "no pattern of the rule matches it".to_owned(),
                    };
                    out.push(Problem::field(
                        i,
                        &rule.id,
                        format!("examples.match[{k}]"),
                        format!("{ex:?} does not land on this rule: {instead}"),
                    ));
                }
            }
            for (k, ex) in rule.examples.no_match.iter().enumerate() {
                if self.matched_text(i, ex).is_some() {
                    out.push(Problem::field(
                        i,
                        &rule.id,
                        format!("examples.no_match[{k}]"),
                        format!("{ex:?} matches this rule, and must not"),
                    ));
                }
            }
        }
        out
    }
}

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
    fn file(message: impl Into<String>) -> Self {
        Self {
            rule: None,
            field: None,
            message: message.into(),
        }
    }

    fn field(index: usize, id: &str, field: impl Into<String>, message: impl Into<String>) -> Self {
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

/// Parses and validates one rule file: version, ids, non-empty fields, patterns that compile. The error
/// names the rule and the field at fault.
pub fn parse_rule_file(text: &str) -> Result<RuleFile> {
    let file = read_rule_file(text).map_err(|p| anyhow::anyhow!("{p}"))?;
    if let Some(p) = validate_file(&file).into_iter().next() {
        bail!("{p}");
    }
    Ok(file)
}

/// The built-in table, read as every run reads it: validated but for compiling each pattern on its own,
/// which took 40% of a run's start. The table ships inside the binary, and a test validates it in full.
fn parse_builtin() -> Result<RuleFile> {
    let file = read_rule_file(BUILTIN).map_err(|p| anyhow::anyhow!("{p}"))?;
    let problems = validate_file_with(&file, false);
    if let Some(p) = problems.into_iter().next() {
        bail!("{p}");
    }
    Ok(file)
}

/// The file's structure read into a `RuleFile`, or the one problem that stopped it.
fn read_rule_file(text: &str) -> Result<RuleFile, Problem> {
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
const FIX_PREFIXES: &[&str] = &["use-", "enable-", "fix-", "avoid-"];

/// Everything wrong with a file's contents, rule by rule.
fn validate_file(file: &RuleFile) -> Vec<Problem> {
    validate_file_with(file, true)
}

/// `validate_file`, each pattern compiled on its own only if `compile` (the set compiles them all anyway,
/// but without saying which one is at fault).
fn validate_file_with(file: &RuleFile, compile: bool) -> Vec<Problem> {
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
        out.extend(validate(i, rule, compile));
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

fn validate(i: usize, rule: &Rule, compile: bool) -> Vec<Problem> {
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
    let lists = [("patterns", &rule.patterns), ("unless", &rule.unless)];
    for (field, list) in lists.into_iter().filter(|_| compile) {
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

/// An `https://` URL with a host.
fn is_https(s: &str) -> bool {
    s.strip_prefix("https://").is_some_and(|rest| {
        rest.split('/').next().is_some_and(|h| h.contains('.')) && !s.contains(char::is_whitespace)
    })
}

/// Every problem of a rules file, for `provdiag rules test`: its structure, each rule's fields and
/// patterns, and whether each example lands on its rule among the file's own rules.
pub fn check_file(text: &str) -> (usize, Vec<Problem>) {
    let file = match read_rule_file(text) {
        Ok(file) => file,
        Err(p) => return (0, vec![p]),
    };
    let n = file.rules.len();
    let mut problems = validate_file(&file);
    if problems.is_empty() {
        match RuleTable::compile_with_retired(file.rules, file.retired) {
            Ok(table) => problems.extend(table.example_problems(true)),
            Err(e) => problems.push(Problem::file(format!("{e:#}"))),
        }
    }
    (n, problems)
}

/// Lowercase ASCII words of letters and digits joined by single hyphens.
pub fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id
            .split('-')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// Folds every run of white space (NBSP included) to one space and curly apostrophes to straight ones,
/// so that rules see Okta's wording however it was pasted.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(if c == '\u{2019}' { '\'' } else { c });
    }
    out
}

/// The built-in table as it ships, for `rules --format json`.
pub fn builtin_text() -> &'static str {
    BUILTIN
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> RuleTable {
        RuleTable::load(None).expect("built-in table loads")
    }

    #[test]
    fn every_example_lands_on_its_own_rule() {
        builtin().check_examples(true).expect("examples hold");
    }

    #[test]
    fn ids_are_unique_kebab_case_and_every_rule_has_remediation() {
        let table = builtin();
        let mut ids: Vec<&str> = table.ids();
        assert!(ids.iter().all(|id| is_kebab(id)), "{ids:?}");
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate ids");
        for rule in table.rules() {
            assert!(!rule.remediation.is_empty(), "{} has no remediation", rule.id);
            assert!(!rule.examples.matching.is_empty(), "{} has no examples", rule.id);
            assert!(
                !rule.examples.no_match.is_empty(),
                "{} has no counter-examples",
                rule.id
            );
        }
    }

    #[test]
    fn the_seed_causes_come_first_with_the_spec_ids() {
        assert_eq!(
            &builtin().ids()[..3],
            [
                "invalid-credentials",
                "create-users-disabled",
                "license-limit-exceeded"
            ]
        );
    }

    /// The registry's rules, like ruff's: every rule is complete, cites an https source, names the
    /// problem, and its examples land on it; retired ids stay out of use.
    #[test]
    fn every_rule_is_complete_and_names_the_problem() {
        let file = parse_rule_file(BUILTIN).expect("built-in table parses");
        for rule in &file.rules {
            let id = rule.id.as_str();
            assert!(is_kebab(id), "{id}");
            assert!(
                !FIX_PREFIXES.iter().any(|p| id.starts_with(p)),
                "{id} names a fix"
            );
            for (field, text) in [("title", &rule.title), ("summary", &rule.summary)] {
                assert!(!text.trim().is_empty(), "{id}: {field}");
            }
            assert!(
                rule.remediation.iter().any(|s| s.contains("{app}")),
                "{id}: remediation names the app"
            );
            assert!(
                rule.source.as_deref().is_some_and(is_https),
                "{id}: source is an https URL"
            );
            assert!(!rule.examples.matching.is_empty(), "{id}: examples.match");
            assert!(!rule.examples.no_match.is_empty(), "{id}: examples.no_match");
            assert!(!file.retired.iter().any(|r| r.id == id), "{id} is retired");
        }
        let sources: std::collections::HashSet<_> =
            file.rules.iter().filter_map(|r| r.source.as_deref()).collect();
        assert!(sources.len() * 2 > file.rules.len(), "{sources:?}");
        let (n, problems) = check_file(BUILTIN);
        assert_eq!((n, problems), (file.rules.len(), vec![]));
    }

    #[test]
    fn the_seed_remediations_keep_the_seed_s_facts() {
        let t = builtin();
        let steps = |id: &str| t.get(id).expect("rule").remediation.join(" ");
        let creds = steps("invalid-credentials");
        for fact in [
            "Provisioning > Integration",
            "Test API Credentials",
            "Dashboard > Tasks",
            "Retry Selected",
        ] {
            assert!(creds.contains(fact), "invalid-credentials: {fact}");
        }
        let create = steps("create-users-disabled");
        for fact in [
            "Provisioning > To App",
            "Create Users",
            "Update User Attributes",
            "Deactivate Users",
            "Retry Selected",
        ] {
            assert!(create.contains(fact), "create-users-disabled: {fact}");
        }
        assert!(steps("license-limit-exceeded").contains("Retry Selected"));
    }

    #[test]
    fn unless_keeps_a_look_alike_off_the_rule() {
        let t = builtin();
        let id = |text: &str| t.match_text(&fold(text), None).map(|i| t.rules()[i].id.clone());
        // An MFA prompt relayed through the credentials check is MFA, not a wrong password.
        let mfa = "Could not validate your Office 365 credentials, received error: 400 AADSTS50079: you must enroll in multi-factor authentication";
        assert_eq!(id(mfa).as_deref(), Some("conditional-access-blocks-sync"));
        let creds = "Could not validate your Office 365 credentials, received error: 400 AADSTS50126: Error validating credentials due to invalid username or password.";
        assert_eq!(id(creds).as_deref(), Some("invalid-credentials"));
        let i = t
            .ids()
            .iter()
            .position(|r| *r == "invalid-credentials")
            .expect("rule");
        assert_eq!(t.matched_text(i, mfa), None);
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
    fn check_file_reports_every_problem_including_examples_that_miss() {
        let text = r#"{"version":1,"rules":[
            {"id":"a","title":"t","summary":"s","patterns":["alpha"],"remediation":["r"],
             "examples":{"match":["alpha","beta"],"no_match":["alpha two"]}},
            {"id":"b","title":"","summary":"s","patterns":["("],"remediation":["r"]}]}"#;
        let (n, problems) = check_file(text);
        assert_eq!(n, 2);
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(
            shown[0].starts_with("rule 'b' (rule 2 in the file), field 'title'"),
            "{shown:?}"
        );
        assert!(
            shown[1].contains("field 'patterns[0]'") && shown[1].contains("regex"),
            "{shown:?}"
        );
        // Once the fields are sound, the examples are checked.
        let text = text
            .replace(r#""title":"""#, r#""title":"t""#)
            .replace(r#"["("]"#, r#"["gamma"]"#);
        let shown: Vec<String> = check_file(&text).1.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "rule 'a' (rule 1 in the file), field 'examples.match[1]': \"beta\" does not land on this rule: no pattern of the rule matches it",
                "rule 'a' (rule 1 in the file), field 'examples.no_match[0]': \"alpha two\" matches this rule, and must not",
            ]
        );
    }

    #[test]
    fn kebab_check_rejects_other_shapes() {
        for bad in ["", "Bad", "a--b", "-a", "a-", "a_b", "a b"] {
            assert!(!is_kebab(bad), "{bad}");
        }
        assert!(is_kebab("api-rate-limit-exceeded2"));
    }

    #[test]
    fn the_built_in_table_compiles_when_first_needed() {
        let table = RuleTable::load(None).expect("the built-in table loads");
        assert!(table.sets.get().is_none(), "compiled before it was needed");
        assert!(table.sets().is_some(), "the built-in patterns compile");
        let lle = table.classify(&Finding {
            reason: Some("License Limit Exceeded".into()),
            ..Finding::default()
        });
        assert!(lle.is_some_and(|i| table.rules()[i].id.contains("licen")));
    }

    #[test]
    fn word_boundaries_become_ascii_ones_and_nothing_else_changes() {
        assert_eq!(
            ascii_word_boundaries(r"\btoken\b \\b [\d\]] \Bx \b{start}y\b{end} z\"),
            r"(?-u:\b)token(?-u:\b) \\b [\d\]] (?-u:\B)x (?-u:\b{start})y(?-u:\b{end}) z\"
        );
        // Each form compiles, and a name with a non-ASCII letter beside the words costs no match.
        for p in [r"\btoken\b", r"\b{start}token\b{end}", r"\Boken\b"] {
            let re = regex::Regex::new(&ascii_word_boundaries(p)).expect("compiles");
            assert!(re.is_match("Zoë Müller: invalid token"), "{p}");
        }
    }

    #[test]
    fn the_set_matches_ascii_patterns_in_ascii_mode_and_others_as_written() {
        let patterns = [
            r"\blicense limit exceeded\b",
            r"\battribute\b.{0,10}\bdoes not exist\b",
            r"lizenzlimit überschritten",
            r"\bnom \p{Lu}\p{Ll}+ invalide\b",
        ];
        let matching = |compiled: &Compiled, text: &str| compiled.matching_rules(text).collect::<Vec<_>>();
        // The last pattern cannot be read in ASCII mode: the whole set is then compiled as written.
        for n in [3, 4] {
            let c = Compiled::new(patterns.iter().copied().take(n).enumerate()).expect("compiles");
            assert_eq!(
                matching(&c, "Error: LICENSE LIMIT EXCEEDED."),
                [0],
                "{n} patterns"
            );
            assert_eq!(matching(&c, "Attribute Zoë does not exist"), [1], "{n} patterns");
            assert_eq!(matching(&c, "attribute x does not existent"), [] as [usize; 0]);
            assert_eq!(matching(&c, "LIZENZLIMIT ÜBERSCHRITTEN"), [2], "{n} patterns");
        }
        let c = Compiled::new(patterns.iter().copied().enumerate()).expect("compiles");
        assert_eq!(matching(&c, "nom Éric invalide"), [3]);
    }

    #[test]
    fn fold_collapses_spacing_and_apostrophes() {
        assert_eq!(fold("  a \t b\u{a0}\u{a0}c ’ "), "a b c '");
    }

    #[test]
    fn the_matched_words_of_a_line_can_be_told() {
        let t = builtin();
        let lle = t
            .ids()
            .iter()
            .position(|id| *id == "license-limit-exceeded")
            .expect("rule");
        let words = t.matched_text(lle, "Quentin:  LICENSE_LIMIT_EXCEEDED: License Limit Exceeded");
        assert_eq!(words.as_deref(), Some("LICENSE_LIMIT_EXCEEDED"));
        assert_eq!(t.matched_text(lle, "nothing here"), None);
    }

    #[test]
    fn event_type_alone_selects_a_rule() {
        let t = builtin();
        let i = t.match_text("", Some("application.integration.authentication_failure"));
        assert_eq!(i.map(|i| t.rules()[i].id.as_str()), Some("invalid-credentials"));
        assert_eq!(t.match_text("", Some("application.provision.user.push")), None);
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
}
