//! The rule registry. Adding a rule: one file here, one line in [`RULES`], one fixture folder.

mod delete_without_where;
mod hard_delete;
mod internal_error;
mod invalid_suppression;
mod n_plus_one;
mod offset_without_order_by;
mod parse_error;
mod raw_sql_injection;
mod schema_location;
mod soft_delete_filter;
mod tenant_filter;
mod unbounded_query;
mod unindexed_foreign_key;
mod unindexed_tenant_column;
mod unique_tenant_index;
mod unused_suppression;
mod unverified_tenant_filter;
mod update_without_where;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::ids::FileId;
use crate::link::{Project, Table};

/// What a rule sees: the linked project and the configuration. Nothing mutable is shared; one
/// context serves the rules of one file, on one thread.
pub struct RuleContext<'a> {
    pub project: &'a Project,
    pub config: &'a Config,
    /// The file's tenant verdicts, one list per query, computed once: `tenant-filter` and
    /// `unverified-tenant-filter` read the same ones.
    pub(crate) tenant: std::cell::OnceCell<Vec<Vec<tenant_filter::TenantCheck>>>,
    /// The indexes into `project.tables` of the tables this file defines, in order.
    tables: &'a [usize],
}

impl RuleContext<'_> {
    /// The tables the file defines, in the order of `project.tables`.
    pub(crate) fn file_tables(&self) -> impl Iterator<Item = &Table> {
        self.tables.iter().map(|&i| &self.project.tables[i])
    }
}

/// Every file's tables, found once for the run rather than by a scan of all tables for each
/// file and rule.
pub struct TablesByFile {
    /// Table indexes, ordered by file and, within a file, by index.
    order: Vec<usize>,
}

impl TablesByFile {
    pub fn new(project: &Project) -> Self {
        let mut order: Vec<usize> = (0..project.tables.len()).collect();
        order.sort_by_key(|&i| project.tables[i].file);
        TablesByFile { order }
    }

    fn of(&self, project: &Project, file: FileId) -> &[usize] {
        let lo = self
            .order
            .partition_point(|&i| project.tables[i].file < file);
        let hi = self
            .order
            .partition_point(|&i| project.tables[i].file <= file);
        &self.order[lo..hi]
    }
}

pub type CheckFn = fn(&RuleContext<'_>, FileId, &mut Vec<Diagnostic>);

pub struct Rule {
    pub name: &'static str,
    pub default_severity: Severity,
    /// One line, for `drizzle-guard rule` and SARIF's short description.
    pub summary: &'static str,
    /// The documentation, in the fixed sections; the top of the rule's file.
    pub doc: &'static str,
    /// `None` for rules the pipeline itself reports (parse errors).
    pub check: Option<CheckFn>,
    /// GitHub code scanning's `security-severity` (0-10), for security rules.
    pub security_severity: Option<&'static str>,
}

pub const RULES: &[Rule] = &[
    tenant_filter::RULE,
    unverified_tenant_filter::RULE,
    soft_delete_filter::RULE,
    unbounded_query::RULE,
    offset_without_order_by::RULE,
    n_plus_one::RULE,
    update_without_where::RULE,
    delete_without_where::RULE,
    hard_delete::RULE,
    raw_sql_injection::RULE,
    unindexed_foreign_key::RULE,
    unindexed_tenant_column::RULE,
    unique_tenant_index::RULE,
    parse_error::RULE,
    internal_error::RULE,
    invalid_suppression::RULE,
    unused_suppression::RULE,
];

pub fn find(name: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.name == name)
}

pub fn names() -> Vec<&'static str> {
    RULES.iter().map(|r| r.name).collect()
}

/// Runs every enabled rule on one file.
pub fn check_file(
    project: &Project,
    config: &Config,
    tables: &TablesByFile,
    file: FileId,
) -> Vec<Diagnostic> {
    let ctx = &RuleContext {
        project,
        config,
        tenant: Default::default(),
        tables: tables.of(project, file),
    };
    let mut out = vec![];
    if !ctx.config.check_test_files && is_test_file(&ctx.project.units[file].rel) {
        return out;
    }
    for rule in RULES {
        let Some(check) = rule.check else { continue };
        if ctx.config.rules.get(rule.name) == Some(&crate::config::RuleLevel::Off) {
            continue;
        }
        check(ctx, file, &mut out);
    }
    crate::locate::locate(project, &mut out);
    out
}

/// Tests make, read and wipe rows of every tenant on purpose: unless `checkTestFiles` is set,
/// no rule reports in `*.test.*`, `*.spec.*`, `__tests__/` or `__mocks__/` (they are still read
/// for the schema and helpers, and a parse error in one is still reported).
pub(crate) fn is_test_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.contains(".test.")
        || name.contains(".spec.")
        || rel
            .split('/')
            .any(|dir| matches!(dir, "__tests__" | "__mocks__"))
}

/// A finding at a query's table, fingerprinted by the query's function and code.
pub(crate) fn at_query(
    rule: &'static str,
    rel: &str,
    site: &crate::facts::QuerySite,
    message: String,
) -> Diagnostic {
    Diagnostic::new(rule, rel, site.target_span, message)
        .context_at(site.function.as_deref(), site.span)
}

/// What `drizzle-guard rule NAME` prints, and what `docs/rules/NAME.md` holds.
pub fn documentation(rule: &Rule) -> String {
    format!(
        "# {}\n\nDefault severity: {}. {}\n\n{}",
        rule.name,
        rule.default_severity.name(),
        rule.summary,
        rule.doc
    )
}

/// The first paragraph of a rule's "What it reports" section, unwrapped to one line (SARIF's
/// full description); the summary if the section is missing.
pub fn what_it_reports(rule: &Rule) -> String {
    let Some(start) = rule.doc.find("## What it reports\n") else {
        return rule.summary.to_string();
    };
    let body = &rule.doc[start + "## What it reports\n".len()..];
    let paragraph: Vec<&str> = body
        .lines()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("##"))
        .map(str::trim)
        .collect();
    if paragraph.is_empty() {
        rule.summary.to_string()
    } else {
        paragraph.join(" ")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn test_files_by_name_or_directory() {
        for yes in [
            "a.test.ts",
            "src/a.spec.tsx",
            "src/x.test.y.ts",
            "__tests__/a.ts",
            "src/__mocks__/db.ts",
            "src/__tests__",
        ] {
            assert!(super::is_test_file(yes), "{yes}");
        }
        for no in [
            "src/test.ts",
            "src/a.tests.ts",
            "src/a.test/b.ts",
            "src/__tests__x/a.ts",
            "x__tests__/a.ts",
            "src/a.ts.test",
            "",
        ] {
            assert!(!super::is_test_file(no), "{no}");
        }
    }
}
