//! Checked rows: a value of a row that an earlier read proved (in this function, an enclosing
//! one, or a project function that returned it after checking it was found) keys the table
//! it names, and a key that a checked read was keyed by names the same row again.

pub(super) use super::after::{checked_after_read, checked_after_rows, checked_before};
use super::keys::{
    counted, inserted_before, keyed_values, keys_of, proven_before, ran_before, read_before,
    related, same_row_key, session_root, through, tx_results_before, unique,
};
pub(super) use super::returned::throws_when_missing;
use super::returned::{keys_returned_read, result_callee, returned_rows};
use crate::facts::{Origin, QuerySite};
use crate::ids::{FileId, TableId};
use crate::link::origins::{argument, same_value};
use crate::link::{LinkedQuery, Project};
use crate::predicate::{conjuncts_of, Pred, TableRef, Verdict};
use crate::rules::context::{RuleContext, TenantCheck};
use crate::span::Span;

/// The query being proven and the tenant checks of the file's queries before it: what every
/// proof by a checked row or key reads.
#[derive(Clone, Copy)]
pub(super) struct Proving<'a> {
    pub ctx: &'a RuleContext<'a>,
    pub file: FileId,
    pub q: &'a LinkedQuery,
    pub earlier: &'a [Vec<TenantCheck>],
}

/// `update(T).where(eq(T.id, k))` after `const row = await <read of T keyed eq(T.id, k) with
/// its tenant filter>; if (!row) throw ..` in an enclosing scope: the same key `k` (the same
/// value by its origin: `input.id`, a parameter, a local's property) names the row that read
/// found in the caller's tenant; so does `eq(C.parentId, k)` on a child table C whose
/// `parentId` references T. Without the check the read may have found nothing, and `k` may
/// name another tenant's row. Many keys (`inArray(T.id, ids)`) are checked by a count (see
/// [`checked_read_key`]).
pub(super) fn same_key_as_checked_read(p: Proving<'_>, atoms: &[&Pred]) -> bool {
    let Proving {
        ctx,
        file,
        q,
        earlier,
    } = p;
    let project = ctx.project;
    let facts = &project.units[file].facts;
    let site = &facts.queries[q.site];
    // In a `catch` clause the error may have come before the check: nothing was checked.
    if matches!(site.runs, crate::facts::Runs::OnError(_)) {
        return false;
    }
    let mine = keyed_values(facts, atoms, &q.instance());
    // The read's table and key column `u` equal to `k` prove this query's `col` = `k` when
    // both are the same unique key of the same table, or `col` references the read's table
    // and `u` is unique there (children of the checked row).
    mine.iter().any(|(col, k)| {
        let accept =
            |read: TableId, u: &str, one: bool| same_row_key(project, q.table, col, read, u, one);
        checked_read_key(project, file, site, k, earlier, accept)
            || key_of_checked_call(project, file, site.span, k, accept)
    })
}

/// `or(inArray(topics.sessionId, sessionIds), inArray(topics.agentId, agentIds))` (also a
/// `cond ? a : b`): a disjunction among `atoms` whose every branch is keyed by checked rows or
/// checked keys as one condition would be (see [`keyed_by_checked_row`],
/// [`same_key_as_checked_read`]); a branch no row passes needs nothing. One branch keyed by
/// anything else, and the rows it lets through may be another tenant's.
pub(super) fn branches_keyed_by_checked(p: Proving<'_>, me: &TableRef, atoms: &[&Pred]) -> bool {
    fn proven(p: Proving<'_>, me: &TableRef, branch: &Pred) -> bool {
        match branch {
            Pred::Or(bs) => bs.iter().all(|b| proven(p, me, b)),
            Pred::False => true,
            b => {
                let atoms = conjuncts_of(&[b]);
                keyed_by_checked_row(p, me, &atoms)
                    || (*me == p.q.instance() && same_key_as_checked_read(p, &atoms))
                    || branches_keyed_by_checked(p, me, &atoms)
            }
        }
    }
    atoms
        .iter()
        .any(|a| matches!(a, Pred::Or(bs) if !bs.is_empty() && bs.iter().all(|b| proven(p, me, b))))
}

