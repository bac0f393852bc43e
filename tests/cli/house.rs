//! The house, checked: every file under `src/` is read, the imports between files are collected from the
//! `crate::…`, `super::…` and child-module paths they name, and the graph must have no loop and no import
//! that runs up a floor. This is how "two files that import each other want a third" stays true.
//!
//! The floors, bottom to top (a file may import its own floor and the floors below it):
//!
//! 0. `text`, `when`, `okta`: what words and times mean, with no I/O
//! 1. `record`: the records every reader yields, and the keys workers make of them
//! 2. `input`: open, split, decode
//! 3. `rules`: the rule table and its matcher
//! 4. `redact`: pseudonyms, applied once a failure is matched
//! 5. `group`: accounting, duplicates, resolution, incidents and apps
//! 6. `state`: the `--state` file (a pull's cursor, the failures still open, the acknowledgements) and the
//!    fold of a run into it
//! 7. `report`: one writer per output format
//! 8. `fail_on`: which failures make the exit code 1, and the exit code
//! 9. `verdict`: `--fail-on`, `--include-resolved` and the carried state, applied to a finished run
//! 10. `pipeline`: the one driver, for files and API pages alike, and its options
//! 11. `cli`, `man`: the command line's types (data every command reads), and its manual page
//! 12. `signal`: the one Ctrl-C/SIGTERM handler, which `-o` and `pull` both use
//! 13. `pull`: the `pull` command
//! 14. `output`, `lib`: `run()`, the only place that knows every stage
//!
//! Test code (`#[cfg(test)] mod …`) is left out: a unit test may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const FLOORS: &[&[&str]] = &[
    &["text", "when", "okta"],
    &["record"],
    &["input"],
    &["rules"],
    &["redact"],
    &["group"],
    &["state"],
    &["report"],
    &["fail_on"],
    &["verdict"],
    &["pipeline"],
    &["cli", "man"],
    &["signal"],
    &["pull"],
    &["output", ""],
];

/// A module path (`["input", "csv"]`) for each file, and the file for each module path.
struct Files {
    by_module: BTreeMap<Vec<String>, PathBuf>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/input/csv.rs` is `["input", "csv"]`; `src/input/mod.rs` is `["input"]`; `src/lib.rs` is `[]`.
fn module_of(src: &Path, file: &Path) -> Option<Vec<String>> {
    let rel = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    match parts.last().map(String::as_str) {
        Some("main") if parts.len() == 1 => return None,
        Some("lib") if parts.len() == 1 => parts.clear(),
        Some("mod") => {
            parts.pop();
        }
        _ => {}
    }
    Some(parts)
}

/// The file's code without comments and without its test modules.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed == "#[cfg(test)]" && lines.peek().is_some_and(|next| next.contains("mod ")) {
            break;
        }
        let code = match line.find("//") {
            // A `//` inside a string (a URL) cuts the string short, which only drops text.
            Some(at) => &line[..at],
            None => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// `a::{b, c::{d, self}}` spelled out: `a::b`, `a::c::d`, `a::c`.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else {
        return vec![tree];
    };
    let (prefix, rest) = tree.split_at(open);
    let inner = &rest[1..rest.len().saturating_sub(1)];
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    let prefix = prefix.trim_end_matches("::");
    items
        .into_iter()
        .filter(|i| !i.is_empty())
        .flat_map(|item| {
            expand(item).into_iter().map(move |e| match e.as_str() {
                "self" => prefix.to_owned(),
                _ => format!("{prefix}::{e}"),
            })
        })
        .collect()
}

/// Every path the code names that starts at `crate`, `super`, `self` or one of its child modules.
fn paths(code: &str, children: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let uses = regex::Regex::new(r"(?s)\buse\s+([^;]+);").expect("regex");
    for m in uses.captures_iter(code) {
        out.extend(expand(&m[1]));
    }
    let inline = regex::Regex::new(r"(?:^|[^:\w])((?:crate|super|self|[a-z_][a-z0-9_]*)(?:::[A-Za-z_]\w*)+)")
        .expect("regex");
    let without_uses = uses.replace_all(code, "");
    for m in inline.captures_iter(&without_uses) {
        out.push(m[1].to_owned());
    }
    out.retain(|p| {
        let first = p.split("::").next().unwrap_or("");
        matches!(first, "crate" | "super" | "self") || children.iter().any(|c| c == first)
    });
    out
}

impl Files {
    /// The file a path from module `from` lands in: the deepest module it names.
    fn resolve(&self, from: &[String], path: &str) -> Option<&PathBuf> {
        let mut segments = path.split("::");
        let mut module: Vec<String> = match segments.next()? {
            "crate" => Vec::new(),
            "self" => from.to_vec(),
            "super" => {
                let mut m = from.to_vec();
                m.pop();
                m
            }
            child => {
                let mut m = from.to_vec();
                m.push(child.to_owned());
                m
            }
        };
        for s in segments {
            if s == "super" {
                module.pop();
                continue;
            }
            let mut deeper = module.clone();
            deeper.push(s.to_owned());
            if !self.by_module.contains_key(&deeper) {
                break;
            }
            module = deeper;
        }
        self.by_module.get(&module)
    }
}

