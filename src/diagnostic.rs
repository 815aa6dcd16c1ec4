//! Diagnostics are data: rules produce them, emitters render them.

use crate::rule_id::RuleId;
use crate::span::Span;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub file: String,
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub rule: RuleId,
    pub severity: Severity,
    pub message: String,
    /// Relative to the scan root, `/`-separated.
    pub file: String,
    pub span: Span,
    pub related: Vec<Related>,
    pub help: Option<String>,
    /// Stable across line shifts and across changes to other parts of the same query: rule,
    /// file, enclosing function, the finding's own anchor code and its message (which names
    /// the table instance), numbered when several are alike.
    pub fingerprint: String,
    /// The enclosing function and the normalised anchor code, the fingerprint's ingredients.
    #[serde(skip)]
    pub function: Option<String>,
    #[serde(skip)]
    pub code: String,
    /// Where the anchor code is in the file (byte offsets), when the rule took it from a fact:
    /// the text is read when the finding is located (see [`crate::locate`]).
    #[serde(skip)]
    pub code_at: Option<(u32, u32)>,
}

impl Diagnostic {
    pub fn new(rule: RuleId, file: &str, span: Span, message: String) -> Self {
        Diagnostic {
            rule,
            severity: Severity::Error,
            message,
            file: file.to_string(),
            span,
            related: vec![],
            help: None,
            fingerprint: String::new(),
            function: None,
            code: String::new(),
            code_at: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, file: &str, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            file: file.to_string(),
            span,
            message: message.into(),
        });
        self
    }

    pub fn context(mut self, function: Option<&str>, code: &str) -> Self {
        self.function = function.map(str::to_string);
        self.code = code.to_string();
        self
    }

    /// [`Diagnostic::context`] for a finding inside the code at `within` (a query chain, a
    /// `sql.raw` call): the fingerprint takes the code of the finding's own span (the table
    /// reference, the join), normalised when the finding is located, so that fixing another
    /// part of the same query leaves it unchanged. A finding whose span does not lie inside
    /// `within` takes all of `within`.
    pub fn context_at(mut self, function: Option<&str>, within: Span) -> Self {
        self.function = function.map(str::to_string);
        let own = self.span;
        let inside = within.lo <= own.lo && own.hi <= within.hi && own.lo < own.hi;
        self.code_at = Some(if inside {
            (own.lo, own.hi)
        } else {
            (within.lo, within.hi)
        });
        self
    }

    /// The order every output uses: file, line, column, rule, then message.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.file,
            self.span.start_line,
            self.span.start_col,
            self.rule.name(),
            &self.message,
        )
    }
}

/// 64-bit FNV-1a over parts, each followed by a zero byte: small, stable across platforms and
/// Rust versions, enough for fingerprints.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for part in parts {
        for &b in *part {
            h = (h ^ b as u64).wrapping_mul(0x100000001b3);
        }
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Gives each diagnostic its fingerprint. Identical ingredients in one file are numbered in
/// order, so two equal queries in one function still get distinct fingerprints: the n-th
/// (from the second) hashes the first's text and n.
pub fn assign_fingerprints(diags: &mut [Diagnostic]) {
    use rayon::prelude::*;
    // Hashing the ingredients is most of the work, and each diagnostic's alone: in parallel.
    let bases: Vec<u64> = diags
        .par_iter()
        .with_min_len(64)
        .map(|d| {
            fnv1a(&[
                d.rule.name().as_bytes(),
                d.file.as_bytes(),
                d.function.as_deref().unwrap_or("").as_bytes(),
                d.code.as_bytes(),
                d.message.as_bytes(),
            ])
        })
        .collect();
    let mut seen: rustc_hash::FxHashMap<u64, u32> = Default::default();
    seen.reserve(diags.len());
    for (d, base) in diags.iter_mut().zip(bases) {
        let n = seen.entry(base).or_insert(0);
        *n += 1;
        let h = match *n {
            1 => base,
            n => fnv1a(&[format!("{base:016x}").as_bytes(), n.to_string().as_bytes()]),
        };
        d.fingerprint = format!("{h:016x}");
    }
}

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
    /// Queries of checked files whose table is not in the schema: no rule checked them.
    pub unchecked: Vec<UncheckedQuery>,
}

/// A query drizzle-guard saw but could not check, because its table is not in the schema.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UncheckedQuery {
    pub file: String,
    pub line: u32,
    pub kind: crate::facts::QueryKind,
    /// The table as written (`posts`, `schema.posts`, `query.posts`).
    pub table: String,
}

impl Report {
    pub fn count(&self, s: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == s).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The recipe before it was written without intermediate strings: what baselines hold.
    fn reference(parts: &[&str]) -> String {
        let mut h: u64 = 0xcbf29ce484222325;
        for part in parts {
            for b in part.bytes().chain(std::iter::once(0u8)) {
                h ^= b as u64;
                h = h.wrapping_mul(0x100000001b3);
            }
        }
        format!("{h:016x}")
    }

    #[test]
    fn fingerprints_keep_their_recipe() {
        let d = |code: &str| {
            Diagnostic::new(
                RuleId::TenantFilter,
                "src/a.ts",
                Span::default(),
                "m".into(),
            )
            .context(Some("load"), code)
        };
        let mut ds = vec![d("db.select()"), d("db.select()"), d("x")];
        ds.extend((0..11).map(|_| d("y")));
        assign_fingerprints(&mut ds);
        let base = |code: &str| reference(&["tenant-filter", "src/a.ts", "load", code, "m"]);
        assert_eq!(ds[0].fingerprint, base("db.select()"));
        assert_eq!(ds[1].fingerprint, reference(&[&base("db.select()"), "2"]));
        assert_eq!(ds[2].fingerprint, base("x"));
        assert_eq!(ds[13].fingerprint, reference(&[&base("y"), "11"]));
    }
}
