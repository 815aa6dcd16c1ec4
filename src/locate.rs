//! Lines, columns and fingerprint code for findings only.
//!
//! Extraction records every fact's span as byte offsets ([`Span::unlocated`]): turning offsets
//! into lines and columns needs an index of every line start, and building one for each file
//! cost a tenth of the whole check on a real app, for the handful of spans that are ever shown.
//! Instead, once a file's rules have run, the files its findings point into are read again
//! (the emitters read them for code frames anyway) and only those spans are located; the code a
//! fingerprint hashes ([`Diagnostic::code_at`]) is taken from the same text.

use crate::diagnostic::Diagnostic;
use crate::ids::FileId;
use crate::link::Project;
use crate::source::{read_shown, Root};
use crate::span::{positions, Span};

/// Locates every span of `diags` (and their related locations), and fills in their code.
pub fn locate(root: &Root, diags: &mut [Diagnostic]) {
    let pending = |d: &Diagnostic| {
        !d.span.is_located()
            || d.code_at.is_some()
            || d.related.iter().any(|r| !r.span.is_located())
    };
    if !diags.iter().any(pending) {
        return;
    }
    // The few files involved, each read once.
    let mut files: Vec<String> = vec![];
    for d in diags.iter().filter(|d| pending(d)) {
        files.push(d.file.clone());
        files.extend(d.related.iter().map(|r| r.file.clone()));
    }
    files.sort_unstable();
    files.dedup();
    let find = |file: &str| files.binary_search_by(|f| f.as_str().cmp(file)).ok();
    let mut wanted: Vec<Vec<u32>> = vec![vec![]; files.len()];
    let mut want = |file: &str, span: &Span| {
        if let (false, Some(i)) = (span.is_located(), find(file)) {
            wanted[i].extend([span.lo, span.hi.max(span.lo)]);
        }
    };
    for d in diags.iter() {
        want(&d.file, &d.span);
        for r in &d.related {
            want(&r.file, &r.span);
        }
    }
    let texts: Vec<Located> = files
        .iter()
        .zip(wanted)
        .map(|(f, offsets)| Located::new(read_shown(root, f), offsets))
        .collect();
    let text = |file: &str| find(file).map(|i| &texts[i]);
    for d in diags.iter_mut() {
        let t = text(&d.file);
        locate_span(t, &mut d.span);
        if let Some((lo, hi)) = d.code_at.take() {
            d.code = t
                .map(|t| crate::extract::normalize_code(t.text(lo, hi)))
                .unwrap_or_default();
        }
        for r in &mut d.related {
            locate_span(text(&r.file), &mut r.span);
        }
    }
}

/// One file read again, with the positions of the offsets its findings need.
struct Located {
    text: Option<String>,
    /// Ascending, without repeats.
    offsets: Vec<u32>,
    positions: Vec<(u32, u32)>,
}

impl Located {
    fn new(text: Option<String>, mut offsets: Vec<u32>) -> Located {
        offsets.sort_unstable();
        offsets.dedup();
        let positions = text
            .as_deref()
            .map(|t| positions(t, &offsets))
            .unwrap_or_default();
        Located {
            text,
            offsets,
            positions,
        }
    }

    /// (line, column) of an offset asked for in [`Located::new`].
    fn position(&self, offset: u32) -> Option<(u32, u32)> {
        let i = self.offsets.binary_search(&offset).ok()?;
        self.positions.get(i).copied()
    }

    fn text(&self, lo: u32, hi: u32) -> &str {
        let t = self.text.as_deref().unwrap_or_default();
        let (lo, hi) = (lo as usize, (hi as usize).min(t.len()));
        t.get(lo..hi).unwrap_or("")
    }
}

/// A span in a file that could not be read again (deleted or changed to binary since it was
/// checked) is put at the file's start rather than left on line 0.
fn locate_span(file: Option<&Located>, span: &mut Span) {
    if span.is_located() {
        return;
    }
    let hi = span.hi.max(span.lo);
    let found = file.and_then(|f| Some((f.position(span.lo)?, f.position(hi)?)));
    *span = match found {
        Some(((start_line, start_col), (end_line, end_col))) => Span {
            start_line,
            start_col,
            end_line,
            end_col,
            lo: span.lo,
            hi,
        },
        None => Span::file_start(),
    };
}

/// The line each span starts on, `spans` given as (unit, span): each file read once, and only
/// when one of its spans was not located. For the `schema` command's table list.
pub fn start_lines(project: &Project, spans: &[(FileId, Span)]) -> Vec<u32> {
    let root = Root::new(&project.root);
    let mut wanted: std::collections::HashMap<FileId, Vec<u32>> = Default::default();
    for (file, span) in spans {
        if !span.is_located() {
            wanted.entry(*file).or_default().push(span.lo);
        }
    }
    let texts: std::collections::HashMap<FileId, Located> = wanted
        .into_iter()
        .map(|(f, offsets)| {
            let text = read_shown(&root, &project.units[f].rel);
            (f, Located::new(text, offsets))
        })
        .collect();
    spans
        .iter()
        .map(|(file, span)| match texts.get(file) {
            _ if span.is_located() => span.start_line,
            Some(t) => t.position(span.lo).map_or(1, |p| p.0),
            None => 1,
        })
        .collect()
}