/// The import graph of `src/`: for each file, the files it imports.
fn graph(src: &Path) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: Vec<(PathBuf, Vec<String>)> = files
        .iter()
        .filter_map(|f| module_of(src, f).map(|m| (f.clone(), m)))
        .collect();
    let index = Files {
        by_module: modules.iter().map(|(f, m)| (m.clone(), f.clone())).collect(),
    };
    let declared =
        regex::Regex::new(r"(?m)^\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+([a-z_0-9]+)\s*;").expect("regex");
    let mut out = BTreeMap::new();
    for (file, module) in &modules {
        let text = std::fs::read_to_string(file).expect("a source file is readable");
        let code = code_of(&text);
        let children: Vec<String> = declared.captures_iter(&code).map(|c| c[1].to_owned()).collect();
        let edges: BTreeSet<PathBuf> = paths(&code, &children)
            .iter()
            .filter_map(|p| index.resolve(module, p))
            .filter(|to| *to != file)
            .cloned()
            .collect();
        out.insert(file.clone(), edges);
    }
    out
}

fn floor(src: &Path, file: &Path) -> usize {
    let first = module_of(src, file)
        .and_then(|m| m.first().cloned())
        .unwrap_or_default();
    FLOORS
        .iter()
        .position(|names| names.contains(&first.as_str()))
        .unwrap_or_else(|| panic!("{} has no floor: give it one in FLOORS", file.display()))
}

/// The loops of the graph, each once, as the files along it.
fn loops(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    // Tarjan's strongly connected components: a component of more than one file is a loop.
    struct State<'g> {
        graph: &'g BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: BTreeMap<&'g PathBuf, usize>,
        low: BTreeMap<&'g PathBuf, usize>,
        stack: Vec<&'g PathBuf>,
        on_stack: BTreeSet<&'g PathBuf>,
        found: Vec<Vec<PathBuf>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g PathBuf) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let Some((w, _)) = s.graph.get_key_value(w) else {
                continue;
            };
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.found
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_two_files_import_each_other_in_a_loop() {
    let src = src();
    let found = loops(&graph(&src));
    let shown: Vec<String> = found
        .iter()
        .map(|files| {
            let names: Vec<String> = files
                .iter()
                .map(|f| f.strip_prefix(&src).unwrap_or(f).display().to_string())
                .collect();
            names.join(" ⇄ ")
        })
        .collect();
    assert!(shown.is_empty(), "import loops:\n{}", shown.join("\n"));
}

#[test]
fn no_file_imports_one_on_a_higher_floor() {
    let src = src();
    let mut up = Vec::new();
    for (from, to) in graph(&src) {
        for to in to {
            if floor(&src, &to) > floor(&src, &from) {
                up.push(format!(
                    "{} → {}",
                    from.strip_prefix(&src).unwrap_or(&from).display(),
                    to.strip_prefix(&src).unwrap_or(&to).display()
                ));
            }
        }
    }
    assert!(up.is_empty(), "imports that run up a floor:\n{}", up.join("\n"));
}

/// The check itself: a graph with a loop and an upward import is caught, so a passing run means something.
#[test]
fn the_check_sees_a_loop_and_an_upward_import() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let src = dir.path();
    std::fs::create_dir_all(src.join("input")).expect("mkdir");
    let write = |path: &str, text: &str| std::fs::write(src.join(path), text).expect("write");
    write("lib.rs", "pub mod input;\npub mod record;\npub mod rules;\n");
    write("input/mod.rs", "mod csv;\nuse csv::read;\npub struct Sink;\n");
    write(
        "input/csv.rs",
        "use super::{Sink, other::{self}};\nfn f() { crate::rules::x(); }\n",
    );
    write(
        "record.rs",
        "// use crate::rules::Table; only a comment\npub struct R;\n",
    );
    write(
        "rules.rs",
        "use crate::record::R;\n#[cfg(test)]\nmod tests {\n    use crate::input::Sink;\n}\n",
    );
    let g = graph(src);
    let rel = |p: &str| src.join(p);
    assert_eq!(loops(&g), vec![vec![rel("input/csv.rs"), rel("input/mod.rs")]]);
    assert_eq!(
        g[&rel("input/csv.rs")],
        [rel("input/mod.rs"), rel("rules.rs")].into()
    );
    assert!(g[&rel("record.rs")].is_empty(), "a comment is no import");
    assert_eq!(
        g[&rel("rules.rs")],
        [rel("record.rs")].into(),
        "test code is left out"
    );
    assert!(floor(src, &rel("input/csv.rs")) < floor(src, &rel("rules.rs")));
}
