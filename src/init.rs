//! `drizzle-guard init`: a first drizzle-guard.json proposed from the schema.
//!
//! The tenant columns are the defaults plus the columns that look like the app's tenant: named
//! like one (`ownerId`, `accountId`, `companyId`, ...) or shared by many tables that all
//! reference one table; either only while the defaults make fewer than half of the tables
//! tenant-scoped. The soft-delete columns are the defaults plus the columns named like a deletion
//! mark (`deleted`, `archived`, `trashed`, `removed`) that are nullable timestamps or numbers, or
//! booleans. The system paths are the defaults plus each directory named like system code
//! (`scripts`, `tools`, `migrate`, ...) that holds queries on tenant-scoped tables and that the
//! defaults do not cover, unless it lies inside application source (`src/tools/` is a feature).
//! A tenant-like name only in tables a tenant owns already, or pointing at a tenant-scoped
//! table's rows, is no tenant column. How many findings each rule gives with the defaults and with the proposal is shown,
//! so the reader sees what the proposal changes; then the snippets for the CI and hooks the
//! repository already uses. With `--dry-run` standard output is exactly the JSON document.

use crate::config::{
    Config, DEFAULT_SOFT_DELETE_COLUMNS, DEFAULT_SYSTEM_PATHS, DEFAULT_TENANT_COLUMNS, FILE_NAMES,
};
use crate::emit::Report;
use crate::engine::{self, Options};
use crate::error::Error;
use crate::link::Project;
use crate::source::{read_shown, Root};
use std::collections::BTreeMap;
use std::path::Path;

pub const SCHEMA_URL: &str =
    "https://raw.githubusercontent.com/drizzle-guard/drizzle-guard/main/drizzle-guard.schema.json";

/// A proposed column and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    pub column: String,
    pub why: String,
}

#[derive(Debug, Default)]
pub struct Proposal {
    pub tenant: Vec<Proposed>,
    pub soft_delete: Vec<Proposed>,
    /// Globs for `tenant.systemPaths` (in `column`), beyond the defaults.
    pub system_paths: Vec<Proposed>,
}

/// `ownerId` → `ownerid`: names compared whatever their case and underscores.
fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

const TENANT_NAMES: &[&str] = &[
    "owner",
    "account",
    "tenant",
    "org",
    "organization",
    "organisation",
    "team",
    "workspace",
    "company",
    "customer",
    "client",
    "group",
    "space",
];

/// Directory names of code that serves no tenant's request (seeds, scripts, migrations, operator
/// tools), compared squashed.
const SYSTEM_DIRS: &[&str] = &[
    "scripts",
    "script",
    "seed",
    "seeds",
    "seeders",
    "seeding",
    "migrations",
    "migration",
    "migrate",
    "tools",
    "backfill",
    "backfills",
];

/// Directories of application source: a directory named like system code inside one
/// (`packages/services/src/maintenance/`, scheduled maintenance windows) is a feature of the
/// app, not an operator's tool.
const SOURCE_DIRS: &[&str] = &["src", "app", "lib", "server", "api", "routes", "pages"];

const SOFT_DELETE_WORDS: &[&str] = &["deleted", "archived", "trashed", "removed"];

/// Whether a squashed column name is a tenant-like id (`ownerid`, `account_id`).
fn tenant_like(squashed: &str) -> bool {
    squashed
        .strip_suffix("id")
        .is_some_and(|stem| TENANT_NAMES.contains(&stem))
}

/// Names of columns that point at a person rather than at a tenant.
fn person_like(squashed: &str) -> bool {
    [
        "user",
        "author",
        "creator",
        "createdby",
        "updatedby",
        "deletedby",
        "parent",
        "member",
    ]
    .iter()
    .any(|p| squashed.starts_with(p))
}

