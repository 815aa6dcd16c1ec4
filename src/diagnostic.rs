//! Diagnostics are data: rules produce them, emitters render them.

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
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Relative to the scan root, `/`-separated.
    pub file: String,
    pub span: Span,
    pub related: Vec<Related>,
    pub help: Option<String>,
    /// Stable across line shifts: rule, file, enclosing function and normalised code.
    pub fingerprint: String,
    /// The enclosing function and the normalised code, the fingerprint's ingredients.
    #[serde(skip)]
    pub function: Option<String>,
    #[serde(skip)]
    pub code: String,
    /// Where the code is in the file (byte offsets), when the rule took it from a fact: the
    /// text is read when the finding is located (see [`crate::locate`]).
    #[serde(skip)]
    pub code_at: Option<(u32, u32)>,
}

impl Diagnostic {
    pub fn new(rule: &'static str, file: &str, span: Span, message: String) -> Self {
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

    /// [`Diagnostic::context`] with the code written at `span` (a query chain, a `sql.raw`
    /// call), normalised when the finding is located.
    pub fn context_at(mut self, function: Option<&str>, span: Span) -> Self {
        self.function = function.map(str::to_string);
        self.code_at = Some((span.lo, span.hi));
        self
    }

    /// The order every output uses: file, line, column, rule, then message.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.file,
            self.span.start_line,
            self.span.start_col,
            self.rule,
            &self.message,
        )
    }
}

/// 64-bit FNV-1a: small, stable across platforms and Rust versions, enough for fingerprints.
pub fn fnv1a(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    format!("{h:016x}")
}

/// Gives each diagnostic its fingerprint. Identical ingredients in one file are numbered in
/// order, so two equal queries in one function still get distinct fingerprints.
pub fn assign_fingerprints(diags: &mut [Diagnostic]) {
    let mut seen: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for d in diags.iter_mut() {
        let base = fnv1a(&[
            d.rule,
            &d.file,
            d.function.as_deref().unwrap_or(""),
            &d.code,
            &d.message,
        ]);
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        d.fingerprint = if *n == 1 {
            base
        } else {
            fnv1a(&[&base, &n.to_string()])
        };
    }
}
