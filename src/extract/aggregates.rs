//! Selections that are only aggregates (`count()`, `sql\`count(*)\``, a module-level name of
//! one, a call of a module-level function returning one): such a read returns one row.

use super::ast::unwrap;
use super::chain::flatten;
use super::names::is_aggregate;
use super::scope::Scopes;
use swc_atoms::Atom;
use swc_ecma_ast::*;

/// `select({ n: count() })`: every selected value is an aggregate (or a module-level name of
/// one, or a call of a module-level function returning one).
pub(super) fn aggregates_only(scopes: &Scopes, selection: &Expr) -> bool {
    let Expr::Object(o) = unwrap(selection) else {
        return false;
    };
    !o.props.is_empty()
        && o.props.iter().all(|p| {
            let PropOrSpread::Prop(p) = p else {
                return false;
            };
            match &**p {
                Prop::KeyValue(kv) => {
                    is_aggregate_expr(&kv.value) || named_aggregate(scopes, &kv.value)
                }
                Prop::Shorthand(i) => is_named_aggregate(scopes, &i.sym),
                _ => false,
            }
        })
}

/// A module-level aggregate's name, or a call of a module-level function returning one.
pub(super) fn named_aggregate(scopes: &Scopes, e: &Expr) -> bool {
    let (root, segs) = flatten(e);
    match (root.map(unwrap), segs.first()) {
        (Some(Expr::Ident(i)), _) => is_named_aggregate(scopes, &i.sym),
        (None, Some(first)) if first.object.is_none() => is_named_aggregate(scopes, &first.name),
        _ => false,
    }
}

pub(super) fn is_named_aggregate(scopes: &Scopes, name: &Atom) -> bool {
    !scopes.is_local(name) && scopes.aggregates.contains(name)
}

/// A module-level `const`'s value that is an aggregate, or a function returning one.
pub(super) fn names_aggregate(init: &Expr) -> bool {
    match unwrap(init) {
        Expr::Arrow(a) => match &*a.body {
            ArrowFunctionBody::Expr(e) => is_aggregate_expr(e),
            ArrowFunctionBody::FunctionBody(b) => block_returns_aggregate(b),
        },
        Expr::Fn(f) => returns_aggregate(&f.function),
        e => is_aggregate_expr(e),
    }
}

/// A function whose body is a single `return` of an aggregate.
pub(super) fn returns_aggregate(f: &Function) -> bool {
    f.body.as_ref().is_some_and(block_returns_aggregate)
}

pub(super) fn block_returns_aggregate(b: &FunctionBody) -> bool {
    match b.stmts.as_slice() {
        [Stmt::Return(ReturnStmt { arg: Some(e), .. })] => is_aggregate_expr(e),
        _ => false,
    }
}

pub(super) fn is_aggregate_expr(e: &Expr) -> bool {
    // `c ? sql`sum(..)` : sql`sum(..)``: an aggregate whichever branch is taken.
    if let Expr::Cond(c) = unwrap(e) {
        return is_aggregate_expr(&c.cons) && is_aggregate_expr(&c.alt);
    }
    let (root, segs) = flatten(e);
    if let Some(first) = segs.first() {
        if root.is_none() && first.object.is_none() {
            return is_aggregate(&first.name);
        }
    }
    match root.map(unwrap) {
        Some(Expr::TaggedTpl(t)) => {
            let text: String = t
                .tpl
                .quasis
                .iter()
                .map(|q| q.raw.as_str().to_owned())
                .collect::<String>()
                .to_lowercase();
            sql_aggregate(&text)
        }
        _ => false,
    }
}

/// `sql`count(*)``, `sql`coalesce(sum(${x}), 0)``: an aggregate call anywhere in the text, and
/// no window (`over (..)`), which would return a row per input row.
pub(super) fn sql_aggregate(text: &str) -> bool {
    let calls = ["count(", "sum(", "avg(", "min(", "max("];
    let has_call = calls.iter().any(|f| {
        text.match_indices(f).any(|(i, _)| {
            !text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    });
    has_call && !text.contains(" over")
}
