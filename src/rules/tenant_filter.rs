//! `tenant-filter`: reads, updates and deletes on tenant-scoped tables must filter by tenant.

use super::context::{RuleContext, RuleDef, RuleKind, TenantCheck};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ids::FileId;
use crate::link::{LinkedQuery, Table, Unmatched};
use crate::predicate::{
    all_guarantee_equality, all_guarantee_equality_or_null, conjuncts_of, Opnd, Pred, TableRef,
    Verdict,
};
use crate::rule_id::RuleId;
use crate::span::Span;

mod after;
mod callers;
mod checked;
mod correlated;
mod help;
mod keys;
mod returned;
mod with;
use callers::{keyed_by_checked, owned_by_session};
use checked::{
    checked_after_read, checked_child_after_read, keyed_by_unverified_row, unproven_source, Proving,
};
use keys::{fk_linked, links_tenant_rows, secret_lookup};

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Error,
    summary: "A query on a tenant-scoped table is not filtered by its tenant column.",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: Some("8.1"),
};

// The rule's documentation (docs/rules/tenant-filter.md is written from it) is the longest
// of all: it lives in its own file.
const DOC: &str = include_str!("tenant_filter/doc.md");

/// [`tenant_checks`] of every query of the file, in the order of `project.queries[file]`;
/// computed on the first call for the file and kept in the context. None in system code
/// (`tenant.systemPaths`).
pub(crate) fn file_tenant_checks<'c>(
    ctx: &'c RuleContext<'_>,
    file: FileId,
) -> &'c [Vec<TenantCheck>] {
    ctx.tenant.get_or_init(|| {
        let queries = &ctx.project.queries[file];
        if ctx.system_code() {
            return queries.iter().map(|_| vec![]).collect();
        }
        let mut done: Vec<Vec<TenantCheck>> = Vec::with_capacity(queries.len());
        for q in queries {
            let checks = tenant_checks(ctx, file, q, &done);
            done.push(checks);
        }
        done
    })
}

/// Whether the value at `at`, compared with (or written to) column `col` of `q`'s own table,
/// names a row the caller checked, as `eq(T.col, value)` would prove a query (a checked row's
/// value, the key of a checked read, a parameter every caller fills with a checked key): an
/// upsert's conflict key taken from one can only meet the caller's own row.
pub(crate) fn checked_key(
    ctx: &RuleContext<'_>,
    file: FileId,
    q: &LinkedQuery,
    col: &crate::facts::Name,
    at: crate::facts::ValueAt,
) -> bool {
    let me = q.instance();
    let atom = Pred::Eq(
        Opnd::Col(crate::predicate::Col {
            table: me.clone(),
            key: col.clone(),
        }),
        Opnd::Value(Some(at)),
    );
    let atoms = [&atom];
    let p = Proving {
        ctx,
        file,
        q,
        earlier: file_tenant_checks(ctx, file),
    };
    keyed_by_checked(p, &me, &atoms)
}

