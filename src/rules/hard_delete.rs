//! `hard-delete`: deleting rows of a soft-delete table bypasses the soft delete.

use super::context::{RuleContext, RuleDef, RuleKind};
use crate::config::DeletedWhen;
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::QueryKind;
use crate::ids::FileId;
use crate::predicate::Verdict;
use crate::rule_id::RuleId;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Warning,
    summary: "A `delete` removes rows of a soft-delete table instead of marking them deleted.",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: None,
};

const DOC: &str = r#"## What it reports
`X.delete(T)` where `T` is a soft-delete table (it has a column named in `softDelete.columns`,
such as `deletedAt`, or set for it in `softDelete.tables`), unless its `where` names the
soft-delete column (`isNotNull(t.deletedAt)`, `lt(t.deletedAt, cutoff)`, `eq(t.isTrashed,
true)`): that purges soft-deleted rows on purpose.

Not reported either:

- updates that set the soft-delete column, the intended way;
- test files (`*.test.ts`, `*.spec.ts`, `__tests__/`, `__mocks__/`, `e2e/`, `__fixtures__/`,
  `test/`, test factories), like every rule unless `checkTestFiles` is set: cleaning up the
  rows a test made is not a soft delete.

## Why it matters
A table gets a soft-delete column so that "deleting" a row can be undone, audited, or kept for
references. A hard `DELETE` on it loses the row for good, breaks that promise (restore, audit
trail, history), and can cascade into other tables.

## Example
```ts
await db.delete(tasks).where(and(eq(tasks.id, id), eq(tasks.organizationId, orgId)));
```

## Fix
```ts
await db.update(tasks).set({ deletedAt: new Date() })
  .where(and(eq(tasks.id, id), eq(tasks.organizationId, orgId)));
```
A purge job that removes long-deleted rows says so in its `where`:
`db.delete(tasks).where(lt(tasks.deletedAt, cutoff))`.

## Configuration
`softDelete.columns`, `softDelete.tables` and `softDelete.exemptTables` decide which tables are
soft-delete tables. Set its level under `rules`.
"#;

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    let unit = &ctx.project.units[file];
    for q in &ctx.project.queries[file] {
        let site = &unit.facts.queries[q.site];
        let t = ctx.project.table(q.table);
        let Some((col, when)) = t.soft_delete() else {
            continue;
        };
        // A `where` naming the column chooses soft-deleted rows: a purge, on purpose.
        let purge = q
            .where_
            .as_ref()
            .is_some_and(|w| w.mentions(&q.instance(), &t.soft_delete_columns) == Verdict::Proven);
        if site.kind != QueryKind::Delete || purge {
            continue;
        }
        let value = match when {
            DeletedWhen::NotNull => "new Date()",
            DeletedWhen::True => "true",
            DeletedWhen::False => "false",
        };
        out.push(
            Diagnostic::new(
                RuleId::HardDelete,
                &unit.rel,
                site.target_span,
                format!(
                    "`delete` removes rows of `{}` for good, but the table is soft-deleted through `{col}`",
                    t.binding
                ),
            )
            .help(format!(
                "set the column instead: `update({}).set({{ {col}: {value} }})`; suppress with a reason where a purge is meant",
                t.binding
            ))
            .context_at(site.function.as_deref(), site.span),
        );
    }
}
