//! Checked rows: a value of a row that an earlier read proved (in this function, an enclosing
//! one, or a project function that returned it after checking it was found) keys the table
//! it names, and a key that a checked read was keyed by names the same row again.

use crate::facts::{CallOrigins, FileFacts, Name, Origin, QuerySite, UseTarget, ValueAt};
use crate::ids::{FileId, TableId};
use crate::link::origins::{argument, same_value};
use crate::link::{LinkedQuery, Project, Table};
use crate::predicate::{
    all_guarantee_equality, all_guarantee_equality_or_null, conjuncts_of, Opnd, Pred, TableRef,
    Verdict,
};
use crate::rules::context::{RuleContext, TenantCheck};
use crate::span::Span;

/// Where the value written at `at` (compared in a filter, or written as a column's value) comes
/// from, as the file's origin facts say (see `extract::origins`): request input, the session,
/// a parameter, what a local holds.
fn origin_at(facts: &FileFacts, at: ValueAt) -> Option<&Origin> {
    facts
        .origins
        .uses
        .iter()
        .find(|u| {
            u.span.lo == at
                && matches!(u.target, UseTarget::Filter { .. } | UseTarget::Write { .. })
        })
        .map(|u| &u.origin)
}

/// `(column, origin)` of every `eq(inst.column, v)` or `inArray(inst.column, v)` among
/// `atoms` whose value `v` has a known origin.
fn keyed_values<'f>(
    facts: &'f FileFacts,
    atoms: &[&Pred],
    inst: &TableRef,
) -> Vec<(Name, &'f Origin)> {
    atoms
        .iter()
        .filter_map(|a| match a {
            Pred::Eq(Opnd::Col(c), Opnd::Value(Some(at)))
            | Pred::Eq(Opnd::Value(Some(at)), Opnd::Col(c))
            | Pred::InArray(c, Some(at))
                if c.table == *inst =>
            {
                Some((c.key.clone(), origin_at(facts, *at)?))
            }
            _ => None,
        })
        .collect()
}

/// `update(T).where(eq(T.id, k))` after `const row = await <read of T keyed eq(T.id, k) with
/// its tenant filter>; if (!row) throw ..` in an enclosing scope: the same key `k` (the same
/// value by its origin: `input.id`, a parameter, a local's property) names the row that read found in the caller's tenant; so does
/// `eq(C.parentId, k)` on a child table C whose `parentId` references T. Without the check the
/// read may have found nothing, and `k` may name another tenant's row.
pub(super) fn same_key_as_checked_read(
    ctx: &RuleContext<'_>,
    file: FileId,
    q: &LinkedQuery,
    atoms: &[&Pred],
    earlier: &[Vec<TenantCheck>],
) -> bool {
    let project = ctx.project;
    let facts = &project.units[file].facts;
    let site = &facts.queries[q.site];
    let table = project.table(q.table);
    let me = q.instance();
    let unique = |t: &Table, k: &str| t.unique_keys().iter().any(|u| u.len() == 1 && u[0] == k);
    let mine = keyed_values(facts, atoms, &me);
    if mine.is_empty() {
        return false;
    }
    // The read's table and key column `u` equal to `k` prove this query's `col` = `k` when
    // both are the same unique key of the same table, or `col` references the read's table
    // and `u` is unique there (children of the checked row).
    let proves = |read: TableId, u: &str, col: &str| {
        let tr = project.table(read);
        unique(tr, u)
            && if read == q.table {
                u == col
            } else {
                project.references(table, col, read)
            }
    };
    project.queries[file]
        .iter()
        .zip(earlier)
        .any(|(p, checks)| {
            let read = &facts.queries[p.site];
            let Some(row) = read.result.as_deref() else {
                return false;
            };
            read.kind.is_read()
                && proven_before(p, read, site, checks)
                && facts.null_checks.iter().any(|n| {
                    *n.local == *row && read.span.hi <= n.span.lo && n.span.hi <= site.span.lo
                })
                && {
                    let all = p.conditions();
                    let theirs = keyed_values(facts, &conjuncts_of(&all), &p.instance());
                    mine.iter().any(|(col, k)| {
                        theirs
                            .iter()
                            .any(|(u, k2)| same_value(k, k2) && proves(p.table, u, col))
                    })
                }
        })
}

