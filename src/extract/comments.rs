//! Inline suppression comments (`// drizzle-guard-ignore RULE: reason`).

use crate::facts::SuppressionComment;
use crate::span::LineIndex;
use swc_common::comments::{Comment, CommentKind};
use swc_ecma_ast::*;

pub const IGNORE: &str = "drizzle-guard-ignore";
pub const IGNORE_FILE: &str = "drizzle-guard-ignore-file";

/// The suppression comments among `comments`, in file order. `base` is the swc position of
/// the file's first byte.
pub fn suppressions<'c>(
    comments: impl Iterator<Item = &'c Comment>,
    module: &Module,
    src: &str,
    base: u32,
) -> Vec<SuppressionComment> {
    // Built on the first directive: most files have none, and indexing lines costs a pass.
    let mut idx: Option<LineIndex> = None;
    let first_code = module
        .body
        .iter()
        .find(|item| !is_prologue(item))
        .map(|item| swc_common::Spanned::span(item).lo.0.saturating_sub(base))
        .unwrap_or(u32::MAX);
    let mut out: Vec<SuppressionComment> = comments
        .filter_map(|c| {
            let lo = c.span.lo.0.saturating_sub(base);
            let hi = c.span.hi.0.saturating_sub(base);
            let body = match c.kind {
                CommentKind::Line => c.text.as_ref(),
                // `/** drizzle-guard-ignore .. */` and JSX `{/* .. */}` work too.
                CommentKind::Block => c.text.trim_start_matches('*'),
            };
            let mut s = parse_directive(body)?;
            let span = idx.get_or_insert_with(|| LineIndex::new(src)).span(lo, hi);
            let before = src.get(..lo as usize).unwrap_or("");
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            s.line = span.start_line;
            s.trailing = !before[line_start..].trim().is_empty();
            s.at_top = lo < first_code;
            s.span = span;
            Some(s)
        })
        .collect();
    out.sort_by_key(|s| s.span.lo);
    out
}

/// Imports and directives (`'use server'`) may precede a file-level suppression.
fn is_prologue(item: &ModuleItem) -> bool {
    match item {
        ModuleItem::ModuleDecl(ModuleDecl::Import(_)) => true,
        ModuleItem::Stmt(Stmt::Expr(e)) => matches!(&*e.expr, Expr::Lit(Lit::Str(_))),
        _ => false,
    }
}

/// Reads `drizzle-guard-ignore[-file] RULE[, RULE]: reason` from a comment's text. Rule names
/// are checked later, against the registry; here they are only split.
pub fn parse_directive(body: &str) -> Option<SuppressionComment> {
    let text = body.trim();
    let word_end = text
        .find(|c: char| c.is_whitespace() || c == ':')
        .unwrap_or(text.len());
    let file_level = match &text[..word_end] {
        IGNORE => false,
        IGNORE_FILE => true,
        _ => return None,
    };
    let rest = &text[word_end..];
    let (rules, reason) = match rest.split_once(':') {
        Some((rules, why)) => (rules, Some(why.trim()).filter(|w| !w.is_empty())),
        None => (rest, None),
    };
    Some(SuppressionComment {
        file_level,
        rules: rules
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect(),
        reason: reason.map(str::to_string),
        line: 0,
        trailing: false,
        at_top: false,
        span: Default::default(),
        text: text.split_whitespace().collect::<Vec<_>>().join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::parse_directive;

    #[test]
    fn reads_rules_and_reason() {
        let s =
            parse_directive(" drizzle-guard-ignore tenant-filter, soft-delete-filter: admin view")
                .unwrap();
        assert!(!s.file_level);
        assert_eq!(s.rules, vec!["tenant-filter", "soft-delete-filter"]);
        assert_eq!(s.reason.as_deref(), Some("admin view"));
    }

    #[test]
    fn a_missing_reason_is_none() {
        let s = parse_directive("drizzle-guard-ignore-file tenant-filter").unwrap();
        assert!(s.file_level);
        assert_eq!(s.rules, vec!["tenant-filter"]);
        assert_eq!(s.reason, None);
        let s = parse_directive("drizzle-guard-ignore tenant-filter:   ").unwrap();
        assert_eq!(s.reason, None);
    }

    #[test]
    fn other_comments_are_not_directives() {
        assert!(parse_directive("drizzle-guard-ignored tenant-filter: x").is_none());
        assert!(parse_directive("see drizzle-guard-ignore tenant-filter: x").is_none());
        assert!(parse_directive("eslint-disable-next-line").is_none());
    }
}
