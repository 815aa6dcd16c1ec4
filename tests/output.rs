//! The output formats from real runs of the binary: SARIF validated against the official OASIS
//! schema, snapshots of every format for the example app and for a file that does not parse,
//! `--output FILE`, and the README's description of the JSON format.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::{crate_path, Run};

/// The binary with `args`, whatever `NO_COLOR` the environment sets.
fn drizzle_guard(args: &[&str]) -> Run {
    support::run(support::bin().args(args).env_remove("NO_COLOR"))
}

fn fixture(rel: &str) -> PathBuf {
    crate_path("fixtures").join(rel)
}

/// `check DIR --format FORMAT` without colour or timing, and `extra` arguments.
fn check_with(dir: &Path, format: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "check",
        dir.to_str().unwrap(),
        "--format",
        format,
        "--color",
        "never",
        "--no-timing",
    ];
    args.extend_from_slice(extra);
    drizzle_guard(&args)
}

/// `check DIR --format FORMAT`, with what depends on the machine (the root's absolute path)
/// replaced, so snapshots are the same everywhere.
fn check(dir: &Path, format: &str) -> Run {
    let mut run = check_with(dir, format, &[]);
    if format == "sarif" {
        let root = drizzle_guard::emit::sarif::directory_uri(dir);
        assert!(
            run.stdout.contains(&format!("\"uri\": \"{root}\"")),
            "%SRCROOT% is the checked directory"
        );
        run.stdout = run.stdout.replace(&root, "file:///ROOT/");
    }
    run
}

fn sarif_validator() -> jsonschema::Validator {
    let schema = support::read_json(&crate_path("tests/data/sarif-schema-2.1.0.json"));
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Validates against the schema and checks what the schema cannot: references and paths.
fn valid_sarif(text: &str) -> Value {
    let doc: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, drizzle_guard::rules::names(), "every rule, in order");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    for r in run["results"].as_array().expect("results is always there") {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(r["ruleId"], rules[i]["id"]);
        assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains('\\') && !uri.contains(':'),
            "{uri}"
        );
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(
            r["partialFingerprints"]["drizzleGuard/v2"]
                .as_str()
                .unwrap()
                .len()
                == 16
        );
    }
    doc
}

/// The example app's findings as the JSON format gives them: what the other formats must show.
fn example_app_diagnostics() -> Vec<Value> {
    let json = check(&fixture("example-app"), "json").json();
    json["diagnostics"].as_array().unwrap().clone()
}

#[test]
fn the_schema_rejects_what_github_would() {
    let run = check(&fixture("example-app"), "sarif");
    let good = run.json();
    let validator = sarif_validator();
    assert!(validator.is_valid(&good));
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&bad), "an unknown level");
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validator.is_valid(&bad), "lines are 1-based");
    let mut bad = good;
    bad["runs"][0]["tool"]["driver"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    assert!(!validator.is_valid(&bad), "the driver needs a name");
}

#[test]
fn example_app_sarif_is_valid_and_complete() {
    let run = check(&fixture("example-app"), "sarif");
    assert_eq!(run.code, 1, "the example app has errors");
    let doc = valid_sarif(&run.stdout);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    // The same findings as the JSON format, in the same order.
    let diags = example_app_diagnostics();
    assert_eq!(results.len(), diags.len());
    for (r, d) in results.iter().zip(diags) {
        assert_eq!(r["ruleId"], d["rule"]);
        assert_eq!(r["level"], d["severity"]);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], d["range"]["start"]["line"]);
        assert_eq!(region["startColumn"], d["range"]["start"]["column"]);
        assert_eq!(region["endColumn"], d["range"]["end"]["column"]);
        assert_eq!(
            r["partialFingerprints"]["drizzleGuard/v2"],
            d["fingerprint"]
        );
    }
    let tenant = &doc["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(tenant["properties"]["security-severity"], "8.1");
    insta::assert_snapshot!("example_app_sarif", run.stdout);
}

#[test]
fn a_parse_error_is_a_notification_in_sarif() {
    let run = check(&fixture("rules/parse-error"), "sarif");
    assert_eq!(run.code, 1);
    let doc = valid_sarif(&run.stdout);
    let inv = &doc["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["associatedRule"]["id"], "parse-error");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "broken.ts"
    );
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
    insta::assert_snapshot!("parse_error_sarif", run.stdout);
}

#[test]
fn an_empty_folder_gives_valid_sarif_with_no_results() {
    let dir = tempfile::tempdir().unwrap();
    let run = check(dir.path(), "sarif");
    // Nothing was checked, which fails the run (exit 2), but the upload still gets valid SARIF.
    assert_eq!(run.code, 2, "{}", run.stderr);
    let doc = valid_sarif(&run.stdout);
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        doc["runs"][0]["invocations"][0]["toolExecutionNotifications"],
        serde_json::json!([])
    );
}

#[test]
fn sarif_uris_are_percent_encoded() {
    let dir = support::tree(&[("app dir/[id]/pàge.ts", "export const x = (1 + ;\n")]);
    let run = check(dir.path(), "sarif");
    let doc = valid_sarif(&run.stdout);
    let note = &doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(
        note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app%20dir/%5Bid%5D/p%C3%A0ge.ts"
    );
}

