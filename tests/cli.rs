//! The command line end to end: the built binary run on small projects written to temporary
//! directories. Exit codes, written files, configuration errors, suppressions, baselines and
//! `--changed-since` in a real git repository.

mod support;

use serde_json::Value;
use std::path::Path;
use support::git::git;
use support::{write, Run};

const SCHEMA: &str = "import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const projects = pgTable('projects', {
  id: uuid('id').primaryKey(),
  organizationId: uuid('organization_id').notNull(),
  name: text('name').notNull(),
}, (t) => [index('projects_org_idx').on(t.organizationId)]);

export const plans = pgTable('plans', {
  id: uuid('id').primaryKey(),
  organizationId: uuid('organization_id'),
  deletedAt: timestamp('deleted_at'),
}, (t) => [index('plans_org_idx').on(t.organizationId)]);
";

const DB: &str = "import { drizzle } from 'drizzle-orm/node-postgres';
import * as schema from './schema';

export const db = drizzle(process.env.DATABASE_URL!, { schema });
";

/// One tenant-filter finding (line 6), one compliant query.
const PROJECTS: &str = "import { eq } from 'drizzle-orm';
import { db } from '../db/index';
import { projects } from '../db/schema';

export async function projectById(id: string) {
  return db.select().from(projects).where(eq(projects.id, id));
}

export async function projectsOf(orgId: string) {
  return db.select().from(projects).where(eq(projects.organizationId, orgId)).limit(100);
}
";

/// A tenant-filter and a soft-delete-filter finding on `plans` (line 5).
const PLANS: &str = "import { db } from '../db/index';
import { plans } from '../db/schema';

export async function allPlans() {
  return db.select().from(plans).limit(100);
}
";

/// A small app: `src/db/{schema,index}.ts`, `src/services/{projects,plans}.ts`.
fn app() -> tempfile::TempDir {
    support::tree(&[
        ("src/db/schema.ts", SCHEMA),
        ("src/db/index.ts", DB),
        ("src/services/projects.ts", PROJECTS),
        ("src/services/plans.ts", PLANS),
    ])
}

/// The binary run in `dir` with `args`, without colour.
fn run(dir: &Path, args: &[&str]) -> Run {
    support::run(
        support::bin()
            .current_dir(dir)
            .args(args)
            .env("NO_COLOR", "1"),
    )
}

/// Runs `check --format json` with extra arguments and returns the exit code and document.
fn json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let o = run(dir, &args);
    (o.code, o.json())
}

/// (file, line, rule) of every diagnostic, in output order.
fn findings(doc: &Value) -> Vec<(String, u64, String)> {
    support::findings(doc)
        .into_iter()
        .map(|d| (d.file, d.line, d.rule))
        .collect()
}

fn f(file: &str, line: u64, rule: &str) -> (String, u64, String) {
    (file.to_string(), line, rule.to_string())
}

/// Besides `PROJECTS`, a write keyed by a row read with its tenant filter: proven only when
/// the values of the file are followed, as they are in a test file that is checked.
const PROJECTS_CHECKED: &str = "
export async function renameChecked(orgId: string, id: string) {
  const row = await db.query.projects.findFirst({
    where: and(eq(projects.id, id), eq(projects.organizationId, orgId)),
  });
  if (!row) throw new Error('not found');
  await db.update(projects).set({ name: 'renamed' }).where(eq(projects.id, row.id));
}
";

