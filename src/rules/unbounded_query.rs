//! `unbounded-query`: a read that returns every matching row, however many there are.

use super::context::{at_query, RuleContext, RuleDef, RuleKind};
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::{QueryKind, QueryTarget};
use crate::ids::FileId;
use crate::link::{LinkedJoin, LinkedQuery, Table};
use crate::predicate::{TableRef, Verdict};
use crate::rule_id::RuleId;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Warning,
    summary: "A select or findMany without a limit returns every matching row.",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: None,
};

const DOC: &str = r#"## What it reports
A `select(..).from(T)` (also `selectDistinct`, `selectDistinctOn`), a `findMany`, or a raw
`SELECT` (`db.execute(sql`..`)`) with no `limit`. Not reported:

- a `where` that pins the rows by a unique key: `eq` (or `inArray`, whose list the caller
  bounds; a subquery as the list counts too, which can hide a large result) on the primary key
  or on every column of a unique column, unique index or composite key (a partial unique index,
  `uniqueIndex().on(t.ownerId).where(..)`, makes its columns unique only among the rows it
  covers, so it does not pin rows); the columns of such a key that take few values (an enum, a
  text column given its values, a boolean) may be left free: `(accountId, metric, day)` with
  `metric` an enum of three values gives at most three rows for one account and day. With
  joins, every joined table must be pinned too, by a value or by a unique key equal to
  a column of a pinned table (a many-to-one join such as `eq(users.id, tasks.assigneeId)`);
- a selection of nothing but aggregates (`count()`, `sum(..)`, a `sql` template calling one,
  a module-level `const total = sql`count(*)`` or a function of the file returning one; in raw
  SQL an expression whose every column is inside an aggregate, such as
  `COALESCE(SUM(x), 0)`, `ROUND(AVG(x), 2)` or `SUM(a) / COUNT(*)`, but no window
  `SUM(x) OVER (..)`) without `groupBy`, and `$count`; with `groupBy` there is a row per
  group, which is bounded only when every grouped column takes few values (an enum,
  `pgEnum(..)`'s product or `mysqlEnum(..)`; a text column given its values,
  `text(.., { enum: [..] })`, also `varchar` and `char`; a boolean, `boolean(..)` or SQLite's
  `integer(.., { mode: 'boolean' })`) or is bound by the `where` (`inArray(t.a, ids)` ..
  `groupBy(t.a)`), in raw SQL too (`GROUP BY state`, columns named as the statement names
  them; a grouped expression that is no column counts as many values);
- `findFirst`, which always has `limit 1`, a relational `limit` (also written in short:
  `findMany({ where, limit })`), and SQLite's `.get()`, which returns one row;
- a builder that is not run where it is written: a subquery (`inArray(col, db.select(..))`,
  `.as('sq')`), a builder passed to a function, and `.$dynamic()` (the helper that finishes it
  usually adds the `limit`);
- a part of a set operation other than the first: `a.union(b)` and `union(a, b)` (also
  `unionAll`, `intersect`, `intersectAll`, `except`, `exceptAll`, imported from a
  `drizzle-orm/*-core` module) run as one query, which takes the `limit` written on the set
  operation; without one it is reported once, at its first part;
- a `where` drizzle-guard cannot read (opaque `sql`, a helper from a package): it may pin a row;
- tables listed in `pagination.exemptTables`;
- a many-relation loaded by a relational `with` (`with: { tasks: true }`) without its own
  `limit`: it is one parent's collection (a key's roles, a project's environments), almost
  always small, and reporting it would flag most relational queries. Give it a `limit` yourself
  where a collection grows without bound (comments, events, logs).

`const [row] = await db.select()..` and `(await ..)[0]` are reported: the database still sends
every matching row and the code throws all but one away; `.limit(1)` is the fix.
`offset` without `orderBy` is a different problem with its own rule, `offset-without-order-by`.

## Why it matters
A query without a bound is fast on a developer's database and slow, memory-hungry or a
time-out once a table grows: a list page that loads all of a large customer's rows, an export
that holds them all in memory.

## Example
```ts
const rows = await db.select().from(tasks).where(eq(tasks.projectId, projectId));
const [user] = await db.select().from(users).where(eq(users.name, name));
```

## Fix
```ts
const rows = await db.select().from(tasks).where(eq(tasks.projectId, projectId))
  .orderBy(asc(tasks.position)).limit(100).offset(page * 100);
const [user] = await db.select().from(users).where(eq(users.name, name)).limit(1);
```