/// The tables of the rows `row` may hold when it was bound, before `site` in its scope, to
/// what a project function returned (`const row = await getProject(ctx, id)`), where that
/// function reads the table with its tenant filter proven and leaves early when nothing is
/// found (`if (!found) throw ..`).
fn returned_checked_rows(
    ctx: &RuleContext<'_>,
    file: FileId,
    site: &crate::facts::QuerySite,
    row: &str,
) -> Vec<TableId> {
    let project = ctx.project;
    let facts = &project.units[file].facts;
    let mut out = vec![];
    for call in facts.result_calls.iter().filter(|c| {
        *c.local == *row
            && c.span.hi <= site.span.lo
            && site
                .scope
                .is_none_or(|s| s.lo <= c.span.lo && c.span.hi <= s.hi)
    }) {
        let Some((f, i)) = project.resolve_function(file, &call.callee) else {
            continue;
        };
        let helper = &project.units[f].facts;
        let body = helper.functions[i].span;
        let reads: Vec<&LinkedQuery> = project.queries[f]
            .iter()
            .filter(|p| helper.queries[p.site].scope == Some(body))
            .collect();
        for (k, p) in reads.iter().enumerate() {
            let read = &helper.queries[p.site];
            // What the helper returns: a row it found and checked (`if (!found) throw ..`), or
            // its last query's rows (`return db.query.T.findFirst(..)`, `const found = await
            // ..; return found`). A value of such a row is that tenant's, or there is none.
            let last = k + 1 == reads.len();
            let returned = match read.result.as_deref() {
                Some(found) => {
                    last || helper.null_checks.iter().any(|n| {
                        *n.local == *found && read.span.hi <= n.span.lo && n.span.hi <= body.hi
                    })
                }
                None => {
                    last && read.runs
                        == crate::facts::Runs::InFunction(crate::facts::Handling::AsWritten)
                }
            };
            if read.kind.is_read() && p.alias.is_none() && returned && proven_directly(project, p) {
                out.push(p.table);
            }
        }
    }
    out
}

/// The tables whose rows `row` holds (a read bound to it, or a project function's read when
/// it holds that function's result) and whose tenant column the code compared with a value,
/// leaving when they differ (`if (!row || row.teamId !== teamId) throw ..`), before `site`
/// in its function or an enclosing one: past the check, the row is the caller's.
fn guard_checked(project: &Project, file: FileId, site: &QuerySite, row: &str) -> Vec<TableId> {
    let facts = &project.units[file].facts;
    let before = |span: Span, scope: Option<Span>| {
        span.hi <= site.span.lo
            && scope.is_none_or(|s| s.lo <= site.span.lo && site.span.hi <= s.hi)
    };
    let columns: Vec<&str> = facts
        .origins
        .guards
        .iter()
        .filter(|g| before(g.span, g.scope))
        .filter_map(|g| match &g.value {
            Origin::Local {
                name,
                path,
                each: false,
            } if **name == *row && !path.is_empty() && !path.contains('.') => Some(&**path),
            _ => None,
        })
        .collect();
    if columns.is_empty() {
        return vec![];
    }
    let mut tables: Vec<TableId> = project.queries[file]
        .iter()
        .filter(|p| {
            let read = &facts.queries[p.site];
            p.alias.is_none()
                && read.kind.is_read()
                && read.result.as_deref() == Some(row)
                && before(read.span, read.scope)
        })
        .map(|p| p.table)
        .collect();
    for call in facts.result_calls.iter().filter(|c| {
        *c.local == *row
            && c.span.hi <= site.span.lo
            && site
                .scope
                .is_none_or(|s| s.lo <= c.span.lo && c.span.hi <= s.hi)
    }) {
        if let Some((f, i)) = project.resolve_function(file, &call.callee) {
            let body = project.units[f].facts.functions[i].span;
            tables.extend(project.queries[f].iter().filter_map(|p| {
                let read = &project.units[f].facts.queries[p.site];
                (read.kind.is_read() && p.alias.is_none() && read.scope == Some(body))
                    .then_some(p.table)
            }));
        }
    }
    tables.retain(|t| {
        let t = project.table(*t);
        t.is_tenant_scoped() && columns.iter().any(|c| t.is_tenant_column(c))
    });
    tables
}

