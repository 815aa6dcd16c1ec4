//! What would have proven a reported instance, when the query already holds part of the
//! answer: a tenant filter written but applied on some paths only, or a join through a foreign
//! key of an instance that is itself unproven (filtering that one proves the join too).

use crate::link::LinkedQuery;
use crate::predicate::{Pred, TableRef, Verdict};
use crate::rules::context::{RuleContext, TenantCheck};

/// Whether a join condition's equalities join the first instance to the second through a
/// foreign key.
pub(super) type FkLinked = fn(&crate::link::Project, &[&Pred], &TableRef, &TableRef) -> bool;

/// Whether `and(parts)` binds one of `cols` of `table` to a value (`eq`, `inArray`) anywhere
/// outside a `not(..)`. For an instance whose filter is missing, such an equality holds on
/// some paths only (`teamId !== undefined ? eq(T.teamId, teamId) : undefined`, `flag &&
/// eq(..)`, one branch of an `or`, a `where` added in a branch).
fn binds_on_some_path(parts: &[&Pred], table: &TableRef, cols: &[String]) -> bool {
    let mut stack: Vec<&Pred> = parts.to_vec();
    while let Some(p) = stack.pop() {
        if let Pred::And(ps) | Pred::Or(ps) = p {
            stack.extend(ps.iter());
            continue;
        }
        let Some(c) = crate::predicate::bound_col(p) else {
            continue;
        };
        if &c.table == table && cols.iter().any(|k| **k == *c.key) {
            return true;
        }
    }
    false
}

/// The help for the query's own table `me` when its tenant filter is written but does not hold
/// on every path.
pub(super) fn conditional_filter(
    q: &LinkedQuery,
    me: &TableRef,
    binding: &str,
    cols: &[String],
    verb: &str,
) -> Option<String> {
    let all = q.conditions();
    let col = cols.first()?;
    binds_on_some_path(&all, me, cols).then(|| {
        format!(
            "the tenant filter on `{binding}` holds on some paths only (it sits in `c ? eq(..) : undefined`, `c && eq(..)`, one side of an `or` or a `where` added in a branch): on the other paths rows of every tenant are {verb}; apply `eq({binding}.{col}, ..)` on every path (in the top-level `and(..)`, with a required tenant parameter), and give callers that read across tenants on purpose a function of their own"
        )
    })
}

/// The help for a joined instance `c` of `q` joined through a foreign key to another instance
/// of the query whose own tenant filter is missing: proving that one proves this join.
/// `fk_linked(project, atoms, x, p)` is the rule's test of a join through a foreign key.
pub(super) fn through_unproven(
    ctx: &RuleContext<'_>,
    q: &LinkedQuery,
    site: &crate::facts::QuerySite,
    c: &TenantCheck,
    checks: &[TenantCheck],
    verb: &str,
    fk_linked: FkLinked,
) -> Option<String> {
    if !ctx.project.fk_joins {
        return None;
    }
    let project = ctx.project;
    let x = q.joins.iter().find(|j| j.span == c.span)?.instance();
    let all = q.conditions();
    let atoms = crate::predicate::conjuncts_of(&all);
    // Every other instance with its check: the query's own table, then the joins.
    let others = std::iter::once((q.instance(), site.target_span))
        .chain(q.joins.iter().map(|j| (j.instance(), j.span)))
        .filter(|(p, _)| *p != x);
    for (p, span) in others {
        let unproven = checks
            .iter()
            .find(|k| k.span == span && k.table == p.id && k.verdict != Verdict::Proven);
        if let Some(k) = unproven.filter(|_| fk_linked(project, &atoms, &x, &p)) {
            let b = &project.table(p.id).binding;
            let tx = project.table(x.id);
            let (xb, col) = (&tx.binding, tx.tenant_columns.first()?);
            let own = if k.verdict == Verdict::Missing {
                "is missing"
            } else {
                "cannot be verified"
            };
            return Some(format!(
                "`{xb}` is joined through a foreign key of `{b}`, whose own tenant filter {own}: filter `{b}` by its tenant column and this join is proven with it (or add `eq({xb}.{col}, <the caller's {col}>)` to the join condition), so rows of other tenants are never {verb}"
            ));
        }
    }
    None
}

/// For a query keyed by a value (`eq(T.id, input.id)`) that an earlier read of the same table
/// with its tenant proof was keyed by too, in scope, when that read's result is not checked
/// before the query on every path (or at all): the read (for the related location) and the
/// local holding its result. Checking it would have proven the query.
pub(super) fn unchecked_read<'a>(
    ctx: &RuleContext<'a>,
    file: crate::ids::FileId,
    q: &LinkedQuery,
    me: &TableRef,
    earlier: &[Vec<TenantCheck>],
) -> Option<(&'a crate::facts::QuerySite, &'a str)> {
    let facts = &ctx.project.units[file].facts;
    let site = &facts.queries[q.site];
    let all = q.conditions();
    let atoms = crate::predicate::conjuncts_of(&all);
    let mine = super::keys::keyed_values(facts, &atoms, me);
    if mine.is_empty() {
        return None;
    }
    ctx.project.queries[file]
        .iter()
        .zip(earlier)
        .find_map(|(p, checks)| {
            let read = &facts.queries[p.site];
            let row = read.result.as_deref()?;
            let proven = checks
                .first()
                .is_some_and(|c| !c.joined && c.verdict == Verdict::Proven);
            let keyed = || {
                let theirs = p.conditions();
                let atoms = crate::predicate::conjuncts_of(&theirs);
                super::keys::keys_of(facts, &atoms, &p.instance())
                    .iter()
                    .any(|(u, k2, _)| {
                        mine.iter().any(|(col, k)| {
                            col == u
                                && crate::link::origins::same_value(k, k2)
                                && ctx.project.table(me.id).unique_column(u)
                        })
                    })
            };
            // Checked before the query: the query is unproven for another reason.
            let checked = || {
                facts
                    .null_checks
                    .iter()
                    .any(|n| *n.local == *row && n.covers(read.span, site.span))
            };
            // Read and checked in a branch the query is not in (`if (get) { const row = ..;
            // if (!row) return ..; return row; }`): no check there would prove the query.
            let elsewhere = || {
                facts.null_checks.iter().any(|n| {
                    *n.local == *row
                        && n.within
                            .is_some_and(|w| w.contains(read.span) && !w.contains(site.span))
                })
            };
            (p.table == me.id
                && p.alias.is_none()
                && read.kind.is_read()
                && proven
                && super::keys::ran_before(read.span, read.scope, site.span)
                && keyed()
                && !checked()
                && !elsewhere())
            .then_some((read, row))
        })
}
