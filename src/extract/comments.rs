//! Inline suppression comments (`// drizzle-guard-ignore RULE: reason`) and the statically
//! readable parts of `drizzle.config.ts` (`schema`, `casing`). Nothing here runs code.

use super::{prop_name, str_value, unwrap};
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

/// What `drizzle.config.ts` says, read from its source.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DrizzleKitConfig {
    /// `schema: './src/db/schema.ts'` or an array of paths or globs, as written.
    pub schema: Vec<String>,
    /// `casing: 'snake_case'`.
    pub casing: Option<String>,
}

/// Finds the configuration object of `export default defineConfig({..})`, `export default {..}`
/// (with `satisfies Config`), `export default config` naming a module-level `const`, or
/// `module.exports = ..`, and reads its `schema` and `casing`.
pub fn drizzle_kit_config(module: &Module) -> DrizzleKitConfig {
    let mut exported: Vec<&Expr> = vec![];
    for item in &module.body {
        match item {
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(e)) => exported.push(&e.expr),
            ModuleItem::Stmt(Stmt::Expr(ExprStmt { expr, .. })) => {
                if let Expr::Assign(a) = unwrap(expr) {
                    if is_module_exports(&a.left) {
                        exported.push(&a.right);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = DrizzleKitConfig::default();
    for e in exported {
        if let Some(obj) = config_object(module, e, 0) {
            read_object(obj, &mut out);
        }
    }
    out
}

fn is_module_exports(target: &AssignTarget) -> bool {
    let AssignTarget::Simple(SimpleAssignTarget::Member(m)) = target else {
        return false;
    };
    matches!(&*m.obj, Expr::Ident(i) if &*i.sym == "module")
        && super::member_prop_is(&m.prop, "exports")
}

fn config_object<'m>(module: &'m Module, e: &'m Expr, depth: u32) -> Option<&'m ObjectLit> {
    if depth > 4 {
        return None;
    }
    match unwrap(e) {
        Expr::Object(o) => Some(o),
        Expr::Call(c) if super::callee_ident(c) == Some("defineConfig") => c
            .args
            .first()
            .and_then(|a| config_object(module, &a.expr, depth + 1)),
        Expr::Ident(i) => module.body.iter().find_map(|item| {
            let decl = match item {
                ModuleItem::Stmt(Stmt::Decl(Decl::Var(v))) => v,
                ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(ExportDecl {
                    decl: Decl::Var(v),
                    ..
                })) => v,
                _ => return None,
            };
            decl.decls.iter().find_map(|d| match (&d.name, &d.init) {
                (Pat::Ident(b), Some(init)) if b.id.sym == i.sym => {
                    config_object(module, init, depth + 1)
                }
                _ => None,
            })
        }),
        _ => None,
    }
}

fn read_object(obj: &ObjectLit, out: &mut DrizzleKitConfig) {
    for p in &obj.props {
        let PropOrSpread::Prop(p) = p else { continue };
        let Prop::KeyValue(kv) = &**p else { continue };
        match prop_name(&kv.key).as_deref() {
            Some("schema") => match unwrap(&kv.value) {
                Expr::Array(a) => out.schema.extend(
                    a.elems
                        .iter()
                        .flatten()
                        .filter_map(|el| str_value(&el.expr)),
                ),
                v => out.schema.extend(str_value(v)),
            },
            Some("casing") => out.casing = str_value(&kv.value),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_directive, DrizzleKitConfig};
    use crate::parse::read_drizzle_kit_config;
    use std::path::Path;

    fn kit(src: &str) -> DrizzleKitConfig {
        read_drizzle_kit_config(Path::new("drizzle.config.ts"), src).unwrap()
    }

    #[test]
    fn reads_drizzle_kit_configuration_forms() {
        let want = |schema: &[&str], casing: Option<&str>| DrizzleKitConfig {
            schema: schema.iter().map(|s| s.to_string()).collect(),
            casing: casing.map(str::to_string),
        };
        assert_eq!(
            kit("import { defineConfig } from 'drizzle-kit';\nexport default defineConfig({ schema: './src/db/schema.ts', casing: 'snake_case', dialect: 'postgresql' });"),
            want(&["./src/db/schema.ts"], Some("snake_case"))
        );
        assert_eq!(
            kit("import type { Config } from 'drizzle-kit';\nexport default { schema: ['./a.ts', `./b/*`], out: './drizzle' } satisfies Config;"),
            want(&["./a.ts", "./b/*"], None)
        );
        assert_eq!(
            kit("const config = defineConfig({ schema: './s.ts' });\nexport default config;"),
            want(&["./s.ts"], None)
        );
        assert_eq!(
            kit("module.exports = { schema: './s.ts', casing: 'camelCase' };"),
            want(&["./s.ts"], Some("camelCase"))
        );
        // Computed values are not guessed at; nothing is run.
        assert_eq!(
            kit("const dir = process.env.DIR;\nexport default defineConfig({ schema: `${dir}/schema.ts`, casing: pick() });"),
            want(&[], None)
        );
        assert!(
            read_drizzle_kit_config(Path::new("drizzle.config.ts"), "export default {").is_none()
        );
    }

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