/// `update(T).where(eq(T.id, row.id))`, where `row` holds a row that an earlier query of an
/// enclosing function read with its tenant filter proven: the key names a row already
/// checked, so its tenant is known. Counts: the whole primary or unique key of T taken from a
/// checked row of T itself; T's foreign key to the checked row's table, equal to the column it
/// references (`eq(tasks.projectId, project.id)`: a child of a checked parent); T's one-column
/// unique key equal to the checked row's foreign key to T (`eq(users.id, task.assigneeId)`);
/// siblings (both foreign keys reference one tenant-scoped parent).
pub(super) fn keyed_by_checked_row(
    ctx: &RuleContext<'_>,
    file: FileId,
    q: &LinkedQuery,
    me: &TableRef,
    atoms: &[&Pred],
    earlier: &[Vec<TenantCheck>],
) -> bool {
    keyed_by_row(ctx, file, q, me, atoms, earlier, true).is_some()
}

/// The local holding a row, read earlier by a query whose own tenant filter cannot be verified
/// (a helper drizzle-guard cannot read), that keys this query as a checked row would: the
/// query is as unverifiable as that read, not more.
pub(super) fn keyed_by_unverified_row<'q>(
    ctx: &RuleContext<'q>,
    file: FileId,
    q: &LinkedQuery,
    me: &TableRef,
    atoms: &[&Pred],
    earlier: &[Vec<TenantCheck>],
) -> Option<&'q str> {
    keyed_by_row(ctx, file, q, me, atoms, earlier, false)
}

/// The local whose row keys `me` (see [`keyed_by_checked_row`]): a checked row when `proven`,
/// otherwise a row read by a query whose verdict is unverifiable.
fn keyed_by_row<'q>(
    ctx: &RuleContext<'q>,
    file: FileId,
    q: &LinkedQuery,
    me: &TableRef,
    atoms: &[&Pred],
    earlier: &[Vec<TenantCheck>],
    proven: bool,
) -> Option<&'q str> {
    let project = ctx.project;
    let queries = &project.units[file].facts.queries;
    let site = &queries[q.site];
    let table = project.table(me.id);
    let facts = &project.units[file].facts;
    // (column key of `me`, local, property of the local, one of many): `eq(T.col, row.field)`,
    // also through a copy (`const { id } = row`) or over the rows (`rows.map((r) => r.id)`).
    let keyed = keyed_values(facts, atoms, me);
    let from_row: Vec<(&str, &str, &str, bool)> = keyed
        .iter()
        .filter_map(|(col, o)| match o {
            Origin::Local { name, path, each } if !path.is_empty() && !path.contains('.') => {
                Some((&**col, &**name, &**path, *each))
            }
            _ => None,
        })
        .collect();
    if from_row.is_empty() {
        return None;
    }
    // The checked rows a local holds: earlier queries of an enclosing scope whose own table
    // was proven, bound to that local.
    let checked = |row: &str| {
        let mut rows = project.queries[file]
            .iter()
            .zip(earlier)
            .filter(move |(p, checks)| {
                let earlier = &queries[p.site];
                earlier.result.as_deref() == Some(row)
                    && if proven {
                        read_before(p, earlier, site, checks, |v| *v == Verdict::Proven)
                            || inserted_before(ctx.project, p, earlier, site)
                    } else {
                        read_before(p, earlier, site, checks, |v| {
                            matches!(v, Verdict::Unverifiable(_))
                        })
                    }
            })
            .map(|(p, _)| p.table)
            .collect::<Vec<_>>();
        if proven {
            rows.extend(returned_checked_rows(ctx, file, site, row));
            rows.extend(guard_checked(project, file, site, row));
        }
        rows
    };
    // The whole unique key of T from one checked row of T.
    let own_key = table.unique_keys().iter().find_map(|key| {
        let rows: Option<Vec<&str>> = key
            .iter()
            .map(|k| {
                from_row
                    .iter()
                    .find(|(c, _, f, each)| c == k && f == k && (key.len() == 1 || !each))
                    .map(|(_, r, _, _)| *r)
            })
            .collect();
        let rows = rows?;
        (rows.windows(2).all(|w| w[0] == w[1]) && checked(rows[0]).contains(&me.id))
            .then_some(rows[0])
    });
    own_key.or_else(|| {
        from_row
            .iter()
            .find(|(col, row, field, _)| {
                checked(row)
                    .into_iter()
                    .any(|parent| parent != me.id && related(project, me.id, col, parent, field))
            })
            .map(|(_, row, _, _)| *row)
    })
}