/// Whether `k` (the same value by its origin) keys, on a column `u` of table `t` that
/// `accept(t, u)` takes, a read with a proof of its own table before `site` (in its function
/// or an enclosing one) whose result the code checked before `site`: one key (`eq(T.u, k)`) by
/// `if (!row) throw ..`; many (`inArray(T.u, ids)`) by a count, `if (rows.length !==
/// ids.length) throw ..` (or `new Set(ids).size`), on a read with no join that could repeat
/// a row: as many rows found as keys asked for, each key names one of the caller's rows.
fn checked_read_key(
    project: &Project,
    file: FileId,
    site: &QuerySite,
    k: &Origin,
    earlier: &[Vec<TenantCheck>],
    accept: impl Fn(TableId, &str, bool) -> bool,
) -> bool {
    let facts = &project.units[file].facts;
    project.queries[file]
        .iter()
        .zip(earlier)
        .any(|(p, checks)| {
            let read = &facts.queries[p.site];
            let Some(row) = read.result.as_deref() else {
                return false;
            };
            // A proven update or delete that returns its rows found them like a read; a read
            // proven by its check after it, past that check.
            let after_check = || {
                p.alias.is_none()
                    && ran_before(read.span, read.scope, site.span)
                    && checks.first().is_some_and(|c| {
                        !c.joined && c.checked_after && c.verdict == Verdict::Proven
                    })
                    && checked_before(project, file, p, site.span)
            };
            if !((read.kind.is_read() || read.returning)
                && (proven_before(p, read, site, checks) || after_check()))
            {
                return false;
            }
            let all = p.conditions();
            keys_of(facts, &conjuncts_of(&all), &p.instance())
                .iter()
                .any(|(u, k2, many)| {
                    same_value(k, k2)
                        && accept(p.table, u, !*many)
                        && if *many {
                            p.joins.is_empty() && counted(facts, row, k2, read.span, site)
                        } else {
                            facts
                                .null_checks
                                .iter()
                                .any(|n| *n.local == *row && n.covers(read.span, site.span))
                        }
                })
        })
}

/// The tables of the rows `row` may hold when it was bound, before `site` in its scope, to
/// what a project function returned (`const row = await getProject(ctx, id)`), where that
/// function reads the table with its tenant filter proven and leaves early when nothing is
/// found (`if (!found) throw ..`).
fn returned_checked_rows<'p>(
    ctx: &RuleContext<'p>,
    file: FileId,
    site: &crate::facts::QuerySite,
    row: &str,
) -> Vec<&'p LinkedQuery> {
    let project = ctx.project;
    let facts = &project.units[file].facts;
    let mut out = vec![];
    for call in facts
        .result_calls
        .iter()
        .filter(|c| *c.local == *row && ran_before(c.span, c.scope, site.span))
    {
        if let Some((f, i)) = result_callee(project, file, call) {
            out.extend(returned_rows(project, f, i));
        }
    }
    out
}

/// `const found = await getProject({ id: k, orgId }); if (!found) ..` before `at` (in `at`'s
/// function or an enclosing one): a project function that returns the rows of a read
/// with a proof, keyed by the parameter the call fills with `k` (one key, `eq(T.u, param)`),
/// and the caller checked that a row came back, or the function throws when it finds none
/// (`await loadOwnedEnvironment(workspaceId, input.environmentId)`). Whether a key column `u` of such a read's
/// table answers, `accept` says. Without the check the read may have found nothing, and `k`
/// may name another tenant's row.
pub(super) fn key_of_checked_call(
    project: &Project,
    file: FileId,
    at: Span,
    k: &Origin,
    accept: impl Fn(TableId, &str, bool) -> bool,
) -> bool {
    let facts = &project.units[file].facts;
    facts.origins.calls.iter().any(|call| {
        if !ran_before(call.span, call.scope, at) {
            return false;
        }
        let checked = call.result.as_deref().is_some_and(|found| {
            facts
                .null_checks
                .iter()
                .any(|n| *n.local == *found && n.covers(call.span, at))
        });
        let Some((f, i)) = project.resolve_function(file, &call.callee) else {
            return false;
        };
        let arg = |index: u32, path: &str| argument(call, index, path);
        keys_returned_read(
            project,
            (f, i),
            &arg,
            k,
            (checked, call.stops(at)),
            &accept,
            2,
        )
    })
}