/// What the schema suggests beyond the defaults.
pub fn propose(project: &Project) -> Proposal {
    let tables = &project.tables;
    let default_tenant: Vec<String> = DEFAULT_TENANT_COLUMNS.iter().map(|s| squash(s)).collect();
    let default_soft: Vec<String> = DEFAULT_SOFT_DELETE_COLUMNS
        .iter()
        .map(|s| squash(s))
        .collect();
    let scoped = tables.iter().filter(|t| t.is_tenant_scoped()).count();
    let mut out = Proposal::default();
    // Per column key: the tables having it, what each references, and whether the table is
    // tenant-scoped already.
    type Having<'t> = Vec<(&'t str, Option<crate::ids::TableId>, bool)>;
    let mut by_key: BTreeMap<&str, Having> = BTreeMap::new();
    for t in tables {
        for c in &t.columns {
            let target = c.references.as_ref().and_then(|(t, _)| *t);
            by_key.entry(c.key.as_str()).or_default().push((
                t.binding.as_str(),
                target,
                t.is_tenant_scoped(),
            ));
        }
    }
    if scoped * 2 < tables.len() {
        for (key, having) in &by_key {
            let s = squash(key);
            if default_tenant.contains(&s) || person_like(&s) {
                continue;
            }
            let names: Vec<&str> = having.iter().map(|(b, ..)| *b).collect();
            let shown = list(&names);
            // Only in tables a tenant owns already, or pointing at rows of such a table (a
            // component's `groupId`, its group in the workspace): a link, not the tenant.
            // So is a column named after its own table (`account.accountId`: the row's id at
            // an auth provider).
            let stem = s.strip_suffix("id").unwrap_or(&s).trim_end_matches('s');
            let owned = having.iter().all(|(_, _, scoped)| *scoped)
                || having
                    .iter()
                    .any(|(_, t, _)| t.is_some_and(|t| project.table(t).is_tenant_scoped()))
                || having
                    .iter()
                    .all(|(b, ..)| squash(b).trim_end_matches('s') == stem);
            if owned {
                continue;
            }
            if tenant_like(&s) {
                out.tenant.push(Proposed {
                    column: key.to_string(),
                    why: format!("named like a tenant column, in {shown}"),
                });
                continue;
            }
            let first = having[0].1;
            let shared = having.len() >= 3 && having.len() * 4 >= tables.len();
            if let (true, Some(target)) = (shared, first) {
                if having.iter().all(|(_, t, _)| *t == Some(target)) {
                    out.tenant.push(Proposed {
                        column: key.to_string(),
                        why: format!(
                            "in {shown}, each referencing `{}`",
                            project.table(target).binding
                        ),
                    });
                }
            }
        }
    }
    // Soft-delete marks: the builder and nullability are read from the column's code.
    let root = Root::new(&project.root);
    let mut texts: BTreeMap<&str, Option<String>> = BTreeMap::new();
    let mut soft: BTreeMap<&str, (Vec<&str>, &'static str)> = BTreeMap::new();
    for t in tables {
        for c in &t.columns {
            let s = squash(&c.key);
            if default_soft.contains(&s) || default_soft.contains(&squash(&c.sql_name)) {
                continue;
            }
            if !SOFT_DELETE_WORDS.iter().any(|w| s.contains(w)) {
                continue;
            }
            let rel = project.units[c.file].rel.as_str();
            let text = texts
                .entry(rel)
                .or_insert_with(|| read_shown(&root, rel))
                .as_deref()
                .and_then(|text| text.get(c.span.lo as usize..c.span.hi as usize))
                .unwrap_or("");
            if let Some(kind) = soft_delete_kind(text) {
                let e = soft.entry(c.key.as_str()).or_insert((vec![], kind));
                e.0.push(t.binding.as_str());
            }
        }
    }
    for (key, (names, kind)) in soft {
        out.soft_delete.push(Proposed {
            column: key.to_string(),
            why: format!("a {kind} in {}", list(&names)),
        });
    }
    out.system_paths = system_paths(project);
    out
}