/// `T.col` (of table `t`) equal to `field` of a row of `parent` (another table) names rows that
/// row's tenant owns: T's foreign key to the row's one-column unique key (a child), T's
/// one-column unique key that the row's foreign key points at (its parent), or foreign keys of
/// both to the same tenant-scoped table (siblings: `eq(inbox.transactionId,
/// attachment.transactionId)`), as for joins.
fn related(project: &Project, t: TableId, col: &str, parent: TableId, field: &str) -> bool {
    let table = project.table(t);
    let tp = project.table(parent);
    (project.references(table, col, parent) && unique(tp, field))
        || (project.references(tp, field, t) && unique(table, col))
        || siblings(project, table, col, tp, field)
}

/// `k` is a one-column unique key of `t`.
fn unique(t: &Table, k: &str) -> bool {
    t.unique_keys().iter().any(|u| u.len() == 1 && u[0] == k)
}

/// For a query keyed by a row's value (`eq(T.id, row.id)`), the earlier read in scope that
/// bound `row` without a tenant proof: with its filter, the key would have proven this query.
pub(super) fn unproven_source<'f>(
    ctx: &RuleContext<'f>,
    file: FileId,
    q: &LinkedQuery,
    me: &TableRef,
    all_checks: &[Vec<TenantCheck>],
) -> Option<(&'f crate::facts::QuerySite, String)> {
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
                && read.span.hi <= site.span.lo
                && read
                    .scope
                    .is_none_or(|s| s.lo <= site.span.lo && site.span.hi <= s.hi))
            .then(|| (read, row.to_string()))
        })
}

