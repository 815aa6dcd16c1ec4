//! `update-without-where`: an `update` with no condition changes every row of the table.

use super::context::{RuleContext, RuleDef, RuleKind};
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::{QueryKind, Where};
use crate::ids::FileId;
use crate::rule_id::RuleId;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Error,
    summary: "An update has no `.where(..)`, so it changes every row of the table.",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: None,
};

const DOC: &str = r#"## What it reports
`X.update(T).set(..)` on a table of your schema that has no `.where(..)`, or whose condition is
empty: `.where(undefined)`, `.where(sql`true`)`, or a condition that is empty on some path
(`.where(id ? eq(t.id, id) : undefined)`, `.where(flag && eq(..))`, `and(...conds)` where every
element of `conds` is pushed inside an `if`). Any receiver counts (`db`, `tx`, `ctx.db`) when
`T` resolves to a table of your schema. A raw `UPDATE` (`db.execute(sql`update ..`)`) with no
`WHERE` is reported too, but not MySQL's multi-table form with an inner join (`UPDATE t INNER
JOIN s ON .. SET ..`), which changes only the rows the join matches (a `LEFT JOIN` keeps them
all).

When `T` is not in the schema drizzle-guard read (a table from a package it does not see, a
schema built in a way it cannot follow), an update with no `.where(..)` at all is still reported
when the receiver is surely Drizzle's: named `db`, `tx`, `trx`, `database` or ending in
`Db`/`DB` (alone or as the last property: `ctx.db`, `this.db`, `tenantDb`), or a name imported
from (or defined in) a module that calls `drizzle(..)`, through re-exports and barrels. Its
`.where(..)`, if any, cannot be read then. `router.update(..)` or `store.update(..)` is never
such a query.

Not reported, because the `.where` may be added where drizzle-guard cannot see it: a builder
stored in a variable without `await` (`const q = db.update(t).set(..)`, later `q.where(..)`),
and a builder made `.$dynamic()` (typically passed to a helper that adds the condition). A
condition drizzle-guard cannot read (a helper from a package, a parameter) is not reported
either. Like every rule, it leaves test files
(`*.test.ts`, `*.spec.ts`, `__tests__/`, `__mocks__/`) alone unless `checkTestFiles` is set:
tests set up and tear down their own rows.

## Why it matters
Without a condition, SQL `UPDATE` changes every row. A forgotten or accidentally empty `.where`
overwrites the whole table, for every tenant, in one statement.

## Example
```ts
await db.update(projects).set({ status: 'archived' });

await db
  .update(tasks)
  .set({ assigneeId: null })
  .where(input.userId ? eq(tasks.assigneeId, input.userId) : undefined);
```

## Fix
```ts
await db.update(projects).set({ status: 'archived' })
  .where(and(eq(projects.id, id), eq(projects.organizationId, orgId)));
```
When every row is meant (a migration, a backfill), say so with a suppression and a reason:
`// drizzle-guard-ignore update-without-where: backfill of the new column`.

## Configuration
Set its level under `rules` (`{"rules": {"update-without-where": "warning"}}`).
"#;

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    unfiltered_writes(
        ctx,
        file,
        QueryKind::Update,
        RuleId::UpdateWithoutWhere,
        out,
    );
}

/// Reports every `kind` query (update or delete) of this file that is run as written and has
/// no condition, an empty one, or one that is empty on some path.
pub(crate) fn unfiltered_writes(
    ctx: &RuleContext<'_>,
    file: FileId,
    kind: QueryKind,
    rule: RuleId,
    out: &mut Vec<Diagnostic>,
) {
    let unit = &ctx.project.units[file];
    let (verb, effect) = match kind {
        QueryKind::Delete => ("delete", "deletes"),
        _ => ("update", "changes"),
    };
    for q in &ctx.project.queries[file] {
        let site = &unit.facts.queries[q.site];
        if site.kind != kind || site.runs.may_gain_clauses() {
            continue;
        }
        let table = ctx.project.table(q.table);
        let t = &table.binding;
        // Shown only in a finding's text: most writes have a condition.
        let key = table.unique_keys().iter().flatten().next();
        let example = || format!("eq({t}.{}, ..)", key.map_or("id", String::as_str));
        let raw = matches!(site.target, crate::facts::QueryTarget::Raw(_));
        let (msg, help) = match &q.where_ {
            _ if site.where_ == Where::Absent && raw => (
                format!("raw `{}` of `{t}` has no WHERE: it {effect} every row", verb.to_uppercase()),
                format!(
                    "add a WHERE that picks the rows to {verb}, such as `{}.{} = ${{..}}`",
                    table.sql_name,
                    key.and_then(|k| table.column(k)).map_or("id", |c| c.sql_name.as_str())
                ),
            ),
            _ if site.where_ == Where::Absent => (
                format!("`{verb}` of `{t}` has no `.where(..)`: it {effect} every row"),
                format!("add `.where(..)` with a condition that picks the rows to {verb}, such as `{}`", example()),
            ),
            // `.where(...parts)`: a spread drizzle-guard does not read.
            None => continue,
            Some(w) if !w.is_empty() && !w.may_be_empty() => continue,
            Some(w) if !w.is_empty() => (
                format!("the condition of this `{verb}` of `{t}` is empty on some path: then it {effect} every row"),
                format!("keep at least one part of the condition unconditional (such as `{}`), or return early when there is nothing to {verb}", example()),
            ),
            _ => (
                format!("the `.where(..)` of this `{verb}` of `{t}` lets every row through: it {effect} every row"),
                format!("give `.where(..)` a condition that picks the rows to {verb}, such as `{}`", example()),
            ),
        };
        out.push(
            Diagnostic::new(rule, &unit.rel, site.target_span, msg)
                .help(help)
                .context_at(site.function.as_deref(), site.span),
        );
    }
    // A table not in the schema, on a Drizzle database: only a missing `.where(..)` is read
    // (the condition's columns cannot be).
    for u in ctx.project.untabled_queries(file) {
        let site = &unit.facts.queries[u.site];
        if site.kind != kind || site.runs.may_gain_clauses() || site.where_ != Where::Absent {
            continue;
        }
        let t = &u.table;
        out.push(
            Diagnostic::new(
                rule,
                &unit.rel,
                site.target_span,
                format!("`{verb}` of `{t}` has no `.where(..)`: it {effect} every row"),
            )
            .help(format!(
                "add `.where(..)` with a condition that picks the rows to {verb}, such as `eq({t}.id, ..)`"
            ))
            .context_at(site.function.as_deref(), site.span),
        );
    }
}
