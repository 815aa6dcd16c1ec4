//! `soft-delete-filter`: reads of soft-delete tables must say what to do with deleted rows.

use super::context::{RuleContext, RuleDef, RuleKind};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ids::FileId;
use crate::link::LinkedWith;
use crate::predicate::{any_mentions, Pred, TableRef, Verdict};
use crate::rule_id::RuleId;
use crate::span::Span;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Error,
    summary: "A read of a soft-delete table does not filter on its soft-delete column.",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: None,
};

const DOC: &str = r#"## What it reports
A `select`, `$count`, `findMany` or `findFirst` of a table with a soft-delete column (one named in
`softDelete.columns`, such as `deletedAt`) whose condition never mentions that column. This
includes joined tables (the join's `on` or the `where` must mention it) and relations loaded with
`with` as `many` (their own `where`, or the relation's preset `where` in `defineRelations`). A
`one` relation is not reported: it loads the row the parent points at, and the relational API
gives it no `where` in v1; check that row's `deletedAt` in code, or filter the parent. `isNull(..)`,
`isNotNull(..)` and `eq(.., false)` all count as an explicit choice. A condition containing
something drizzle-guard cannot read is not reported.

## Why it matters
Soft-deleted rows are deleted as far as users know. A read that forgets the filter shows them
again: in lists, in counts, in exports, in the rows of a join.

## Example
```ts
const rows = await db.select().from(tasks).where(eq(tasks.projectId, id));
```

## Fix
```ts
const rows = await db.select().from(tasks)
  .where(and(eq(tasks.projectId, id), isNull(tasks.deletedAt)));
```
To read deleted rows on purpose, say so: `isNotNull(tasks.deletedAt)`.

## Configuration
`softDelete.columns` lists the soft-delete column names (TypeScript key or SQL name).
"#;

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    let project = ctx.project;
    let unit = &project.units[file];
    for q in &project.queries[file] {
        let site = &unit.facts.queries[q.site];
        if !site.kind.is_read() {
            continue;
        }
        let all = q.conditions();
        let mut report = |table: TableRef, span: Span, pred: &[&Pred], what: &str| {
            let t = project.table(table.id);
            if !t.is_soft_delete()
                || any_mentions(pred, &table, &t.soft_delete_columns) != Verdict::Missing
            {
                return;
            }
            let col = &t.soft_delete_columns[0];
            out.push(
                Diagnostic::new(RuleId::SoftDeleteFilter, &unit.rel, span, format!("{what} `{}` does not filter on `{col}`", t.binding))
                    .help(format!(
                        "add `isNull({}.{col})` to leave out deleted rows, or `isNotNull(..)` to read them on purpose",
                        t.binding
                    ))
                    .context_at(site.function.as_deref(), site.span),
            );
        };
        report(q.instance(), site.target_span, &all, "read of");
        for j in &q.joins {
            report(j.instance(), j.span, &all, "joined table");
        }
        let mut stack: Vec<&LinkedWith> = q.with.iter().collect();
        while let Some(w) = stack.pop() {
            if let (Some(target), true) = (w.target, w.many) {
                let own: Vec<&Pred> = w.where_.iter().chain(w.preset_where.iter()).collect();
                report(
                    target.into(),
                    w.span,
                    &own,
                    &format!("relation `{}` loads", w.relation),
                );
            }
            stack.extend(w.with.iter());
        }
    }
}