/// `p` (whose site is `insert`) inserted, before `site` in its function or an enclosing one,
/// rows that all set the table's tenant column, with no conflict clause that could update an
/// existing row instead (`const [row] = await db.insert(T).values({ .., teamId }).returning()`):
/// the rows it returns are the caller's own. An upsert may return another tenant's row, unless
/// its conflict target holds the tenant column or its `where`/`setWhere` proves the tenant.
fn inserted_before(
    project: &Project,
    p: &LinkedQuery,
    insert: &crate::facts::QuerySite,
    site: &crate::facts::QuerySite,
) -> bool {
    let Some(facts) = insert.insert.as_deref() else {
        return false;
    };
    let t = project.table(p.table);
    p.alias.is_none()
        && insert.span.hi <= site.span.lo
        && insert
            .scope
            .is_none_or(|s| s.lo <= site.span.lo && site.span.hi <= s.hi)
        && t.is_tenant_scoped()
        && facts.conflict.as_ref().is_none_or(|c| match c.action {
            crate::facts::ConflictAction::DoNothing => true,
            // An upsert whose conflict is on the tenant column, or whose update is limited to
            // the caller's rows, returns no other tenant's row either.
            crate::facts::ConflictAction::DoUpdate => {
                c.target
                    .as_ref()
                    .is_some_and(|k| k.iter().any(|k| t.is_tenant_column(k)))
                    || (p.where_.is_some()
                        && all_guarantee_equality_or_null(
                            &p.conditions(),
                            &p.instance(),
                            &t.tenant_columns,
                        ) == Verdict::Proven)
            }
            crate::facts::ConflictAction::DuplicateKeyUpdate => false,
        })
        && matches!(&facts.values, crate::facts::InsertValues::Rows(rows)
            if !rows.is_empty()
                && rows.iter().all(|r| r.keys.iter().any(|k| t.is_tenant_column(k))))
}

/// `p` (whose site is `read`) ran before `site`, in its function or an enclosing one, on its
/// own table (not an alias), and that table's tenant filter was proven.
fn proven_before(
    p: &LinkedQuery,
    read: &crate::facts::QuerySite,
    site: &crate::facts::QuerySite,
    checks: &[TenantCheck],
) -> bool {
    read_before(p, read, site, checks, |v| *v == Verdict::Proven)
}

/// `p` (whose site is `read`) ran before `site`, in its function or an enclosing one, on its
/// own table (not an alias), and that table's verdict is one `want` accepts.
fn read_before(
    p: &LinkedQuery,
    read: &crate::facts::QuerySite,
    site: &crate::facts::QuerySite,
    checks: &[TenantCheck],
    want: impl Fn(&Verdict) -> bool,
) -> bool {
    p.alias.is_none()
        && read.span.hi <= site.span.lo
        && read
            .scope
            .is_none_or(|s| s.lo <= site.span.lo && site.span.hi <= s.hi)
        && checks
            .first()
            .is_some_and(|c| !c.joined && want(&c.verdict))
}

