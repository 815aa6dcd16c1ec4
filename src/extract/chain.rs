//! Call chains (`a.b(..).c.d(..)`) split into their links, the shape every reader of calls and
//! queries works on.

use super::ast::{called_member, member_prop, this_name, unwrap};
use crate::facts::Name;
use swc_common::Spanned;
use swc_ecma_ast::*;

/// One link of `a.b(..).c.d(..)`: a property name, with its arguments when it is called.
pub(super) struct Seg<'a> {
    /// The property's name, shared with the AST; empty when computed from an expression.
    pub(super) name: Name,
    pub(super) args: Option<&'a [ExprOrSpread]>,
    /// The property name's span (or the callee's, for a root call).
    pub(super) name_span: swc_common::Span,
    /// The call's span, when called.
    pub(super) call_span: swc_common::Span,
    /// The expression this link is applied to.
    pub(super) object: Option<&'a Expr>,
}

impl<'a> Seg<'a> {
    /// Whether the link is called (`.b(..)` rather than `.b`).
    pub(super) fn is_call(&self) -> bool {
        self.args.is_some()
    }

    /// The `i`th argument, unless it is missing or spread.
    pub(super) fn arg(&self, i: usize) -> Option<&'a Expr> {
        self.args
            .and_then(|a| a.get(i))
            .filter(|a| a.spread.is_none())
            .map(|a| &*a.expr)
    }
}

/// Splits a chain into its root expression and links, innermost first.
pub(super) fn flatten(e: &Expr) -> (Option<&Expr>, Vec<Seg<'_>>) {
    // Most chains have a few links: one allocation rather than growing 1, 4, 8.
    let mut segs = Vec::with_capacity(6);
    let mut cur = e;
    let root = loop {
        match unwrap(cur) {
            Expr::Call(c) => match &c.callee {
                Callee::Expr(callee) => match unwrap(callee) {
                    Expr::Member(m) => {
                        segs.push(Seg {
                            name: called_member(&m.prop).unwrap_or_default(),
                            args: Some(&c.args),
                            name_span: m.prop.span(),
                            call_span: c.span,
                            object: Some(&m.obj),
                        });
                        cur = &m.obj;
                    }
                    Expr::Ident(i) => {
                        segs.push(Seg {
                            name: i.sym.clone(),
                            args: Some(&c.args),
                            name_span: i.span,
                            call_span: c.span,
                            object: None,
                        });
                        break None;
                    }
                    other => {
                        segs.push(Seg {
                            name: Name::default(),
                            args: Some(&c.args),
                            name_span: c.span,
                            call_span: c.span,
                            object: None,
                        });
                        break Some(other);
                    }
                },
                _ => {
                    segs.push(Seg {
                        name: Name::default(),
                        args: Some(&c.args),
                        name_span: c.span,
                        call_span: c.span,
                        object: None,
                    });
                    break None;
                }
            },
            Expr::Member(m) => {
                segs.push(Seg {
                    name: member_prop(&m.prop).unwrap_or_default(),
                    args: None,
                    name_span: m.prop.span(),
                    call_span: m.span,
                    object: Some(&m.obj),
                });
                cur = &m.obj;
            }
            Expr::Await(a) if !segs.is_empty() => cur = &a.arg,
            other => break Some(other),
        }
    };
    segs.reverse();
    (root, segs)
}

/// A function passed by name: `loadUser`, `this.load`, `users.load`.
pub(super) fn function_ref(e: &Expr) -> Option<Vec<Name>> {
    match e {
        Expr::Ident(f) => Some(vec![f.sym.clone()]),
        Expr::Member(m) => {
            let prop = member_prop(&m.prop)?;
            match unwrap(&m.obj) {
                Expr::This(_) => Some(vec![this_name(), prop]),
                Expr::Ident(o) => Some(vec![o.sym.clone(), prop]),
                _ => None,
            }
        }
        _ => None,
    }
}
