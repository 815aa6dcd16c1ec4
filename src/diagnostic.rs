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

/// Sorts diagnostics by [`Diagnostic::sort_key`], stably. Files are compared by their rank
/// among the distinct files (found from the runs of equal files the rules produce), so most
/// comparisons are of integers rather than of paths.
pub fn sort(diags: &mut [Diagnostic]) {
    let mut files: Vec<&str> = vec![];
    for d in diags.iter() {
        if files.last() != Some(&d.file.as_str()) {
            files.push(&d.file);
        }
    }
    files.sort_unstable();
    files.dedup();
    let ranks: Vec<u32> = diags
        .iter()
        .map(|d| files.binary_search(&d.file.as_str()).unwrap_or_default() as u32)
        .collect();
    let mut order: Vec<u32> = (0..diags.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (da, db) = (&diags[a as usize], &diags[b as usize]);
        (
            ranks[a as usize],
            da.span.start_line,
            da.span.start_col,
            da.rule,
            &da.message,
        )
            .cmp(&(
                ranks[b as usize],
                db.span.start_line,
                db.span.start_col,
                db.rule,
                &db.message,
            ))
    });
    permute(diags, order);
}

/// Puts `items[order[i]]` at `i`, by swaps along the permutation's cycles.
fn permute<T>(items: &mut [T], mut order: Vec<u32>) {
    for i in 0..items.len() {
        let mut j = i;
        while order[j] as usize != i {
            let next = order[j] as usize;
            items.swap(j, next);
            order[j] = j as u32;
            j = next;
        }
        order[j] = j as u32;
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

/// A hash as 16 lowercase hex digits, the text of a fingerprint.
fn hex(h: u64) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = b"0123456789abcdef"[(h >> (60 - 4 * i)) as usize & 0xf];
    }
    out
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
                d.rule.as_bytes(),
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
            n => fnv1a(&[&hex(base), &decimal(n.into()).collect::<Vec<u8>>()]),
        };
        let text = hex(h);
        d.fingerprint.clear();
        // Hex digits are ASCII.
        d.fingerprint
            .push_str(std::str::from_utf8(&text).unwrap_or_default());
    }
}

/// The decimal digits of `n`, as ASCII bytes.
pub(crate) fn decimal(n: u64) -> impl Iterator<Item = u8> {
    let mut unit = 1;
    while n / unit >= 10 {
        unit *= 10;
    }
    std::iter::successors(Some(unit), |u| (*u >= 10).then_some(u / 10))
        .map(move |u| b'0' + (n / u % 10) as u8)
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
            Diagnostic::new("tenant-filter", "src/a.ts", Span::default(), "m".into())
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
        assert_eq!(hex(u64::MAX), *b"ffffffffffffffff");
        assert_eq!(hex(0x0123456789abcdef), *b"0123456789abcdef");
        for n in [0, 7, 10, 99, 100, 4_294_967_295, u64::MAX] {
            assert_eq!(decimal(n).collect::<Vec<u8>>(), n.to_string().into_bytes());
        }
    }
}
