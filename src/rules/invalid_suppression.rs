//! `invalid-suppression`: a `drizzle-guard-ignore` comment that is malformed. The suppress step
//! (`src/suppress.rs`) reports it; an invalid comment silences nothing.

use super::context::{RuleDef, RuleKind};
use crate::diagnostic::Severity;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Error,
    summary: "A drizzle-guard-ignore comment has no reason, names no known rule, or is misplaced.",
    doc: DOC,
    kind: RuleKind::Suppression,
    security_severity: None,
};

const DOC: &str = r#"## What it reports
A `// drizzle-guard-ignore RULE[, RULE]: reason` or `// drizzle-guard-ignore-file RULE: reason`
comment that
- gives no reason after a colon,
- names no rule, or a name that is not a rule (`drizzle-guard rule` lists them),
- names `invalid-suppression` or `unused-suppression`, which comments cannot silence, or
- (`-file`) comes after the first statement other than imports and directives.

An invalid comment silences nothing: the findings it was meant for are still reported.

## Why it matters
A suppression is a decision someone made about a finding. Without a reason the next reader
cannot tell whether it still holds; a misspelt rule name silences nothing and hides that fact.

## Example
```ts
// drizzle-guard-ignore tenant-filter
const all = await db.select().from(projects);
```

## Fix
```ts
// drizzle-guard-ignore tenant-filter: admin export, runs for every tenant on purpose
const all = await db.select().from(projects);
```

## Configuration
Set its level under `rules` (`"invalid-suppression": "warning"`).
"#;
