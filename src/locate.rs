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
use crate::span::{LineIndex, Span};

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
    let texts: Vec<Option<String>> = files.iter().map(|f| read_shown(root, f)).collect();
    let indexes: Vec<Option<LineIndex>> = texts
        .iter()
        .map(|t| t.as_deref().map(LineIndex::new))
        .collect();
    let index = |file: &str| {
        files
            .binary_search_by(|f| f.as_str().cmp(file))
            .ok()
            .and_then(|i| indexes[i].as_ref())
    };
    for d in diags.iter_mut() {
        let idx = index(&d.file);
        locate_span(idx, &mut d.span);
        if let Some((lo, hi)) = d.code_at.take() {
            d.code = idx
                .map(|i| crate::extract::normalize_code(i.text(lo, hi)))
                .unwrap_or_default();
        }
        for r in &mut d.related {
            locate_span(index(&r.file), &mut r.span);
        }
    }
}

/// A span in a file that could not be read again (deleted or changed to binary since it was
/// checked) is put at the file's start rather than left on line 0.
fn locate_span(idx: Option<&LineIndex>, span: &mut Span) {
    match idx {
        Some(idx) => idx.locate(span),
        None if !span.is_located() => *span = Span::file_start(),
        None => {}
    }
}

/// The line each span starts on, `spans` given as (unit, span): each file read once, and only
/// when one of its spans was not located. For the `schema` command's table list.
pub fn start_lines(project: &Project, spans: &[(FileId, Span)]) -> Vec<u32> {
    let root = Root::new(&project.root);
    let mut texts: std::collections::HashMap<FileId, Option<String>> = Default::default();
    for (file, span) in spans {
        if !span.is_located() {
            texts
                .entry(*file)
                .or_insert_with(|| read_shown(&root, &project.units[*file].rel));
        }
    }
    let indexes: std::collections::HashMap<FileId, LineIndex> = texts
        .iter()
        .filter_map(|(f, t)| Some((*f, LineIndex::new(t.as_deref()?))))
        .collect();
    spans
        .iter()
        .map(|(file, span)| match indexes.get(file) {
            _ if span.is_located() => span.start_line,
            Some(idx) => idx.position(span.lo).0,
            None => 1,
        })
        .collect()
}
