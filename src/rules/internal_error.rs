//! `internal-error`: drizzle-guard itself failed on one file; every other file is still checked.

use super::context::{RuleDef, RuleKind};
use crate::diagnostic::Severity;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Error,
    summary: "drizzle-guard failed while checking a file; the file's queries were not checked.",
    doc: DOC,
    kind: RuleKind::FileNotChecked,
    security_severity: None,
};

const DOC: &str = r#"## What it reports
A file on which drizzle-guard itself failed (a bug). The failure is contained: the file is
reported and every other file is still checked.

## Why it matters
The file's queries were not checked. Please report the file (or a reduced copy) as an issue.

## Example
Any input that triggers a bug in drizzle-guard.

## Fix
Report it; meanwhile exclude the file with `exclude` if it blocks your build.

## Configuration
None.
"#;
