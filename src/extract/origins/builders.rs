//! tRPC builder chains: the builder a chain starts from and the middlewares it adds
//! (`protectedProcedure.use(isMember).input(..)`), so that link can find the membership checks
//! a procedure's middlewares make; and the schema of the `.input(..)` written along a
//! procedure's chain.

use crate::extract::ast::{member_prop, unwrap, Offsets};
use crate::facts::{Builder, Middleware, Name, ZodObject};
use crate::span::Span;
use swc_ecma_ast::*;

/// The links that add middlewares to a builder (`.use(mw)`, `t.middleware(fn)`,
/// `mw.unstable_pipe(fn)`).
fn adds_middleware(name: &str) -> bool {
    matches!(name, "use" | "middleware" | "unstable_pipe" | "pipe")
}

/// Reads the builder chain `e` (`base.use(a).input(..).use(b)`). A module-level `const` (with
/// `name`) is a builder only when its chain goes through a builder's links; a procedure's chain
/// (no `name`) may be the base alone (`teamProcedure.query(fn)`).
pub(super) fn read(name: Option<Name>, e: &Expr, span: Span, at: Offsets) -> Option<Builder> {
    let mut middlewares = vec![];
    let mut builder_link = name.is_none();
    let mut cur = e;
    for _ in 0..32 {
        match unwrap(cur) {
            Expr::Call(c) => {
                let Callee::Expr(callee) = &c.callee else {
                    return None;
                };
                let (link, next) = match unwrap(callee) {
                    Expr::Member(m) => (member_prop(&m.prop)?, Some(&*m.obj)),
                    // `middleware(fn)`, with `middleware = t.middleware`.
                    Expr::Ident(i) => (i.sym.clone(), None),
                    _ => return None,
                };
                if adds_middleware(&link) {
                    builder_link = true;
                    for a in c.args.iter().filter(|a| a.spread.is_none()) {
                        match unwrap(&a.expr) {
                            Expr::Arrow(f) => middlewares.push(Middleware::Inline(at.span(f.span))),
                            Expr::Fn(f) => {
                                middlewares.push(Middleware::Inline(at.span(f.function.span)))
                            }
                            Expr::Ident(i) => middlewares.push(Middleware::Named(i.sym.clone())),
                            _ => {}
                        }
                    }
                } else if matches!(&*link, "input" | "meta" | "output" | "concat") {
                    builder_link = true;
                }
                match next {
                    Some(n) => cur = n,
                    None => {
                        return builder_link.then_some(Builder {
                            name,
                            span,
                            base: None,
                            middlewares,
                        })
                    }
                }
            }
            // `t.procedure`
            Expr::Member(m) => cur = &m.obj,
            Expr::Ident(i) => {
                return builder_link.then(|| Builder {
                    name,
                    span,
                    base: Some(i.sym.clone()),
                    middlewares,
                });
            }
            _ => return None,
        }
    }
    None
}

/// The schema of a procedure's `.input(..)` (`z.object({ .. })`, a schema's name, a method
/// of one), found along the builder chain; an action client's `.schema(..)`,
/// `.inputSchema(..)` or `.validator(..)`.
pub(super) fn input_schema(mut e: &Expr) -> Option<std::rc::Rc<ZodObject>> {
    for _ in 0..16 {
        let Expr::Call(c) = unwrap(e) else {
            return None;
        };
        let Callee::Expr(callee) = &c.callee else {
            return None;
        };
        let Expr::Member(m) = unwrap(callee) else {
            return None;
        };
        if matches!(
            member_prop(&m.prop).as_deref(),
            Some("input" | "schema" | "inputSchema" | "validator" | "inputValidator")
        ) {
            return crate::extract::zod::named_or_schema(&c.args.first()?.expr).map(Into::into);
        }
        e = &m.obj;
    }
    None
}