/// The tables whose rows `row` holds (a read bound to it, or a project function's read when
/// it holds that function's result) and whose tenant column the code compared with a value,
/// leaving when they differ (`if (!row || row.teamId !== teamId) throw ..`), before `site`
/// in its function or an enclosing one: past the check, the row is the caller's.
fn guard_checked<'p>(
    project: &'p Project,
    file: FileId,
    site: &QuerySite,
    row: &str,
) -> Vec<&'p LinkedQuery> {
    let columns: Vec<&str> = guards_on(project, file, site, row)
        .into_iter()
        .map(|(column, _)| column)
        .collect();
    if columns.is_empty() {
        return vec![];
    }
    let mut reads = rows_held(project, file, site, row);
    reads.retain(|p| {
        let t = project.table(p.table);
        t.is_tenant_scoped() && columns.iter().any(|c| t.is_tenant_column(c))
    });
    reads
}

/// The checks before `site` that leave unless a column of the row `row` holds equals a value
/// (`if (!row || row.teamId !== teamId) throw ..`): each column, with what it is compared with.
fn guards_on<'p>(
    project: &'p Project,
    file: FileId,
    site: &QuerySite,
    row: &str,
) -> Vec<(&'p str, &'p Origin)> {
    project.units[file]
        .facts
        .origins
        .guards
        .iter()
        .filter(|g| {
            ran_before(g.span, g.scope, site.span) && g.within.is_none_or(|w| w.contains(site.span))
        })
        .filter_map(|g| match &g.value {
            Origin::Local {
                name,
                path,
                each: false,
            } if **name == *row && !path.is_empty() && !path.contains('.') => {
                Some((&**path, &g.against))
            }
            _ => None,
        })
        .collect()
}

/// The tables whose rows `row` may hold before `site`, in its function or an enclosing one:
/// a read bound to it, or the reads of a project function whose result it holds.
fn rows_held<'p>(
    project: &'p Project,
    file: FileId,
    site: &QuerySite,
    row: &str,
) -> Vec<&'p LinkedQuery> {
    let facts = &project.units[file].facts;
    let mut reads: Vec<&LinkedQuery> = project.queries[file]
        .iter()
        .filter(|p| {
            let read = &facts.queries[p.site];
            p.alias.is_none()
                && read.kind.is_read()
                && read.result.as_deref() == Some(row)
                && ran_before(read.span, read.scope, site.span)
        })
        .collect();
    for call in facts
        .result_calls
        .iter()
        .filter(|c| *c.local == *row && ran_before(c.span, c.scope, site.span))
    {
        if let Some((f, i)) = result_callee(project, file, call) {
            let body = project.units[f].facts.functions[i].span;
            reads.extend(project.queries[f].iter().filter(|p| {
                let read = &project.units[f].facts.queries[p.site];
                read.kind.is_read() && p.alias.is_none() && read.scope == Some(body)
            }));
        }
    }
    reads
}

/// `update(T).where(eq(T.id, row.id))`, where `row` holds a row that an earlier query of an
/// enclosing function read with its tenant filter proven: the key names a row already
/// checked, so its tenant is known. Counts: the whole primary or unique key of T taken from a
/// checked row of T itself; T's foreign key to the checked row's table, equal to the column it
/// references (`eq(tasks.projectId, project.id)`: a child of a checked parent); T's one-column
/// unique key equal to the checked row's foreign key to T (`eq(users.id, task.assigneeId)`);
/// siblings (both foreign keys reference one tenant-scoped parent).
pub(super) fn keyed_by_checked_row(p: Proving<'_>, me: &TableRef, atoms: &[&Pred]) -> bool {
    keyed_by_row(p, me, atoms, true).is_some()
}