## Configuration
`pagination.exemptTables` lists tables that stay small by design (lookup tables such as
`plans` or `countries`), by export or SQL name.
"#;

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    let unit = &ctx.project.units[file];
    let exempt = &ctx.config.pagination.exempt_tables;
    for (_, q) in ctx.project.written_queries(file) {
        let site = &unit.facts.queries[q.site];
        let table = ctx.project.table(q.table);
        if !matches!(site.kind, QueryKind::Select | QueryKind::FindMany)
            || site.runs.is_embedded()
            || site.has_limit
            || (site.aggregates_only && !site.has_group_by)
            || groups_bounded(ctx, q, site.group_by.len())
            || exempt
                .iter()
                .any(|e| e == &table.binding || e == &table.sql_name)
            || pinned(ctx, q)
        {
            continue;
        }
        let (what, fix) = match site.kind {
            QueryKind::FindMany => ("`findMany` on", "`limit: n`"),
            _ => ("select from", "`.limit(n)`"),
        };
        let message = format!(
            "{what} `{}` has no limit: it returns {}",
            table.binding,
            if site.has_group_by {
                "a row per group, however many groups there are"
            } else {
                "every matching row"
            }
        );
        let help = if matches!(site.target, QueryTarget::Raw(_)) {
            "add `LIMIT n` to the statement (with an `ORDER BY` for stable pages); `LIMIT 1` when only the first row is used".to_string()
        } else {
            format!(
                "add {fix} (with an `orderBy` for stable pages){}; `.limit(1)` when only the first row is used",
                key_hint(table)
            )
        };
        out.push(at_query(RuleId::UnboundedQuery, &unit.rel, site, message).help(help));
    }
}

/// The query's `where` and join conditions pin its own and every joined table by a unique key.
/// `Proven` and `Unverifiable` both count: an opaque condition may pin a row, and a warning
/// that may be wrong costs more than it gives.
/// A unique key with columns that take few values (an enum, a boolean) is also pinned by its
/// other columns: `(orgId, metric, periodStart)` with `metric` an enum of three values gives at
/// most three rows for one `orgId` and `periodStart`.
fn pinned(ctx: &RuleContext<'_>, q: &LinkedQuery) -> bool {
    let keys: Vec<(TableRef, Vec<Vec<String>>)> = std::iter::once(q.instance())
        .chain(q.joins.iter().map(LinkedJoin::instance))
        .map(|t| {
            let table = ctx.project.table(t.id);
            let few = |k: &String| table.column(k).is_some_and(|c| c.boolean || c.enumerated);
            let mut keys = table.unique_keys().to_vec();
            for key in table.unique_keys() {
                let rest: Vec<String> = key.iter().filter(|k| !few(k)).cloned().collect();
                if !rest.is_empty() && rest.len() < key.len() {
                    keys.push(rest);
                }
            }
            (t, keys)
        })
        .collect();
    let keys: Vec<(TableRef, &[Vec<String>])> = keys
        .iter()
        .map(|(t, k)| (t.clone(), k.as_slice()))
        .collect();
    crate::predicate::all_pin_rows(&q.conditions(), &keys) != Verdict::Missing
}

/// A grouped query returns a row per group: bounded when every `groupBy` column takes few
/// values (an enum, a text column given its values, or a boolean column) or is bound to a
/// value or an `inArray` list by the `where` (`inArray(t.a, ids)` .. `groupBy(t.a)`).
fn groups_bounded(ctx: &RuleContext<'_>, q: &LinkedQuery, written: usize) -> bool {
    if q.group_by.is_empty() || q.group_by.len() != written {
        return false;
    }
    let few_values = |c: &&crate::predicate::Col| {
        ctx.project
            .table(c.table.id)
            .column(&c.key)
            .is_some_and(|c| c.boolean || c.enumerated)
    };
    let rest: Vec<_> = q.group_by.iter().filter(|c| !few_values(c)).collect();
    let Some(first) = rest.first() else {
        return true;
    };
    if rest.iter().any(|c| c.table != first.table) {
        return false;
    }
    let key: Vec<String> = rest.iter().map(|c| c.key.to_string()).collect();
    q.where_.as_ref().is_some_and(|w| {
        w.pins_rows(&[(first.table.clone(), std::slice::from_ref(&key))]) != Verdict::Missing
    })
}

/// ", or filter on `id`" when the table has a unique key to name.
fn key_hint(t: &Table) -> String {
    match t.unique_keys().first() {
        Some(key) => format!(
            ", or filter on the unique key `{}` when one row is meant",
            key.join("`, `")
        ),
        None => String::new(),
    }
}
