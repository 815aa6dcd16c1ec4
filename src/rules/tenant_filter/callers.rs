//! Proofs by a function's callers: a helper keyed by its parameter is proven when every call
//! the project makes passes a key the caller checked, or a value of the session (the
//! signed-in user's own rows).

use super::checked::{
    branches_keyed_by_checked, checked_after_read, checked_after_rows, checked_before,
    key_of_checked_call, keyed_by_checked_row, same_key_as_checked_read, throws_when_missing,
    Proving,
};
use super::keys::keyed_values;
use super::keys::{
    fk_linked, inserted_before, proven_directly, ran_before, related, same_row_key, through,
    tx_results_before, unique,
};
use super::returned::{result_callee, rows_past_call};
use crate::facts::{CallOrigins, ConflictAction, InsertValues, Origin, UseTarget};
use crate::ids::{FileId, TableId};
use crate::link::origins::{argument, same_value};
use crate::link::{LinkedQuery, Project, Unmatched};
use crate::predicate::{conjuncts_of, Opnd, Pred, TableRef};
use crate::rules::context::RuleContext;
use crate::span::Span;

/// Whether `me` (an instance of `p.q`) is keyed by what the code checked: a value of a checked
/// row ([`keyed_by_checked_row`]) or a key every caller checked first
/// ([`keyed_by_checked_callers`]); for the query's own table also the key of a checked read
/// ([`same_key_as_checked_read`]) and `or` branches each keyed so
/// ([`branches_keyed_by_checked`]). Every proof by a checked row asks this one question: of
/// a tenant-scoped instance, a link table carrying proofs, an `inArray` subquery, an upsert's
/// conflict key.
pub(super) fn keyed_by_checked(p: Proving<'_>, me: &TableRef, atoms: &[&Pred]) -> bool {
    let own = *me == p.q.instance();
    keyed_by_checked_row(p, me, atoms)
        || (own && same_key_as_checked_read(p, atoms))
        || keyed_by_checked_callers(p.ctx, p.file, me, atoms)
        || (own && branches_keyed_by_checked(p, me, atoms))
}

/// `eq(T.col, id)` in a project function whose `id` parameter every call the project makes
/// fills with a key it checked first: a value of a row read with a proof and checked
/// (`updateStatus(db, { id: customer.id })` after `if (!customer) throw ..`), or the key a
/// checked read with a proof was keyed by (`rename(db, input.id)` after such a read of
/// `input.id`). One call that passes anything else, a file that may call it whose values are
/// not followed, or no call at all, and it proves nothing.
pub(super) fn keyed_by_checked_callers(
    ctx: &RuleContext<'_>,
    file: FileId,
    me: &TableRef,
    atoms: &[&Pred],
) -> bool {
    by_checked_callers(ctx.project, file, me, atoms, CALLER_DEPTH)
}

/// How many helpers deep a proof by callers follows the rows callers pass: a caller's read
/// may itself be proven by its own callers (`notify(id)` reads the row its callers checked,
/// then passes its `pageId` on), up to this many times.
const CALLER_DEPTH: u8 = 2;

fn by_checked_callers(
    project: &Project,
    file: FileId,
    me: &TableRef,
    atoms: &[&Pred],
    depth: u8,
) -> bool {
    let facts = &project.units[file].facts;
    keyed_values(facts, atoms, me).iter().any(|(col, o)| {
        every_caller_passes(project, file, o, |g, call, arg| {
            checked_at_call(project, g, call, arg, me.id, col, depth)
        })
    })
}

/// Where a proof by callers breaks: for a query keyed by a parameter (`eq(T.id, id)` in
/// `rename(id)`) whose calls the project knows, the first call (by file, then position) that
/// passes a key it did not check. Shown beside the finding: checking the key there, or
/// filtering in the function, proves the query.
pub(super) fn unchecked_caller(
    ctx: &RuleContext<'_>,
    file: FileId,
    me: &TableRef,
    atoms: &[&Pred],
) -> Option<(FileId, Span)> {
    let project = ctx.project;
    let facts = &project.units[file].facts;
    keyed_values(facts, atoms, me).iter().find_map(|(col, o)| {
        let user_key = user_key(project, me, col);
        calls_passing(project, file, o)?.find_map(|(g, call, arg)| {
            let checked = arg.is_some_and(|arg| {
                (user_key && arg == Origin::Session)
                    || checked_at_call(project, g, call, &arg, me.id, col, CALLER_DEPTH)
            });
            (!checked).then_some((g, call.span))
        })
    })
}