#[test]
fn example_app_github_annotations() {
    let run = check(&fixture("example-app"), "github");
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let diags = example_app_diagnostics();
    assert_eq!(lines.len(), diags.len(), "one command per finding");
    for (l, d) in lines.iter().zip(diags) {
        let kind = d["severity"].as_str().unwrap();
        let start = &d["range"]["start"];
        let at = format!(
            "::{kind} file={},line={},col={},",
            d["file"].as_str().unwrap(),
            start["line"],
            start["column"]
        );
        assert!(l.starts_with(&at), "{l} should start with {at}");
    }
    for l in &lines {
        assert!(
            l.starts_with("::error file=src/") || l.starts_with("::warning file=src/"),
            "{l}"
        );
        assert!(l.contains(",title=drizzle-guard%3A "), "{l}");
        assert!(l.contains("%0Ahelp: "), "{l}");
    }
    insta::assert_snapshot!("example_app_github", run.stdout);
}

#[test]
fn parse_error_github_annotation() {
    let run = check(&fixture("rules/parse-error"), "github");
    assert_eq!(
        run.stdout,
        "::error file=broken.ts,line=11,col=28,endLine=11,endColumn=29,title=drizzle-guard%3A parse-error::syntax error: Expression expected\n"
    );
}

#[test]
fn example_app_human() {
    let run = check(&fixture("example-app"), "human");
    assert_eq!(run.code, 1);
    assert!(
        !run.stdout.contains('\x1b'),
        "no colour when not a terminal"
    );
    insta::assert_snapshot!("example_app_human", run.stdout);
}

#[test]
fn example_app_json() {
    let run = check(&fixture("example-app"), "json");
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("example_app_json", run.stdout);
}

#[test]
fn parse_error_json() {
    let run = check(&fixture("rules/parse-error"), "json");
    let doc = run.json();
    assert_eq!(doc["diagnostics"][0]["rule"], "parse-error");
    assert_eq!(doc["diagnostics"][0]["help"], Value::Null);
    insta::assert_snapshot!("parse_error_json", run.stdout);
}

#[test]
fn parse_error_human() {
    let run = check(&fixture("rules/parse-error"), "human");
    insta::assert_snapshot!("parse_error_human", run.stdout);
}

#[test]
fn output_file_holds_exactly_what_stdout_would() {
    let dir = tempfile::tempdir().unwrap();
    let app = fixture("example-app");
    for format in ["human", "json", "sarif", "github"] {
        let file = dir.path().join(format!("out.{format}"));
        let run = check_with(&app, format, &["--output", file.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{format}: nothing on stdout");
        let written = std::fs::read_to_string(&file).unwrap();
        assert_eq!(written, check_with(&app, format, &[]).stdout, "{format}");
    }
    let missing = dir.path().join("no/such/dir/out.sarif");
    let run = drizzle_guard(&[
        "check",
        app.to_str().unwrap(),
        "--output",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    run.assert_stderr_has("out.sarif");
}

#[test]
fn every_format_is_the_same_at_any_thread_count() {
    let app = fixture("example-app");
    for format in ["json", "sarif", "github"] {
        let out = |threads: &str| check_with(&app, format, &["--threads", threads]).stdout;
        assert_eq!(out("1"), out("4"), "{format}");
    }
}

/// The keys of a JSON text in the order they are written.
fn keys_in_order(text: &str) -> Vec<String> {
    let mut keys = vec![];
    let mut rest = text;
    while let Some(i) = rest.find("\":") {
        let before = &rest[..i];
        if let Some(q) = before.rfind('"') {
            keys.push(before[q + 1..].to_string());
        }
        rest = &rest[i + 2..];
    }
    keys
}

/// The type of every value, keeping object keys: what a consumer relies on.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().take(1).map(shape).collect()),
        Value::String(_) => "string".into(),
        Value::Number(_) => "number".into(),
        Value::Bool(_) => "bool".into(),
        Value::Null => "null".into(),
    }
}

#[test]
fn readme_documents_the_json_format_as_it_is() {
    let readme = support::crate_text("docs/output-formats.md");
    let section = &readme[readme.find("### json").expect("a json section")..];
    let start = section.find("```json\n").expect("a json example") + 8;
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let documented: Value = serde_json::from_str(example).expect("the README example parses");
    let run = check(&fixture("example-app"), "json");
    let real_text = &run.stdout;
    let mut real = run.json();
    let all = real["diagnostics"].as_array().unwrap().clone();
    real["diagnostics"]
        .as_array_mut()
        .unwrap()
        .truncate(documented["diagnostics"].as_array().unwrap().len());
    assert_eq!(shape(&documented), shape(&real));
    let documented_keys = keys_in_order(example);
    assert_eq!(
        documented_keys,
        keys_in_order(real_text)[..documented_keys.len()],
        "the README shows the keys in the order they are written"
    );
    assert_eq!(
        documented["version"],
        drizzle_guard::emit::json::FORMAT_VERSION
    );
    // Copied from a finding of the example app, so the README shows real output.
    assert!(
        all.contains(&documented["diagnostics"][0]),
        "update the README's example from `drizzle-guard check fixtures/example-app --format json`"
    );
}
