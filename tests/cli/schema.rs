//! The JSON contract: docs/report.schema.json is a valid draft 2020-12 schema, and every JSON and NDJSON
//! report the tests produce is checked against it, strictly (a field the schema does not name fails).

use super::{builtin_table, fixture, provdiag};
use jsonschema::Validator;
use serde_json::{json, Value};
use std::sync::LazyLock;

fn shipped() -> Value {
    let path = format!("{}/docs/report.schema.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is JSON: {e}"))
}

/// The shipped schema lets objects carry fields it does not name (fields are only ever added within a
/// version). The tests hold the reports to it strictly: every object that lists its properties gets
/// `additionalProperties: false`, so a field a writer adds without documenting it fails here.
fn strict(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for v in map.values_mut() {
                strict(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strict),
        _ => {}
    }
}

/// A validator for `#/$defs/{name}` of the schema, strict or as shipped.
fn validator(name: &str, is_strict: bool) -> Validator {
    let schema = shipped();
    let mut defs = schema["$defs"].clone();
    if is_strict {
        // NDJSON lines add `type` to a part through `$ref`; they are checked as shipped, and their parts
        // strictly with `type` taken off.
        defs.as_object_mut().map(|d| d.remove("ndjson_line"));
        strict(&mut defs);
    }
    let root = json!({
        "$schema": schema["$schema"],
        "$defs": defs,
        "$ref": format!("#/$defs/{name}"),
    });
    jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("the schema's {name} compiles: {e}"))
}

fn check(v: &Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not follow docs/report.schema.json:\n{}\n{instance}",
        errors.join("\n")
    );
}

static DOCUMENT: LazyLock<Validator> = LazyLock::new(|| validator("document", true));
static LINE: LazyLock<Validator> = LazyLock::new(|| validator("ndjson_line", false));
static PARTS: LazyLock<Vec<(&'static str, Validator)>> = LazyLock::new(|| {
    [
        "finding",
        "error",
        "resolution",
        "incident",
        "app",
        "unrecognized",
        "summary",
    ]
    .into_iter()
    .map(|name| (name, validator(name, true)))
    .collect()
});

/// Asserts that a `--format json` document follows the schema.
pub fn assert_valid_document(report: &Value) {
    check(&DOCUMENT, report, "the JSON report");
}

/// Asserts that every line of a `--format ndjson` report is a whole JSON object that follows the schema.
pub fn assert_valid_ndjson(text: &str) {
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "ends with a whole line: {text:?}"
    );
    for (n, line) in text.lines().enumerate() {
        let value: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line {} is JSON ({e}): {line}", n + 1));
        check(&LINE, &value, &format!("NDJSON line {}", n + 1));
        let mut part = value.clone();
        let fields = part.as_object_mut().expect("a line is an object");
        let kind = fields.remove("type").and_then(|t| t.as_str().map(str::to_owned));
        match kind.as_deref() {
            Some("note") => {
                assert!(fields.remove("note").is_some_and(|n| n.is_string()), "{line}");
                assert!(fields.is_empty(), "a note line holds only its note: {line}");
            }
            Some(kind) => {
                if kind == "summary" {
                    assert_eq!(fields.remove("version"), Some(Value::from(1)), "{line}");
                }
                let (_, v) = PARTS
                    .iter()
                    .find(|(name, _)| *name == kind)
                    .unwrap_or_else(|| panic!("unknown line type {kind}: {line}"));
                check(v, &part, &format!("NDJSON line {} ({kind})", n + 1));
            }
            None => panic!("a line without a type: {line}"),
        }
    }
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let schema = shipped();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("not a valid schema: {e}"));
    jsonschema::validator_for(&schema).expect("compiles");
}

