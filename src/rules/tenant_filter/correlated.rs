//! Correlated subqueries: `exists(db.select().from(members).where(eq(members.projectId,
//! projects.id)))` reads `members` only for the rows of the outer query's `projects`. Its
//! condition names a table it does not read (the outer instance); when that instance is proven,
//! the subquery's own instances are proven through it the way joins are (a foreign key, or an
//! equality between tenant columns).

use super::callers::keyed_by_checked;
use super::checked::Proving;
use super::keys::{links_tenant_rows, unique};
use crate::facts::Runs;
use crate::ids::FileId;
use crate::link::{LinkedQuery, Project};
use crate::predicate::{conjuncts_of, Col, Opnd, Pred, TableRef, Verdict};
use crate::rules::context::TenantCheck;

/// What a correlated subquery's condition proves.
#[derive(Default)]
pub(crate) struct Correlation {
    /// The proven outer instances it names: its own instances are proven through them by a
    /// foreign key as joins are.
    pub(crate) outer: Vec<TableRef>,
    /// Its own instances proven by them (equal to one on a tenant column) or by a subquery
    /// of its own (`inArray(col, <proven subquery>)` through a foreign key).
    pub(crate) proven_own: Vec<TableRef>,
}

/// The outer instances the correlated subquery `q` names in an unconditional equality, when
/// they are proven, and its own instances equal to one of them on a tenant column.
///
/// The outer instance is proven when the innermost enclosing query that reads it proves it.
/// A subquery written outside any query's chain (`const c = exists(..)`, pushed onto a
/// condition array) runs in whichever query uses the condition, which is checked on its own:
/// a tenant-scoped outer table counts as proven there, and that query is reported if it is not.
pub(super) fn correlated_outer(p: Proving<'_>, atoms: &[&Pred]) -> Correlation {
    let Proving {
        ctx,
        file,
        q,
        earlier,
    } = p;
    let mut found = Correlation {
        proven_own: in_array_proofs(p, atoms),
        ..Correlation::default()
    };
    let project = ctx.project;
    let site = &project.units[file].facts.queries[q.site];
    if !matches!(site.runs, Runs::Subquery(_) | Runs::InQuery(_)) {
        return found;
    }
    let own = |t: &TableRef| *t == q.instance() || q.joins.iter().any(|j| j.instance() == *t);
    let mut outer: Vec<&TableRef> = vec![];
    for a in atoms {
        if let Pred::Eq(Opnd::Col(x), Opnd::Col(y)) = a {
            for c in [x, y] {
                if !own(&c.table) && !outer.contains(&&c.table) {
                    outer.push(&c.table);
                }
            }
        }
    }
    for p in outer {
        if !project.table(p.id).is_tenant_scoped() || !outer_proven(project, file, q, p, earlier) {
            continue;
        }
        let own = std::iter::once(q.instance()).chain(q.joins.iter().map(|j| j.instance()));
        for x in own {
            if tenant_equal(project, atoms, &x, p) && !found.proven_own.contains(&x) {
                found.proven_own.push(x);
            }
        }
        found.outer.push(p.clone());
    }
    found
}

/// Whether the outer instance `p` of the subquery `q` is proven: by the innermost query whose
/// chain holds `q` and reads `p`; when no query's chain holds `q`, by the query that uses it.
fn outer_proven(
    project: &Project,
    file: FileId,
    q: &LinkedQuery,
    p: &TableRef,
    earlier: &[Vec<TenantCheck>],
) -> bool {
    let facts = &project.units[file].facts;
    let span = facts.queries[q.site].span;
    let mut enclosed = false;
    let mut best: Option<(u32, bool)> = None;
    for (o, checks) in project.queries[file].iter().zip(earlier) {
        let s = facts.queries[o.site].span;
        if !(s.lo <= span.lo && span.hi <= s.hi && (s.lo, s.hi) != (span.lo, span.hi)) {
            continue;
        }
        enclosed = true;
        // The checks hold the tenant-scoped instances in the order the query reads them.
        let reads = std::iter::once(o.instance())
            .chain(o.joins.iter().map(|j| j.instance()))
            .filter(|t| project.table(t.id).is_tenant_scoped());
        let Some(proven) = reads
            .zip(checks)
            .find(|(t, _)| t == p)
            .map(|(_, c)| c.verdict == Verdict::Proven)
        else {
            continue;
        };
        if best.is_none_or(|(lo, _)| s.lo >= lo) {
            best = Some((s.lo, proven));
        }
    }
    match best {
        Some((_, proven)) => proven,
        None => !enclosed,
    }
}

