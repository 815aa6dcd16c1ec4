//! `raw-sql-injection`: `sql.raw(x)` pastes `x` into the SQL text unescaped.

use super::context::{RuleContext, RuleDef, RuleKind};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ids::FileId;
use crate::rule_id::RuleId;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Error,
    summary: "`sql.raw(..)` is given a value that is not a constant string.",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: Some("9.0"),
};

const DOC: &str = r#"## What it reports
`sql.raw(x)` where `x` is not a constant string, wherever it appears: on its own, inside a
`sql`..`` template, or run directly with `db.execute(sql.raw(x))`. Constant means: a string
literal, a template literal whose `${..}` parts are all constant, a `const` (local or
module-level) bound to a constant, `+` of constants, `cond ? 'ASC' : 'DESC'` choosing between
constants, an entry of a lookup object of constants (`SORT[key]`), a parameter typed as a union
of string literals, and a name narrowed to constants: after a guard that leaves otherwise
(`if (g !== 'day' && g !== 'month') throw ..`, `if (!['day', 'month'].includes(g)) return`, in
the same block) or in a `switch (g)` case with a constant test. Anything else (a parameter, a
property of a request, a `let`, a function call) is not.

`sql`..${value}..``, `sql.identifier(..)`, `sql.placeholder(..)` and `sql.param(..)` send values
safely and are never reported.

## Why it matters
`sql.raw` does not escape or parameterise: the string becomes part of the SQL text. A value that
comes from a request (a sort column, a search term, a table name) lets its sender change the
query: read other tenants' rows, drop tables (SQL injection).

## Example
```ts
const rows = await db.execute(sql`select * from tasks order by ${sql.raw(input.sort)}`);
```

## Fix
Pass values as parameters and names as identifiers, or pick from constants:
```ts
const column = input.sort === 'due' ? 'due_at' : 'created_at';
const rows = await db.execute(sql`select * from tasks order by ${sql.identifier(column)}`);
```

## Configuration
Set its level under `rules`. When the value is checked against an allow-list drizzle-guard
cannot see, suppress with a reason.
"#;

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    let unit = &ctx.project.units[file];
    for raw in unit.facts.raw_sql.iter().filter(|r| !r.constant) {
        out.push(
            Diagnostic::new(
                RuleId::RawSqlInjection,
                &unit.rel,
                raw.span,
                "`sql.raw(..)` is given a value that is not a constant string: it becomes SQL text unescaped".to_string(),
            )
            .help("send values with `sql`..${value}..`` (a bound parameter) and names with `sql.identifier(..)`, or choose between constant strings")
            .context_at(raw.function.as_deref(), raw.span),
        );
    }
}