#[test]
fn the_schema_rejects_what_the_spec_forbids() {
    let (report, _) = super::json_report(&[&super::fixture("syslog.ndjson")], "");
    assert_valid_document(&report);
    let whole = jsonschema::validator_for(&shipped()).expect("compiles");
    assert!(whole.is_valid(&report), "the shipped root is the document");
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut r = report.clone();
        edit(&mut r);
        r
    };
    let wrong = [
        broken(&|r| r["version"] = json!(2)),
        broken(&|r| r["summary"]["records"] = json!(-1)),
        broken(&|r| r["findings"][0]["cause"] = json!("Not Kebab")),
        broken(&|r| r["findings"][0]["source"]["line"] = json!(0)),
        broken(&|r| {
            r.as_object_mut().map(|o| o.remove("unrecognized"));
        }),
        broken(&|r| r["incidents"][0]["remediation"] = json!([])),
        broken(&|r| {
            r.as_object_mut().map(|o| o.remove("apps"));
        }),
        broken(&|r| {
            r["findings"][0].as_object_mut().map(|o| o.remove("resolved_at"));
        }),
        broken(&|r| {
            r["summary"].as_object_mut().map(|o| o.remove("open"));
        }),
        broken(&|r| r["summary"]["by_cause"]["license-limit-exceeded"] = json!(0)),
    ];
    for r in &wrong {
        assert!(!whole.is_valid(r), "the shipped schema accepts {r}");
    }
    let extra = broken(&|r| r["summary"]["surprise"] = json!(1));
    assert!(whole.is_valid(&extra), "as shipped, a later field is allowed");
    assert!(
        !DOCUMENT.is_valid(&extra),
        "in the tests, an undocumented field is not"
    );
}

#[test]
fn an_input_that_cannot_be_read_is_a_note_in_json_and_ndjson() {
    let lle = "Automatic provisioning of user Ann Lee to app Box failed: License Limit Exceeded.";
    let (report, code) = super::json_report(&["/nonexistent/x.json", "-m", lle], "");
    assert_eq!(code, 2);
    assert_eq!(report["summary"]["diagnosed"], 1, "the other input is read");
    let notes = report["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 1, "{report}");
    assert!(
        notes[0]
            .as_str()
            .is_some_and(|n| n.starts_with("cannot read /nonexistent/x.json")),
        "{report}"
    );
    let out = super::provdiag()
        .args(["--format", "ndjson", "/nonexistent/x.json", "-m", lle])
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert_valid_ndjson(&text);
    let note = format!("{{\"type\":\"note\",\"note\":{}}}", notes[0]);
    assert!(text.lines().any(|l| l == note), "{note}\n{text}");
}

/// docs/rules.schema.json accepts the built-in table, the fixture and the README's example, refuses a rule
/// without `title` or `summary`, and docs/rules.md lists every field it has.
#[test]
fn the_rules_schema_holds_every_rules_file_and_the_docs_list_its_fields() {
    let schema: Value =
        serde_json::from_str(include_str!("../../docs/rules.schema.json")).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let builtin = builtin_table();
    let readme = include_str!("../../README.md");
    let start = readme.find("```json\n").expect("the README's rules file") + 8;
    let example: Value =
        serde_json::from_str(&readme[start..start + readme[start..].find("```").expect("end")])
            .expect("JSON");
    let fixture_file: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("rules-extra.json")).expect("fixture"))
            .expect("JSON");
    for (name, doc) in [
        ("built-in", &builtin),
        ("README", &example),
        ("fixture", &fixture_file),
    ] {
        let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
    for missing in ["title", "summary"] {
        let mut broken = example.clone();
        broken["rules"][0]
            .as_object_mut()
            .expect("a rule")
            .remove(missing);
        assert!(!validator.is_valid(&broken), "a rule without {missing}");
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("rules.json");
        std::fs::write(&path, broken.to_string()).expect("write");
        let out = provdiag()
            .args(["rules", "test"])
            .arg(&path)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "provdiag refuses it too");
    }
    let docs = include_str!("../../docs/rules.md");
    let rule = &schema["$defs"]["rule"]["properties"];
    let mut fields: Vec<String> = rule.as_object().expect("fields").keys().cloned().collect();
    fields.extend(
        schema["properties"]
            .as_object()
            .expect("the file's fields")
            .keys()
            .cloned(),
    );
    assert!(fields.iter().any(|f| f == "contexts"), "{fields:?}");
    for field in &fields {
        assert!(
            docs.contains(&format!("`{field}`")),
            "docs/rules.md lists `{field}`"
        );
    }
    for required in schema["$defs"]["rule"]["required"].as_array().expect("required") {
        let field = required.as_str().expect("a name");
        assert!(
            docs.contains(&format!("| `{field}` | yes |")),
            "docs/rules.md says `{field}` is required"
        );
        assert!(
            readme.contains(&format!("- `{field}`")),
            "the README's field list names `{field}`"
        );
    }
}

