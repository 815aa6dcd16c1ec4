//! `delete-without-where`: a `delete` with no condition removes every row of the table.

use super::context::{RuleContext, RuleDef, RuleKind};
use super::update_without_where::unfiltered_writes;
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::QueryKind;
use crate::ids::FileId;
use crate::rule_id::RuleId;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Error,
    summary: "A delete has no `.where(..)`, so it removes every row of the table.",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: None,
};

const DOC: &str = r#"## What it reports
`X.delete(T)` on a table of your schema that has no `.where(..)`, or whose condition is empty:
`.where(undefined)`, `.where(sql`true`)`, or a condition that is empty on some path
(`.where(id ? eq(t.id, id) : undefined)`, `.where(flag && eq(..))`, `and(...conds)` where every
element is pushed inside an `if`). Any receiver counts (`db`, `tx`, `ctx.db`) when `T` resolves
to a table of your schema.

When `T` is not in the schema drizzle-guard read, a delete with no `.where(..)` at all is still
reported when the receiver is surely Drizzle's: named `db`, `tx`, `trx`, `database` or ending
in `Db`/`DB` (alone or as the last property: `ctx.db`, `this.db`, `tenantDb`), or a name
imported from (or defined in) a module that calls `drizzle(..)`, through re-exports and barrels.
So `map.delete(key)`, `cache.delete(key)` or `cookies().delete(name)` is never one.

Not reported, because the `.where` may be added where drizzle-guard cannot see it: a builder
stored in a variable without `await` (`const q = db.delete(t)`, later `q.where(..)`), and a
builder made `.$dynamic()`. A condition drizzle-guard cannot read is not reported either. Like
every rule, it leaves test files (`*.test.ts`, `*.spec.ts`, `__tests__/`, `__mocks__/`) alone
unless `checkTestFiles` is set: emptying a table between tests is the point.

## Why it matters
Without a condition, SQL `DELETE` removes every row: every tenant's data, in one statement, with
no way back short of a restore.

## Example
```ts
await db.delete(sessions);
await tx.delete(apiKeys).where(ids.length ? inArray(apiKeys.id, ids) : undefined);
```

## Fix
```ts
await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
```
When emptying the table is meant (a test reset, a seed script), say so with a suppression and a
reason: `// drizzle-guard-ignore delete-without-where: the seed starts from an empty table`, or
leave those files out with `exclude`.

## Configuration
Set its level under `rules`; `exclude` leaves out seed scripts and tests.
"#;

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    unfiltered_writes(
        ctx,
        file,
        QueryKind::Delete,
        RuleId::DeleteWithoutWhere,
        out,
    );
}
