//! Reading and parsing one file, then extracting its facts. The AST lives only inside
//! [`check_file`]; a panic there is caught and reported for that file alone.

use crate::facts::FileFacts;
use crate::span::{LineIndex, Span};
use std::path::Path;
use swc_common::{sync::Lrc, BytePos, FileName, SourceFile, Spanned};
use swc_ecma_ast::EsVersion;
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
}

pub struct ParsedFile {
    pub facts: FileFacts,
    pub problem: Option<FileProblem>,
}

/// Parses `src` as TypeScript (TSX for `.tsx`) and extracts its facts.
pub fn parse_and_extract(path: &Path, src: &str) -> ParsedFile {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse_inner(path, src)));
    match result {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            ParsedFile {
                facts: FileFacts::default(),
                problem: Some(FileProblem {
                    kind: ProblemKind::Internal,
                    message: format!(
                        "drizzle-guard failed on this file ({what}); please report it"
                    ),
                    span: LineIndex::new(src).span(0, 0),
                }),
            }
        }
    }
}

fn parse_inner(path: &Path, src: &str) -> ParsedFile {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let syntax = Syntax::Typescript(TsSyntax {
        tsx: ext == "tsx",
        decorators: true,
        dts: name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts"),
        ..Default::default()
    });
    // Positions are counted after a byte-order mark, which is not part of the module.
    let text = src.strip_prefix('\u{feff}').unwrap_or(src);
    let fm = SourceFile::new(
        Lrc::new(FileName::Anon),
        false,
        Lrc::new(FileName::Anon),
        text.to_string().into(),
        BytePos(1),
    );
    let mut recovered = vec![];
    let module = parse_file_as_module(&fm, syntax, EsVersion::latest(), None, &mut recovered);
    match module {
        Ok(module) => {
            let facts = crate::extract::extract(&module, text, 1);
            drop(module);
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
