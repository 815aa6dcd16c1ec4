//! `offset-without-order-by`: pages taken with `offset` from rows in no defined order.

use super::context::{at_query, RuleContext, RuleDef, RuleKind};
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::QueryKind;
use crate::ids::FileId;
use crate::rule_id::RuleId;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Warning,
    summary: "A query pages with offset but has no orderBy, so pages can overlap or skip rows.",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: None,
};

const DOC: &str = r#"## What it reports
A `select(..)` or relational `findMany`/`findFirst` with an `offset` and no `orderBy`.
A builder finished elsewhere (`.$dynamic()`, a builder passed to a helper) is not reported,
since its `orderBy` may be added there.

This is a rule of its own rather than part of `unbounded-query`: the query is bounded, the
problem is correctness (rows repeated or skipped between pages), not size, and a project that
turns `unbounded-query` off still wants it.

## Why it matters
SQL returns rows in no particular order unless told to. The database may return them in a
different order for each page (after an update, a vacuum, a parallel plan), so `offset 20`
can repeat rows of the first page and never show others.

## Example
```ts
db.select().from(tasks).where(eq(tasks.projectId, id)).limit(20).offset(page * 20);
```

## Fix
```ts
db.select().from(tasks).where(eq(tasks.projectId, id))
  .orderBy(asc(tasks.createdAt), asc(tasks.id)).limit(20).offset(page * 20);
```
End the order with a unique column (the primary key) so ties are ordered too.

## Configuration
None.
"#;

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    let unit = &ctx.project.units[file];
    for (_, q) in ctx.project.written_queries(file) {
        let site = &unit.facts.queries[q.site];
        if !site.kind.is_read()
            || site.kind == QueryKind::Count
            || !site.has_offset
            || site.has_order_by
            || site.runs.is_embedded()
        {
            continue;
        }
        let table = ctx.project.table(q.table);
        let message = format!(
            "query on `{}` pages with `offset` but has no `orderBy`: pages can repeat or skip rows",
            table.binding
        );
        out.push(at_query(RuleId::OffsetWithoutOrderBy, &unit.rel, site, message).help(format!(
            "order the rows by a unique column, e.g. `orderBy({}.{})`, before taking pages with `offset`",
            table.binding,
            table.key_column()
        )));
    }
}