#[test]
fn test_files_are_checked_only_when_asked() {
    let dir = app();
    let p = dir.path();
    let text = format!(
        "{}{PROJECTS_CHECKED}",
        PROJECTS.replace("import { eq }", "import { and, eq }")
    );
    for test_file in ["src/services/plans.test.ts", "src/__tests__/plans.ts"] {
        write(p, test_file, &text);
    }
    let (_, doc) = json(p, &["--fail-on", "never"]);
    assert!(
        !findings(&doc).iter().any(|d| d.0.contains("test")),
        "{:?}",
        findings(&doc)
    );
    write(p, "drizzle-guard.json", r#"{ "checkTestFiles": true }"#);
    let (_, doc) = json(p, &["--fail-on", "never"]);
    let in_tests: Vec<_> = findings(&doc)
        .into_iter()
        .filter(|d| d.0.contains("test"))
        .collect();
    assert_eq!(
        in_tests,
        vec![
            f("src/__tests__/plans.ts", 6, "tenant-filter"),
            f("src/services/plans.test.ts", 6, "tenant-filter"),
        ]
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = app();
    let p = dir.path();
    let (c, doc) = json(p, &[]);
    assert_eq!(c, 1);
    assert_eq!(
        findings(&doc),
        vec![
            f("src/services/plans.ts", 5, "soft-delete-filter"),
            f("src/services/plans.ts", 5, "tenant-filter"),
            f("src/services/projects.ts", 6, "tenant-filter"),
        ]
    );
    assert_eq!(run(p, &["check", "--fail-on", "never"]).code, 0);
    // Only warnings left: the default (error) passes, `--fail-on warning` fails.
    write(
        p,
        "drizzle-guard.json",
        r#"{ "rules": { "tenant-filter": "warning", "soft-delete-filter": "warning" } }"#,
    );
    let (c, doc) = json(p, &[]);
    assert_eq!(c, 0);
    assert_eq!(doc["summary"]["warnings"], 3);
    assert_eq!(doc["summary"]["errors"], 0);
    assert_eq!(run(p, &["check", "--fail-on", "warning"]).code, 1);
    // No findings at all: 0 whatever --fail-on says.
    write(
        p,
        "drizzle-guard.json",
        r#"{ "rules": { "tenant-filter": "off", "soft-delete-filter": "off" } }"#,
    );
    let (c, doc) = json(p, &["--fail-on", "warning"]);
    assert_eq!((c, findings(&doc)), (0, vec![]));
}

#[test]
fn output_is_written_to_the_named_file() {
    let dir = app();
    let out = dir.path().join("report.json");
    let o = run(
        dir.path(),
        &["check", "--format", "json", "--output", "report.json"],
    );
    assert_eq!(o.code, 1);
    assert!(o.stdout.is_empty(), "{}", o.stdout);
    let doc = support::read_json(&out);
    assert_eq!(doc["summary"]["errors"], 3);
    let o = run(dir.path(), &["check", "--output", "no/such/dir/report.txt"]);
    assert_eq!(o.code, 2);
    o.assert_stderr_has("no/such/dir/report.txt");
}

#[test]
fn configuration_errors_name_the_file_and_the_key() {
    let dir = app();
    let p = dir.path();
    for (config, key) in [
        (
            r#"{ "tenant": { "colums": ["orgId"] } }"#,
            "`tenant.colums`",
        ),
        (
            r#"{ "tenant": { "columns": "orgId" } }"#,
            "`tenant.columns`",
        ),
        (
            r#"{ "rules": { "tenant-filtr": "off" } }"#,
            "`rules.tenant-filtr`",
        ),
        (
            r#"{ "rules": { "tenant-filter": "fatal" } }"#,
            "`rules.tenant-filter`",
        ),
        (r#"{ "exclude": ["src/[oops"] }"#, "`exclude[0]`"),
        (
            r#"{ "pagination": { "exemptTables": "plans" } }"#,
            "`pagination.exemptTables`",
        ),
        // Names the schema does not have would silently check nothing.
        (
            r#"{ "softDelete": { "tables": { "projcts": { "column": "deletedAt" } } } }"#,
            "`softDelete.tables.projcts`",
        ),
        (
            r#"{ "softDelete": { "tables": { "projects": { "column": "isActive" } } } }"#,
            "`softDelete.tables.projects.column`",
        ),
        (
            r#"{ "tenant": { "tables": ["plans", "plan"] } }"#,
            "`tenant.tables[1]`",
        ),
    ] {
        write(p, "drizzle-guard.json", config);
        let o = run(p, &["check"]);
        assert_eq!(o.code, 2, "{config}");
        let err = o.stderr;
        assert!(
            err.contains("drizzle-guard.json") && err.contains(key),
            "{config}: {err}"
        );
        assert!(o.stdout.is_empty());
    }
    // A configuration found in a parent directory is used, and named when wrong.
    let o = run(&p.join("src"), &["check", "services"]);
    assert_eq!(o.code, 2);
    o.assert_stderr_has(&p.join("drizzle-guard.json").display().to_string());
    // --config overrides discovery; a missing file is named.
    write(
        p,
        "strict.json",
        r#"{ "rules": { "tenant-filter": "off" } }"#,
    );
    let (c, doc) = json(p, &["--config", "strict.json"]);
    assert_eq!(c, 1);
    assert_eq!(
        findings(&doc),
        vec![f("src/services/plans.ts", 5, "soft-delete-filter")]
    );
    let o = run(p, &["check", "--config", "missing.json"]);
    assert_eq!(o.code, 2);
    o.assert_stderr_has("missing.json");
}

#[test]
fn exempt_tables_and_include_exclude_work_end_to_end() {
    let dir = app();
    let p = dir.path();
    write(
        p,
        "drizzle-guard.json",
        r#"{ "tenant": { "exemptTables": ["plans"] } }"#,
    );
    let (_, doc) = json(p, &[]);
    assert_eq!(
        findings(&doc),
        vec![
            f("src/services/plans.ts", 5, "soft-delete-filter"),
            f("src/services/projects.ts", 6, "tenant-filter"),
        ]
    );
    // By SQL name too.
    write(
        p,
        "drizzle-guard.json",
        r#"{ "tenant": { "exemptTables": ["projects"] } }"#,
    );
    let (_, doc) = json(p, &[]);
    assert!(!findings(&doc).contains(&f("src/services/projects.ts", 6, "tenant-filter")));
    write(
        p,
        "drizzle-guard.json",
        r#"{ "exclude": ["src/services/plans.ts"] }"#,
    );
    let (_, doc) = json(p, &[]);
    assert_eq!(
        findings(&doc),
        vec![f("src/services/projects.ts", 6, "tenant-filter")]
    );
    assert_eq!(doc["summary"]["filesChecked"], 3);
    // include without the schema: no tables, so nothing was checked: an error (exit 2).
    write(
        p,
        "drizzle-guard.json",
        r#"{ "include": ["src/services/**"] }"#,
    );
    let (c, doc) = json(p, &[]);
    assert_eq!(
        (c, doc["summary"]["tables"].as_u64()),
        (2, Some(0)),
        "no table: exit 2"
    );
    // `schema` brings the schema files back for the model only: they are not checked.
    write(
        p,
        "drizzle-guard.json",
        r#"{ "include": ["src/services/**"], "schema": ["src/db/schema.ts"] }"#,
    );
    let (c, doc) = json(p, &[]);
    assert_eq!(c, 1);
    assert_eq!(doc["summary"]["tables"], 2);
    assert_eq!(doc["summary"]["filesChecked"], 2);
    assert_eq!(findings(&doc).len(), 3);
    // A checked schema barrel brings the excluded file it re-exports into the model.
    write(p, "src/db/tables.ts", SCHEMA);
    write(p, "src/db/schema.ts", "export * from './tables';\n");
    write(
        p,
        "drizzle-guard.json",
        r#"{ "exclude": ["src/db/tables.ts"] }"#,
    );
    let (c, doc) = json(p, &[]);
    assert_eq!(
        (c, doc["summary"]["tables"].as_u64()),
        (2, Some(0)),
        "no table: exit 2"
    );
    write(
        p,
        "drizzle-guard.json",
        r#"{ "exclude": ["src/db/tables.ts"], "schema": ["src/db/schema.ts"] }"#,
    );
    let (c, doc) = json(p, &[]);
    assert_eq!(c, 1);
    assert_eq!(doc["summary"]["tables"], 2);
    assert_eq!(doc["summary"]["filesChecked"], 4);
    assert_eq!(findings(&doc).len(), 3);
}

#[test]
fn drizzle_config_gives_schema_and_casing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // `orgRef: uuid()` has no SQL name: with snake_case it is `org_ref`, a tenant column here.
    // The schema is a barrel that re-exports the table's file.
    write(
        p,
        "src/db/schema/docs.ts",
        "import { pgTable, uuid } from 'drizzle-orm/pg-core';
export const docs = pgTable('docs', { id: uuid().primaryKey(), orgRef: uuid() });
",
    );
    write(p, "src/db/schema/index.ts", "export * from './docs';\n");
    write(p, "src/db/index.ts", DB);
    write(
        p,
        "src/services/docs.ts",
        "import { db } from '../db/index';
import { docs } from '../db/schema';
export const all = () => db.select().from(docs).limit(10);
",
    );
    write(
        p,
        "drizzle-guard.json",
        r#"{ "tenant": { "columns": ["org_ref"] }, "include": ["src/services/**"] }"#,
    );
    let (c, doc) = json(p, &[]);
    assert_eq!(
        (c, doc["summary"]["tables"].as_u64()),
        (2, Some(0)),
        "no table: exit 2"
    );
    write(
        p,
        "drizzle.config.ts",
        "import { defineConfig } from 'drizzle-kit';
export default defineConfig({
  schema: ['./src/db/schema/index.ts'],
  casing: 'snake_case',
  dialect: 'postgresql',
});
",
    );
    let (c, doc) = json(p, &[]);
    assert_eq!(c, 1);
    assert_eq!(
        findings(&doc),
        vec![f("src/services/docs.ts", 3, "tenant-filter")]
    );
    // drizzle-guard.json wins over drizzle.config.ts.
    write(
        p,
        "drizzle-guard.json",
        r#"{ "tenant": { "columns": ["org_ref"] }, "include": ["src/services/**"], "casing": "camelCase" }"#,
    );
    let (c, _) = json(p, &[]);
    assert_eq!(c, 0);
}

#[test]
fn inline_suppressions_silence_and_are_counted() {
    let dir = app();
    let p = dir.path();
    write(
        p,
        "src/services/plans.ts",
        "import { db } from '../db/index';
import { plans } from '../db/schema';

export async function allPlans() {
  // drizzle-guard-ignore tenant-filter, soft-delete-filter: plans are shared
  return db.select().from(plans).limit(10);
}

export async function again() {
  // drizzle-guard-ignore tenant-filter
  return db.select().from(plans).limit(10); // drizzle-guard-ignore soft-delete-filter: the trash view
}
",
    );
    let (c, doc) = json(p, &[]);
    assert_eq!(c, 1);
    assert_eq!(
        findings(&doc),
        vec![
            f("src/services/plans.ts", 10, "invalid-suppression"),
            f("src/services/plans.ts", 11, "tenant-filter"),
            f("src/services/projects.ts", 6, "tenant-filter"),
        ]
    );
    assert_eq!(doc["summary"]["suppressed"], 3);
    let msg = doc["diagnostics"][0]["message"].as_str().unwrap();
    assert!(msg.contains("no reason"), "{msg}");
    let o = run(p, &["check", "--no-timing"]);
    assert!(
        o.stdout
            .ends_with("drizzle-guard: by rule: 2 tenant-filter, 1 invalid-suppression\ndrizzle-guard: checked 4 files, 2 tables (2 tenant-scoped, 1 soft-delete): 3 errors, 0 warnings (3 suppressed)\n"),
        "{}",
        o.stdout
    );
}

#[test]
fn baseline_reports_only_new_findings_across_line_shifts() {
    let dir = app();
    let p = dir.path();
    let o = run(p, &["check", "--write-baseline", "baseline.json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    o.assert_stderr_has("wrote 3 findings");
    let written = support::read_json(&p.join("baseline.json"));
    assert_eq!(written["version"], 2);
    assert_eq!(written["findings"].as_array().unwrap().len(), 3);
    assert!(
        !written.to_string().contains("line"),
        "no line numbers in a baseline"
    );

    // Shift every line of both files: the old findings still match.
    for (rel, text) in [
        ("src/services/projects.ts", PROJECTS),
        ("src/services/plans.ts", PLANS),
    ] {
        write(p, rel, format!("// moved\n\n\n{text}"));
    }
    let (c, doc) = json(p, &["--baseline", "baseline.json"]);
    assert_eq!((c, findings(&doc)), (0, vec![]));
    assert_eq!(doc["summary"]["baselined"], 3);
    assert_eq!(doc["summary"]["baselineUnmatched"], 0);

    // A new finding fails the run; a fixed one is counted as no longer matching.
    write(
        p,
        "src/services/plans.ts",
        "import { eq } from 'drizzle-orm';
import { db } from '../db/index';
import { projects } from '../db/schema';

export async function fresh(id: string) {
  return db.select().from(projects).where(eq(projects.name, id)).limit(10);
}
",
    );
    let (c, doc) = json(p, &["--baseline", "baseline.json"]);
    assert_eq!(c, 1);
    assert_eq!(
        findings(&doc),
        vec![f("src/services/plans.ts", 6, "tenant-filter")]
    );
    assert_eq!(doc["summary"]["baselined"], 1);
    assert_eq!(doc["summary"]["baselineUnmatched"], 2);
    let o = run(p, &["check", "--baseline", "baseline.json", "--no-timing"]);
    assert!(
        o.stdout
            .contains("(1 baselined, 2 baseline entries no longer match"),
        "{}",
        o.stdout
    );

    // A file that cannot be parsed is never baselined: its queries are not checked at all.
    write(
        p,
        "src/services/broken.ts",
        "export const broken = (1 + ;\n",
    );
    let o = run(p, &["check", "--write-baseline", "with-broken.json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.contains("parse-error"), "{}", o.stdout);
    let written = std::fs::read_to_string(p.join("with-broken.json")).unwrap();
    assert!(!written.contains("broken.ts"), "{written}");
    std::fs::remove_file(p.join("src/services/broken.ts")).unwrap();

    // A missing or invalid baseline is a usage error naming the file.
    let o = run(p, &["check", "--baseline", "nope.json"]);
    assert_eq!(o.code, 2);
    o.assert_stderr_has("nope.json");
    write(p, "bad.json", r#"{ "version": 1, "findings": "x" }"#);
    let o = run(p, &["check", "--baseline", "bad.json"]);
    assert_eq!(o.code, 2);
    o.assert_stderr_has("bad.json");
    o.assert_stderr_has("not a drizzle-guard baseline");
    write(
        p,
        "future.json",
        r#"{ "version": 99, "tool": "drizzle-guard", "findings": [] }"#,
    );
    let o = run(p, &["check", "--baseline", "future.json"]);
    assert_eq!(o.code, 2);
    o.assert_stderr_has("version 99");
}

#[test]
fn changed_since_checks_changed_files_with_the_whole_schema() {
    let dir = app();
    let p = dir.path();
    write(p, ".gitignore", "ignored/\n");
    git(p, &["init", "-q"]);
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "init"]);
    git(p, &["checkout", "-qb", "feature"]);

    let (c, doc) = json(p, &["--changed-since", "main"]);
    assert_eq!((c, findings(&doc)), (0, vec![]));
    assert_eq!(doc["summary"]["filesChecked"], 0);
    assert_eq!(doc["summary"]["tables"], 2, "the schema is read whole");

    // Committed on the branch: checked.
    write(p, "src/services/plans.ts", format!("{PLANS}// touched\n"));
    git(p, &["commit", "-qam", "touch plans"]);
    // Unstaged, staged and untracked changes: checked; ignored files: not.
    write(
        p,
        "src/services/projects.ts",
        format!("{PROJECTS}// touched\n"),
    );
    write(p, "src/services/new.ts", PROJECTS);
    write(p, "src/services/staged.ts", PROJECTS);
    git(p, &["add", "src/services/staged.ts"]);
    write(p, "ignored/old.ts", PROJECTS);
    let (c, doc) = json(p, &["--changed-since", "main"]);
    assert_eq!(c, 1);
    assert_eq!(
        findings(&doc),
        vec![
            f("src/services/new.ts", 6, "tenant-filter"),
            f("src/services/plans.ts", 5, "soft-delete-filter"),
            f("src/services/plans.ts", 5, "tenant-filter"),
            f("src/services/projects.ts", 6, "tenant-filter"),
            f("src/services/staged.ts", 6, "tenant-filter"),
        ]
    );
    assert_eq!(doc["summary"]["filesChecked"], 4);

    // A clean tree against HEAD on the same commit: nothing to check.
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "more"]);
    let (c, doc) = json(p, &["--changed-since", "HEAD"]);
    assert_eq!((c, doc["summary"]["filesChecked"].as_u64()), (0, Some(0)));

    // A changed helper checks its importers too: dropping the tenant condition from
    // `scoped` leaks in the unchanged caller.
    write(
        p,
        "src/lib/scoped.ts",
        "import { eq } from 'drizzle-orm';
import { projects } from '../db/schema';
export function scoped(orgId: string) {
  return eq(projects.organizationId, orgId);
}
",
    );
    write(
        p,
        "src/services/caller.ts",
        "import { and, eq } from 'drizzle-orm';
import { db } from '../db/index';
import { projects } from '../db/schema';
import { scoped } from '../lib/scoped';
export const one = (orgId: string, id: string) =>
  db.select().from(projects).where(and(eq(projects.id, id), scoped(orgId)));
",
    );
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "helper"]);
    let (_, full) = json(p, &["--fail-on", "never"]);
    assert!(!findings(&full)
        .iter()
        .any(|d| d.0 == "src/services/caller.ts"));
    write(
        p,
        "src/lib/scoped.ts",
        "import { eq } from 'drizzle-orm';
import { projects } from '../db/schema';
export function scoped(orgId: string) {
  return eq(projects.name, orgId);
}
",
    );
    let (c, doc) = json(p, &["--changed-since", "HEAD"]);
    assert_eq!(c, 1);
    assert_eq!(
        findings(&doc),
        vec![f("src/services/caller.ts", 6, "tenant-filter")]
    );
    assert_eq!(doc["summary"]["filesChecked"], 2);
    git(p, &["checkout", "-q", "--", "src/lib/scoped.ts"]);

    // A changed file that calls an unchanged service's query in a loop is N+1: the unchanged
    // file's queries are linked even though it is not checked.
    write(
        p,
        "src/services/loop.ts",
        "import { projectsOf } from './projects';
export async function all(orgIds: string[]) {
  for (const orgId of orgIds) {
    await projectsOf(orgId);
  }
}
",
    );
    let (_, doc) = json(p, &["--changed-since", "HEAD", "--fail-on", "never"]);
    assert_eq!(
        findings(&doc),
        vec![f("src/services/loop.ts", 4, "n-plus-one")]
    );
    std::fs::remove_file(p.join("src/services/loop.ts")).unwrap();

    // A schema change checks everything.
    write(p, "src/db/schema.ts", format!("{SCHEMA}// touched\n"));
    let (_, doc) = json(p, &["--changed-since", "HEAD"]);
    assert_eq!(doc["summary"]["filesChecked"], 8);

    // With a baseline, entries of files left unchecked are not counted as unmatched.
    git(p, &["checkout", "-q", "--", "src/db/schema.ts"]);
    let o = run(p, &["check", "--write-baseline", "base.json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    write(p, "src/services/plans.ts", format!("\n{PLANS}"));
    let (c, doc) = json(p, &["--changed-since", "HEAD", "--baseline", "base.json"]);
    assert_eq!((c, findings(&doc)), (0, vec![]));
    assert_eq!(doc["summary"]["filesChecked"], 1);
    assert_eq!(doc["summary"]["baselined"], 2);
    assert_eq!(doc["summary"]["baselineUnmatched"], 0);

    // Errors: an unknown revision, a directory outside git, and a partial baseline.
    let o = run(p, &["check", "--changed-since", "no-such-branch"]);
    assert_eq!(o.code, 2);
    o.assert_stderr_has("`no-such-branch` is not a known git revision");
    let outside = app();
    let o = run(outside.path(), &["check", "--changed-since", "main"]);
    assert_eq!(o.code, 2);
    o.assert_stderr_has("not inside a git repository");
    let o = run(
        p,
        &[
            "check",
            "--changed-since",
            "HEAD",
            "--write-baseline",
            "b.json",
        ],
    );
    assert_eq!(o.code, 2);
    o.assert_stderr_has("--write-baseline");
}

/// Findings are placed after the rules run, by reading their files again: a byte-order mark and
/// characters of several bytes before the query must not move the reported line or column, and
/// the fingerprint (taken from the code at that place) must not change with them.
#[test]
fn findings_are_placed_past_a_byte_order_mark_and_wide_characters() {
    let plain = app();
    let marked = app();
    let wide = "// Überblick: Pläne für alle Organisationen 🚀\n";
    let plans = PLANS.replace("  return db", "  /* Pläne 🚀 */ return db");
    write(
        plain.path(),
        "src/services/plans.ts",
        format!("{wide}{plans}"),
    );
    write(
        marked.path(),
        "src/services/plans.ts",
        format!("\u{feff}{wide}{plans}"),
    );
    let place = |dir: &Path| {
        let (_, doc) = json(dir, &[]);
        let d = doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["file"] == "src/services/plans.ts" && d["rule"] == "tenant-filter")
            .cloned()
            .expect("the tenant-filter finding on plans");
        (d["range"].clone(), d["fingerprint"].clone())
    };
    let (range, fingerprint) = place(plain.path());
    // `plans` in `.from(plans)` on line 6 (one comment line above PLANS' line 5); columns count
    // code points, so the comment before `return` moves it 14 columns, not its 18 bytes.
    assert_eq!(range["start"]["line"], 6, "{range}");
    assert_eq!(range["start"]["column"], 41, "{range}");
    assert_eq!(range["end"]["column"], 46, "{range}");
    assert_eq!(place(marked.path()), (range, fingerprint));
}

#[test]
fn jsonc_configuration_with_warn_overrides_and_a_baseline_key() {
    let dir = app();
    let p = dir.path();
    let o = run(p, &["check", "--write-baseline", "base.json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // Comments, trailing commas, `warn`; the later override wins for projects.ts.
    let config = r#"{
  // tenant-filter is handled elsewhere for services, but watched in projects.ts
  "rules": { "soft-delete-filter": "warn", },
  "overrides": [
    { "files": ["src/services/**"], "rules": { "tenant-filter": "off" } },
    { "files": ["src/services/projects.ts"], "rules": { "tenant-filter": "warn" } }, /* last */
  ],
}
"#;
    write(p, "drizzle-guard.jsonc", config);
    let (c, doc) = json(p, &[]);
    assert_eq!(c, 0, "warnings only: {doc}");
    assert_eq!(
        findings(&doc),
        vec![
            f("src/services/plans.ts", 5, "soft-delete-filter"),
            f("src/services/projects.ts", 6, "tenant-filter"),
        ]
    );
    for d in doc["diagnostics"].as_array().unwrap() {
        assert_eq!(d["severity"], "warning", "{d}");
    }
    let (c, _) = json(p, &["--fail-on", "warn"]);
    assert_eq!(c, 1);
    // A `baseline` key, relative to the configuration file, applies without `--baseline`.
    write(
        p,
        "drizzle-guard.jsonc",
        config.replacen("{\n", "{\n  \"baseline\": \"base.json\",\n", 1),
    );
    let o = run(
        &p.join("src"),
        &["check", "--format", "json", "--fail-on", "warn"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let doc = o.json();
    assert!(findings(&doc).is_empty(), "{doc}");
    assert_eq!(doc["summary"]["baselined"], 2);
    // Both file names in one directory: which one applies would be a guess.
    write(p, "drizzle-guard.json", "{}");
    let o = run(p, &["check"]);
    assert_eq!(o.code, 2);
    o.assert_stderr_has("keep one");
}

#[test]
fn fixing_one_part_of_a_baselined_query_keeps_its_other_finding_baselined() {
    let dir = app();
    let p = dir.path();
    let o = run(p, &["check", "--write-baseline", "base.json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(support::read_json(&p.join("base.json"))["version"], 2);
    // plans.ts line 5 had a tenant-filter and a soft-delete-filter finding: fix the first.
    write(
        p,
        "src/services/plans.ts",
        PLANS
            .replace(
                "import { db }",
                "import { eq } from 'drizzle-orm';\nimport { db }",
            )
            .replace(
                "allPlans() {",
                "allPlans(orgId: string) {\n  // the tenant's plans only",
            )
            .replace(
                ".from(plans)",
                ".from(plans).where(eq(plans.organizationId, orgId))",
            ),
    );
    let (c, doc) = json(p, &["--baseline", "base.json"]);
    assert_eq!(c, 0, "{doc}");
    assert!(findings(&doc).is_empty(), "{doc}");
    assert_eq!(doc["summary"]["baselined"], 2);
    assert_eq!(doc["summary"]["baselineUnmatched"], 1);
    // Without the baseline the soft-delete finding is still there: it is baselined, not gone.
    let (_, doc) = json(p, &[]);
    assert_eq!(
        findings(&doc),
        vec![
            f("src/services/plans.ts", 7, "soft-delete-filter"),
            f("src/services/projects.ts", 6, "tenant-filter"),
        ]
    );
    // --prune-baseline removes the fixed entry, adds none, and needs a baseline.
    write(
        p,
        "src/services/new.ts",
        PLANS.replace("allPlans", "morePlans"),
    );
    let o = run(p, &["check", "--baseline", "base.json", "--prune-baseline"]);
    assert_eq!(o.code, 1, "the new file's findings are new: {}", o.stderr);
    o.assert_stderr_has("removed 1 of 3 entries");
    let pruned = support::read_json(&p.join("base.json"));
    let rules: Vec<&str> = pruned["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["soft-delete-filter", "tenant-filter"], "{pruned}");
    let o = run(p, &["check", "--prune-baseline"]);
    assert_eq!(o.code, 2);
    o.assert_stderr_has("--prune-baseline needs a baseline");
    // A version 1 baseline is named as such, with what to do.
    write(
        p,
        "old.json",
        r#"{"version": 1, "tool": "drizzle-guard", "findings": []}"#,
    );
    let o = run(p, &["check", "--baseline", "old.json"]);
    assert_eq!(o.code, 2);
    o.assert_stderr_has("version 1 baseline");
    o.assert_stderr_has("--write-baseline");
}

#[test]
fn the_human_summary_counts_findings_by_rule() {
    let dir = app();
    let o = run(dir.path(), &["check", "--no-timing"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stdout
            .contains("\ndrizzle-guard: by rule: 2 tenant-filter, 1 soft-delete-filter\ndrizzle-guard: checked"),
        "{}",
        o.stdout
    );
}

#[test]
fn inside_a_workspace_package_the_whole_workspace_is_read_and_paths_stay_root_relative() {
    let root = support::crate_path("fixtures/monorepo");
    let server = root.join("apps/server");
    let (c, all) = {
        let o = run(&root, &["check", "--format", "json"]);
        (o.code, o.json())
    };
    assert_eq!(c, 1);
    let all = findings(&all);
    // `@acme/legacy-db`'s `projects` has no tenant column: resolved through package.json
    // names, `legacy.ts` has no finding, and `@acme/db/schema` gives the tenant-scoped table.
    assert!(
        all.contains(&f("apps/server/src/projects.ts", 6, "tenant-filter")),
        "{all:?}"
    );
    assert!(
        !all.iter().any(|(file, ..)| file.ends_with("legacy.ts")),
        "{all:?}"
    );
    let in_server: Vec<_> = all
        .iter()
        .filter(|(file, ..)| file.starts_with("apps/server/"))
        .cloned()
        .collect();
    assert!(
        in_server.len() < all.len(),
        "the fixture has findings elsewhere"
    );
    let o = run(&server, &["check", "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(findings(&o.json()), in_server);
    // A PATH narrows what is reported, not what is read, from anywhere.
    let o = run(
        &root,
        &["check", "--format", "json", "apps/server/src/projects.ts"],
    );
    assert_eq!(findings(&o.json()), in_server);
    let o = run(
        &server.join("src"),
        &["check", "--format", "json", "projects.ts"],
    );
    assert_eq!(findings(&o.json()), in_server);
    // Annotations land on the file, relative to the repository root.
    let o = run(&server, &["check", "--format", "github"]);
    assert!(
        o.stdout.contains("file=apps/server/src/projects.ts,line=6"),
        "{}",
        o.stdout
    );
}

#[test]
fn a_run_that_finds_no_table_fails_and_says_where_it_looked() {
    let empty = tempfile::tempdir().unwrap();
    let o = run(empty.path(), &["check"]);
    assert_eq!(o.code, 2, "{}", o.stdout);
    o.assert_stderr_has("found no TypeScript file under");
    o.assert_stderr_has(&empty.path().display().to_string());
    let no_tables = support::tree(&[("src/a.ts", "export const x = 1;\n")]);
    let o = run(no_tables.path(), &["check", "--format", "json"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.json()["summary"]["tables"],
        0,
        "the output is still written"
    );
    o.assert_stderr_has("1 TypeScript file but no Drizzle table");
    o.assert_stderr_has("`schema`");
}

#[test]
fn init_proposes_the_schema_s_own_tenant_and_soft_delete_columns() {
    let schema =
        "import { bigint, boolean, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const accounts = pgTable('accounts', {
  id: uuid('id').primaryKey(),
  accountId: text('account_id').notNull(),
});
export const notes = pgTable('notes', {
  id: uuid('id').primaryKey(),
  ownerId: text('owner_id').notNull(),
  deletedAtM: bigint('deleted_at_m', { mode: 'number' }),
  archivedAt: timestamp('archived_at').notNull(),
  removedReason: text('removed_reason'),
});
export const tags = pgTable('tags', {
  id: uuid('id').primaryKey(),
  userId: uuid('user_id'),
  isTrashed: boolean('is_trashed'),
});
export const groups = pgTable('groups', {
  id: uuid('id').primaryKey(),
  organizationId: uuid('organization_id').notNull(),
});
export const items = pgTable('items', {
  id: uuid('id').primaryKey(),
  organizationId: uuid('organization_id').notNull(),
  groupId: uuid('group_id').references(() => groups.id),
});
";
    let dir = support::tree(&[
        ("src/db/schema.ts", schema),
        ("src/db/index.ts", DB),
        ("package.json", "{ \"name\": \"app\" }"),
        ("pnpm-lock.yaml", ""),
        (".husky/pre-commit", ""),
        ("lefthook.yml", ""),
        (
            "src/notes.ts",
            "import { db } from './db/index';\nimport { notes } from './db/schema';\nexport const all = () => db.select().from(notes).limit(10);\n",
        ),
    ]);
    let p = dir.path();
    let o = run(&p.join("src"), &["init", "--dry-run"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // Standard output is exactly the document, and a valid configuration.
    let doc: Value =
        serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", o.stdout));
    drizzle_guard::config::Config::from_json(&o.stdout).unwrap();
    let tenant: Vec<&str> = doc["tenant"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        tenant.contains(&"organizationId") && tenant.contains(&"ownerId"),
        "{tenant:?}"
    );
    assert!(
        !tenant.contains(&"userId"),
        "a person is no tenant: {tenant:?}"
    );
    // A component's group, a row of a tenant-scoped table: a link, not the tenant.
    assert!(!tenant.contains(&"groupId"), "{tenant:?}");
    // Named after its own table: the row's id somewhere else (an auth provider's account).
    assert!(!tenant.contains(&"accountId"), "{tenant:?}");
    let soft: Vec<&str> = doc["softDelete"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(soft.contains(&"deletedAtM"), "{soft:?}");
    // Not null, or not a mark: not proposed. `isTrashed` is a default already.
    for no in ["archivedAt", "removedReason"] {
        assert!(!soft.contains(&no), "{no}: {soft:?}");
    }
    assert_eq!(soft.iter().filter(|c| **c == "isTrashed").count(), 1);
    assert!(
        !p.join("drizzle-guard.json").exists(),
        "--dry-run writes nothing"
    );
    o.assert_stderr_has("Proposed tenant column `ownerId`");
    o.assert_stderr_has("Findings with this proposal: ");
    o.assert_stderr_has("tenant-filter");
    o.assert_stderr_has("husky: .husky/pre-push");
    o.assert_stderr_has("lefthook: lefthook.yml");
    o.assert_stderr_has("pnpm exec drizzle-guard check");
    assert!(!o.stderr.contains("pre-commit: .pre-commit-config.yaml"));
    // Written at the root, once; the check then uses it.
    let o = run(&p.join("src"), &["init"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let written = std::fs::read_to_string(p.join("drizzle-guard.json")).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&written).unwrap(), doc);
    let (c, report) = json(p, &[]);
    assert_eq!(c, 1);
    assert!(findings(&report).contains(&f("src/notes.ts", 3, "soft-delete-filter")));
    let o = run(p, &["init"]);
    assert_eq!(o.code, 2);
    o.assert_stderr_has("exists already");
}

/// `init` proposes the directories named like system code that hold tenant queries and that
/// the default `tenant.systemPaths` miss; files the defaults cover and application code are not
/// proposed, and with the proposal the operator tool's finding is gone.
#[test]
fn init_proposes_system_paths_for_operator_tools() {
    let schema = "import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
export const notes = pgTable('notes', {
  id: uuid('id').primaryKey(),
  organizationId: text('organization_id').notNull(),
});
";
    let query = |name: &str| {
        format!("import {{ db }} from '{name}/db/index';\nimport {{ notes }} from '{name}/db/schema';\nexport const all = () => db.select().from(notes).limit(10);\n")
    };
    let dir = support::tree(&[
        ("src/db/schema.ts", schema),
        ("src/db/index.ts", DB),
        ("src/notes.ts", &query(".")),
        ("tools/migrate/backfill.ts", &query("../../src")),
        ("scripts/reset.ts", &query("../src")),
        // Named like system code, but features of the app: inside its source.
        ("src/tools/search.ts", &query("..")),
        ("src/maintenance/windows.ts", &query("..")),
    ]);
    let p = dir.path();
    let o = run(p, &["init", "--dry-run"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let doc: Value = serde_json::from_str(&o.stdout).unwrap();
    let paths: Vec<&str> = doc["tenant"]["systemPaths"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", o.stdout))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(paths.contains(&"tools/**"), "{paths:?}");
    assert!(
        paths.contains(&"**/scripts/**"),
        "the defaults stay: {paths:?}"
    );
    assert!(!paths.iter().any(|p| p.starts_with("src")), "{paths:?}");
    assert!(
        !paths.contains(&"scripts/**"),
        "covered by the defaults: {paths:?}"
    );
    o.assert_stderr_has("Proposed system path (no tenant findings) `tools/**`");
    o.assert_stderr_has("Findings with the defaults: 4 tenant-filter");
    o.assert_stderr_has("Findings with this proposal: 3 tenant-filter");
}

/// System code (`tenant.systemPaths`) gets no tenant findings, and the JSON summary counts the
/// queries left unchecked so; the same query outside those paths is still reported.
#[test]
fn system_paths_are_counted_not_tenant_checked() {
    let dir = app();
    let p = dir.path();
    let read_all = "import { db } from '../src/db';
import { projects } from '../src/db/schema';
export const all = () => db.select().from(projects).limit(100);
";
    write(p, "scripts/backfill.ts", read_all);
    write(p, "jobs/backfill.ts", read_all);
    let (_, doc) = json(p, &[]);
    assert_eq!(doc["summary"]["tenantSystemQueries"], 1, "{doc}");
    let tenant: Vec<String> = support::findings(&doc)
        .into_iter()
        .filter(|f| f.rule == "tenant-filter" && f.file.ends_with("backfill.ts"))
        .map(|f| f.file)
        .collect();
    assert_eq!(tenant, ["jobs/backfill.ts"]);
}

/// `schema --format json` of `dir`.
fn schema_json(dir: &std::path::Path) -> serde_json::Value {
    support::run(support::bin().args(["schema", "--format", "json"]).arg(dir)).json()
}

/// The table called `name` (its SQL name) in `schema --format json` output.
fn schema_table(json: &serde_json::Value, name: &str) -> serde_json::Value {
    json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no table {name} in {json}"))
        .clone()
}

/// References read from column names are shown apart from declared foreign keys, and only
/// where a name fits exactly one table.
#[test]
fn schema_shows_references_read_from_column_names() {
    let dir = support::crate_path("fixtures/rules/tenant-proofs");
    let text = support::run(support::bin().arg("schema").arg(&dir));
    assert_eq!(text.code, 0, "{}", text.stderr);
    // The table's heading line and its indented lines.
    let labels: String = text
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("labels ("))
        .take_while(|l| l.starts_with("labels (") || l.starts_with("  "))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        labels.contains("  named refs:  projectId -> projects.id (undeclared;"),
        "{labels}"
    );
    assert!(!labels.contains("folderId ->"), "{labels}");
    assert!(!labels.contains("sourceProjectId ->"), "{labels}");
    let json = schema_json(&dir);
    let named = |name: &str| schema_table(&json, name)["namedReferences"].clone();
    assert_eq!(
        named("oauth_grants"),
        serde_json::json!([{"column": "clientId", "table": "oauth_clients", "targetColumn": "id"}])
    );
    // `tasks.projectId` declares its reference: nothing is read from its name.
    assert_eq!(named("tasks"), serde_json::json!([]));
}

#[test]
fn schema_shows_the_link_table_a_many_to_many_goes_through() {
    let dir = support::crate_path("fixtures/rules/tenant-relations");
    let text = support::run(support::bin().arg("schema").arg(&dir));
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains(
            "relations:   stickers (many stickers through boardStickers), badges (many badges through boardBadges)"
        ),
        "{}",
        text.stdout
    );
    let json = schema_json(&dir);
    let table = |name: &str| schema_table(&json, name);
    assert_eq!(table("boards")["relations"][0]["through"], "boardStickers");
    // A relation that names no link table has no `through` key.
    assert!(table("stickers")["relations"][0].get("through").is_none());
}
