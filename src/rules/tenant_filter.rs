//! `tenant-filter`: reads, updates and deletes on tenant-scoped tables must filter by tenant.

use super::context::{RuleContext, RuleDef, RuleKind, TenantCheck};
use crate::config::TenantJoins;
use crate::diagnostic::{Diagnostic, Severity};
use crate::ids::FileId;
use crate::link::{LinkedQuery, Project, Table, Unmatched};
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
use callers::{keyed_by_checked_callers, owned_by_session};
use checked::{
    branches_keyed_by_checked, checked_after_read, checked_child_after_read, keyed_by_checked_row,
    keyed_by_unverified_row, same_key_as_checked_read, siblings, unproven_source, Proving,
};

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Error,
    summary: "A query on a tenant-scoped table is not filtered by its tenant column.",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: Some("8.1"),
};

const DOC: &str = r#"## What it reports
A `select`, `$count`, `findMany`/`findFirst`, `update` or `delete` on a tenant-scoped table (one
with a column named in `tenant.columns`, such as `organizationId`) with no proof that its rows
belong to the caller's tenant: no `eq(table.organizationId, ..)` or
`inArray(table.organizationId, ..)`, and none of the other proofs below.

A tenant-named column does not make a table tenant-scoped when it is unique on its own and
references no table (an external id on a tenant root, a one-to-one mapping) or is a nullable
foreign key with `onDelete: 'set null'` (a pointer such as a user's current team);
`tenant.tables` forces such a table, and `drizzle-guard schema` prints for every table why it
is or is not tenant-scoped. Any one proof suffices:

- **Direct**: `eq(table.organizationId, ..)` or `inArray(table.organizationId, ..)` in the
  `where`, a join's `on`, a relational filter, a condition array (also spread through
  `.filter(Boolean)`, or combined as `conds.length > 1 ? and(...conds) : conds[0]`) or a
  helper: a function, a method or an arrow-function field (`this.ownership()`, the calling
  class's own or the one it inherits), or a function defined in the query's own function
  (`const where = (s) => and(..)`, read with that function's values), given the table, a
  column bag (`(ctx, cols) => eq(cols.userId, ctx.userId)` called with `notes` or
  `{ userId: notes.userId }`) or a condition array it combines. A helper with several `return`s proves only if every one does:
  a bare `return`, `return undefined` or falling off the end is a path with no condition.
  `if (w) conds.push(w)` adds `w` unconditionally (an absent `w` is no condition either), so it
  proves only when `w` is never absent. An equality between two tenant columns carries one table's
  guarantee to the other; `isNull(table.organizationId)` (rows no tenant owns, such as an
  unclaimed record) keeps other tenants' rows out too, unless another tenant column of the
  table is never null (with `userId` not null, `isNull(notes.workspaceId)` keeps every user's
  personal notes). A conditional spread `...(c ? [a] : [])` is either branch's elements, and
  `...xs.map((x) => cond)` is what the callback returns (an empty list is not considered).
  `and(..)` is proven
  by any part; `or(..)` and `cond ? a : b` only when every branch is (a branch no row
  passes, `` sql`false` ``, needs nothing).
- **Tenant root**: a table that tenant columns reference on a key of one column
  (`organizations.id`) is filtered by equality on its primary key, when it is tenant-scoped
  (`tenant.tables`). A relation tied on a column that is no key of its target (`fields:
  [t.teamId], references: [categories.teamId]`, as introspection writes it) makes no root, and
  a primary key of several columns filters nothing column by column. Another column of a
  tenant-scoped table that references a tenant root (`keys.forWorkspaceId`) pins rows to a
  tenant as well.
- **Checked row**: a value of a row (or of the rows: `inArray(T.id, rows.map((r) => r.id))`,
  `for (const row of rows)`, `rows.find(..)?.id`, `rows.slice(..)`, `rows.sort(..)`, also through a copy or
  destructuring: `const { id } = row`) that an earlier query of the same (or an enclosing)
  function read with a proof, or that a project function returned after reading it with a
  proof (its last query, or a row it checked: `const existing = await getProject(orgId, id)`;
  a value of such a row belongs to the caller's tenant, or there is no value), keys the table: the row's own primary or unique key
  (`update(T).where(eq(T.id, row.id))`), a foreign key to the row's table
  (`eq(tasks.projectId, project.id)`: children of a checked parent), the key the row's
  foreign key points at, or a foreign key to the same tenant-scoped parent as one of the row's
  (siblings), in another table or the row's own (`eq(comments.taskId, comment.taskId)`). A row a relation loaded with `with` brings along is a checked row too
  (`project.settings.id`, `project.tasks.at(0)`, `project.tasks.map((t) => t.id)`) when the
  relation ties it to the checked row on one column each side as a join proof would (a
  foreign key to a unique key, or two foreign keys to one tenant-scoped parent); a nested
  object that is no relation the read loaded (a select's own shape) is not. A tenant root read
  by a unique key equal to a value of the session (`eq(workspaces.orgId, ctx.tenant.id)`) is
  the caller's tenant: the rows its relations load are checked rows too. Copies
  (`Array.from(new Set(ids))`, `[...ids]`) are their values. Also a key `k` (`input.id`)
  that an earlier read with a proof was keyed by, when that read's result was checked
  (`if (!row) throw ..`; a read proven by the check of its row after it counts past that
  check, also for a caller of the query's function; so is a row a helper returns after such a
  check of its own table, or of the parent it joins through its foreign key), or that a project function reading with a proof was passed for its
  key (`const found = await getProject({ id: input.id, orgId }); if (!found) ..`): it keys that
  row, its children, and, when the read was keyed by a foreign key equal to `k` alone (not
  among many), the parent it points at (`eq(runs.monitorId, k)` found a row, then
  `eq(monitors.id, k)`); not in a
  `catch` clause, where the error may have come before the check. A row the function inserted with the tenant column set
  (`db.insert(T).values({ .., orgId }).returning()`, no `onConflictDoUpdate`) counts as a
  checked row of T for its own key and its children; its foreign keys are what the code wrote
  (maybe the client's ids), so the parent and siblings they name are not proven. So does a row
  read without a proof whose
  tenant column the code then compares with a value, leaving when they differ
  (`if (!row || row.orgId !== orgId) throw ..`; the read itself is proven too when that check
  runs on every path from the read (in the block that declared the row, or on every path of
  the function; not in a branch of its own) and no other query runs between them; the column
  may be a joined table's, selected under a name of its own, `{ reportOrg:
  reports.organizationId }` and `row.reportOrg !== orgId`: that join is proven, with what is
  joined to it through a foreign key), or whose
  foreign key the code compared with the key of a checked row or of a checked read
  (`if (!task || task.projectId !== project.id) throw ..`: a child of the caller's row; the
  read itself is proven by such a check as by one of its tenant column). The
  rows a proven `update`/`delete` returns (`.returning()`) are checked rows too, and the key it
  was keyed by is a checked key once its returned row was checked. Many keys
  (`inArray(T.id, ids)`) a checked read was keyed by are checked when the code compared the
  count, `if (rows.length !== ids.length) throw ..` (or `new Set(ids).size`), on a read with
  no join that could repeat a row; `if (!rows.length)` says nothing of each id. An `or` (or
  `cond ? a : b`) whose every branch is keyed so is proven. `[...ids]` and
  `[...new Set(ids)]` are `ids`. Where a key comes from is read by the same value-origin
  analysis as `tenant-value-from-input`.
- **Checked by every caller**: a project function keyed by its parameter
  (`updateStatus(db, id)` doing `update(T).where(eq(T.id, id))`) is proven when every call the
  project makes to it passes a key the caller checked as above (a checked row's value, one a
  helper returned and the caller checked, or the key of a checked read). One caller that passes
  anything else, a file that imports the function without holding a query, handler or server
  action (whose values are not followed), or no caller at all, and it is reported; when the
  calls are known, the finding points at the first one that passes a key it did not check. A class's
  method is proven so only when it is called on `this` alone: a call of that name on an
  instance (`model.rename(id)`, in any file that reaches the class) is one whose class is not
  followed.
- **The signed-in user's rows** (the query's own table): equality on a foreign key to a table no tenant owns (the users)
  with a value of the session (`eq(members.userId, ctx.session.user.id)`), directly or through a
  parameter every call the project makes fills with one: the caller's own rows, such as their
  memberships of every team. A value from request input, or a foreign key to a tenant-scoped
  table, proves nothing this way.
- **Secret lookup**: equality (or `inArray`) on a column that is unique on its own and holds a
  secret by its name (key or SQL name ending in `hash`, `token` or `secret`, or named `code`:
  `eq(apiKeys.keyHash, hash)`, an OAuth code, a link token). Whoever holds the secret is
  entitled to the row; this is the read that finds the tenant. A checked row it returns proves
  later queries like any other. A non-unique token column, or a unique column that is no
  secret (`slug`), proves nothing.
- **Raw fragments** in a query's condition are read as SQL: `sql`${table.organizationId} =
  ${orgId}``, and the query's own columns by their SQL name (`sql`organization_id = ${orgId}``,
  `tasks.organization_id`), compared with `=` (also under `AND`/`OR`, beside `IS [NOT]
  NULL`), count as `eq(..)` would, as direct proofs or as keys of checked rows
  (`sql`project_id = ${project.id}``). Anything else in the text (a function, `ANY`, a name
  qualified by something other than the table), and a fragment with no `=` or with a
  subquery, stays opaque (`unverified-tenant-filter`).
- **Raw statements** (`db.execute(sql`..`)`, `run`, `all`, `get`, `values`) are parsed and
  checked the same way, each table they name on its own, in every statement of the text, in
  subqueries of the `WHERE` and in the `SELECT` of an `INSERT .. SELECT` (see
  docs/conditions.md).
- **Through a foreign key in a join**: a joined table whose primary or unique key equals a
  foreign key of a proven table (`leftJoin(projects, eq(projects.id, tasks.projectId))`), or
  whose foreign key equals a proven table's key (children), or whose foreign key equals a
  proven table's foreign key to the same tenant-scoped parent (siblings), is proven. A join on
  any other column is not. `tenant.joins: "strict"` turns these join proofs off. Either way,
  a join condition proves only the rows it restricts: a left join's (a tenant filter written in
  it, or its link to a filtered table) never the rows before it, unless the rest of the query
  requires the joined rows (a `where` or an inner join on one of its columns); a right join's
  only the rows before it; a full join's none.
- **Correlated subquery**: `exists(db.select().from(tasks).where(eq(tasks.projectId,
  projects.id)))` reads `tasks` only for the outer query's `projects` rows: when that outer
  instance is proven, the subquery's table is proven through it like a join (a foreign key, or
  an equality of tenant columns). A subquery built outside any query (pushed onto a condition
  array, kept in a local and placed in `sql`EXISTS (${sub})``) runs in the query that uses it,
  which is checked for the outer table on its own. A subquery that is not correlated, or
  correlated on another column, needs its own filter; so does a CTE's select
  (`db.$with('x').as(..)`) and each statement of `db.batch([..])`. A prepared statement's
  `sql.placeholder('orgId')` is a value like any other.
- **Subquery of values**: `inArray(tasks.projectId, db.select({ id: projects.id })
  .from(projects).where(<tenant filter>))` proves `tasks` when the compared and the selected
  column are linked by a foreign key (or are both tenant columns) and the subquery is proven;
  in one branch of an `or` it proves nothing.
- **Builders**: a `where` added later to a builder held in a variable (`q = q.where(..)`), or
  by a project function the builder is passed to (`forOrganization(q, orgId)` whose body is
  `return qb.where(eq(projects.organizationId, orgId))`), is the query's condition; one added
  on some paths only may be absent, and a later `where` replaces an earlier one. The rows of
  a builder awaited later (`const rows = await q`) are the query's rows, checked rows when it
  is proven.

The help of a finding says what would have proven it; when the query is keyed by a value of a
row that an earlier read returned without a proof, the finding points at that read. A tenant
filter that holds on some paths only is no proof (`teamId !== undefined ? eq(invoices.teamId,
teamId) : undefined`: a caller that passes no `teamId` reads every tenant's rows), and the help
says so; a joined table reached through a foreign key of an instance that is itself unproven
is reported with it, and its help names that instance, whose filter proves the join too.

Inserts are not checked. Relations loaded with `with` are reached through their parent row
and are covered by the parent's filter. Files matching `tenant.systemPaths` (seeds, scripts,
migrations) get no tenant findings.

## Why it matters
A query that forgets the tenant filter returns, changes or deletes rows of every tenant. Looking a
row up by its id alone lets any signed-in user read another organization's data by guessing ids
(an insecure direct object reference).

## Example
```ts
const project = await db.query.projects.findFirst({
  where: eq(projects.id, input.id),
});
```

## Fix
```ts
const project = await db.query.projects.findFirst({
  where: and(eq(projects.id, input.id), eq(projects.organizationId, ctx.orgId)),
});
```

## Configuration
`tenant.columns` lists the tenant column names (TypeScript key or SQL name);
`tenant.exemptTables` lists tables that are shared across tenants on purpose; `tenant.tables`
forces tables to be tenant-scoped; `tenant.joins` (`"fk"` or `"strict"`) decides whether joins
through foreign keys carry a proof; `tenant.systemPaths` lists system code. When the filter is
hidden in something drizzle-guard cannot read, `unverified-tenant-filter` reports it instead;
so it does a query keyed by a row whose read is itself unverifiable.
"#;

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
    keyed_by_checked_row(p, &me, &atoms)
        || same_key_as_checked_read(p, &atoms)
        || keyed_by_checked_callers(ctx, file, &me, &atoms)
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
    let whole = q.conditions();
    let outer = q.joins.iter().any(|j| j.unmatched() != Unmatched::Dropped);
    let all_rows = if outer { restricts_all(q) } else { vec![] };
    // Every instance the query reads, with its verdict; unscoped ones take no part.
    let mut instances: Vec<Instance> = Vec::with_capacity(1 + q.joins.len());
    let mut add = |table: TableRef, span: Span, own: Option<usize>| {
        let joined = own.is_some();
        let t = project.table(table.id);
        if t.is_tenant_scoped() {
            // What restricts this instance's rows (with an outer join, not every part does).
            let mine;
            let all: &[&Pred] = if outer {
                mine = restricting(q, &all_rows, own);
                &mine
            } else {
                &whole
            };
            let atoms = conjuncts_of(all);
            // `isNull(T.teamId)` keeps to rows no tenant owns: not another tenant's either.
            let mut verdict =
                all_guarantee_equality_or_null(all, &table, &t.tenant_columns, &t.tenant_null);
            if verdict != Verdict::Proven && !t.root_refs.is_empty() {
                // A reference to a tenant root pins the rows to that tenant too.
                let refs = all_guarantee_equality(all, &table, &t.root_refs);
                if refs == Verdict::Proven {
                    verdict = refs;
                }
            }
            let mut proof = Proof::Direct;
            if verdict != Verdict::Proven && secret_lookup(t, all, &table) {
                verdict = Verdict::Proven;
                proof = Proof::Secret;
            }
            if verdict != Verdict::Proven
                && (keyed_by_checked_row(p, &table, &atoms)
                    || (!joined && same_key_as_checked_read(p, &atoms))
                    || (!joined && keyed_by_checked_callers(ctx, file, &table, &atoms))
                    || (!joined && branches_keyed_by_checked(p, &table, &atoms)))
            {
                verdict = Verdict::Proven;
                proof = Proof::CheckedRow;
            }
            if verdict != Verdict::Proven
                && (checked_after_read(project, file, q, &table)
                    || (table == q.instance() && checked_child_after_read(p)))
            {
                verdict = Verdict::Proven;
                proof = Proof::CheckedAfter;
            }
            if verdict != Verdict::Proven && !joined && owned_by_session(ctx, file, &table, &atoms)
            {
                verdict = Verdict::Proven;
                proof = Proof::SessionUser;
            }
            if verdict == Verdict::Missing {
                // Keyed by a row whose read cannot be verified: no more certain than that read.
                if let Some(row) = keyed_by_unverified_row(p, &table, &atoms) {
                    verdict = Verdict::Unverifiable(format!(
                        "a key of `{row}`, read earlier by a query whose own tenant filter cannot be verified"
                    ));
                }
            }
            instances.push(Instance {
                table,
                span,
                joined,
                verdict,
                proof,
                restricted_by: outer.then_some(atoms),
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
        });
    }
    if ctx.config.tenant.joins == TenantJoins::Fk && instances.len() > 1 {
        // Proofs through foreign keys, carried from proven instances until none is added.
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
                let through = instances.iter().any(|p| {
                    p.verdict == Verdict::Proven
                        && p.table != *x
                        && fk_linked(project, atoms, x, &p.table)
                });
                if through {
                    instances[i].verdict = Verdict::Proven;
                    instances[i].proof = Proof::ForeignKey;
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
        .filter(|i| i.proof != Proof::Outer)
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

/// Every row passing the conditions has one of `t`'s secret columns ([`Table::secret_keys`])
/// equal to a value: the lookup that authenticates a token or key, before any tenant is known.
fn secret_lookup(t: &Table, all: &[&Pred], table: &TableRef) -> bool {
    let secrets = t.secret_keys();
    !secrets.is_empty() && all_guarantee_equality(all, table, &secrets) == Verdict::Proven
}

/// Whether an unconditional equality joins `x` to the proven instance `p` through a foreign
/// key: `x`'s one-column unique key equals `p`'s column that references `x` (the parent of a
/// proven row), `x`'s column that references `p` equals `p`'s one-column unique key (a child
/// of a proven row), or both reference the same tenant-scoped parent (siblings). An equality
/// on any other column proves nothing.
fn fk_linked(project: &Project, atoms: &[&Pred], x: &TableRef, p: &TableRef) -> bool {
    let tx = project.table(x.id);
    let tp = project.table(p.id);
    let unique = |t: &Table, k: &str| t.unique_keys().iter().any(|u| u.len() == 1 && u[0] == k);
    atoms.iter().any(|a| {
        let Pred::Eq(Opnd::Col(a), Opnd::Col(b)) = a else {
            return false;
        };
        let (cx, cp) = if &a.table == x && &b.table == p {
            (a, b)
        } else if &b.table == x && &a.table == p {
            (b, a)
        } else {
            return false;
        };
        (unique(tx, &cx.key) && project.references(tp, &cp.key, x.id))
            || (unique(tp, &cp.key) && project.references(tx, &cx.key, p.id))
            || siblings(project, tx, &cx.key, tp, &cp.key)
    })
}

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    let unit = &ctx.project.units[file];
    let all_checks = file_tenant_checks(ctx, file);
    for (q, checks) in ctx.project.queries[file].iter().zip(all_checks) {
        let site = &unit.facts.queries[q.site];
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
                    "add `eq({b}.{col}, <the caller's {col}>)` to the join condition or the where clause, or join `{b}` by its key to a foreign key of a tenant-filtered table (or by its foreign key to such a table's key), so rows of other tenants are never {v}",
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
            } else {
                format!(
                    "add `eq({b}.{col}, <the caller's {col}>)` to the where clause, or key it by a row read earlier with its tenant filter (its primary key, or a foreign key to that row), so rows of other tenants are never {v}",
                    b = t.binding,
                    v = verb(site.kind)
                )
            };
            let mut d = Diagnostic::new(RuleId::TenantFilter, &unit.rel, c.span, msg).help(would);
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
    }
}

fn verb(kind: crate::facts::QueryKind) -> &'static str {
    match kind {
        crate::facts::QueryKind::Update => "updated",
        crate::facts::QueryKind::Delete => "deleted",
        _ => "returned",
    }
}
