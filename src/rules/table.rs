//! The rule table: user rules first, then the built-in ones, loaded and checked once, and asked one
//! question by every stage above: the cause of a failure.

use anyhow::{bail, Context, Result};
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use super::matcher::{Matcher, Weight};
use super::schema::{builtin_text, Fallbacks, OperationSteps, RetiredId, Rule};
use super::validate::{self, Problem};
use crate::record::Finding;

/// The rule table: user rules first, then the built-in ones, their patterns in one set (and the `unless`
/// patterns in another).
pub struct RuleTable {
    rules: Vec<Rule>,
    retired: Vec<RetiredId>,
    fallbacks: Fallbacks,
    contexts: Vec<OperationSteps>,
    /// How many of `rules`, at the start, came from a user's `--rules` file: they are tried on every layer
    /// of a message before any built-in rule is.
    user_rules: usize,
    /// The matcher, compiled when the first failure is matched: the built-in table's takes ~5 ms, which
    /// `explain`, `rules` and runs without a failure never spend. (Compiling it on a thread of its own
    /// as a run starts saved no time on 2 cores and left 2 MiB more at the peak, in that thread's malloc
    /// arena.) A user's table is compiled at once, so that its problems are told before anything is read.
    matcher: OnceLock<Result<Matcher, String>>,
}

impl RuleTable {
    /// The built-in table, preceded by the rules of `extra` if given. A user rule whose id is a built-in
    /// id replaces the built-in one.
    pub fn load(extra: Option<&Path>) -> Result<Self> {
        let mut rules = Vec::new();
        let mut user_rules = 0;
        let mut fallbacks = Fallbacks::default();
        let mut contexts = Vec::new();
        if let Some(path) = extra {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read rules file {}", path.display()))?;
            let file = validate::parse(&text, true)
                .with_context(|| format!("invalid rules file {}", path.display()))?;
            rules = file.rules;
            user_rules = rules.len();
            fallbacks = file.fallbacks;
            contexts = file.contexts;
        }
        let builtin = parse_builtin().context("invalid built-in rule table")?;
        for rule in builtin.rules {
            if !rules.iter().any(|r: &Rule| r.id == rule.id) {
                rules.push(rule);
            }
        }
        // A user's fallbacks and contexts are looked at before the built-in ones.
        fallbacks.scim_types.extend(builtin.fallbacks.scim_types);
        fallbacks.statuses.extend(builtin.fallbacks.statuses);
        fallbacks.operations.extend(builtin.fallbacks.operations);
        contexts.extend(builtin.contexts);
        let Some(path) = extra else {
            // The built-in table alone: it compiles (a unit test says so), when first needed.
            return Ok(Self {
                rules,
                retired: builtin.retired,
                fallbacks,
                contexts,
                user_rules,
                matcher: OnceLock::new(),
            });
        };
        let mut table = Self::compile(rules, builtin.retired)?;
        table.fallbacks = fallbacks;
        table.contexts = contexts;
        table.user_rules = user_rules;
        if let Some(p) = table.example_problems(false).first() {
            bail!("invalid rules file {}: {p}", path.display());
        }
        Ok(table)
    }

    /// Compiles rules already validated one by one, keeping the file's retired ids.
    pub fn compile(rules: Vec<Rule>, retired: Vec<RetiredId>) -> Result<Self> {
        let matcher = Matcher::new(&rules)?;
        matcher.check_cues(&rules)?;
        Ok(Self {
            rules,
            retired,
            fallbacks: Fallbacks::default(),
            contexts: Vec::new(),
            user_rules: 0,
            matcher: OnceLock::from(Ok(matcher)),
        })
    }

