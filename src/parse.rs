//! Reading and parsing one file, then extracting its facts. The AST lives only inside
//! [`check_file`]; a panic there is caught and reported for that file alone.

use crate::extract::comments::DrizzleKitConfig;
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

/// Parses `text` (without a byte-order mark) as a module; swc positions start at 1.
fn parse_module(
    path: &Path,
    text: &str,
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
        text.to_string().into(),
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

/// Reads `schema` and `casing` from a `drizzle.config.ts` source, or `None` when it does not parse.
pub fn read_drizzle_kit_config(path: &Path, src: &str) -> Option<DrizzleKitConfig> {
    let text = src.strip_prefix('\u{feff}').unwrap_or(src);
    let module = parse_module(path, text, None).ok()?;
    Some(crate::extract::comments::drizzle_kit_config(&module))
}

fn parse_inner(path: &Path, src: &str) -> ParsedFile {
    // Positions are counted after a byte-order mark, which is not part of the module.
    let text = src.strip_prefix('\u{feff}').unwrap_or(src);
    let comments = SingleThreadedComments::default();
    let module = parse_module(path, text, Some(&comments));
    match module {
        Ok(module) => {
            let mut facts = crate::extract::extract(&module, text, 1);
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