/// The local holding a row, read earlier by a query whose own tenant filter cannot be verified
/// (a helper drizzle-guard cannot read), that keys this query as a checked row would: the
/// query is as unverifiable as that read, not more.
pub(super) fn keyed_by_unverified_row<'a>(
    p: Proving<'a>,
    me: &TableRef,
    atoms: &[&Pred],
) -> Option<&'a str> {
    keyed_by_row(p, me, atoms, false)
}

/// The local whose row keys `me` (see [`keyed_by_checked_row`]): a checked row when `proven`,
/// otherwise a row read by a query whose verdict is unverifiable.
fn keyed_by_row<'a>(
    p: Proving<'a>,
    me: &TableRef,
    atoms: &[&Pred],
    proven: bool,
) -> Option<&'a str> {
    let Proving {
        ctx,
        file,
        q,
        earlier,
    } = p;
    let project = ctx.project;
    let queries = &project.units[file].facts.queries;
    let site = &queries[q.site];
    let table = project.table(me.id);
    let facts = &project.units[file].facts;
    // (column key of `me`, local, property of the local, one of many): `eq(T.col, row.field)`,
    // also through a copy (`const { id } = row`), over the rows (`rows.map((r) => r.id)`) or
    // through relations loaded with `with` (`row.keyAuth.id`: see [`through`]).
    let keyed = keyed_values(facts, atoms, me);
    let from_row: Vec<(&str, &str, &str, bool)> = keyed
        .iter()
        .filter_map(|(col, o)| match o {
            Origin::Local { name, path, each } if !path.is_empty() => {
                Some((&**col, &**name, &**path, *each))
            }
            _ => None,
        })
        .collect();
    if from_row.is_empty() {
        return None;
    }
    // The checked rows a local holds (or, unless `proven`, rows of unverifiable reads).
    let checked = |row: &str| {
        if proven {
            checked_rows(ctx, file, site, row, earlier, true)
        } else {
            reads_bound_to(project, file, earlier, site, row, |c| {
                !c.checked_after && matches!(c.verdict, Verdict::Unverifiable(_))
            })
        }
    };
    // A local reassigned under a condition holds one of several locals' rows: each must be.
    let every = |row: &str, test: &dyn Fn(&LinkedQuery) -> bool| {
        facts
            .origins
            .alternatives(row)
            .into_iter()
            .all(|r| checked(r).into_iter().any(test))
    };
    // `row.a.b.field` as (`row.a.b`, `field`).
    let split = |row: &'a str, path: &'a str| match path.rsplit_once('.') {
        Some((via, field)) => ((row, via), field),
        None => ((row, ""), path),
    };
    // The whole unique key of T from one checked row of T.
    let own_key = table.unique_keys().iter().find_map(|key| {
        let rows: Option<Vec<(&str, &str, &str)>> = key
            .iter()
            .map(|k| {
                from_row
                    .iter()
                    .find(|(c, _, _, each)| c == k && (key.len() == 1 || !each))
                    .map(|(_, r, p, _)| (*r, *p, k.as_str()))
            })
            .collect();
        let rows = rows?;
        let row = rows[0].0;
        // Each column of the key is that column of one checked row of T (`row.id`, or a key
        // of the select's shape naming it: `row.taskId`).
        (rows
            .windows(2)
            .all(|w| split(w[0].0, w[0].1).0 == split(w[1].0, w[1].1).0)
            && every(row, &|p| {
                rows.iter().all(|(_, path, k)| {
                    through(project, p, path).is_some_and(|(t, f)| t == me.id && f == *k)
                })
            }))
        .then_some(row)
    });
    // A row this function inserted: its own key is new, but its foreign keys are what the
    // code wrote, maybe the client's choice; only its children are the caller's.
    // (Inserts come from this file's own queries: `checked_rows` takes other files' reads only.)
    let here = project.queries[file].as_ptr_range();
    let inserted =
        |p: &LinkedQuery| here.contains(&std::ptr::from_ref(p)) && queries[p.site].insert.is_some();
    own_key.or_else(|| {
        from_row
            .iter()
            .find(|(col, row, path, _)| {
                every(row, &|p| {
                    // The same table too: rows of the checked row's parent (siblings,
                    // `inArray(links.sessionId, links.map((l) => l.sessionId))`) or children.
                    through(project, p, path).is_some_and(|(parent, field)| {
                        if inserted(p) {
                            project.references(table, col, parent)
                                && unique(project.table(parent), field)
                        } else {
                            related(project, me.id, col, parent, field)
                        }
                    })
                })
            })
            .map(|(_, row, _, _)| *row)
    })
}