    /// The compiled matcher; `None` only if it could not be compiled, which `load` and `compile` rule out
    /// for a user's table, and a unit test for the built-in one.
    fn matcher(&self) -> Option<&Matcher> {
        self.matcher
            .get_or_init(|| Matcher::new(&self.rules).map_err(|e| format!("{e:#}")))
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

    /// The fallbacks: causes of a SCIM type or a status no rule's words explain.
    pub fn fallbacks(&self) -> &Fallbacks {
        &self.fallbacks
    }

    /// Every operation's added steps.
    pub fn contexts(&self) -> &[OperationSteps] {
        &self.contexts
    }

    /// The steps the operations named add to a remediation, in table order, each step once.
    pub fn context_steps<'a>(
        &'a self,
        operations: &'a [&str],
    ) -> impl Iterator<Item = &'a OperationSteps> + 'a {
        self.contexts
            .iter()
            .filter(move |c| operations.contains(&c.operation.as_str()))
    }

    /// How many rules, first in the table, a user's `--rules` file gave.
    pub fn user_rules(&self) -> usize {
        self.user_rules
    }

    /// The place of rule `id` in the table.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.id == id)
    }

    /// The first rule that names `event_type`.
    pub fn by_event_type(&self, event_type: &str) -> Option<usize> {
        self.rules
            .iter()
            .position(|r| r.event_types.iter().any(|e| e.eq_ignore_ascii_case(event_type)))
    }

    /// The first rule in table order that matches `text` (already folded), and that none of its `unless`
    /// patterns rules out, with where in `text` its words are.
    pub fn match_text(&self, text: &str) -> Option<(usize, Option<Range<usize>>)> {
        self.matcher()?.first(&self.rules, text)
    }

    /// What the cues found in `text` (already folded) weigh for each rule, heaviest first.
    pub(crate) fn weigh(&self, text: &str) -> Vec<Weight> {
        self.matcher()
            .map(|m| m.weigh(&self.rules, text))
            .unwrap_or_default()
    }

    /// The words of `text` (already folded) that the cues of `w` found, each once.
    pub(crate) fn cue_words(&self, w: &Weight, text: &str) -> Vec<String> {
        self.matcher()
            .map(|m| m.cue_words(&self.rules, w, text))
            .unwrap_or_default()
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn ids(&self) -> Vec<&str> {
        self.rules.iter().map(|r| r.id.as_str()).collect()
    }

    /// The cause of a failure, as the index of its rule, read layer by layer (`diagnose`, the one question
    /// the stages above ask of the rules).
    pub fn classify(&self, finding: &Finding) -> Option<usize> {
        self.diagnose(finding.reason.as_deref(), finding.event_type.as_deref())
            .cause
    }

    /// Whether one of rule `rule`'s `unless` patterns rules it out for `text` (already folded).
    pub(crate) fn ruled_out(&self, rule: usize, text: &str) -> bool {
        self.matcher().is_some_and(|m| m.vetoes(rule, text))
    }

    /// Where in `text` rule `rule` matched first, if it did and none of its `unless` patterns rules it
    /// out. `text` is taken as it is: fold it first to match as a layer of `diagnose` is.
    pub fn found(&self, rule: usize, text: &str) -> Option<Range<usize>> {
        self.matcher()?.found(rule, text)
    }

    /// The rule a message lands on by its words (not by a fallback).
    fn by_rule(&self, message: &str) -> Option<usize> {
        let d = self.diagnose(Some(message), None);
        d.cause.filter(|_| {
            d.why.is_some_and(|w| {
                w.layer == crate::record::Layer::Rule && w.confidence == crate::record::Confidence::Certain
            })
        })
    }

    /// Every example that does not land where it says, one problem each: a `match` example lands on its
    /// rule first in the table (with `first_only`) or at least matches it on a layer it is read by (a
    /// user's rule may be shadowed by an earlier one on purpose); a `no_match` example does not land on it.
    pub fn example_problems(&self, first_only: bool) -> Vec<Problem> {
        let mut out = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            for (k, ex) in rule.examples.matching.iter().enumerate() {
                // Read as a user's message is, layer by layer; an example is the rule's words, so it must land
                // by a rule, not by a status or SCIM type the fallbacks know.
                let landed = self.by_rule(ex);
                let ok = if first_only {
                    landed == Some(i)
                } else {
                    self.matches_a_layer(i, ex)
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
                if self.by_rule(ex) == Some(i) {
                    out.push(Problem::field(
                        i,
                        &rule.id,
                        format!("examples.no_match[{k}]"),
                        format!("{ex:?} lands on this rule, and must not"),
                    ));
                }
            }
        }
        out
    }
}

