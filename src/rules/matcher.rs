//! The matcher: every rule's patterns compiled once into one set (and the `unless` patterns into another),
//! and the one decision it makes: which rule, in table order, a failure's folded text or event type lands on.

use anyhow::{Context, Result};
use regex_automata::{meta, nfa::thompson::WhichCaptures, util::syntax, Input, MatchKind, PatternSet};
use std::ops::Range;
use std::sync::OnceLock;

use super::schema::Rule;

/// One set of patterns compiled once, with the rule each pattern belongs to.
struct Compiled {
    /// Every pattern in one automaton that tells which of them match. Built without a literal prefilter:
    /// for 151 case-insensitive patterns the prefilter took 25 ms of every run's start to build, and
    /// buys nothing on a message of a hundred bytes (0.5 µs a match either way).
    set: meta::Regex,
    /// For each pattern in `set`, the index of its rule.
    owner: Vec<usize>,
    /// Each pattern's text, and the pattern compiled on its own the first time the words it matched are asked
    /// for (a finding's evidence), and only when the set says it matched: compiled up front they took a third
    /// of the memory a run starts with, and a rule's every pattern compiled and run for each failure cost more
    /// than reading its event.
    text: Vec<String>,
    each: Vec<OnceLock<Option<regex::bytes::Regex>>>,
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
                        // No capture slots: the set only says which patterns match. With them the
                        // search cache kept two slots per pattern for every state of the automaton:
                        // 1.7 GB for the built-in patterns, allocated and zeroed at the first message
                        // of every run (2.3 s and 1.8 GB peak for one `-m`; now 0.3 s, 48 MB).
                        .which_captures(WhichCaptures::None)
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

    /// The patterns that match `text`, in order.
    fn matching(&self, text: &str) -> Vec<usize> {
        let mut found = PatternSet::new(self.set.pattern_len());
        if !self.owner.is_empty() {
            self.set.which_overlapping_matches(&Input::new(text), &mut found);
        }
        found.iter().map(|p| p.as_usize()).collect()
    }

    /// The rules of the patterns that match `text`, in pattern order (a rule may come more than once).
    fn matching_rules(&self, text: &str) -> impl Iterator<Item = usize> + '_ {
        self.matching(text).into_iter().map(|p| self.owner[p])
    }

    /// Where pattern `k` first matches `text`, widened to whole characters. The pattern is compiled on its
    /// own the first time, as the set reads it (ASCII case and classes): Unicode case folding and classes
    /// (`\w` above all) made each one take up to a millisecond to compile.
    fn find(&self, k: usize, text: &str) -> Option<Range<usize>> {
        let re = self.each[k]
            .get_or_init(|| {
                regex::bytes::RegexBuilder::new(&ascii_mode(&self.text[k]))
                    .case_insensitive(true)
                    .build()
                    .ok()
            })
            .as_ref()?;
        let m = re.find(text.as_bytes())?;
        let (mut start, mut end) = (m.start(), m.end());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        Some(start..end)
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

/// The non-ASCII letter a word boundary (`\b`) of `pattern` stands beside, if any (`\büye`,
/// `(?:ü|…)`, `größ\b`): `ascii_word_boundaries` makes every boundary an ASCII one for speed, and to it such a letter
/// is no word character, so the boundary between it and a space never holds. Read from the pattern's text:
/// an escaped backslash (`\\b`) is no boundary, and a group's opening or closing brackets are looked past.
pub(crate) fn boundary_beside_non_ascii(pattern: &str) -> Option<char> {
    let chars: Vec<char> = pattern.chars().collect();
    let letter = |c: Option<&char>| c.filter(|c| !c.is_ascii() && c.is_alphanumeric()).copied();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '\\' {
            i += 1;
            continue;
        }
        // `\B` beside such a letter always holds instead: wrong too, but rarer, and not what this names.
        if chars.get(i + 1) == Some(&'b') {
            let mut after = i + 2;
            while chars.get(after) == Some(&'(') {
                after += 1;
                if chars.get(after) == Some(&'?') && chars.get(after + 1) == Some(&':') {
                    after += 2;
                }
            }
            let mut before = i;
            while before > 0 && matches!(chars[before - 1], ')' | '?' | '*' | '+') {
                before -= 1;
            }
            let escaped = before >= 2 && chars[before - 2] == '\\';
            let previous = if before > 0 && !escaped {
                chars.get(before - 1)
            } else {
                None
            };
            if let Some(c) = letter(chars.get(after)).or_else(|| letter(previous)) {
                return Some(c);
            }
        }
        i += 2;
    }
    None
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

/// A table's patterns compiled.
pub(crate) struct Matcher {
    patterns: Compiled,
    unless: Compiled,
    /// Every rule's cues, compiled the first time a message that no phrase knows is weighed: most runs
    /// never weigh one, and the set took a third of the table's start.
    cues: OnceLock<Result<Cues, String>>,
}

/// The cues of every rule in one set, and each cue's weight.
struct Cues {
    set: Compiled,
    weight: Vec<u8>,
}

/// What the words of a text weigh for one rule, and the cues (their indices) that found them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Weight {
    pub(crate) rule: usize,
    pub(crate) weight: u32,
    pub(crate) cues: Vec<usize>,
}

