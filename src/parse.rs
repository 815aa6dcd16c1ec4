//! Reading and parsing one file, then extracting its facts. The AST lives only inside
//! [`parse_and_extract`]; a panic there is caught and reported for that file alone.

use crate::facts::FileFacts;
use crate::span::{LineIndex, Span};
use std::path::Path;
use swc_common::comments::SingleThreadedComments;
use swc_common::{sync::Lrc, BytePos, FileName, SourceFile, Spanned};
use swc_ecma_ast::{EsVersion, Module};
use swc_ecma_parser::{parse_file_as_module, Syntax, TsSyntax};

/// Why a file yielded no facts.
#[derive(Debug, Clone)]
pub struct FileProblem {
    pub kind: ProblemKind,
    pub message: String,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Read failure, not UTF-8, too large, or a syntax error.
    Unparsable,
    /// drizzle-guard itself failed on this file.
    Internal,
    /// Not read: its real path lies outside the checked root (a symbolic link out of it).
    OutsideRoot,
}

pub struct ParsedFile {
    pub facts: FileFacts,
    pub problem: Option<FileProblem>,
}

/// Parses `src` as TypeScript (TSX for `.tsx`) and extracts its facts. A panic in the parser or
/// the extractor is caught and becomes an [`ProblemKind::Internal`] problem for this file alone.
pub fn parse_and_extract(path: &Path, src: &str) -> ParsedFile {
    parse_and_extract_then(path, src, true, |_| {})
}

/// [`parse_and_extract`], then `after` on the result, inside the same panic guard (the engine's
/// test hook uses it to prove an extraction panic is contained). Without `full`, only what
/// other files read of the module is extracted (see `extract::extract`).
pub fn parse_and_extract_then(
    path: &Path,
    src: &str,
    full: bool,
    after: impl FnOnce(&ParsedFile),
) -> ParsedFile {
    let run = || {
        let parsed = parse_inner(path, src, full);
        after(&parsed);
        parsed
    };
    match isolate(run) {
        Ok(r) => r,
        Err(what) => ParsedFile {
            facts: FileFacts::default(),
            problem: Some(internal_problem(&what)),
        },
    }
}

/// Runs `f`, turning a panic into its message. Deep recursion is guarded elsewhere (big worker
/// stacks and `stacker`); this is the last line that keeps one file from ending the run.
pub fn isolate<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string())
    })
}

/// The problem reported for a file on which drizzle-guard itself failed.
pub fn internal_problem(what: &str) -> FileProblem {
    FileProblem {
        kind: ProblemKind::Internal,
        message: format!("drizzle-guard failed on this file ({what}); please report it"),
        span: Span::default(),
    }
}

/// The text swc sees: positions are counted after a byte-order mark, which is not part of the
/// module.
pub(crate) fn module_text(src: &str) -> &str {
    src.strip_prefix('\u{feff}').unwrap_or(src)
}

/// Parses one file with swc, as the check does; also the floor the benchmarks measure the check
/// against.
pub fn parse_module(path: &Path, src: &str) -> Result<Module, swc_ecma_parser::error::Error> {
    parse_module_with(path, src, None)
}

/// [`parse_module`], collecting the comments into `comments` (for suppressions).
fn parse_module_with(
    path: &Path,
    src: &str,
    comments: Option<&SingleThreadedComments>,
) -> Result<Module, swc_ecma_parser::error::Error> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let syntax = Syntax::Typescript(TsSyntax {
        tsx: ext == "tsx",
        decorators: true,
        dts: name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts"),
        ..Default::default()
    });
    let fm = SourceFile::new(
        Lrc::new(FileName::Anon),
        false,
        Lrc::new(FileName::Anon),
        module_text(src).to_string().into(),
        BytePos(1),
    );
    let mut recovered = vec![];
    parse_file_as_module(
        &fm,
        syntax,
        EsVersion::latest(),
        comments.map(|c| c as &dyn swc_common::comments::Comments),
        &mut recovered,
    )
}