/// Both columns reference the same tenant-scoped table (`rolesPermissions.roleId =
/// keysRoles.roleId`, both to `roles`): rows of one parent, which the proven row's tenant
/// owns. A shared parent that is not tenant-scoped (`users`) proves nothing.
pub(super) fn siblings(project: &Project, tx: &Table, cx: &str, tp: &Table, cp: &str) -> bool {
    let theirs = project.targets_of_column(tp, cp);
    project
        .targets_of_column(tx, cx)
        .iter()
        .any(|r| theirs.contains(r) && project.table(*r).is_tenant_scoped())
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
    let project = ctx.project;
    let facts = &project.units[file].facts;
    keyed_values(facts, atoms, me).iter().any(|(col, o)| {
        let Origin::Param { scope, index, path } = o else {
            return false;
        };
        let Some(f) = facts.functions.iter().position(|f| f.span.lo == scope.lo) else {
            return false;
        };
        let Some(calls) = project.callers(file, f) else {
            return false;
        };
        calls.iter().all(|&(g, n)| {
            let call = &project.units[g].facts.origins.calls[n];
            argument(call, *index, path)
                .is_some_and(|arg| checked_at_call(project, g, call, &arg, me.id, col))
        })
    })
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
) -> bool {
    let facts = &project.units[file].facts;
    let before = |span: Span, scope: Option<Span>| {
        span.hi <= call.span.lo
            && scope.is_none_or(|s| s.lo <= call.span.lo && call.span.hi <= s.hi)
    };
    let null_checked = |row: &str, after: Span| {
        facts
            .null_checks
            .iter()
            .any(|n| *n.local == *row && after.hi <= n.span.lo && n.span.hi <= call.span.lo)
    };
    // Earlier reads of this file with a proof of their own table, bound to a local checked
    // to hold a row before the call.
    let reads = project.queries[file].iter().filter(|p| {
        let read = &facts.queries[p.site];
        read.kind.is_read()
            && p.alias.is_none()
            && before(read.span, read.scope)
            && read
                .result
                .as_deref()
                .is_some_and(|row| null_checked(row, read.span))
            && proven_directly(project, p)
    });
    match arg {
        Origin::Local {
            name, path, each, ..
        } if !path.is_empty() && !path.contains('.') => {
            let keys = |r: TableId| {
                (r == t && *col == **path && unique(project.table(t), col) && !each)
                    || (r != t && related(project, t, col, r, path))
            };
            // Read here, or returned by a project function that read it with a proof
            // (`const customer = await getCustomer(db, { id, teamId }); if (!customer) ..`).
            let read_here = reads
                .filter(|p| facts.queries[p.site].result.as_deref() == Some(&**name))
                .any(|p| keys(p.table));
            read_here
                || facts
                    .result_calls
                    .iter()
                    .filter(|c| {
                        c.local == *name && before(c.span, call.scope) && null_checked(name, c.span)
                    })
                    .filter_map(|c| project.resolve_function(file, &c.callee))
                    .any(|(f, i)| {
                        let body = project.units[f].facts.functions[i].span;
                        project.queries[f].iter().any(|p| {
                            let read = &project.units[f].facts.queries[p.site];
                            read.kind.is_read()
                                && p.alias.is_none()
                                && read.scope == Some(body)
                                && proven_directly(project, p)
                                && keys(p.table)
                        })
                    })
        }
        Origin::Input(_) | Origin::Param { .. } => reads.into_iter().any(|p| {
            let all = p.conditions();
            keyed_values(facts, &conjuncts_of(&all), &p.instance())
                .iter()
                .any(|(u, k)| {
                    same_value(arg, k)
                        && unique(project.table(p.table), u)
                        && if p.table == t {
                            **u == *col
                        } else {
                            project.references(project.table(t), col, p.table)
                        }
                })
        }),
        _ => false,
    }
}

/// `p`'s own table is tenant-scoped and its conditions prove it directly (its tenant column,
/// or a reference to a tenant root).
fn proven_directly(project: &Project, p: &LinkedQuery) -> bool {
    let t = project.table(p.table);
    let all = p.conditions();
    t.is_tenant_scoped()
        && (all_guarantee_equality_or_null(&all, &p.instance(), &t.tenant_columns)
            == Verdict::Proven
            || (!t.root_refs.is_empty()
                && all_guarantee_equality(&all, &p.instance(), &t.root_refs) == Verdict::Proven))
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
    let table = project.table(me.id);
    keyed_values(facts, atoms, me).iter().any(|(col, o)| {
        // The column's own foreign keys (not a relation declared from this side, which may
        // point the other way).
        let mut targets: Vec<TableId> = vec![];
        if let Some((Some(target), _)) = table.column(col).and_then(|c| c.references.as_ref()) {
            targets.push(*target);
        }
        for fk in &table.foreign_keys {
            if fk.columns.len() == 1 && fk.columns[0] == **col {
                targets.extend(fk.target);
            }
        }
        if targets.is_empty() || targets.iter().any(|t| project.table(*t).is_tenant_scoped()) {
            return false;
        }
        match o {
            Origin::Session => true,
            Origin::Param { scope, index, path } => {
                let Some(f) = facts.functions.iter().position(|f| f.span.lo == scope.lo) else {
                    return false;
                };
                project.callers(file, f).is_some_and(|calls| {
                    calls.iter().all(|&(g, n)| {
                        let call = &project.units[g].facts.origins.calls[n];
                        argument(call, *index, path) == Some(Origin::Session)
                    })
                })
            }
            _ => false,
        }
    })
}