impl Matcher {
    pub(crate) fn new(rules: &[Rule]) -> Result<Self> {
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
            cues: OnceLock::new(),
        })
    }

    /// The cues of `rules` (the rules this matcher was made from) compiled, or why they could not be.
    fn cue_set(&self, rules: &[Rule]) -> Result<&Cues, &str> {
        self.cues
            .get_or_init(|| {
                let cues = rules
                    .iter()
                    .enumerate()
                    .flat_map(|(i, r)| r.cues.iter().map(move |(p, w)| (i, p.as_str(), *w)));
                Ok(Cues {
                    set: Compiled::new(cues.clone().map(|(i, p, _)| (i, p))).map_err(|e| format!("{e:#}"))?,
                    weight: cues.map(|(_, _, w)| w).collect(),
                })
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// Whether something compiled the cues already.
    #[cfg(test)]
    pub(crate) fn cues_compiled(&self) -> bool {
        self.cues.get().is_some()
    }

    /// Compiles the cues now: a user's table says what is wrong with them when it is loaded, not when a
    /// message first needs them.
    pub(crate) fn check_cues(&self, rules: &[Rule]) -> Result<()> {
        self.cue_set(rules)
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// What the cues found in `text` (already folded) weigh for each rule that has any and that none of
    /// its `unless` patterns rules out, heaviest first (table order among equals).
    pub(crate) fn weigh(&self, rules: &[Rule], text: &str) -> Vec<Weight> {
        let vetoed = self.vetoed(rules.len(), text);
        let mut by_rule: Vec<Weight> = Vec::new();
        // The built-in cues compile (a unit test holds it) and a user's are compiled when loaded.
        let Ok(cues) = self.cue_set(rules) else {
            return Vec::new();
        };
        for k in cues.set.matching(text) {
            let rule = cues.set.owner[k];
            if vetoed[rule] {
                continue;
            }
            let at = match by_rule.iter().position(|w| w.rule == rule) {
                Some(at) => at,
                None => {
                    by_rule.push(Weight {
                        rule,
                        ..Weight::default()
                    });
                    by_rule.len() - 1
                }
            };
            by_rule[at].weight += u32::from(cues.weight[k]);
            by_rule[at].cues.push(k);
        }
        by_rule.sort_by(|a, b| b.weight.cmp(&a.weight).then(a.rule.cmp(&b.rule)));
        by_rule
    }

    /// The words of `text` (already folded) that the cues of `w` found, each once: words within words
    /// already told are not told again ("limit" in "member limit"). Asked only of the cause the words name.
    pub(crate) fn cue_words(&self, rules: &[Rule], w: &Weight, text: &str) -> Vec<String> {
        let mut words: Vec<String> = Vec::new();
        let Ok(cues) = self.cue_set(rules) else {
            return words;
        };
        for &k in &w.cues {
            let Some(found) = cues.set.find(k, text).and_then(|r| text.get(r)) else {
                continue;
            };
            let lower = found.to_ascii_lowercase();
            let told = |t: &String| t.to_ascii_lowercase().contains(&lower);
            if !lower.is_empty() && !words.iter().any(told) {
                words.retain(|t| !lower.contains(&t.to_ascii_lowercase()));
                words.push(found.to_owned());
            }
        }
        words
    }

    /// For each of `n` rules, whether one of its `unless` patterns matches `text` (already folded).
    fn vetoed(&self, n: usize, text: &str) -> Vec<bool> {
        let mut out = vec![false; n];
        for rule in self.unless.matching_rules(text) {
            out[rule] = true;
        }
        out
    }

    /// The first rule of `rules` in table order that matches `text` (already folded), and that none of its
    /// `unless` patterns rules out, with where its words are in `text` (the leftmost match of its patterns):
    /// each set is run once, and only the decided rule's matching patterns are compiled to find the words.
    pub(crate) fn first(&self, rules: &[Rule], text: &str) -> Option<(usize, Option<Range<usize>>)> {
        let vetoed = self.vetoed(rules.len(), text);
        let matching = self.patterns.matching(text);
        let rule = matching
            .iter()
            .map(|&k| self.patterns.owner[k])
            .filter(|&r| !vetoed[r])
            .min()?;
        Some((rule, self.leftmost(&matching, rule, text)))
    }

    /// Where in `text` rule `rule` of `n` matched first (the leftmost match of its patterns), if it did
    /// and none of its `unless` patterns rules it out.
    pub(crate) fn found(&self, rule: usize, text: &str) -> Option<Range<usize>> {
        if self.vetoes(rule, text) {
            return None;
        }
        self.leftmost(&self.patterns.matching(text), rule, text)
    }

    /// Whether one of rule `rule`'s `unless` patterns matches `text` (already folded).
    pub(crate) fn vetoes(&self, rule: usize, text: &str) -> bool {
        self.unless.matching_rules(text).any(|r| r == rule)
    }

    /// The leftmost match in `text` of the patterns of `matching` (the set's answer) that are `rule`'s.
    fn leftmost(&self, matching: &[usize], rule: usize, text: &str) -> Option<Range<usize>> {
        matching
            .iter()
            .filter(|&&k| self.patterns.owner[k] == rule)
            .filter_map(|&k| self.patterns.find(k, text))
            .min_by_key(|r| r.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_sets_search_with_little_memory() {
        // Each set answers only which patterns match. With capture slots, its search cache held two per
        // pattern for every state of the automaton: 1.7 GB for the patterns once a message was searched,
        // in every run that read one. Without them it is about 1 MB.
        let rules = crate::rules::table::parse_builtin()
            .expect("the built-in table parses")
            .rules;
        let m = Matcher::new(&rules).expect("the built-in table compiles");
        let cues = m.cue_set(&rules).expect("the built-in cues compile");
        for (name, set) in [
            ("patterns", &m.patterns),
            ("unless", &m.unless),
            ("cues", &cues.set),
        ] {
            let mut cache = set.set.create_cache();
            let mut found = PatternSet::new(set.set.pattern_len());
            let input =
                Input::new("automatic provisioning of user jane to app acme failed: seat limit reached");
            set.set
                .which_overlapping_matches_with(&mut cache, &input, &mut found);
            let cache = cache.memory_usage();
            assert!(cache < 64 << 20, "{name}: {cache} bytes");
        }
    }

    #[test]
    fn a_word_boundary_beside_a_non_ascii_letter_is_found_in_the_pattern_text() {
        for (pattern, letter) in [
            (r"\büye\b", Some('ü')),
            (r"\b(?:ülke|grup)", Some('ü')),
            (r"nhóm\b", None),
            (r"\bkênh\b|\bsièges?\b", None),
            (r"(?:lizenz|größe)\b", None),
            (r"größ)\b", Some('ß')),
            (r"\\bü", None),
            (r"ö?\b", Some('ö')),
        ] {
            assert_eq!(boundary_beside_non_ascii(pattern), letter, "{pattern}");
        }
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
    fn the_words_a_pattern_found_are_whole_characters() {
        // In ASCII mode `.` is a byte: three of them end inside the `ë`, and the words take all of it.
        let c = Compiled::new([(0, r"\battribute\b.{0,3}")].into_iter()).expect("compiles");
        let text = "Attribute Zë is read-only";
        let found = c.find(0, text).expect("matches");
        assert_eq!(&text[found], "Attribute Zë");
        assert_eq!(c.find(0, "no such words"), None);
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
}
