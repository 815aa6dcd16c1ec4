//! `parse-error`: a file that could not be read or parsed. The rest of the run goes on.

use super::context::{RuleDef, RuleKind};
use crate::diagnostic::Severity;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Error,
    summary: "A file could not be read or parsed, so it was not checked.",
    doc: DOC,
    kind: RuleKind::FileNotChecked,
    security_severity: None,
};

const DOC: &str = r#"## What it reports
A TypeScript file that could not be checked: a syntax error, a file that is not UTF-8, a file
larger than `maxFileSize` (2 MiB by default), or a file that could not be read. Every other file is
still checked.

## Why it matters
Queries in a file drizzle-guard cannot read are not checked at all; a clean run would hide them.

## Example
```ts
export const broken = (1 + ;
```

## Fix
Fix the syntax error, or exclude generated and vendored files with `exclude` in
`drizzle-guard.json`.

## Configuration
`exclude` (globs), `maxFileSize` (bytes).
"#;