/// `tenant.systemPaths` globs for the directories named like system code (the outermost such
/// directory of each file) whose files query tenant-scoped tables and that the default globs
/// do not cover: `web/tools/**` for `web/tools/migrate/backfill.ts`.
fn system_paths(project: &Project) -> Vec<Proposed> {
    let mut defaults = globset::GlobSetBuilder::new();
    for g in DEFAULT_SYSTEM_PATHS {
        if let Ok(g) = globset::Glob::new(g) {
            defaults.add(g);
        }
    }
    let Ok(defaults) = defaults.build() else {
        return vec![];
    };
    // Per proposed glob: its files and how many tenant queries they hold.
    let mut dirs: BTreeMap<String, (Vec<&str>, usize)> = BTreeMap::new();
    for (f, queries) in project.queries.iter_enumerated() {
        let unit = &project.units[f];
        let tenant = queries
            .iter()
            .filter(|q| project.table(q.table).is_tenant_scoped())
            .count();
        if tenant == 0 || !unit.check || defaults.is_match(&unit.rel) {
            continue;
        }
        let parts: Vec<&str> = unit.rel.split('/').collect();
        let dirs_of = &parts[..parts.len().saturating_sub(1)];
        let Some(i) = dirs_of
            .iter()
            .position(|d| SYSTEM_DIRS.contains(&squash(d).as_str()))
        else {
            continue;
        };
        if dirs_of[..i].iter().any(|d| SOURCE_DIRS.contains(d)) {
            continue;
        }
        let e = dirs
            .entry(format!("{}/**", parts[..=i].join("/")))
            .or_default();
        e.0.push(unit.rel.as_str());
        e.1 += tenant;
    }
    dirs.into_iter()
        .map(|(glob, (files, queries))| {
            let shown: Vec<String> = files.iter().take(2).map(|f| format!("`{f}`")).collect();
            let more = if files.len() > 2 {
                format!(" and {} more", files.len() - 2)
            } else {
                String::new()
            };
            Proposed {
                column: glob,
                why: format!(
                    "a directory named like system code, with {queries} {} on tenant-scoped tables in {}{more}",
                    if queries == 1 { "query" } else { "queries" },
                    shown.join(", ")
                ),
            }
        })
        .collect()
}

/// What a column's builder chain makes it, when that fits a deletion mark: a nullable
/// timestamp or number (set when deleted), or a boolean.
fn soft_delete_kind(code: &str) -> Option<&'static str> {
    let head = code.split('(').next().unwrap_or("");
    let builder = head.rsplit('.').next().unwrap_or(head).trim();
    let nullable = !code.contains(".notNull()");
    match builder {
        "boolean" => Some("boolean"),
        "timestamp" | "date" | "datetime" if nullable => Some("nullable timestamp"),
        "bigint" | "integer" | "int" | "bigserial" | "numeric" | "real" | "double" if nullable => {
            Some("nullable number")
        }
        _ => None,
    }
}

/// `a`, `a` and `b`, `a`, `b` and 3 more tables.
fn list(names: &[&str]) -> String {
    let tables = if names.len() == 1 { "table" } else { "tables" };
    let shown: Vec<String> = names.iter().take(3).map(|n| format!("`{n}`")).collect();
    match names.len() {
        0..=3 => format!("{} {tables} ({})", names.len(), shown.join(", ")),
        n => format!("{n} {tables} ({}, ...)", shown.join(", ")),
    }
}