/// The built-in table, read as every run reads it: validated but for compiling each pattern on its own.
pub(crate) fn parse_builtin() -> Result<super::schema::RuleFile> {
    validate::parse(builtin_text(), false)
}

/// Every problem of a rules file, for `provdiag rules test`: its structure, each rule's fields and
/// patterns, and whether each example lands on its rule among the file's own rules.
pub fn check_file(text: &str) -> (usize, Vec<Problem>) {
    let file = match validate::read_rule_file(text) {
        Ok(file) => file,
        Err(p) => return (0, vec![p]),
    };
    let n = file.rules.len();
    let mut problems = validate::problems(&file, true);
    if problems.is_empty() {
        match RuleTable::compile(file.rules, file.retired) {
            Ok(table) => problems.extend(table.example_problems(true)),
            Err(e) => problems.push(Problem::file(format!("{e:#}"))),
        }
    }
    (n, problems)
}

/// `rules test`'s warnings about a rules file that is sound but may still do harm (none for a file that
/// does not parse: its problems say why): a built-in id it replaces, a placeholder printed as written, and a
/// rule that would take a built-in cause's failures, found by reading each built-in example as a failure's
/// message is read (a `--rules` file's rules are checked first, on every layer).
pub fn warnings(text: &str) -> Vec<String> {
    let Ok(file) = validate::read_rule_file(text) else {
        return Vec::new();
    };
    let Ok(builtin) = parse_builtin() else {
        return Vec::new();
    };
    let mut out = validate::warnings(&file, &builtin);
    let Ok(table) = RuleTable::compile(file.rules, file.retired) else {
        return out;
    };
    for rule in &builtin.rules {
        for example in &rule.examples.matching {
            let Some(taker) = table.by_rule(example).map(|i| &table.rules[i]) else {
                continue;
            };
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
    out
}

/// The first 60 characters of a text, and an ellipsis if there were more.
fn short(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::validate::{is_https, is_kebab, FIX_PREFIXES};
    use crate::text::fold;

    fn builtin() -> RuleTable {
        RuleTable::load(None).expect("built-in table loads")
    }

    /// The words of `text` (folded) that rule `rule` matched.
    fn matched_text(t: &RuleTable, rule: usize, text: &str) -> Option<String> {
        let folded = fold(text);
        t.found(rule, &folded).map(|r| folded[r].to_owned())
    }

    fn cause_of(t: &RuleTable, text: &str) -> Option<String> {
        let f = Finding {
            reason: Some(text.into()),
            ..Finding::default()
        };
        t.classify(&f).map(|i| t.rules()[i].id.clone())
    }

    #[test]
    fn every_example_lands_on_its_own_rule() {
        let problems = builtin().example_problems(true);
        assert!(problems.is_empty(), "{problems:?}");
        // With a user's `--rules` file a rule may be shadowed by one of theirs, so each built-in example need
        // only match its rule on a layer it is read by. That check must hold too, or every such file would be
        // refused.
        let problems = builtin().example_problems(false);
        assert!(problems.is_empty(), "{problems:?}");
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
        let file = validate::parse(builtin_text(), true).expect("built-in table parses");
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
        let (n, problems) = check_file(builtin_text());
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
        let id = |text: &str| cause_of(&t, text);
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
        assert_eq!(matched_text(&t, i, mfa), None);
    }

    #[test]
    fn a_seed_cause_keeps_off_the_words_of_its_look_alikes() {
        let t = builtin();
        let id = |text: &str| cause_of(&t, text);
        // The same sentence shapes as the seed causes' messages, about something else: an agent's own sign-in,
        // a person's reset or invitation token, a limit on a group rather than on seats. Without the rules'
        // `unless` each of these lands on a seed cause.
        for (text, seed) in [
            (
                "Active Directory agent authentication failed",
                "invalid-credentials",
            ),
            ("Password reset token has expired", "invalid-credentials"),
            ("The invitation token is invalid", "invalid-credentials"),
            ("Group member limit exceeded", "license-limit-exceeded"),
            ("Maximum number of groups reached", "license-limit-exceeded"),
            ("A user can belong to at most 50 groups", "license-limit-exceeded"),
            (
                "Maximum number of members in group exceeded",
                "license-limit-exceeded",
            ),
            (
                "You have exceeded your daily request quota",
                "license-limit-exceeded",
            ),
            ("The product license has expired", "license-limit-exceeded"),
            // Quoted from the eighth search's sources (docs/diagnosis.md): a lapsed trial, a password push,
            // a directory's object quota, a sign-in that is no provisioning, a provider that is no user.
            (
                "simple_salesforce.exceptions.SalesforceAuthenticationFailed: Authentication failed (code: API_CURRENTLY_DISABLED): Your trial has expired.",
                "invalid-credentials",
            ),
            ("Update of credentials failed", "invalid-credentials"),
            (
                "AzureActiveDirectoryQuotaLimitExceeded",
                "license-limit-exceeded",
            ),
            (
                "Rich client authentication failed: Could not find ${app_name} user matching username ${username}",
                "invalid-credentials",
            ),
            ("No matching provider found", "create-users-disabled"),
            // The app's own provisioning switched off is not Okta's Create Users: only a user the app
            // did not find, and may not create, is.
            (
                "Auto-provisioning is disabled for this organization",
                "create-users-disabled",
            ),
            // A licence for a feature (SCIM, SSO, the API) is the integration's, not a seat.
            (
                "Please purchase a license to use SCIM provisioning",
                "license-limit-exceeded",
            ),
        ] {
            assert_ne!(id(text).as_deref(), Some(seed), "{text}");
        }
        // What they are kept apart from still lands.
        for (text, seed) in [
            ("Authentication failed", "invalid-credentials"),
            ("The access token has expired", "invalid-credentials"),
            // The account Okta signs in with, locked: not the user being provisioned.
            ("The integration's API user is locked", "invalid-credentials"),
            ("API user does not exist", "invalid-credentials"),
            (
                "Team is already full. The free team member limit has been reached.",
                "license-limit-exceeded",
            ),
            (
                "There aren't enough available licenses for the specified product-SKU pair",
                "license-limit-exceeded",
            ),
            ("User creation was disabled.", "create-users-disabled"),
            (
                "JIT user provisioning is disabled for this connection",
                "create-users-disabled",
            ),
        ] {
            assert_eq!(id(text).as_deref(), Some(seed), "{text}");
        }
    }

    #[test]
    fn a_cue_must_compile_and_weigh_one_to_three() {
        let text = r#"{"version":1,"rules":[
            {"id":"a","title":"t","summary":"s","patterns":["alpha"],"remediation":["r"],
             "cues":{"(":1,"beta":4}}]}"#;
        let shown: Vec<String> = check_file(text).1.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(
            shown
                .iter()
                .any(|s| s.contains("field 'cues'") && s.contains("weighs 4")),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|s| s.contains("field 'cues[0]'") && s.contains("regex")),
            "{shown:?}"
        );
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
                "rule 'a' (rule 1 in the file), field 'examples.no_match[0]': \"alpha two\" lands on this rule, and must not",
            ]
        );
    }

    #[test]
    fn an_example_is_checked_on_the_layers_a_message_is_read_by() {
        // A pattern anchored to the app's reason holds on a wrapped example whether the rule comes first or a
        // user's rule may shadow it: both checks read the example layer by layer, as a failure is read.
        let text = r#"{"version":1,"rules":[
            {"id":"a","title":"t","summary":"s","patterns":["^\\W*gizmo is off\\W*$"],"remediation":["r"],
             "examples":{"match":["Automatic provisioning of user jane to app Acme failed: Error while creating user jane: Errors reported by remote server: Gizmo is off."]}}]}"#;
        assert!(check_file(text).1.is_empty(), "{:?}", check_file(text).1);
        let file = validate::read_rule_file(text).expect("a sound file");
        let table = RuleTable::compile(file.rules, file.retired).expect("compiles");
        let shadowable = table.example_problems(false);
        assert!(shadowable.is_empty(), "{shadowable:?}");
        // A layer must be the phrase, not merely hold it.
        assert!(!table.matches_a_layer(0, "Errors reported by remote server: the gizmo is off today"));
        assert!(table.matches_a_layer(0, "Errors reported by remote server: Gizmo is off"));
    }

    #[test]
    fn the_built_in_table_compiles_when_first_needed() {
        let table = RuleTable::load(None).expect("the built-in table loads");
        assert!(table.matcher.get().is_none(), "compiled before it was needed");
        let matcher = table.matcher().expect("the built-in patterns compile");
        assert!(
            !matcher.cues_compiled(),
            "the cues compiled before a message needed them"
        );
        matcher
            .check_cues(table.rules())
            .expect("the built-in cues compile");
        let lle = table.classify(&Finding {
            reason: Some("License Limit Exceeded".into()),
            ..Finding::default()
        });
        assert!(lle.is_some_and(|i| table.rules()[i].id.contains("licen")));
    }

    #[test]
    fn the_matched_words_of_a_line_can_be_told() {
        let t = builtin();
        let lle = t
            .ids()
            .iter()
            .position(|id| *id == "license-limit-exceeded")
            .expect("rule");
        let words = matched_text(
            &t,
            lle,
            "Quentin:  LICENSE_LIMIT_EXCEEDED: License Limit Exceeded",
        );
        assert_eq!(words.as_deref(), Some("LICENSE_LIMIT_EXCEEDED"));
        assert_eq!(matched_text(&t, lle, "nothing here"), None);
    }

    #[test]
    fn event_type_alone_selects_a_rule() {
        let t = builtin();
        let typed = |t: &RuleTable, ty: &str| {
            t.classify(&Finding {
                event_type: Some(ty.into()),
                ..Finding::default()
            })
        };
        let i = typed(&t, "application.integration.authentication_failure");
        assert_eq!(i.map(|i| t.rules()[i].id.as_str()), Some("invalid-credentials"));
        assert_eq!(typed(&t, "application.provision.user.push"), None);
    }

    #[test]
    fn a_sound_narrow_rule_and_the_built_in_table_get_no_warning() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/rules-extra.json"))
            .expect("fixture");
        assert_eq!(warnings(&text), Vec::<String>::new());
        assert_eq!(warnings(builtin_text()), Vec::<String>::new());
    }

    #[test]
    fn a_catch_all_is_warned_about_once_per_built_in_cause() {
        let greedy = warnings(
            r#"{"version": 1, "rules": [{"id": "anything", "title": "t", "summary": "s", "patterns": [".*"],
                "remediation": ["r"]}]}"#,
        );
        let with_examples = parse_builtin()
            .expect("built-in")
            .rules
            .iter()
            .filter(|r| !r.examples.matching.is_empty())
            .count();
        let taken = greedy
            .iter()
            .filter(|w| w.contains("rule 'anything' matches an example of the built-in cause"))
            .count();
        assert_eq!(
            (taken, greedy.len()),
            (with_examples, with_examples),
            "{greedy:?}"
        );
        // A rule on the app's own words takes a wrapped message too: it is read layer by layer.
        let narrow = warnings(
            r#"{"version": 1, "rules": [{"id": "seats-gone", "title": "t", "summary": "s",
                "patterns": ["license limit exceeded"], "remediation": ["r"]}]}"#,
        );
        assert!(
            narrow
                .iter()
                .any(|w| w.contains("built-in cause 'license-limit-exceeded'")),
            "{narrow:?}"
        );
    }
}
