//! Proofs by a check after a read: `const row = await <read by id>; if (!row || row.orgId !==
//! orgId) throw ..` proves the read, and its row past the check.

use crate::facts::{Guard, Origin};
use crate::ids::FileId;
use crate::link::{LinkedQuery, Project};
use crate::predicate::TableRef;
use crate::span::Span;

/// The check that proves the read `q` (see [`checked_after_read`]) comes before `at`: its
/// row, and a key it was read by, are the caller's there. A check of another column, or none
/// yet, and they are not.
pub(super) fn checked_before(project: &Project, file: FileId, q: &LinkedQuery, at: Span) -> bool {
    let instances = std::iter::once(q.instance()).chain(q.joins.iter().map(|j| j.instance()));
    instances
        .into_iter()
        .any(|me| tenant_checks_after(project, file, q, &me).is_some_and(|g| g.span.hi <= at.lo))
}

/// `const row = await db.select().from(T).where(eq(T.id, id)).get(); if (!row ||
/// row.workspaceId !== ws) throw ..`: the read itself, when the code after it in its function
/// compares the row's tenant column with a value and leaves when they differ, on every path
/// from the read (in the block that declared the row, or on every path of the function; not in
/// a branch of its own) and before any other query runs. Past the check the row is the
/// caller's. (Other uses of the row before the check, such as logging it, are not looked for.)
/// The instance may be a joined one, its tenant column selected under a key of its own
/// (`{ reportWorkspaceId: statusReport.workspaceId }` and `row.reportWorkspaceId !== ws`).
pub(super) fn checked_after_read(
    project: &Project,
    file: FileId,
    q: &LinkedQuery,
    me: &TableRef,
) -> bool {
    tenant_checks_after(project, file, q, me).is_some()
}

/// The rows of the read `q` are the caller's by the check after it: its own table's tenant
/// column was compared, or that of a table it joins (inner) as the parent its foreign key
/// points at (`innerJoin(reports, eq(updates.reportId, reports.id))`, then `row.reportOrg !==
/// orgId`): what a function returns of such a row is the caller's.
pub(super) fn checked_after_rows(project: &Project, file: FileId, q: &LinkedQuery) -> bool {
    let me = q.instance();
    checked_after_read(project, file, q, &me)
        || q.joins.iter().any(|j| {
            j.unmatched() == crate::link::Unmatched::Dropped
                && checked_after_read(project, file, q, &j.instance())
                && j.on.as_ref().is_some_and(|on| {
                    crate::predicate::conjuncts_of(&[on])
                        .iter()
                        .any(|a| match a {
                            crate::predicate::Pred::Eq(
                                crate::predicate::Opnd::Col(a),
                                crate::predicate::Opnd::Col(b),
                            ) => {
                                let (mine, theirs) = if a.table == me { (a, b) } else { (b, a) };
                                mine.table == me
                                    && theirs.table == j.instance()
                                    && project.references(project.table(me.id), &mine.key, j.table)
                                    && super::keys::unique(project.table(j.table), &theirs.key)
                            }
                            _ => false,
                        })
                })
        })
}

/// The check after the read `q` that compares `me`'s tenant column (see
/// [`checked_after_read`]).
fn tenant_checks_after<'p>(
    project: &'p Project,
    file: FileId,
    q: &LinkedQuery,
    me: &TableRef,
) -> Option<&'p Guard> {
    let row = project.units[file].facts.queries[q.site]
        .result
        .as_deref()?;
    let table = project.table(me.id);
    // The key of the row that holds `me`'s column `col`.
    let holds = |path: &str| match q.selected.iter().find(|(k, _, _)| **k == *path) {
        Some((_, t, col)) => t == me && table.is_tenant_column(col),
        None => *me == q.instance() && table.is_tenant_column(path),
    };
    positioned_after(project, file, q).find(|g| {
        matches!(&g.value, Origin::Local { name, path, each: false }
                if **name == *row && holds(path))
    })
}

/// The checks of the read `q`'s row right after it, on every path from it (see
/// [`checked_after_read`]): each as the property of the row compared and what it is compared
/// with (`if (!task || task.projectId !== id) throw ..`: `projectId`, `id`).
pub(super) fn guards_after<'p>(
    project: &'p Project,
    file: FileId,
    q: &LinkedQuery,
) -> impl Iterator<Item = (&'p str, &'p Origin)> {
    let row = project.units[file].facts.queries[q.site].result.clone();
    positioned_after(project, file, q).filter_map(move |g| match &g.value {
        Origin::Local {
            name,
            path,
            each: false,
        } if Some(name) == row.as_ref() && !path.is_empty() && !path.contains('.') => {
            Some((&**path, &g.against))
        }
        _ => None,
    })
}

/// The checks after the read `q` that run on every path from it, before any other query: none
/// for a read that is not bound as written in its function.
fn positioned_after<'p>(
    project: &'p Project,
    file: FileId,
    q: &LinkedQuery,
) -> impl Iterator<Item = &'p Guard> {
    let facts = &project.units[file].facts;
    let site = &facts.queries[q.site];
    let readable = site.result.is_some()
        && site.kind.is_read()
        && q.alias.is_none()
        && site.runs == crate::facts::Runs::InFunction(crate::facts::Handling::AsWritten);
    facts.origins.guards.iter().filter(move |g| {
        readable
            && site.span.hi <= g.span.lo
            && g.scope == site.scope
            && (g.top || g.beside)
            && !facts
                .queries
                .iter()
                .any(|o| site.span.hi <= o.span.lo && o.span.hi <= g.span.lo)
    })
}
