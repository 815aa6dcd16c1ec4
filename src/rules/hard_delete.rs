//! `hard-delete`: deleting rows of a soft-delete table bypasses the soft delete.

use super::context::{RuleContext, RuleDef, RuleKind};
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::QueryKind;
use crate::ids::FileId;
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
such as `deletedAt`), whatever its `.where(..)`. Updates that set the soft-delete column are the
intended way and are never reported. Like every rule, it leaves test files
(`*.test.ts`, `*.spec.ts`, `__tests__/`, `__mocks__/`) alone unless `checkTestFiles` is set:
cleaning up the rows a test made is not a soft delete.

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
A purge job that removes long-deleted rows on purpose says so:
`// drizzle-guard-ignore hard-delete: purges rows deleted more than 30 days ago`.

## Configuration
`softDelete.columns` decides which tables are soft-delete tables. Set its level under `rules`.
"#;

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    let unit = &ctx.project.units[file];
    for q in &ctx.project.queries[file] {
        let site = &unit.facts.queries[q.site];
        let t = ctx.project.table(q.table);
        if site.kind != QueryKind::Delete || !t.is_soft_delete() {
            continue;
        }
        let col = &t.soft_delete_columns[0];
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
                "set the column instead: `update({}).set({{ {col}: .. }})`; suppress with a reason where a purge is meant",
                t.binding
            ))
            .context_at(site.function.as_deref(), site.span),
        );
    }
}
