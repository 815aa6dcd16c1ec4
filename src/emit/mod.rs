//! Emitters: each renders the same sorted [`Report`].

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::diagnostic::{Diagnostic, Severity};

/// Everything a run found, sorted; what every output format renders.
#[derive(Debug, Default)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub files_checked: usize,
    pub tables: usize,
    pub tenant_tables: usize,
    pub soft_delete_tables: usize,
    pub elapsed: std::time::Duration,
    /// Findings silenced by `drizzle-guard-ignore` comments.
    pub suppressed: usize,
    /// Findings dropped because the baseline records them.
    pub baselined: usize,
    /// Queries on tenant-scoped tables in `tenant.systemPaths` files, not tenant-checked.
    pub tenant_system_queries: usize,
    /// Baseline entries of checked files that matched no finding (fixed or changed code).
    pub baseline_unmatched: usize,
    /// Files not read because their real path lies outside the root (a symbolic link out of
    /// it), by name: nothing of them is shown.
    pub outside_root: Vec<String>,
    /// The scan root: diagnostics' files are relative to it.
    pub root: std::path::PathBuf,
}

impl Report {
    pub fn count(&self, s: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == s).count()
    }
}

/// What every format says of a file not read because it lies outside the root.
pub const OUTSIDE_ROOT: &str = "not read: its real path lies outside the checked root";

/// Escapes control characters, so nothing read from a file (or its name) can drive the
/// terminal: C0/C1 controls, DEL, and bidirectional overrides become `\u{..}` text.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Tabs and line breaks are layout; every other control character is escaped.
pub fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t' && c != '\r')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_ansi_and_bidi_but_not_layout() {
        assert_eq!(super::escape_controls("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(super::escape_controls("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(super::escape_controls("tab\there\n"), "tab\there\n");
    }
}
