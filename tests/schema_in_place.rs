//! Tables built through schema objects and table creators imported from other modules (the
//! `schema-objects` and `table-creator` fixture apps), and tables whose columns come from column
//! functions (`column-functions`), are read exactly as the same tables built in place
//! (`tests/data/schema-in-place/`): `drizzle-guard schema --format json` of each gives the same
//! tables, apart from the file and line each is defined on.

mod support;

use serde_json::Value;
use support::crate_path;

/// `drizzle-guard schema --format json` of `dir`, without where each table is defined.
fn schema_without_places(dir: &str) -> Value {
    let run = support::run(
        support::bin()
            .args(["schema", "--format", "json"])
            .arg(crate_path(dir)),
    );
    assert_eq!(run.code, 0, "{dir}: {}", run.stderr);
    let mut v = run.json();
    for t in v["tables"].as_array_mut().expect("a tables list") {
        let t = t.as_object_mut().expect("a table object");
        assert!(t.remove("file").is_some() && t.remove("line").is_some());
    }
    v
}

fn assert_same_schema(cross_module: &str, in_place: &str, tables: &[&str]) {
    let cross = schema_without_places(cross_module);
    let local = schema_without_places(in_place);
    let names: Vec<String> = cross["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| match &t["schema"] {
            Value::String(s) => format!("{s}.{}", t["name"].as_str().unwrap()),
            _ => t["name"].as_str().unwrap().to_string(),
        })
        .collect();
    assert_eq!(names, tables, "{cross_module}: the tables found");
    assert_eq!(
        serde_json::to_string_pretty(&cross).unwrap(),
        serde_json::to_string_pretty(&local).unwrap(),
        "{cross_module} and {in_place} read differently"
    );
}

#[test]
fn schema_objects_from_other_modules_read_as_in_place() {
    assert_same_schema(
        "fixtures/rules/schema-objects",
        "tests/data/schema-in-place/schema-objects",
        &[
            "app.audits",
            "analytics.events",
            "billing.invoices",
            "app.members",
            "app.organizations",
            "app.projects",
        ],
    );
}

#[test]
fn table_creators_from_other_modules_read_as_in_place() {
    assert_same_schema(
        "fixtures/rules/table-creator",
        "tests/data/schema-in-place/table-creator",
        &[
            "acme_post",
            "acme_workspace",
            "my_orders",
            "notes_v2",
            "ss_metrics",
        ],
    );
}

#[test]
fn column_functions_read_as_in_place() {
    assert_same_schema(
        "fixtures/rules/column-functions",
        "tests/data/schema-in-place/column-functions",
        &["documents", "projects", "teams", "users"],
    );
}