/// `o` is a parameter of a project function (or a property of one), and every call the
/// project makes to that function passes for it a value `test` accepts; there is at least one
/// such call, and every call is known (`Project::callers`).
fn every_caller_passes(
    project: &Project,
    file: FileId,
    o: &Origin,
    test: impl Fn(FileId, &CallOrigins, &Origin) -> bool,
) -> bool {
    calls_passing(project, file, o)
        .is_some_and(|mut calls| calls.all(|(g, call, arg)| arg.is_some_and(|a| test(g, call, &a))))
}

/// For a parameter `o` (or a property of one) of a project function whose calls are all known
/// (`Project::callers`): each call, its file, and what it passes for `o`.
fn calls_passing<'p>(
    project: &'p Project,
    file: FileId,
    o: &'p Origin,
) -> Option<impl Iterator<Item = (FileId, &'p CallOrigins, Option<Origin>)> + 'p> {
    let Origin::Param {
        scope,
        index,
        path,
        each,
    } = o
    else {
        return None;
    };
    let facts = &project.units[file].facts;
    let f = facts.functions.iter().position(|f| f.span.lo == scope.lo)?;
    Some(project.callers(file, f)?.iter().map(move |&(g, n)| {
        let call = &project.units[g].facts.origins.calls[n];
        (g, call, passed(call, *index, path, *each))
    }))
}

/// What `call` passes for a parameter's property (see [`argument`]); with `each`, the callee
/// took that property's values over the rows passed (`rows.map((r) => r.id)`), so it is one of
/// many at the caller too. Only a local's rows can be followed so.
fn passed(call: &CallOrigins, index: u32, path: &str, each: bool) -> Option<Origin> {
    match argument(call, index, path)? {
        Origin::Local { name, path, .. } if each => Some(Origin::Local {
            name,
            path,
            each: true,
        }),
        _ if each => None,
        arg => Some(arg),
    }
}

/// The value `arg` that `call` (in `file`) passes names a row of `t` by `col` that the caller
/// checked before the call (see [`keyed_by_checked_callers`]).
fn checked_at_call(
    project: &Project,
    file: FileId,
    call: &CallOrigins,
    arg: &Origin,
    t: TableId,
    col: &str,
    depth: u8,
) -> bool {
    let at = Here {
        span: call.span,
        scope: call.scope,
    };
    checked_at(project, file, at, arg, t, col, depth)
}

/// `p` (whose site is `insert`) inserted before `at`, with no conflict clause that could
/// update an existing row, rows of a table no tenant owns that each set a foreign key to a
/// tenant-scoped table, after any spread, to a key the code checked before the insert
/// (`tx.insert(reportUpdates).values({ ...input, reportId: report.id })` after a checked read
/// of `report`): the new rows are that parent's, so the caller's.
fn link_inserted_before(
    project: &Project,
    file: FileId,
    p: &LinkedQuery,
    insert: &crate::facts::QuerySite,
    at: Span,
    depth: u8,
) -> bool {
    let Some(facts) = insert.insert.as_deref() else {
        return false;
    };
    let t = project.table(p.table);
    let InsertValues::Rows(rows) = &facts.values else {
        return false;
    };
    if depth == 0
        || t.is_tenant_scoped()
        || p.alias.is_some()
        || rows.is_empty()
        || !ran_before(insert.span, insert.scope, at)
        || facts
            .conflict
            .as_ref()
            .is_some_and(|c| c.action != ConflictAction::DoNothing)
    {
        return false;
    }
    let origins = &project.units[file].facts.origins;
    let here = Here {
        span: insert.span,
        scope: insert.scope,
    };
    // Only a key every row writes after its spreads can name the parent.
    let settled =
        |c: &&crate::link::Column| rows.iter().all(|r| r.settled.iter().any(|k| **k == *c.key));
    t.columns.iter().filter(settled).any(|c| {
        let parents: Vec<TableId> = project
            .keyed_targets_of_column(t, &c.key)
            .into_iter()
            .filter(|r| project.table(*r).is_tenant_scoped())
            .collect();
        let mut values = origins
            .uses_within(insert.span)
            .filter(|u| matches!(&u.target, UseTarget::Write { key, .. } if **key == *c.key))
            .peekable();
        !parents.is_empty()
            && values.peek().is_some()
            && values.all(|u| {
                parents.iter().any(|&parent| {
                    project.table(parent).unique_keys().iter().any(|k| {
                        matches!(k.as_slice(), [k] if checked_at(project, file, here, &u.origin, parent, k, depth - 1))
                    })
                })
            })
    })
}

/// `p` reads a table no tenant owns, inner-joined through a foreign key to a row the code
/// checks after the read (`innerJoin(reports, eq(updates.reportId, reports.id))`, then the
/// report's tenant column compared): the rows read are that row's.
fn checked_through_join(project: &Project, file: FileId, p: &LinkedQuery) -> bool {
    let me = p.instance();
    if !project.fk_joins || project.table(p.table).is_tenant_scoped() {
        return false;
    }
    let all = p.conditions();
    let atoms = conjuncts_of(&all);
    p.joins.iter().any(|j| {
        j.unmatched() == Unmatched::Dropped
            && fk_linked(project, &atoms, &me, &j.instance())
            && checked_after_read(project, file, p, &j.instance())
    })
}

/// A point of the code: a span, in its function (`None` at module level).
#[derive(Clone, Copy)]
struct Here {
    span: Span,
    scope: Option<Span>,
}

/// The value `arg` at `call` (in `file`) names a row of `t` by `col` that the code checked
/// before that point.
fn checked_at(
    project: &Project,
    file: FileId,
    call: Here,
    arg: &Origin,
    t: TableId,
    col: &str,
    depth: u8,
) -> bool {
    let facts = &project.units[file].facts;
    let before = |span: Span, scope: Option<Span>| ran_before(span, scope, call.span);
    let null_checked_before = |row: &str, after: Span, before: Span| {
        facts
            .null_checks
            .iter()
            .any(|n| *n.local == *row && n.covers(after, before))
    };
    let null_checked = |row: &str, after: Span| null_checked_before(row, after, call.span);
    // Earlier reads of this file with a proof of their own table, bound to a local checked
    // to hold a row before the call.
    let reads = project.queries[file].iter().filter(|p| {
        let read = &facts.queries[p.site];
        read.kind.is_read()
            && p.alias.is_none()
            && before(read.span, read.scope)
            && (proven_directly(project, p)
                // Proven by its check after it, which came before the call; for a table no
                // tenant owns, the check of a row it joins through its foreign key.
                || ((checked_after_read(project, file, p, &p.instance())
                    || checked_through_join(project, file, p))
                    && checked_before(project, file, p, call.span))
                // Keyed by what its own function's callers checked, or by a row checked
                // before it (`tasks` of a checked project, whose ids the call passes on).
                || (depth > 1 && {
                    let all = p.conditions();
                    let atoms = conjuncts_of(&all);
                    let here = Here {
                        span: read.span,
                        scope: read.scope,
                    };
                    by_checked_callers(project, file, &p.instance(), &atoms, depth - 1)
                        || keyed_values(facts, &atoms, &p.instance())
                            .iter()
                            .any(|(c, o)| checked_at(project, file, here, o, p.table, c, depth - 1))
                }))
    });
    // A read's row, checked to be there before the call (a list's rows need no check: the
    // values over them, `rows.map((r) => r.id)`, are of rows that are there).
    let there = |p: &LinkedQuery, each: bool| {
        let read = &facts.queries[p.site];
        read.result
            .as_deref()
            .is_some_and(|row| each || null_checked(row, read.span))
    };
    match arg {
        Origin::Local {
            name, path, each, ..
        } if !path.is_empty() => {
            // The row `p` read names a row of `t` by `col` with the value at `path`: a column
            // of its own (`found.id`), or of a row its relations loaded (`found.report.pageId`).
            let keys = |p: &LinkedQuery| {
                through(project, p, path).is_some_and(|(r, field)| {
                    (r == t && *col == *field && unique(project.table(t), col))
                        || (r != t && related(project, t, col, r, field))
                })
            };
            // Read here, or returned by a project function that read it with a proof
            // (`const customer = await getCustomer(db, { id, teamId }); if (!customer) ..`).
            let read_here = reads
                .filter(|p| facts.queries[p.site].result.as_deref() == Some(&**name))
                .any(|p| there(p, *each) && keys(p));
            // Inserted here as the caller's (`const [created] = await db.insert(T)..`).
            let inserted_here = project.queries[file].iter().any(|p| {
                let insert = &facts.queries[p.site];
                insert.result.as_deref() == Some(&**name)
                    && keys(p)
                    && (inserted_before(project, p, insert, call.span)
                        || link_inserted_before(project, file, p, insert, call.span, depth))
            });
            // Returned by a transaction's callback that read it with a proof (and checked it)
            // or inserted it with the tenant column set.
            let returned = tx_results_before(facts, name, call.span, call.scope);
            let from_tx = returned.into_iter().any(|t| {
                project.queries[file].iter().any(|p| {
                    let read = &facts.queries[p.site];
                    read.result.as_deref() == Some(&*t.inner)
                        && read.scope == Some(t.body)
                        && keys(p)
                        && ((read.kind.is_read()
                            && p.alias.is_none()
                            && proven_directly(project, p)
                            && (*each || null_checked_before(t.inner.as_str(), read.span, t.ret)))
                            || inserted_before(project, p, read, t.ret)
                            || link_inserted_before(project, file, p, read, t.ret, depth))
                })
            });
            read_here
                || inserted_here
                || from_tx
                || facts
                    .result_calls
                    .iter()
                    // Bound in the calling function (or one it is nested in), before the call.
                    .filter(|c| c.local == *name && ran_before(c.span, c.scope, call.span))
                    .filter_map(|c| {
                        let (f, i) = result_callee(project, file, c)?;
                        // (The values over a list's rows need no check: they are of rows
                        // that are there.)
                        Some((f, i, *each || null_checked(name, c.span)))
                    })
                    .any(|(f, i, checked)| {
                        let body = project.units[f].facts.functions[i].span;
                        project.queries[f].iter().any(|p| {
                            let read = &project.units[f].facts.queries[p.site];
                            read.kind.is_read()
                                && p.alias.is_none()
                                && read.scope == Some(body)
                                && (((checked || throws_when_missing(project, f, body, p))
                                    && proven_directly(project, p))
                                    // Its check after it throws: past the call, the caller's.
                                    || checked_after_rows(project, f, p))
                                && keys(p)
                        })
                        // Or through the helpers it returns the found row of (`getOrThrow`
                        // over `this.get(id)`).
                        || rows_past_call(project, f, i, checked).into_iter().any(keys)
                    })
        }
        Origin::Input(_) | Origin::Param { .. } => {
            let accept =
                |read: TableId, u: &str, one: bool| same_row_key(project, t, col, read, u, one);
            reads.filter(|p| there(p, false)).any(|p| {
                let all = p.conditions();
                keyed_values(facts, &conjuncts_of(&all), &p.instance())
                    .iter()
                    .any(|(u, k)| same_value(arg, k) && accept(p.table, u, false))
            }) || key_of_checked_call(project, file, call.span, arg, accept)
        }
        _ => false,
    }
}

/// `eq(T.userId, session.user.id)`: a foreign key to a table no tenant owns (the users), equal
/// to a value of the session (directly, or a parameter every call the project makes fills
/// with one): the signed-in user's own rows, such as their memberships of every team.
pub(super) fn owned_by_session(
    ctx: &RuleContext<'_>,
    file: FileId,
    me: &TableRef,
    atoms: &[&Pred],
) -> bool {
    let project = ctx.project;
    let facts = &project.units[file].facts;
    let session = |o: &Origin| from_session(project, file, o);
    keyed_values(facts, atoms, me)
        .iter()
        .any(|(col, o)| user_key(project, me, col) && session(o))
        || session_user_joined(ctx, file, me, atoms, &session)
}

/// `o` (a value in `file`) is a value of the session, or a parameter every call the project
/// makes fills with one.
pub(super) fn from_session(project: &Project, file: FileId, o: &Origin) -> bool {
    *o == Origin::Session
        || every_caller_passes(project, file, o, |_, _, arg| *arg == Origin::Session)
}

/// `innerJoin(users, eq(users.id, T.userId)).where(eq(users.id, session.user.id))`: the user
/// foreign key equal to a unique key of the users row the session keys.
fn session_user_joined(
    ctx: &RuleContext<'_>,
    file: FileId,
    me: &TableRef,
    atoms: &[&Pred],
    session: &dyn Fn(&Origin) -> bool,
) -> bool {
    let project = ctx.project;
    let facts = &project.units[file].facts;
    atoms.iter().any(|a| {
        let Pred::Eq(Opnd::Col(x), Opnd::Col(y)) = a else {
            return false;
        };
        let (mine, user) = match (x.table == *me, y.table == *me) {
            (true, false) => (x, y),
            (false, true) => (y, x),
            _ => return false,
        };
        let users = project.table(user.table.id);
        user_key(project, me, &mine.key)
            && project
                .targets_of_column(project.table(me.id), &mine.key)
                .contains(&user.table.id)
            && unique(users, &user.key)
            && keyed_values(facts, atoms, &user.table)
                .iter()
                .any(|(c, o)| *c == user.key && session(o))
    })
}

/// Column `col` of `me`'s table is a foreign key to tables no tenant owns (the users) and to
/// no other: equal to a value of the session, it keys the signed-in user's own rows.
fn user_key(project: &Project, me: &TableRef, col: &str) -> bool {
    let table = project.table(me.id);
    // The column's own foreign keys (not a relation declared from this side, which may point
    // the other way).
    let mut targets: Vec<TableId> = vec![];
    if let Some((Some(target), _)) = table.column(col).and_then(|c| c.references.as_ref()) {
        targets.push(*target);
    }
    for fk in &table.foreign_keys {
        if fk.columns.len() == 1 && fk.columns[0] == *col {
            targets.extend(fk.target);
        }
    }
    !targets.is_empty() && !targets.iter().any(|t| project.table(*t).is_tenant_scoped())
}