/// The reads of `file` bound to the local `row` before `site` (in its function or an enclosing
/// one, on their own table) whose own table's check `test` accepts.
fn reads_bound_to<'p>(
    project: &'p Project,
    file: FileId,
    earlier: &[Vec<TenantCheck>],
    site: &QuerySite,
    row: &str,
    test: impl Fn(&TenantCheck) -> bool,
) -> Vec<&'p LinkedQuery> {
    let queries = &project.units[file].facts.queries;
    project.queries[file]
        .iter()
        .zip(earlier)
        .filter(|(p, checks)| {
            let read = &queries[p.site];
            read.result.as_deref() == Some(row)
                && p.alias.is_none()
                && ran_before(read.span, read.scope, site.span)
                && checks.first().is_some_and(|c| !c.joined && test(c))
        })
        .map(|(p, _)| p)
        .collect()
}

/// The queries whose checked rows the local `row` holds before `site`: rows an earlier query
/// of an enclosing scope read with its own table proven (or inserted as the caller's), a
/// project function returned after reading them with a proof, or the code checked after
/// reading them (a tenant column compared with a value; with `guards`, also a foreign key
/// compared with a checked value: see [`guarded_children`]).
fn checked_rows<'p>(
    ctx: &RuleContext<'p>,
    file: FileId,
    site: &QuerySite,
    row: &str,
    earlier: &[Vec<TenantCheck>],
    guards: bool,
) -> Vec<&'p LinkedQuery> {
    let project = ctx.project;
    let queries = &project.units[file].facts.queries;
    let mut rows: Vec<&LinkedQuery> = project.queries[file]
        .iter()
        .zip(earlier)
        .filter(|(p, checks)| {
            let read = &queries[p.site];
            read.result.as_deref() == Some(row)
                && (read_before(p, read, site, checks, |v| *v == Verdict::Proven)
                    || inserted_before(project, p, read, site.span))
        })
        .map(|(p, _)| p)
        .collect();
    // The caller's tenant itself: a tenant root (not tenant-scoped) read by a unique key
    // equal to a value of the session (`eq(workspaces.orgId, ctx.tenant.id)`).
    rows.extend(project.queries[file].iter().filter(|p| {
        let read = &queries[p.site];
        read.result.as_deref() == Some(row)
            && read.kind.is_read()
            && p.alias.is_none()
            && ran_before(read.span, read.scope, site.span)
            && session_root(project, file, p)
    }));
    rows.extend(returned_checked_rows(ctx, file, site, row));
    rows.extend(guard_checked(project, file, site, row));
    // A read proven by the check after it (a joined table's tenant column, selected under a
    // name of its own: see `checked_after_read`), past that check.
    if !guards_on(project, file, site, row).is_empty() {
        rows.extend(reads_bound_to(project, file, earlier, site, row, |c| {
            c.checked_after && c.verdict == Verdict::Proven
        }));
    }
    if guards {
        rows.extend(guarded_children(ctx, file, site, row, earlier));
    }
    // What a transaction's callback returned (`const row = await db.transaction(async (tx) =>
    // { ..; return created; })`, earlier in this function): its checked rows at its `return`.
    for t in tx_results_before(&project.units[file].facts, row, site.span, site.scope) {
        let mut at = site.clone();
        (at.span, at.scope) = (t.ret, Some(t.body));
        rows.extend(checked_rows(ctx, file, &at, &t.inner, earlier, guards));
    }
    rows
}