/// The configuration document proposed: the defaults plus the proposal, or only `$schema`
/// when there is nothing to add.
pub fn document(p: &Proposal) -> String {
    let mut doc = serde_json::Map::new();
    doc.insert("$schema".into(), SCHEMA_URL.into());
    let with = |defaults: &[&str], add: &[Proposed]| {
        let mut v: Vec<String> = defaults.iter().map(|s| s.to_string()).collect();
        v.extend(add.iter().map(|a| a.column.clone()));
        serde_json::json!({ "columns": v })
    };
    if !p.tenant.is_empty() || !p.system_paths.is_empty() {
        let mut tenant = serde_json::Map::new();
        if !p.tenant.is_empty() {
            tenant.insert(
                "columns".into(),
                with(DEFAULT_TENANT_COLUMNS, &p.tenant)["columns"].take(),
            );
        }
        if !p.system_paths.is_empty() {
            let mut v: Vec<String> = DEFAULT_SYSTEM_PATHS.iter().map(|s| s.to_string()).collect();
            v.extend(p.system_paths.iter().map(|a| a.column.clone()));
            tenant.insert("systemPaths".into(), v.into());
        }
        doc.insert("tenant".into(), tenant.into());
    }
    if !p.soft_delete.is_empty() {
        doc.insert(
            "softDelete".into(),
            with(DEFAULT_SOFT_DELETE_COLUMNS, &p.soft_delete),
        );
    }
    let mut text =
        serde_json::to_string_pretty(&serde_json::Value::Object(doc)).unwrap_or_default();
    text.push('\n');
    text
}

