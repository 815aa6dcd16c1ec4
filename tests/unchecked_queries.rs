//! Nothing silent: queries whose table is not in the schema are counted in the summary, listed
//! in the JSON output and by `drizzle-guard schema --unresolved`.

mod support;

use serde_json::{json, Value};
use support::{bin, crate_path, run, tree};

fn unchecked(doc: &Value) -> Vec<(String, u64, String, String)> {
    doc["uncheckedQueries"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|q| {
                    (
                        q["file"].as_str().unwrap().to_string(),
                        q["line"].as_u64().unwrap(),
                        q["kind"].as_str().unwrap().to_string(),
                        q["table"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn near_misses() -> Vec<(String, u64, String, String)> {
    ["settingsWidget", "grid", "localThing"]
        .iter()
        .zip(30..)
        .map(|(t, line)| {
            (
                "src/services/other.ts".to_string(),
                line,
                "select".to_string(),
                t.to_string(),
            )
        })
        .collect()
}

#[test]
fn check_counts_and_lists_the_queries_on_tables_not_in_the_schema() {
    let dir = crate_path("fixtures/rules/schema-objects");
    let r = run(bin().args(["check", "--format", "json"]).arg(&dir));
    let doc = r.json();
    assert_eq!(doc["summary"]["uncheckedQueries"], json!(3));
    assert_eq!(unchecked(&doc), near_misses());

    let r = run(bin().args(["check", "--no-timing"]).arg(&dir));
    let last = r.stdout.lines().last().unwrap_or_default();
    assert!(
        last.contains("3 queries not checked because the table is not in the schema"),
        "{last}"
    );
}

#[test]
fn schema_unresolved_shows_where() {
    let dir = crate_path("fixtures/rules/schema-objects");
    let r = run(bin().args(["schema", "--unresolved"]).arg(&dir));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "src/services/other.ts:30: select of `settingsWidget`\n\
         src/services/other.ts:31: select of `grid`\n\
         src/services/other.ts:32: select of `localThing`\n\
         3 queries not checked: their tables are not in the schema\n"
    );
    let r = run(bin()
        .args(["schema", "--unresolved", "--format", "json"])
        .arg(&dir));
    assert_eq!(unchecked(&r.json()), near_misses());
}

#[test]
fn every_query_checked_adds_nothing() {
    let dir = crate_path("fixtures/example-app");
    let doc = run(bin().args(["check", "--format", "json"]).arg(&dir)).json();
    assert!(doc.get("uncheckedQueries").is_none());
    assert!(doc["summary"].get("uncheckedQueries").is_none());
    let r = run(bin().args(["schema", "--unresolved"]).arg(&dir));
    assert_eq!(
        r.stdout,
        "0 queries not checked: their tables are not in the schema\n"
    );
}

#[test]
fn which_unknown_tables_count() {
    let dir = tree(&[
        (
            "schema.ts",
            "import { pgTable, uuid } from 'drizzle-orm/pg-core';\n\
             export const users = pgTable('users', { id: uuid('id').primaryKey() });\n",
        ),
        (
            "app.ts",
            "import { eq } from 'drizzle-orm';\n\
             import { db } from './db';\n\
             import { sessions } from '@acme/auth-schema';\n\
             export async function f(id: string, m: Map<string, number>, cookies: any) {\n\
             \x20 m.delete(id);\n\
             \x20 cookies.delete(SESSION_COOKIE);\n\
             \x20 await db.delete(sessions).where(eq(sessions.id, id));\n\
             \x20 await db.update(sessions).set({ id });\n\
             \x20 await db.insert(sessions).values({ id });\n\
             \x20 await db.query.accounts.findFirst();\n\
             }\n",
        ),
    ]);
    let doc = run(bin().args(["check", "--format", "json"]).arg(dir.path())).json();
    let got: Vec<(u64, String, String)> = unchecked(&doc)
        .into_iter()
        .map(|(_, line, kind, table)| (line, kind, table))
        .collect();
    let want: Vec<(u64, String, String)> = [
        (7, "delete", "sessions"),
        (8, "update", "sessions"),
        (9, "insert", "sessions"),
        (10, "find-first", "query.accounts"),
    ]
    .iter()
    .map(|&(l, k, t)| (l, k.to_string(), t.to_string()))
    .collect();
    assert_eq!(got, want);
}