/// `rules test` passes a sound file that would still do harm, but says so: a built-in id, a pattern that takes
/// other causes' failures, a placeholder that is printed as written.
#[test]
fn rules_test_warns_about_a_replaced_built_in_a_catch_all_and_an_unknown_placeholder() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("rules.json");
    let file = json!({"version": 1, "rules": [
        {"id": "license-limit-exceeded", "title": "t", "summary": "s", "patterns": ["\\bno seats\\b"],
         "remediation": ["Buy seats for {app}."], "examples": {"match": ["no seats"]}},
        {"id": "everything-failed", "title": "t", "summary": "s", "patterns": [".*"],
         "remediation": ["Ask {owner} of {app}."], "examples": {"match": ["anything"]}}
    ]});
    std::fs::write(&path, file.to_string()).expect("write");
    let out = provdiag()
        .args(["rules", "test"])
        .arg(&path)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "warnings do not fail the file: {text}"
    );
    assert!(
        text.contains("warning: rule 'license-limit-exceeded' has a built-in rule's id"),
        "{text}"
    );
    assert!(text.contains("warning: rule 'everything-failed' matches an example of the built-in cause 'invalid-credentials'"), "{text}");
    assert!(text.contains("{owner} is not a placeholder"), "{text}");
    assert!(!text.contains("{app} is not"), "{text}");
}

/// A rules file with the diagnosis's fields (`fallbacks`, `contexts`, a rule's `app_sources`) is one the schema
/// holds and `rules test` passes without a warning; the schema's operations are the ones provdiag names.
#[test]
fn the_rules_schema_holds_fallbacks_contexts_and_app_sources() {
    let schema: Value =
        serde_json::from_str(include_str!("../../docs/rules.schema.json")).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let file = json!({"version": 1, "rules": [
        {"id": "seat-pool-empty", "title": "t", "summary": "s", "patterns": ["\\bseat pool is empty\\b"],
         "remediation": ["Free a seat in {app}."], "source": "https://example.com/a",
         "app_sources": [{"app": "Zoom", "url": "https://example.com/zoom"}],
         "examples": {"match": ["The seat pool is empty"], "no_match": ["a seat pool"]}}],
        "fallbacks": {
            "scim_types": [{"scim_type": "tooMany", "causes": ["seat-pool-empty"]}],
            "statuses": [
                {"status": "402", "operations": ["create"], "causes": ["seat-pool-empty", "license-limit-exceeded"]},
                {"status": "5xx", "causes": ["seat-pool-empty"], "source": "https://example.com/b"}],
            "operations": [{"operation": "import", "no_answer": true, "causes": ["seat-pool-empty"]}]},
        "contexts": [{"operation": "create", "steps": ["Check the seats of {app} before creating more users."]}]
    });
    let errors: Vec<String> = validator.iter_errors(&file).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("rules.json");
    std::fs::write(&path, file.to_string()).expect("write");
    let out = provdiag()
        .args(["rules", "test"])
        .arg(&path)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("1 rule checked"), "{text}");
    assert!(!text.contains("warning:"), "{text}");
    for (pointer, wrong) in [
        ("/contexts/0/operation", json!("group_push")),
        ("/fallbacks/statuses/0/status", json!("four hundred")),
        ("/fallbacks/operations/0/operation", json!("imports")),
        ("/rules/0/app_sources/0/url", json!("http://example.com/zoom")),
    ] {
        let mut broken = file.clone();
        *broken.pointer_mut(pointer).expect("the field") = wrong;
        assert!(!validator.is_valid(&broken), "{pointer}");
    }
    let named: Vec<&str> = schema["$defs"]["operation"]["enum"]
        .as_array()
        .expect("the operations")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let ours: Vec<&str> = provdiag::okta::anatomy::Operation::ALL
        .iter()
        .map(|o| o.as_str())
        .collect();
    assert_eq!(named, ours);
}