/// Findings per rule, most first.
fn by_rule(report: &Report) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &report.diagnostics {
        *counts.entry(d.rule.name()).or_default() += 1;
    }
    if counts.is_empty() {
        return "no findings".into();
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.iter()
        .map(|(r, n)| format!("{n} {r}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The command that runs drizzle-guard through the repository's package manager.
fn runner(root: &Path) -> &'static str {
    if root.join("pnpm-lock.yaml").is_file() {
        "pnpm exec drizzle-guard"
    } else if root.join("bun.lockb").is_file() || root.join("bun.lock").is_file() {
        "bunx drizzle-guard"
    } else if root.join("yarn.lock").is_file() {
        "yarn drizzle-guard"
    } else {
        "npx drizzle-guard"
    }
}

/// The CI and pre-push snippets for the tools the repository uses (GitHub Actions always, as
/// the example when it uses no CI we know).
pub fn snippets(root: &Path) -> String {
    let run = runner(root);
    let mut out = String::new();
    let workflows = root.join(".github/workflows").is_dir();
    out.push_str(&format!(
        "GitHub Actions{}: a step after installing dependencies (annotations on the pull request):\n\n      - run: {run} check --format github\n\n",
        if workflows { " (.github/workflows)" } else { "" }
    ));
    if root.join(".husky").is_dir() {
        out.push_str(&format!(
            "husky: .husky/pre-push\n\n{run} check --changed-since origin/HEAD\n\n"
        ));
    }
    if [
        "lefthook.yml",
        ".lefthook.yml",
        "lefthook.yaml",
        ".lefthook.yaml",
    ]
    .iter()
    .any(|f| root.join(f).is_file())
    {
        out.push_str(&format!(
            "lefthook: lefthook.yml\n\npre-push:\n  commands:\n    drizzle-guard:\n      run: {run} check --changed-since origin/HEAD\n\n"
        ));
    }
    if root.join(".pre-commit-config.yaml").is_file() {
        out.push_str(&format!(
            "pre-commit: .pre-commit-config.yaml\n\n  - repo: local\n    hooks:\n      - id: drizzle-guard\n        name: drizzle-guard\n        entry: {run} check\n        language: system\n        pass_filenames: false\n        types_or: [ts, tsx]\n        stages: [pre-push]\n\n"
        ));
    }
    out
}

/// Runs `init`: returns what goes to standard output and what to standard error (the
/// explanation), and writes the file unless `dry_run`.
pub fn init(root: &Path, kind_described: &str, dry_run: bool) -> Result<(String, String), Error> {
    let target = root.join(FILE_NAMES[0]);
    if !dry_run {
        if let Some(existing) = FILE_NAMES.iter().map(|n| root.join(n)).find(|p| p.exists()) {
            return Err(Error::Usage(format!(
                "`{}` exists already; `drizzle-guard init --dry-run` prints the proposal without writing",
                existing.display()
            )));
        }
    }
    let opts = Options {
        paths: vec![root.to_path_buf()],
        root: root.to_path_buf(),
        threads: None,
    };
    let started = std::time::Instant::now();
    let mut defaults = Config::default();
    defaults.anchor(root)?;
    defaults.adopt_drizzle_kit(root);
    let pool = engine::pool(None)?;
    let (proposal, before, files, tables) = pool.install(|| -> Result<_, Error> {
        let project = engine::load(&opts, &defaults)?;
        let report = engine::check(&project, &defaults, started);
        Ok((
            propose(&project),
            report,
            project.units.len(),
            project.tables.len(),
        ))
    })?;
    let doc = document(&proposal);
    let mut about = format!(
        "drizzle-guard init: read {files} TypeScript files under {} ({kind_described}): {tables} {}, {} tenant-scoped and {} soft-delete with the default columns.\n",
        root.display(),
        if tables == 1 { "table" } else { "tables" },
        before.tenant_tables,
        before.soft_delete_tables
    );
    if tables == 0 {
        about.push_str("No Drizzle table was found: run init where the schema is read (the repository or workspace root), or set `schema` in the file.\n");
    }
    for (what, list) in [
        ("tenant column", &proposal.tenant),
        ("soft-delete column", &proposal.soft_delete),
        ("system path (no tenant findings)", &proposal.system_paths),
    ] {
        for p in list {
            about.push_str(&format!("Proposed {what} `{}`: {}.\n", p.column, p.why));
        }
    }
    if proposal.tenant.is_empty()
        && proposal.soft_delete.is_empty()
        && proposal.system_paths.is_empty()
    {
        about.push_str("The default columns fit this schema: nothing to add.\n");
    }
    let mut proposed: Config = Config::from_json(&doc).map_err(|message| Error::Config {
        path: target.clone(),
        message,
    })?;
    proposed.anchor(root)?;
    proposed.adopt_drizzle_kit(root);
    let after = pool.install(|| -> Result<_, Error> {
        let project = engine::load(&opts, &proposed)?;
        let report = engine::check(&project, &proposed, started);
        std::mem::forget(project);
        Ok(report)
    })?;
    about.push_str(&format!(
        "Findings with the defaults: {}.\nFindings with this proposal: {} ({} tenant-scoped and {} soft-delete tables).\n",
        by_rule(&before),
        by_rule(&after),
        after.tenant_tables,
        after.soft_delete_tables
    ));
    if !after.diagnostics.is_empty() {
        about.push_str("To adopt it with the findings there are today, record them in a baseline and set `\"baseline\": \"drizzle-guard-baseline.json\"` in the file:\n\n    drizzle-guard check --write-baseline drizzle-guard-baseline.json\n");
    }
    about.push('\n');
    about.push_str(&snippets(root));
    if dry_run {
        return Ok((doc, about));
    }
    std::fs::write(&target, &doc).map_err(|e| Error::Write {
        to: target.display().to_string(),
        source: e,
    })?;
    Ok((
        format!("{about}Wrote {}.\n", target.display()),
        String::new(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_builders_decide() {
        assert!(tenant_like(&squash("ownerId")));
        assert!(tenant_like(&squash("account_id")));
        assert!(!tenant_like(&squash("userId")));
        assert!(person_like(&squash("userId")));
        assert_eq!(
            soft_delete_kind("bigint('deleted_at_m', { mode: 'number' })"),
            Some("nullable number")
        );
        assert_eq!(soft_delete_kind("timestamp('archived_at').notNull()"), None);
        assert_eq!(
            soft_delete_kind("t.timestamp('removed_at')"),
            Some("nullable timestamp")
        );
        assert_eq!(
            soft_delete_kind("boolean('is_archived').notNull().default(false)"),
            Some("boolean")
        );
        assert_eq!(soft_delete_kind("text('deleted_reason')"), None);
    }
}
