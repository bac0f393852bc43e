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
//! Inside `input`, the same holds by stages, bottom to top (a file may import its own stage and the stages below
//! it; the rest of the crate reaches the stack only through `input/mod.rs`):
//!
//! 0. `reading`: what one reading is (its name, the workers, the limits)
//! 1. `split`: bytes to frames (lines, the JSON framer, CSV rows), knowing nothing of what the frames hold
//! 2. `decode`: a frame to records (JSON events and envelopes, the flat-row decoder, CSV rows, text lines)
//! 3. `sink`, `parallel`, `read`: where records go, the block runner, and the readers, each one splitter and
//!    one decoder (`read/*.rs` imports exactly one splitter of `split/` and at least one decoder)
//! 4. `open`: the one peeking opener (gzip, UTF-16, BOM, NUL, preamble, shape), which picks a reader
//! 5. `input/mod.rs`: what the rest of the crate calls
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

const INPUT_STAGES: &[&[&str]] = &[
    &["reading"],
    &["split"],
    &["decode"],
    &["sink", "parallel", "read"],
    &["open"],
    &[""],
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

/// The module under `input` a file is in (`split` for `input/split/lines.rs`, `""` for `input/mod.rs`), if
/// it is in `input`.
fn input_room(src: &Path, file: &Path) -> Option<String> {
    let module = module_of(src, file)?;
    (module.first().map(String::as_str) == Some("input")).then(|| module.get(1).cloned().unwrap_or_default())
}

fn input_stage(src: &Path, file: &Path) -> Option<usize> {
    let room = input_room(src, file)?;
    Some(
        INPUT_STAGES
            .iter()
            .position(|names| names.contains(&room.as_str()))
            .unwrap_or_else(|| panic!("{} has no stage: give it one in INPUT_STAGES", file.display())),
    )
}

fn shown(src: &Path, file: &Path) -> String {
    file.strip_prefix(src).unwrap_or(file).display().to_string()
}

/// What breaks the stages of `input`: an import from a stage up (split importing a decoder or a reader, a
/// decoder importing a reader, …), a file outside `input` importing past `input/mod.rs`, and a reader that
/// is not one splitter and a decoder.
fn input_violations(src: &Path, graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<String> {
    let mut found = Vec::new();
    let front = src.join("input").join("mod.rs");
    for (from, to) in graph {
        let from_stage = input_stage(src, from);
        for to in to {
            let Some(to_stage) = input_stage(src, to) else {
                continue;
            };
            match from_stage {
                Some(from_stage) if to_stage > from_stage => found.push(format!(
                    "{} → {}: up a stage of input/",
                    shown(src, from),
                    shown(src, to)
                )),
                None if *to != front => found.push(format!(
                    "{} → {}: past input/mod.rs",
                    shown(src, from),
                    shown(src, to)
                )),
                _ => {}
            }
        }
        let module = module_of(src, from).unwrap_or_default();
        let is_reader = module.len() == 3 && module[0] == "input" && module[1] == "read";
        if is_reader {
            let in_room = |room: &str| {
                graph[from]
                    .iter()
                    .filter(|to| {
                        let m = module_of(src, to).unwrap_or_default();
                        m.len() == 3 && m[0] == "input" && m[1] == room
                    })
                    .count()
            };
            let (splitters, decoders) = (in_room("split"), in_room("decode"));
            if splitters != 1 || decoders == 0 {
                found.push(format!(
                    "{}: a reader is one splitter and a decoder, not {splitters} splitters and {decoders} decoders",
                    shown(src, from)
                ));
            }
        }
    }
    found
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

#[test]
fn input_is_a_stack_of_splitters_decoders_and_readers() {
    let src = src();
    let graph = graph(&src);
    // The stack is there to be checked: a test that passes over an empty room means nothing.
    for room in ["split", "decode", "read", "open"] {
        assert!(
            graph.keys().any(|f| input_room(&src, f).as_deref() == Some(room)),
            "input/{room}/ has no file"
        );
    }
    let found = input_violations(&src, &graph);
    assert!(
        found.is_empty(),
        "input/ out of its stages:\n{}",
        found.join("\n")
    );
}

/// The stage check itself: a splitter importing a decoder, a decoder importing a reader, a reader with two
/// splitters and an import past `input/mod.rs` are each caught.
#[test]
fn the_stage_check_sees_each_way_out_of_the_stack() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let src = dir.path();
    for d in ["input/split", "input/decode", "input/read"] {
        std::fs::create_dir_all(src.join(d)).expect("mkdir");
    }
    let write = |path: &str, text: &str| std::fs::write(src.join(path), text).expect("write");
    write("lib.rs", "pub mod input;\npub mod pipeline;\n");
    write(
        "pipeline.rs",
        "use crate::input::split::lines::Lines;\nuse crate::input::Sink;\n",
    );
    write(
        "input/mod.rs",
        "mod decode;\nmod read;\nmod split;\npub struct Sink;\n",
    );
    write("input/split/mod.rs", "pub mod json;\npub mod lines;\n");
    write("input/split/lines.rs", "use crate::input::decode::json::parse;\n");
    write("input/split/json.rs", "use super::lines::Lines;\n");
    write("input/decode/mod.rs", "pub mod json;\n");
    write(
        "input/decode/json.rs",
        "pub fn parse() { crate::input::read::text::read(); }\n",
    );
    write("input/read/mod.rs", "pub mod text;\n");
    write(
        "input/read/text.rs",
        "use crate::input::split::{json::Framer, lines::Lines};\nuse crate::input::decode::json::parse;\n",
    );
    let mut found = input_violations(src, &graph(src));
    found.sort();
    assert_eq!(
        found,
        [
            "input/decode/json.rs → input/read/text.rs: up a stage of input/",
            "input/read/text.rs: a reader is one splitter and a decoder, not 2 splitters and 1 decoders",
            "input/split/lines.rs → input/decode/json.rs: up a stage of input/",
            "pipeline.rs → input/split/lines.rs: past input/mod.rs",
        ]
    );
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
