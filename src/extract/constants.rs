//! Which expressions are constants, given what the names in scope hold: string and number
//! literals, templates and concatenations of constants, `const`s bound to one, and lookup
//! tables of constants (`COLUMNS[input.sort]`).

use super::ast::unwrap;
use super::scope::{Binding, Scopes};
use swc_ecma_ast::*;

/// Whether `sql.raw(arg)` receives a constant string: a literal, a template or `+` of
/// constants, a `const` bound to one, or `cond ? a : b` choosing between constants.
pub(super) fn is_constant_string(s: &Scopes, e: &Expr) -> bool {
    match unwrap(e) {
        Expr::Lit(Lit::Str(_)) | Expr::Lit(Lit::Num(_)) => true,
        Expr::Tpl(t) => t.exprs.iter().all(|e| is_constant_string(s, e)),
        Expr::Ident(i) => matches!(s.get(&i.sym), Some(Binding::Str)),
        Expr::Bin(b) if b.op == BinaryOp::Add => {
            is_constant_string(s, &b.left) && is_constant_string(s, &b.right)
        }
        Expr::Bin(b) if matches!(b.op, BinaryOp::NullishCoalescing | BinaryOp::LogicalOr) => {
            is_constant_string(s, &b.left) && is_constant_string(s, &b.right)
        }
        Expr::Cond(c) => is_constant_string(s, &c.cons) && is_constant_string(s, &c.alt),
        // `SORT_COLUMNS[input.sort]`: one of the table's constants (or `undefined`).
        Expr::Member(m) => is_constant_map(s, &m.obj),
        _ => false,
    }
}

/// A lookup table of constants: `{ name: 'name', created: 'created_at' }` (every value a
/// constant string), a `const` bound to one, or `cond ? A : B` choosing between them.
pub(super) fn is_constant_map(s: &Scopes, e: &Expr) -> bool {
    match unwrap(e) {
        Expr::Object(o) => {
            !o.props.is_empty()
                && o.props.iter().all(|p| match p {
                    PropOrSpread::Prop(p) => match &**p {
                        Prop::KeyValue(kv) => is_constant_string(s, &kv.value),
                        _ => false,
                    },
                    PropOrSpread::Spread(_) => false,
                })
        }
        Expr::Ident(i) => matches!(s.get(&i.sym), Some(Binding::StrMap(_))),
        Expr::Cond(c) => is_constant_map(s, &c.cons) && is_constant_map(s, &c.alt),
        _ => false,
    }
}