/// The tables of the rows `row` holds whose foreign key to a table P the code compared with a
/// checked value of P's one-column unique key, leaving when they differ, before `site`:
/// `if (!task || task.projectId !== project.id) throw ..` with `project` a checked row of
/// `projects`, or with the key of a checked read of it (`projectId` after a read keyed by it
/// with a proof, then `if (!project) throw ..`). Past the check, the row is a child of the
/// caller's row, so its tenant's. A value nobody checked, or a column that is no foreign key
/// to the checked row's table, proves nothing.
fn guarded_children<'p>(
    ctx: &RuleContext<'p>,
    file: FileId,
    site: &QuerySite,
    row: &str,
    earlier: &[Vec<TenantCheck>],
) -> Vec<&'p LinkedQuery> {
    let project = ctx.project;
    let compared = guards_on(project, file, site, row);
    if compared.is_empty() {
        return vec![];
    }
    let mut reads = rows_held(project, file, site, row);
    reads.retain(|p| {
        let t = project.table(p.table);
        t.is_tenant_scoped()
            && compared
                .iter()
                .any(|(fk, against)| fk_checked(ctx, file, site, t, fk, against, earlier))
    });
    reads
}

/// `fk` of `t` references a table P, and `against` is a checked value of P's one-column unique
/// key before `site`: a checked row's (`project.id`) or the key of a checked read of P.
fn fk_checked(
    ctx: &RuleContext<'_>,
    file: FileId,
    site: &QuerySite,
    t: &crate::link::Table,
    fk: &str,
    against: &Origin,
    earlier: &[Vec<TenantCheck>],
) -> bool {
    let project = ctx.project;
    let parents = project.targets_of_column(t, fk);
    let parent_key = |p: TableId, u: &str| parents.contains(&p) && unique(project.table(p), u);
    !parents.is_empty()
        && match against {
            Origin::Local {
                name,
                path,
                each: false,
            } if !path.is_empty() && !path.contains('.') => {
                checked_rows(ctx, file, site, name, earlier, false)
                    .into_iter()
                    .any(|p| parent_key(p.table, path))
            }
            k => checked_read_key(project, file, site, k, earlier, |p, u, _| parent_key(p, u)),
        }
}

/// `const [task] = await <read of tasks by id>; if (!task || task.projectId !== project.id)
/// throw ..` with `project` checked before: the read itself, as [`checked_after_read`] proves
/// one by its tenant column, when its foreign key is compared with a checked value of the
/// parent's key (see [`guarded_children`]).
pub(super) fn checked_child_after_read(p: Proving<'_>) -> bool {
    let Proving {
        ctx,
        file,
        q,
        earlier,
    } = p;
    let project = ctx.project;
    let site = &project.units[file].facts.queries[q.site];
    let t = project.table(q.table);
    super::after::guards_after(project, file, q)
        .any(|(path, against)| fk_checked(ctx, file, site, t, path, against, earlier))
}

/// For a query keyed by a row's value (`eq(T.id, row.id)`), the earlier read in scope that
/// bound `row` without a tenant proof: with its filter, the key would have proven this query.
pub(super) fn unproven_source<'a>(
    p: Proving<'a>,
    me: &TableRef,
) -> Option<(&'a crate::facts::QuerySite, String)> {
    let Proving {
        ctx,
        file,
        q,
        earlier: all_checks,
    } = p;
    let project = ctx.project;
    let queries = &project.units[file].facts.queries;
    let site = &queries[q.site];
    let all = q.conditions();
    let atoms = conjuncts_of(&all);
    let facts = &project.units[file].facts;
    let rows: Vec<&str> = keyed_values(facts, &atoms, me)
        .into_iter()
        .filter_map(|(_, o)| match o {
            Origin::Local { name, path, .. } if !path.is_empty() => Some(&**name),
            _ => None,
        })
        .collect();
    project.queries[file]
        .iter()
        .zip(all_checks)
        .filter(|(p, _)| p.site != q.site)
        .find_map(|(p, checks)| {
            let read = &queries[p.site];
            let row = read.result.as_deref()?;
            let unproven = checks
                .first()
                .is_some_and(|c| !c.joined && c.verdict != Verdict::Proven);
            (read.kind.is_read()
                && unproven
                && rows.contains(&row)
                && ran_before(read.span, read.scope, site.span))
            .then(|| (read, row.to_string()))
        })
}