/// Code nested deeper than this (see [`nesting_depth`]) is reported instead of parsed. swc's
/// expression parser recurses once per level without growing its stack: on our 256 MB workers
/// 14,000 levels of `(` overflow a debug build and 128,000 a release build, 12,000 and 64,000
/// do not (measured December 2026), so the limit keeps three times the debug build's margin.
/// No hand-written code comes near; the largest files of the public apps have at most 4,300
/// brackets in all, so the pre-count in `parse_inner` spares them the scan.
pub const MAX_NESTING: usize = 4000;

/// The bytes [`nesting_depth`] looks at: the first bytes of its `match` arms (keep the two in
/// step).
static NESTING_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = b"([{)]},;=/'\"";
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
};

/// The deepest nesting of `(`, `[`, `{` and expression-bodied arrow functions (`() => () => 1`
/// nests without brackets) outside comments and quoted strings: one cheap pass over the bytes,
/// an upper bound good enough to keep the parser's recursion bounded. An arrow's body ends at a
/// `,` or `;` at its own depth, or at the bracket that closes around it.
pub fn nesting_depth(src: &str) -> usize {
    let b = src.as_bytes();
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    // The bracket depth at which each open expression-bodied arrow started.
    let mut arrows: Vec<usize> = vec![];
    // Past the next `end` (vectorised searches: comments are long runs of bytes to skip).
    let skip_to = |from: usize, end: &[u8]| {
        let found = match end {
            [one] => memchr::memchr(*one, &b[from..]),
            _ => memchr::memmem::find(&b[from..], end),
        };
        found.map_or(b.len(), |p| from + p + end.len())
    };
    while i < b.len() {
        // Most bytes are none of the ones below: skip them with one table lookup each.
        if !NESTING_BYTES[usize::from(b[i])] {
            i += 1;
            continue;
        }
        match b[i] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                while arrows.last().is_some_and(|&d| d > depth) {
                    arrows.pop();
                }
            }
            b',' | b';' => {
                while arrows.last().is_some_and(|&d| d >= depth) {
                    arrows.pop();
                }
            }
            b'=' if b.get(i + 1) == Some(&b'>') => {
                i += 2;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if b.get(i) != Some(&b'{') {
                    arrows.push(depth);
                    max = max.max(depth + arrows.len());
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = skip_to(i, b"\n");
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = skip_to(i + 2, b"*/");
                continue;
            }
            q @ (b'\'' | b'"') => {
                i += 1;
                while i < b.len() && b[i] != q && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    max
}

/// Facts live until the end of the run, one set per file: give back the spare capacity their
/// vectors grew while extracting (a third of the heap at the end of a 1,000-file check).
fn shrink(f: &mut FileFacts) {
    f.imports.shrink_to_fit();
    f.exports.shrink_to_fit();
    f.tables.shrink_to_fit();
    f.column_groups.shrink_to_fit();
    f.column_fns.shrink_to_fit();
    f.aliases.shrink_to_fit();
    f.relations.shrink_to_fit();
    f.functions.shrink_to_fit();
    f.queries.shrink_to_fit();
    f.calls.shrink_to_fit();
    f.raw_sql.shrink_to_fit();
    f.suppressions.shrink_to_fit();
}

/// The search for the suppression directive's name, built once rather than once per file.
static IGNORE_FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(crate::extract::comments::IGNORE));

fn parse_inner(path: &Path, src: &str, full: bool) -> ParsedFile {
    let text = module_text(src);
    // Counting is a fast vectorised pass; only a file with enough brackets and `>` is scanned.
    let b = text.as_bytes();
    // A file shorter than the limit cannot be nested deeper than it.
    let openers: usize = if b.len() <= MAX_NESTING {
        0
    } else {
        b.chunks(128)
            .map(|chunk| {
                let hits: u8 = chunk
                    .iter()
                    .map(|&c| u8::from(c == b'(' || c == b'[' || c == b'{' || c == b'>'))
                    .sum();
                usize::from(hits)
            })
            .sum()
    };
    let depth = if openers > MAX_NESTING {
        nesting_depth(text)
    } else {
        0
    };
    if depth > MAX_NESTING {
        return ParsedFile {
            facts: FileFacts::default(),
            problem: Some(FileProblem {
                kind: ProblemKind::Unparsable,
                message: format!(
                    "code nested {depth} levels deep (brackets and arrow functions), over the limit of {MAX_NESTING}; not checked"
                ),
                span: Span::default(),
            }),
        };
    }
    // swc has assertions of its own (some only in debug builds) that malformed input can trip:
    // that is the parser rejecting the file, not drizzle-guard failing on it.
    // Comments matter only as suppression directives: a file without the directive's name has
    // none, and not collecting its comments saves the parser a tenth of its work.
    let comments = SingleThreadedComments::default();
    let wanted = IGNORE_FINDER.find(b).is_some();
    let parsed = match isolate(|| parse_module_with(path, src, wanted.then_some(&comments))) {
        Ok(parsed) => parsed,
        Err(what) => {
            let what = what.lines().next().unwrap_or_default();
            return ParsedFile {
                facts: FileFacts::default(),
                problem: Some(FileProblem {
                    kind: ProblemKind::Unparsable,
                    message: format!(
                        "the TypeScript parser failed on this file ({what}); not checked"
                    ),
                    span: Span::default(),
                }),
            };
        }
    };
    match parsed {
        Ok(module) => {
            let mut facts = crate::extract::extract(&module, 1, full, path);
            let (leading, trailing) = comments.take_all();
            let (leading, trailing) = (leading.borrow(), trailing.borrow());
            facts.suppressions = crate::extract::comments::suppressions(
                leading.values().chain(trailing.values()).flatten(),
                &module,
                text,
                1,
            );
            // A comment is leading or trailing, never both; keep one per position all the same.
            facts.suppressions.dedup_by_key(|c| c.span.lo);
            if !facts.suppressions.is_empty() {
                // A suppression covers a query chain to the chain's last line: locate them.
                let idx = LineIndex::new(text);
                for q in &mut facts.queries {
                    idx.locate(&mut q.span);
                }
                for r in &mut facts.raw_sql {
                    idx.locate(&mut r.span);
                }
            }
            drop(module);
            shrink(&mut facts);
            ParsedFile {
                facts,
                problem: None,
            }
        }
        Err(err) => {
            let span = err.span();
            let idx = LineIndex::new(text);
            let lo = span.lo.0.saturating_sub(1);
            let hi = span.hi.0.saturating_sub(1);
            ParsedFile {
                facts: FileFacts::default(),
                problem: Some(FileProblem {
                    kind: ProblemKind::Unparsable,
                    message: format!("syntax error: {}", err.kind().msg()),
                    span: idx.span(lo, hi),
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::nesting_depth;

    #[test]
    fn nesting_depth_skips_comments_and_strings() {
        assert_eq!(nesting_depth("f(a[{ b: 1 }])"), 3);
        assert_eq!(
            nesting_depth("x('((((', \"[[[\", '\\'(') // (((((\n/* {{{{ */ y"),
            1
        );
        assert_eq!(nesting_depth(&"(".repeat(5000)), 5000);
    }

    #[test]
    fn nesting_depth_counts_arrow_chains_but_not_arrow_lists() {
        assert_eq!(nesting_depth(&format!("{}1;", "() => ".repeat(300))), 300);
        assert_eq!(nesting_depth("() => { return () => 1; };"), 2);
        let list = "const a = [1].map((x) => x + 1), b = (y) => y;\n".repeat(300);
        assert!(nesting_depth(&list) <= 3, "{}", nesting_depth(&list));
        let calls = "xs.map((x) => f(x));\n".repeat(300);
        assert!(nesting_depth(&calls) <= 3, "{}", nesting_depth(&calls));
    }
}
