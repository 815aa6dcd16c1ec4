//! `soft-delete-filter`: reads of soft-delete tables must say what to do with deleted rows.

use super::context::{RuleContext, RuleDef, RuleKind};
use crate::config::{DeletedWhen, KeyedReads, ParentJoins};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ids::FileId;
use crate::link::{LinkedJoin, LinkedWith, Project, Table};
use crate::predicate::{all_pin_rows, any_mentions, on_every_path, Opnd, Pred, TableRef, Verdict};
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
`softDelete.columns`, such as `deletedAt`, or set for the table in `softDelete.tables`) whose
condition never mentions that column. This includes joined tables (the join's `on` or the
`where` must mention it) and relations loaded with `with` as `many` (their own `where`, or the
relation's preset `where` in `defineRelations`). `isNull(..)`, `isNotNull(..)` and
`eq(.., false)` all count as an explicit choice, and so does looking at the column of the row
read, in a condition after the read (`if (!row || row.isTrashed) return`,
`if (row?.deletedAt) throw`). A builder given its `where` later (`q = q.where(..)`, or by a
function it is passed to) is judged path by path, as `tenant-filter` judges its tenant filter:
the column must be named on every path through the code that builds the query, so a `where`
added on some paths only (`if (!all) q = q.where(and(.., isNull(t.deletedAt)))`), or replaced
on some path by a later one that does not name it (`if (term) q = q.where(ilike(..))`), leaves
the others reading deleted rows and is reported; an `or` written in one condition is still
one choice. A condition containing something drizzle-guard cannot read (a
condition passed in by the caller, a package's function) on every path is not reported; one
around which a path goes (another branch of an `or`, a condition pushed only sometimes) is.
A raw `sql` fragment in a condition is read: one that interpolates no soft-delete column (nor a
call on one, such as `${isNull(t.deletedAt)}`) and whose text names none cannot filter deleted
rows, whatever else it does (`sql`lower(${t.name}) like ${q}``), so it is no choice. A raw
`SELECT` (`db.execute(sql`..`)`) is checked too: `deleted_at is null` counts.

Parent rows. A `one` relation is not reported: it loads the row the parent points at, and the
relational API gives it no `where` in v1; check that row's column in code, or filter the parent.
A join to a parent row by its key (`eq(pages.id, blocks.pageId)`, the parent's whole unique key
equal to columns of other tables) is judged the same way by what it does to the rows: a left
join only shows the parent, like a `one` relation, and is not reported; an inner join also
drops the children whose parent is gone, so leaving the parent's deleted rows in is a choice it
must make, and it is reported (on a judged public app the one such finding was real: a role's
keys listed through `keys_roles` included deleted keys). `softDelete.parentJoins` chooses:
`inner` (the default), `all` (left joins too) or `none` (no join to a parent by its key).

Keyed reads. A read of one row by a unique key (the whole primary key, or a unique column or
index: `eq(pages.id, id)`) is usually a permission check, a restore or a history view, where a
deleted row is harmless or wanted (judged samples: most such findings were noise, none were
the real ones). It is reported at
`warning` level at most; `softDelete.keyedReads` sets `error`, `warning` or `off`.

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
For a flag, compare it: `eq(pages.isTrashed, false)` (`isNull` on a NOT NULL boolean returns no
rows at all). To read deleted rows on purpose, say so: `isNotNull(tasks.deletedAt)`,
`eq(pages.isTrashed, true)`.

## Configuration
`softDelete.columns` lists the soft-delete column names (TypeScript key or SQL name): a boolean
column (or one named `is..`) means deleted when `true`, any other when not null.
`softDelete.tables` sets a table's column and which value means deleted
(`{ "projects": { "column": "isActive", "deletedWhen": "false" } }`), `softDelete.exemptTables`
lists tables that are never soft-delete, `softDelete.parentJoins` and `softDelete.keyedReads`
are described above.
"#;

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    let project = ctx.project;
    let config = &ctx.config.soft_delete;
    let unit = &project.units[file];
    for (_, q) in project.written_queries(file) {
        let site = &unit.facts.queries[q.site];
        if !site.kind.is_read() {
            continue;
        }
        let all = q.conditions();
        // A builder given its `where` on some paths only, or another on some path: the
        // column must be mentioned on every path, as a tenant filter must be.
        let paths = q.path_conditions();
        // `own`: a relation's own conditions; else the query's.
        let mut report = |table: TableRef,
                          span: Span,
                          own: Option<&[&Pred]>,
                          what: &str,
                          keyed: bool| {
            let t = project.table(table.id);
            let Some((col, when)) = t.soft_delete() else {
                return;
            };
            let cols = &t.soft_delete_columns;
            let mentions = match (own, &paths) {
                (Some(own), _) => any_mentions(own, &table, cols),
                (None, Some(paths)) => {
                    on_every_path(paths.iter().map(|p| any_mentions(p, &table, cols)))
                }
                (None, None) => any_mentions(&all, &table, cols),
            };
            if mentions != Verdict::Missing {
                return;
            }
            if keyed && config.keyed_reads == KeyedReads::Off {
                return;
            }
            let (leave_out, read) = match when {
                DeletedWhen::NotNull => ("isNull", "`isNotNull(..)`".to_string()),
                DeletedWhen::True => ("eq", format!("`eq({}.{col}, true)`", t.binding)),
                DeletedWhen::False => ("eq", format!("`eq({}.{col}, false)`", t.binding)),
            };
            let leave_out = match when {
                DeletedWhen::NotNull => format!("{leave_out}({}.{col})", t.binding),
                DeletedWhen::True => format!("{leave_out}({}.{col}, false)", t.binding),
                DeletedWhen::False => format!("{leave_out}({}.{col}, true)", t.binding),
            };
            let help = if matches!(site.target, crate::facts::QueryTarget::Raw(_)) {
                let c = t.column(col).map_or(col, |c| c.sql_name.as_str());
                let c = format!("{}.{c}", t.sql_name);
                let (leave_out, read) = match when {
                    DeletedWhen::NotNull => (format!("{c} IS NULL"), format!("{c} IS NOT NULL")),
                    DeletedWhen::True => (format!("{c} = false"), format!("{c} = true")),
                    DeletedWhen::False => (format!("{c} = true"), format!("{c} = false")),
                };
                format!("add `{leave_out}` to the statement's WHERE to leave out deleted rows, or `{read}` to read them on purpose")
            } else if own.is_none()
                && paths.is_some()
                && any_mentions(&all, &table, cols) == Verdict::Proven
            {
                format!(
                    "the column is named on some paths only (a `where` added to a builder in a branch, directly or by a function, or replacing its `where` there): on the other paths deleted rows are read; add `{leave_out}` to the `where` of every path, or {read} to read them on purpose"
                )
            } else {
                format!(
                    "add `{leave_out}` to leave out deleted rows, or {read} to read them on purpose"
                )
            };
            let mut d = Diagnostic::new(
                RuleId::SoftDeleteFilter,
                &unit.rel,
                span,
                format!("{what} `{}` does not filter on `{col}`", t.binding),
            )
            .help(help)
            .context_at(site.function.as_deref(), site.span);
            if keyed && config.keyed_reads == KeyedReads::Warning {
                d.severity = Severity::Warning;
            }
            out.push(d);
        };
        let main = q.instance();
        let main_table = project.table(main.id);
        // The code looks at the column after the read (`if (!row || row.deletedAt) return`).
        let checked_after = site
            .result_tests
            .iter()
            .any(|p| main_table.soft_delete_columns.iter().any(|c| **c == **p));
        if !checked_after {
            let keyed = by_key(main_table, &main, &all);
            report(main, site.target_span, None, "read of", keyed);
        }
        for j in &q.joins {
            let inner = !matches!(
                j.unmatched(),
                crate::link::Unmatched::KeepBefore | crate::link::Unmatched::KeepBoth
            );
            let reported = match config.parent_joins {
                ParentJoins::All => true,
                ParentJoins::Inner => inner || !to_parent(project, j),
                ParentJoins::None => !to_parent(project, j),
            };
            if reported {
                report(j.instance(), j.span, None, "joined table", false);
            }
        }
        let mut stack: Vec<&LinkedWith> = q.with.iter().collect();
        while let Some(w) = stack.pop() {
            if let (Some(target), true) = (w.target, w.many) {
                let own: Vec<&Pred> = w.where_.iter().chain(w.preset_where.iter()).collect();
                report(
                    target.into(),
                    w.span,
                    Some(&own),
                    &format!("relation `{}` loads", w.relation),
                    false,
                );
            }
            stack.extend(w.with.iter());
        }
    }
}

/// The read pins one row of its table by a unique key: the whole primary key, or a unique
/// column or index (`id` next to a surrogate `pk`).
fn by_key(t: &Table, main: &TableRef, all: &[&Pred]) -> bool {
    let keys = t.unique_keys();
    !keys.is_empty() && all_pin_rows(all, &[(main.clone(), keys)]) == Verdict::Proven
}

/// A join to a parent row by its key: its `on` equates every column of a unique key of the
/// joined table with columns of other tables (`eq(pages.id, blocks.pageId)`), many-to-one.
fn to_parent(project: &Project, j: &LinkedJoin) -> bool {
    let Some(on) = &j.on else {
        return false;
    };
    let me = j.instance();
    let mut linked: Vec<&str> = vec![];
    for atom in on.conjuncts() {
        if let Pred::Eq(Opnd::Col(a), Opnd::Col(b)) = atom {
            for (x, y) in [(a, b), (b, a)] {
                if x.table == me && y.table != me {
                    linked.push(&x.key);
                }
            }
        }
    }
    project
        .table(j.table)
        .unique_keys()
        .iter()
        .any(|k| !k.is_empty() && k.iter().all(|c| linked.contains(&c.as_str())))
}
