//! `unused-suppression`: a `drizzle-guard-ignore` comment that silences nothing. The suppress
//! step (`src/suppress.rs`) reports it.

use super::context::{RuleDef, RuleKind};
use crate::diagnostic::Severity;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Warning,
    summary: "A drizzle-guard-ignore comment silences no finding.",
    doc: DOC,
    kind: RuleKind::Suppression,
    security_severity: None,
};

const DOC: &str = r#"## What it reports
A valid `drizzle-guard-ignore` comment, or one rule of it, that silenced no finding in this run:
the query was fixed or moved, or the comment is on the wrong line. A line comment applies to
findings on the next line (after any further suppression comments) or, at the end of a line, to
findings on that line; in both cases a query that starts on that line is covered to its end.
`drizzle-guard-ignore-file` applies to the whole file. Rules turned `off` are not reported here.

## Why it matters
A stale suppression silences the next finding that lands on its line, a real one included.

## Example
```ts
// drizzle-guard-ignore tenant-filter: admin export
const all = await db.select().from(projects).where(eq(projects.organizationId, orgId));
```

## Fix
Remove the comment, or the rule it no longer needs.

## Configuration
Set its level under `rules` (`"unused-suppression": "off"`).
"#;