/// The verdict for the query's own table and for every joined tenant-scoped table. `earlier`
/// holds the checks of the file's queries before this one (their rows may prove it).
fn tenant_checks(
    ctx: &RuleContext<'_>,
    file: FileId,
    q: &LinkedQuery,
    earlier: &[Vec<TenantCheck>],
) -> Vec<TenantCheck> {
    let p = Proving {
        ctx,
        file,
        q,
        earlier,
    };
    let project = ctx.project;
    let site = &project.units[file].facts.queries[q.site];
    if !(site.kind.is_read()
        || matches!(
            site.kind,
            crate::facts::QueryKind::Update | crate::facts::QueryKind::Delete
        ))
    {
        return vec![];
    }
    let fk = ctx.project.fk_joins;
    let whole = q.conditions();
    let outer = q.joins.iter().any(|j| j.unmatched() != Unmatched::Dropped);
    let all_rows = if outer { restricts_all(q) } else { vec![] };
    // Every instance the query reads, with its verdict; unscoped ones take no part.
    let mut instances: Vec<Instance> = Vec::with_capacity(1 + q.joins.len());
    let mut add = |table: TableRef, span: Span, own: Option<usize>| {
        let joined = own.is_some();
        let t = project.table(table.id);
        // A table no tenant owns that links tenant-scoped rows (a many-to-many link table, a
        // child owned through its parent): never reported, but when keyed by a checked row it
        // carries the proof through its foreign keys to the tables joined to it.
        let link = !t.is_tenant_scoped() && fk && links_tenant_rows(project, t);
        if t.is_tenant_scoped() || link {
            // What restricts this instance's rows (with an outer join, not every part does).
            let mine;
            let all: &[&Pred] = if outer {
                mine = restricting(q, &all_rows, own);
                &mine
            } else {
                &whole
            };
            let atoms = conjuncts_of(all);
            let (verdict, proof) = if link {
                let verdict = if keyed_by_checked(p, &table, &atoms) {
                    Verdict::Proven
                } else {
                    Verdict::Missing
                };
                (verdict, Proof::CheckedRow)
            } else {
                scoped_verdict(p, t, &table, all, &atoms, joined)
            };
            instances.push(Instance {
                table,
                span,
                joined,
                verdict,
                proof,
                restricted_by: outer.then_some(atoms),
                link,
            });
        }
    };
    add(q.instance(), site.target_span, None);
    for (k, j) in q.joins.iter().enumerate() {
        add(j.instance(), j.span, Some(k));
    }
    let atoms = conjuncts_of(&whole);
    // A correlated subquery: its outer instances, proven, are joined to it by its condition.
    let correlation = correlated::correlated_outer(p, &atoms);
    for i in &mut instances {
        if i.verdict != Verdict::Proven && correlation.proven_own.contains(&i.table) {
            i.verdict = Verdict::Proven;
            i.proof = Proof::Correlated;
        }
    }
    for p in correlation.outer {
        instances.push(Instance {
            table: p,
            span: site.target_span,
            joined: true,
            verdict: Verdict::Proven,
            proof: Proof::Outer,
            restricted_by: None,
            link: false,
        });
    }
    if instances.len() > 1 {
        // Proofs through foreign keys (unless `tenant.joins` is strict) and equal tenant
        // columns, carried from proven instances until none is added.
        loop {
            let mut changed = false;
            for i in 0..instances.len() {
                if instances[i].verdict == Verdict::Proven {
                    continue;
                }
                let x = &instances[i].table;
                // The link must restrict `x`'s rows: a left join's condition ties only the
                // rows it joins to the rows before it, not the other way round.
                let atoms = instances[i].restricted_by.as_deref().unwrap_or(&atoms);
                let mut proof = None;
                for p in instances.iter().filter(|p| p.verdict == Verdict::Proven) {
                    if p.table == *x {
                        continue;
                    }
                    // (A proof of its own, such as a secret lookup, carried by `eq(x.orgId,
                    // p.orgId)` as a tenant filter would be.)
                    if p.proof != Proof::Direct && same_tenant(project, atoms, x, &p.table) {
                        proof = Some(Proof::SameTenant);
                        break;
                    }
                    if fk && fk_linked(project, atoms, x, &p.table) {
                        proof = Some(Proof::ForeignKey);
                        break;
                    }
                }
                if let Some(proof) = proof {
                    instances[i].verdict = Verdict::Proven;
                    instances[i].proof = proof;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
    // Rows proven by a check after the read (or through a foreign key of such rows) are the
    // caller's only past that check.
    let after = instances.iter().any(|i| i.proof == Proof::CheckedAfter);
    instances
        .into_iter()
        // A link is shown only when proven: its rows are checked rows, and it is never reported.
        .filter(|i| i.proof != Proof::Outer && (!i.link || i.verdict == Verdict::Proven))
        .map(|i| TenantCheck {
            table: i.table.id,
            span: i.span,
            verdict: i.verdict,
            joined: i.joined,
            checked_after: i.proof == Proof::CheckedAfter
                || (after && i.proof == Proof::ForeignKey),
        })
        .collect()
}

/// The verdict for a tenant-scoped instance `table` (of table `t`) whose rows `all` restricts
/// (`atoms`, its conjuncts), and the proof that gave it.
fn scoped_verdict(
    p: Proving<'_>,
    t: &Table,
    table: &TableRef,
    all: &[&Pred],
    atoms: &[&Pred],
    joined: bool,
) -> (Verdict, Proof) {
    let Proving { ctx, file, q, .. } = p;
    let project = ctx.project;
    // `isNull(T.teamId)` keeps to rows no tenant owns: not another tenant's either.
    let mut verdict = all_guarantee_equality_or_null(all, table, &t.tenant_columns, &t.tenant_null);
    if verdict != Verdict::Proven && !t.root_refs.is_empty() {
        // A reference to a tenant root pins the rows to that tenant too.
        let refs = all_guarantee_equality(all, table, &t.root_refs);
        if refs == Verdict::Proven {
            verdict = refs;
        }
    }
    let mut proof = Proof::Direct;
    if verdict != Verdict::Proven && secret_lookup(t, all, table) {
        verdict = Verdict::Proven;
        proof = Proof::Secret;
    }
    if verdict != Verdict::Proven && keyed_by_checked(p, table, atoms) {
        verdict = Verdict::Proven;
        proof = Proof::CheckedRow;
    }
    if verdict != Verdict::Proven
        && (checked_after_read(project, file, q, table)
            || (*table == q.instance() && checked_child_after_read(p)))
    {
        verdict = Verdict::Proven;
        proof = Proof::CheckedAfter;
    }
    // One row of the signed-in user's in any tenant (`findFirst`, `.get()`, `.limit(1)`) is an
    // arbitrary tenant's: only the user's rows as a whole (a list, a write) are theirs.
    let site = &project.units[file].facts.queries[q.site];
    let one = site.kind == crate::facts::QueryKind::FindFirst || site.takes_one;
    if verdict != Verdict::Proven && !joined && !one && owned_by_session(ctx, file, table, atoms) {
        verdict = Verdict::Proven;
        proof = Proof::SessionUser;
    }
    // In a disjunction the user's rows widen the tenant's: for a list to read (the user's
    // view), not for a write, which may reach another tenant's row the user still owns.
    let list = !joined && !one && site.kind.is_read();
    if verdict != Verdict::Proven && branches_proven(p, t, table, atoms, list) {
        verdict = Verdict::Proven;
        proof = Proof::SessionUser;
    }
    if verdict == Verdict::Missing {
        // Keyed by a row whose read cannot be verified: no more certain than that read.
        if let Some(row) = keyed_by_unverified_row(p, table, atoms) {
            verdict = Verdict::Unverifiable(format!(
                "a key of `{row}`, read earlier by a query whose own tenant filter cannot be verified"
            ));
        }
    }
    (verdict, proof)
}

/// `or(eq(tasks.workspaceId, ws.id), eq(tasks.assigneeId, user.id))`: a disjunction among
/// `atoms` whose every branch has a proof of its own, one a tenant filter and the others maybe
/// another kind: a checked key, or (with `session`, for a list read) the signed-in user's rows.
/// (Branches all keyed by checked rows are `keyed_by_checked`'s.)
fn branches_proven(
    p: Proving<'_>,
    t: &Table,
    table: &TableRef,
    atoms: &[&Pred],
    session: bool,
) -> bool {
    let direct = |b: &Pred| {
        let parts = conjuncts_of(&[b]);
        all_guarantee_equality_or_null(&parts, table, &t.tenant_columns, &t.tenant_null)
            == Verdict::Proven
    };
    let proven = |b: &Pred| {
        let parts = conjuncts_of(&[b]);
        matches!(b, Pred::False)
            || direct(b)
            || keyed_by_checked(p, table, &parts)
            || (session && owned_by_session(p.ctx, p.file, table, &parts))
    };
    // (One branch a tenant filter, which is cheap to see, before the other proofs are asked
    // of the rest: an `or` of search terms has none.)
    atoms
        .iter()
        .any(|a| matches!(a, Pred::Or(bs) if bs.iter().any(direct) && bs.iter().all(proven)))
}

/// An instance a query reads (its own table, a joined one, a correlated subquery's outer one),
/// while its verdict is worked out.
struct Instance<'q> {
    table: TableRef,
    span: Span,
    joined: bool,
    verdict: Verdict,
    proof: Proof,
    /// With an outer join, the conjuncts that restrict its rows (see [`restricting`]); without
    /// one, every part of the condition does.
    restricted_by: Option<Vec<&'q Pred>>,
    /// A link between tenant-scoped rows that no tenant owns itself: it only carries proofs.
    link: bool,
}

/// How an instance was proven (kept for the reader of the code; the finding only exists when
/// none applies).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Proof {
    Direct,
    CheckedRow,
    ForeignKey,
    /// Looked up by a secret it holds (an API key's hash, an OAuth code): the secret, not a
    /// tenant, decides who may see the row.
    Secret,
    /// Equal on a tenant column to a proven outer instance of a correlated subquery, or taking
    /// its values from a proven subquery (`inArray(col, db.select(..))`).
    Correlated,
    /// Not the query's own: the proven outer instance a correlated subquery names.
    Outer,
    /// The signed-in user's own rows: a foreign key to the users equal to the session's value.
    SessionUser,
    /// A read whose row the code compares with the caller's tenant right after it, leaving
    /// when they differ.
    CheckedAfter,
    /// A tenant column equal to that of an instance proven another way than by a filter.
    SameTenant,
}

/// Whether `atoms` equate a tenant column of `x` with one of `p`'s (`eq(memberships.orgId,
/// sessions.orgId)`): `x`'s rows are then of the tenant of `p`'s.
fn same_tenant(
    project: &crate::link::Project,
    atoms: &[&Pred],
    x: &TableRef,
    p: &TableRef,
) -> bool {
    let tenant = |t: &TableRef, c: &crate::predicate::Col| {
        c.table == *t
            && project
                .table(t.id)
                .tenant_columns
                .iter()
                .any(|k| **k == *c.key)
    };
    atoms.iter().any(|a| match a {
        Pred::Eq(Opnd::Col(a), Opnd::Col(b)) => {
            (tenant(x, a) && tenant(p, b)) || (tenant(x, b) && tenant(p, a))
        }
        _ => false,
    })
}

/// Per join of `q`, whether its condition restricts every row of the result: an inner join,
/// or a left join whose rows the rest of the query requires (`eq(files.id, ..)` in the `where`
/// or in an inner join's condition drops every row where the left join found nothing, so it
/// acts as an inner join).
fn restricts_all(q: &LinkedQuery) -> Vec<bool> {
    let mut all: Vec<bool> = q
        .joins
        .iter()
        .map(|j| j.unmatched() == Unmatched::Dropped)
        .collect();
    loop {
        let mut changed = false;
        for k in 0..q.joins.len() {
            if all[k] || q.joins[k].unmatched() != Unmatched::KeepBefore {
                continue;
            }
            let me = q.joins[k].instance();
            let mut parts = q.where_.iter().chain(
                q.joins
                    .iter()
                    .zip(&all)
                    .enumerate()
                    .filter(|(m, (_, r))| *m != k && **r)
                    .filter_map(|(_, (j, _))| j.on.as_ref()),
            );
            let required = parts.any(|p| {
                conjuncts_of(&[p]).iter().any(|a| match a {
                    Pred::Eq(a, b) => [a, b]
                        .iter()
                        .any(|o| matches!(o, Opnd::Col(c) if c.table == me)),
                    Pred::InArray(c, _) | Pred::IsNotNull(c) => c.table == me,
                    _ => false,
                })
            });
            if required {
                all[k] = true;
                changed = true;
            }
        }
        if !changed {
            return all;
        }
    }
}

/// The parts of `q`'s condition that restrict the rows of its instance `own` (`None`: the
/// table it reads from; `Some(k)`: its `k`th join): the `where`; the instance's own join
/// condition, unless a right or full join keeps its every row; the condition of a join that
/// restricts every row (see [`restricts_all`]); and a right join's for the instances before
/// it, which it may leave empty. A left join's condition restricts only the rows it joins:
/// `from(transactions).leftJoin(attachments, and(eq(attachments.transactionId,
/// transactions.id), eq(attachments.teamId, teamId)))` returns every team's transactions.
fn restricting<'q>(q: &'q LinkedQuery, all: &[bool], own: Option<usize>) -> Vec<&'q Pred> {
    let mut out: Vec<&Pred> = q.where_.iter().collect();
    for (k, j) in q.joins.iter().enumerate() {
        let Some(on) = &j.on else {
            continue;
        };
        let keeps = match j.unmatched() {
            Unmatched::KeepJoined | Unmatched::KeepBoth if own == Some(k) => false,
            _ if own == Some(k) || all[k] => true,
            Unmatched::KeepJoined => own.is_none_or(|o| o < k),
            _ => false,
        };
        if keeps {
            out.push(on);
        }
    }
    out
}

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    let unit = &ctx.project.units[file];
    let all_checks = file_tenant_checks(ctx, file);
    for (i, q) in ctx.project.written_queries(file) {
        let site = &unit.facts.queries[q.site];
        let checks = &all_checks[i];
        for c in checks {
            if c.verdict != Verdict::Missing {
                continue;
            }
            let t = ctx.project.table(c.table);
            let col = &t.tenant_columns[0];
            let what = if c.joined { "joined table" } else { "query on" };
            let msg = format!(
                "{what} `{}` is not filtered by its tenant column `{col}`",
                t.binding
            );
            let raw = matches!(site.target, crate::facts::QueryTarget::Raw(_));
            // Only for the query's own table (asked of findings only: nothing else pays).
            let unchecked = (!c.joined && !raw)
                .then(|| {
                    let me = TableRef {
                        id: c.table,
                        alias: q.alias.clone(),
                    };
                    help::unchecked_read(ctx, file, q, &me, all_checks)
                })
                .flatten();
            let sql_col = t.column(col).map_or(col.as_str(), |c| c.sql_name.as_str());
            let would = if raw {
                format!(
                    "add `{}.{sql_col} = ${{<the caller's {col}>}}` to the statement's WHERE{}, so rows of other tenants are never {v}",
                    t.sql_name,
                    if c.joined { " or the join's ON" } else { "" },
                    v = verb(site.kind)
                )
            } else if let Some(h) = c
                .joined
                .then(|| {
                    help::through_unproven(ctx, q, site, c, checks, verb(site.kind), fk_linked)
                })
                .flatten()
            {
                h
            } else if c.joined {
                format!(
                    "add `eq({b}.{col}, <the caller's {col}>)` to the join condition or the where clause{}, so rows of other tenants are never {v}",
                    if ctx.project.fk_joins {
                        format!(", or join `{b}` by its key to a foreign key of a tenant-filtered table (or by its foreign key to such a table's key)", b = t.binding)
                    } else {
                        " (`tenant.joins: \"strict\"`: a join through a foreign key proves nothing)".into()
                    },
                    b = t.binding,
                    v = verb(site.kind)
                )
            } else if matches!(site.runs, crate::facts::Runs::Subquery(_)) {
                correlated::subquery_help(&t.binding, col)
            } else if let Some(h) = help::conditional_filter(
                q,
                &TableRef {
                    id: c.table,
                    alias: q.alias.clone(),
                },
                &t.binding,
                &t.tenant_columns,
                verb(site.kind),
            ) {
                h
            } else if let Some((_, row)) = unchecked.filter(|_| !c.joined) {
                format!(
                    "`{b}` is keyed by the same value as an earlier read of `{b}` with its tenant filter, whose result `{row}` is not checked before this query on every path: leave when it found nothing, right after the read (`if (!{row}) throw ..`, or `if ({row}.length === 0)` for an array of rows; a check in a branch, in a `try` whose `catch` goes on, or a call whose error is caught or not awaited does not count), or add `eq({b}.{col}, <the caller's {col}>)` here, so rows of other tenants are never {v}",
                    b = t.binding,
                    v = verb(site.kind)
                )
            } else {
                format!(
                    "add `eq({b}.{col}, <the caller's {col}>)` to the where clause, or key it by a row read earlier with its tenant filter (its primary key, or a foreign key to that row), so rows of other tenants are never {v}",
                    b = t.binding,
                    v = verb(site.kind)
                )
            };
            let mut d = Diagnostic::new(RuleId::TenantFilter, &unit.rel, c.span, msg).help(would);
            if let Some((read, row)) = unchecked.filter(|_| !c.joined && !raw) {
                d = d.related(
                    &unit.rel,
                    read.target_span,
                    format!("read here with its tenant filter, into `{row}`; nothing checks that it found a row before the query"),
                );
            }
            if !c.joined && !raw {
                let me = TableRef {
                    id: c.table,
                    alias: q.alias.clone(),
                };
                if let Some((read, row)) = unproven_source(
                    Proving {
                        ctx,
                        file,
                        q,
                        earlier: all_checks,
                    },
                    &me,
                ) {
                    d = d.related(
                        &unit.rel,
                        read.target_span,
                        format!(
                            "the key comes from `{row}`, read here without a tenant filter (a row read with one proves what its primary key or a foreign key to it keys)"
                        ),
                    );
                }
                let all = q.conditions();
                let atoms = conjuncts_of(&all);
                if let Some((g, span)) = callers::unchecked_caller(ctx, file, &me, &atoms) {
                    d = d.related(
                        &ctx.project.units[g].rel,
                        span,
                        "this call passes a key it did not check first: read that row with its tenant filter here (and leave when it is missing), or pass a value of such a row, and every call checking so proves the query",
                    );
                }
            }
            out.push(d.context_at(site.function.as_deref(), site.span));
        }
        // Relations loaded with `with` (none in system code, as the query's own checks).
        if !q.with.is_empty() && !ctx.system_code() {
            let p = Proving {
                ctx,
                file,
                q,
                earlier: all_checks,
            };
            for u in with::unproven_withs(p, checks) {
                out.extend(with::finding(ctx.project, &unit.rel, site, &u));
            }
        }
    }
}

fn verb(kind: crate::facts::QueryKind) -> &'static str {
    match kind {
        crate::facts::QueryKind::Update => "updated",
        crate::facts::QueryKind::Delete => "deleted",
        _ => "returned",
    }
}