/// An unconditional equality between a tenant column of `x` and one of `p`.
fn tenant_equal(project: &Project, atoms: &[&Pred], x: &TableRef, p: &TableRef) -> bool {
    let tx = project.table(x.id);
    let tp = project.table(p.id);
    let of = |c: &Col, t: &TableRef, cols: &[String]| {
        &c.table == t && cols.iter().any(|k| k.as_str() == &*c.key)
    };
    atoms.iter().any(|a| match a {
        Pred::Eq(Opnd::Col(a), Opnd::Col(b)) => {
            (of(a, x, &tx.tenant_columns) && of(b, p, &tp.tenant_columns))
                || (of(b, x, &tx.tenant_columns) && of(a, p, &tp.tenant_columns))
        }
        _ => false,
    })
}

/// What would prove a subquery's own table: its filter, or a correlation with the outer
/// query's proven table through a foreign key.
pub(super) fn subquery_help(binding: &str, col: &str) -> String {
    format!(
        "add `eq({binding}.{col}, <the caller's {col}>)` to the subquery's where clause, or correlate it with a tenant-filtered table of the outer query by a foreign key (`eq({binding}.<its foreign key>, <outer table>.id)`), so rows of other tenants are never read"
    )
}

/// `inArray(tasks.projectId, db.select({ id: projects.id }).from(projects).where(<tenant>))`
/// as an unconditional part of `q`'s condition: the column takes only values of rows the
/// subquery proves, so the instance is proven when the two columns are linked by a foreign key
/// (the selected column is a one-column unique key the compared one references, or the
/// reverse) or are both tenant columns.
fn in_array_proofs(p: Proving<'_>, atoms: &[&Pred]) -> Vec<TableRef> {
    let Proving {
        ctx,
        file,
        q,
        earlier,
    } = p;
    let project = ctx.project;
    let facts = &project.units[file].facts;
    if facts.in_array_subqueries.is_empty() {
        return vec![];
    }
    let span = facts.queries[q.site].span;
    let mut out = vec![];
    for s in &project.queries[file] {
        // Used in this query: written in place, or a local holding it named there.
        let Some((c, k, inner)) = &s.in_array else {
            continue;
        };
        let own = c.table == q.instance() || q.joins.iter().any(|j| j.instance() == c.table);
        if !(own
            && span.lo <= inner.lo
            && inner.hi <= span.hi
            && k.table == s.instance()
            && atoms
                .iter()
                .any(|a| matches!(a, Pred::InArray(x, _) if x == c)))
        {
            continue;
        }
        let ts = project.table(s.table);
        let tx = project.table(c.table.id);
        // A link no tenant owns (`inArray(tags.id, db.select({ id: projectTags.tagId })
        // .from(projectTags).where(eq(projectTags.projectId, project.id)))`) proves what it
        // selects when it is keyed by a checked row, as it does joined.
        let link = !ts.is_tenant_scoped() && project.fk_joins && links_tenant_rows(project, ts);
        if !ts.is_tenant_scoped() && !link {
            continue;
        }
        let conds = s.conditions();
        let direct = |cols: &[String]| {
            crate::predicate::all_guarantee_equality(&conds, &s.instance(), cols) == Verdict::Proven
        };
        let keyed = || {
            let own = conjuncts_of(&conds);
            let sp = Proving {
                ctx,
                file,
                q: s,
                earlier,
            };
            keyed_by_checked(sp, &s.instance(), &own)
        };
        let proven = (!link
            && (direct(&ts.tenant_columns) || (!ts.root_refs.is_empty() && direct(&ts.root_refs))))
            || keyed();
        let linked = (unique(ts, &k.key) && project.references(tx, &c.key, s.table))
            || (unique(tx, &c.key) && project.references(ts, &k.key, c.table.id))
            || (tx.tenant_columns.iter().any(|t| *t == *c.key)
                && ts.tenant_columns.iter().any(|t| *t == *k.key));
        if proven && linked && !out.contains(&c.table) {
            out.push(c.table.clone());
        }
    }
    out
}
