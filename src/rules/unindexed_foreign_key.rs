//! `unindexed-foreign-key`: a foreign-key column no index starts with.

use super::context::{RuleContext, RuleDef, RuleKind};
use super::schema_location::at_column;
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::Dialect;
use crate::ids::FileId;
use crate::link::Table;
use crate::rule_id::RuleId;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Warning,
    summary: "A foreign-key column is not the first column of any index.",
    doc: DOC,
    kind: RuleKind::Schema(check),
    security_severity: None,
};

const DOC: &str = r#"## What it reports
A foreign-key column, from `.references(() => t.id)` or `foreignKey({ columns: [..] })`, that is
not the first column of any index of its table. Indexes that count: `index(..)`,
`uniqueIndex(..)`, `unique(..)`, `primaryKey({ columns })` and the column's own `.primaryKey()`
or `.unique()`, as long as the foreign-key column comes first (an index on `(a, b)` serves
lookups by `a`, not by `b`). For a `foreignKey()` over several columns, an index starting with
any of them counts.

Dialects: Postgres and SQLite tables only. Neither creates an index for a foreign key, so the
check is needed there. MySQL (InnoDB) requires an index on every foreign key and creates one
itself when none exists, so `mysqlTable` columns are never reported; SingleStore does not enforce
foreign keys, so `singlestoreTable` columns are not either. A tenant column that is also a foreign
key is reported by `unindexed-tenant-column` instead (unless that rule is off), never twice.

Reported at the column (or the `foreignKey(..)`); a column spread in from shared columns is
reported at the table's name, with the shared definition as a related location.

## Why it matters
Every join on the relation, every `with` of it, and every delete or key update of the referenced
row (to check or cascade the constraint) looks rows up by the foreign-key column. Without an
index each of those reads the whole table: fast in development, a sequential scan and lock
contention in production.

## Example
```ts
export const tasks = pgTable('tasks', {
  id: uuid('id').primaryKey(),
  projectId: uuid('project_id').notNull().references(() => projects.id),
});
```

## Fix
```ts
export const tasks = pgTable('tasks', {
  id: uuid('id').primaryKey(),
  projectId: uuid('project_id').notNull().references(() => projects.id),
}, (t) => [index('tasks_project_idx').on(t.projectId)]);
```

## Configuration
Set its level under `rules`, or suppress one column with a reason (a small lookup table).
"#;

fn check(ctx: &RuleContext<'_>, _file: FileId, out: &mut Vec<Diagnostic>) {
    let tenant_rule_on = !ctx.config.is_off(RuleId::UnindexedTenantColumn);
    for t in ctx.file_tables() {
        if !matches!(t.dialect, Dialect::Pg | Dialect::Sqlite) {
            continue;
        }
        // The tenant rule reports its column; this one stays quiet about it.
        let left_to_tenant_rule = |key: &str| {
            tenant_rule_on
                && super::unindexed_tenant_column::unindexed_tenant_column(t) == Some(key)
        };
        for c in &t.columns {
            let Some((target, target_col)) = &c.references else {
                continue;
            };
            if t.leads_index(&c.key) || left_to_tenant_rule(&c.key) {
                continue;
            }
            let target = target
                .map(|id| ctx.project.table(id).binding.as_str())
                .unwrap_or("?");
            out.push(
                at_column(
                    ctx,
                    RuleId::UnindexedForeignKey,
                    t,
                    c,
                    format!(
                        "foreign key `{}.{}` (to `{target}.{target_col}`) is not the first column of any index",
                        t.binding, c.key
                    ),
                )
                .help(help(t, &c.key)),
            );
        }
        for fk in &t.foreign_keys {
            let Some(first) = fk.columns.first() else {
                continue;
            };
            let inline = |k: &String| t.column(k).is_some_and(|c| c.references.is_some());
            if fk.columns.iter().any(|k| t.leads_index(k) || inline(k))
                || left_to_tenant_rule(first)
            {
                continue;
            }
            let unit = &ctx.project.units[t.file];
            out.push(
                Diagnostic::new(
                    RuleId::UnindexedForeignKey,
                    &unit.rel,
                    fk.span,
                    format!(
                        "foreign key `{}({})` is not covered by an index starting with its columns",
                        t.binding,
                        fk.columns.join(", ")
                    ),
                )
                .help(help(t, first))
                .context(None, &format!("{}.{}", t.binding, fk.columns.join("+"))),
            );
        }
    }
}

fn help(t: &Table, key: &str) -> String {
    let sql_name = t.column(key).map_or(key, |c| c.sql_name.as_str());
    format!(
        "add `index('{}_{sql_name}_idx').on(t.{key})` to the table's indexes (or make `{key}` the first column of an existing one)",
        t.sql_name
    )
}
