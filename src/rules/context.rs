//! What the rules share: the definition a rule's file declares, the context one file's rules
//! run in, and the helpers that place a finding. It sits beside the registry (`mod.rs`), not in it, so that a rule's file never
//! imports the module that lists it.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::ids::{FileId, TableId};
use crate::link::{Project, Table};
use crate::predicate::Verdict;
use crate::rule_id::RuleId;
use crate::span::Span;

/// A rule's check of one file: `(context, file index, findings)`.
pub type CheckFn = fn(&RuleContext<'_>, FileId, &mut Vec<Diagnostic>);

/// Where a rule's findings come from.
#[derive(Clone, Copy)]
pub enum RuleKind {
    /// Checks the queries of each file.
    Query(CheckFn),
    /// Checks the tables each file defines.
    Schema(CheckFn),
    /// Reported by the pipeline for a file it could not check (read, parse, or survive);
    /// such a finding says nothing about the code, and no baseline hides it.
    FileNotChecked,
    /// Reported by the suppress step about a suppression comment; no comment silences it.
    Suppression,
}

impl RuleKind {
    /// The check run on every file, for the rules that have one.
    pub fn check(self) -> Option<CheckFn> {
        match self {
            RuleKind::Query(f) | RuleKind::Schema(f) => Some(f),
            RuleKind::FileNotChecked | RuleKind::Suppression => None,
        }
    }
}

/// What a rule's file declares about it; the registry adds its identity ([`super::Rule`]).
pub struct RuleDef {
    pub default_severity: Severity,
    /// One line, for `drizzle-guard rule` and SARIF's short description.
    pub summary: &'static str,
    /// The documentation, in the fixed sections; the top of the rule's file.
    pub doc: &'static str,
    pub kind: RuleKind,
    /// GitHub code scanning's `security-severity` (0-10), for security rules.
    pub security_severity: Option<&'static str>,
}

/// What a rule sees: the linked project and the configuration. Nothing mutable is shared; one
/// context serves the rules of one file, on one thread.
pub struct RuleContext<'a> {
    pub project: &'a Project,
    pub config: &'a Config,
    /// The file's tenant verdicts, one list per query, computed once: `tenant-filter` and
    /// `unverified-tenant-filter` read the same ones.
    pub(crate) tenant: std::cell::OnceCell<Vec<Vec<TenantCheck>>>,
    /// The indexes into `project.tables` of the tables this file defines, in order.
    tables: &'a [usize],
    /// The file matches `tenant.systemPaths`: system code, no tenant findings
    /// ([`RuleContext::system_code`]).
    system: bool,
}

impl<'a> RuleContext<'a> {
    /// Whether the file is system code (`tenant.systemPaths`: seeds, scripts, migrations):
    /// every tenant rule (reads, writes, where a tenant value comes from) skips it, by this
    /// one test.
    pub(crate) fn system_code(&self) -> bool {
        self.system
    }

    /// The file's inserts into tenant-scoped tables, with what their values and conflict
    /// clause say: what the write rules read. None in system code.
    pub(crate) fn tenant_inserts(
        &self,
        file: FileId,
    ) -> impl Iterator<
        Item = (
            &'a crate::link::LinkedQuery,
            &'a crate::facts::QuerySite,
            &'a crate::facts::InsertFacts,
            &'a Table,
        ),
    > {
        let project = self.project;
        let facts = &project.units[file].facts;
        let queries: &'a [crate::link::LinkedQuery] = if self.system_code() {
            &[]
        } else {
            &project.queries[file]
        };
        queries.iter().filter_map(move |q| {
            let site = &facts.queries[q.site];
            let insert = site.insert.as_deref()?;
            let table = project.table(q.table);
            table.is_tenant_scoped().then_some((q, site, insert, table))
        })
    }

    pub fn new(
        project: &'a Project,
        config: &'a Config,
        tables: &'a TablesByFile,
        file: FileId,
    ) -> Self {
        RuleContext {
            project,
            config,
            tenant: Default::default(),
            tables: tables.of(project, file),
            system: tables.system.get(file.0).copied().unwrap_or(false),
        }
    }

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
    /// Per file, whether it matches `tenant.systemPaths` (matched once for the run).
    system: Vec<bool>,
}

impl TablesByFile {
    pub fn new(project: &Project) -> Self {
        let mut order: Vec<usize> = (0..project.tables.len()).collect();
        order.sort_by_key(|&i| project.tables[i].file);
        // Only a file with queries or tenant values can have tenant findings to skip.
        let system = project
            .units
            .iter_enumerated()
            .map(|(f, u)| {
                (!project.queries[f].is_empty() || !u.facts.origins.uses.is_empty())
                    && project.is_system(f)
            })
            .collect();
        TablesByFile { order, system }
    }

    /// How many tenant-scoped queries (reads, writes and inserts) the files of
    /// `tenant.systemPaths` hold: the checks skipped there.
    pub fn system_tenant_queries(&self, project: &Project) -> usize {
        project
            .queries
            .iter_enumerated()
            .filter(|(f, _)| {
                self.system.get(f.0).copied().unwrap_or(false) && project.units[*f].check
            })
            .flat_map(|(f, qs)| qs.iter().map(move |q| (f, q)))
            .filter(|(_, q)| project.table(q.table).is_tenant_scoped())
            .count()
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

/// One table of one query that needs a tenant guarantee, and what the predicate says about it
/// (computed by `tenant-filter`, read by `unverified-tenant-filter` too).
pub(crate) struct TenantCheck {
    pub table: TableId,
    pub span: Span,
    pub verdict: Verdict,
    pub joined: bool,
    /// Proven only by a check of its row after it (`if (row.orgId !== orgId) throw`): its rows
    /// prove later queries past that check alone, not as a proven read's do.
    pub checked_after: bool,
}

/// A finding at a query's table, fingerprinted by the query's function and code.
pub(crate) fn at_query(
    rule: RuleId,
    rel: &str,
    site: &crate::facts::QuerySite,
    message: String,
) -> Diagnostic {
    Diagnostic::new(rule, rel, site.target_span, message)
        .context_at(site.function.as_deref(), site.span)
}
