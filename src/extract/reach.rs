//! Where a check holds. A check (`if (!row) throw ..`, a call that throws when the row is
//! missing) proves something only for the code that runs after it on every path: not past
//! a block that may not run (a branch, a loop's body, a `case`), and, for a check that leaves
//! by throwing, not past a `try` block whose `catch` goes on (the error is caught and the code
//! after the `try` runs anyway). A call's error stops the code after it only when the call is
//! awaited and nothing catches its promise (`.catch(() => null)`).

use super::ast::{method_call, unwrap};
use swc_ecma_ast::*;

/// A block the walk is inside, innermost last.
#[derive(Clone, Copy)]
enum Entry {
    /// Code that may not run: past it, a check inside it proves nothing.
    Block(swc_common::Span),
    /// A `try` block with a `catch`: whether the `catch` can go on past the `try`, and
    /// whether it always throws again.
    Try {
        block: swc_common::Span,
        completes: bool,
        rethrows: bool,
    },
}

/// The blocks the walk is inside.
#[derive(Default)]
pub(super) struct Reach(Vec<Entry>);

impl Reach {
    /// Marks the start of a block that may not run (end it with [`Self::leave`]).
    pub(super) fn enter_block(&mut self, span: swc_common::Span) {
        self.0.push(Entry::Block(span));
    }

    /// Marks the start of a `try` block whose handler is `c` (end it with [`Self::leave`]).
    pub(super) fn enter_try(&mut self, block: swc_common::Span, c: &CatchClause) {
        self.0.push(Entry::Try {
            block,
            completes: super::combine::falls_through(&c.body.stmts),
            rethrows: always_throws(&c.body.stmts),
        });
    }

    pub(super) fn leave(&mut self) {
        self.0.pop();
    }

    /// For a check that leaves by throwing (`throws`) or by returning: the block it holds
    /// within (`None`: the rest of its function), and whether its throw leaves the function
    /// (no enclosing `catch` takes it without throwing again).
    pub(super) fn of_check(&self, throws: bool) -> (Option<swc_common::Span>, bool) {
        let mut within = None;
        let mut leaves = throws;
        for e in self.0.iter().rev() {
            match *e {
                Entry::Block(span) => {
                    within = within.or(Some(span));
                }
                Entry::Try {
                    block,
                    completes,
                    rethrows,
                } if throws => {
                    leaves &= rethrows;
                    if completes {
                        within = within.or(Some(block));
                    }
                }
                Entry::Try { .. } => {}
            }
        }
        (within, leaves)
    }
}

/// Functions imported from these modules under these names never return: they throw (Next.js's
/// `notFound()`, `redirect(..)`; SvelteKit's `error(..)`, `redirect(..)`).
const NEVER_RETURN: &[(&str, &[&str])] = &[
    (
        "next/navigation",
        &[
            "notFound",
            "redirect",
            "permanentRedirect",
            "forbidden",
            "unauthorized",
        ],
    ),
    ("@sveltejs/kit", &["error", "redirect"]),
];

/// An import of `name` from `source` that never returns (see [`NEVER_RETURN`]).
pub(super) fn never_returns_import(source: &str, name: &str) -> bool {
    NEVER_RETURN
        .iter()
        .any(|(m, names)| *m == source && names.contains(&name))
}

/// A function that never returns: typed `never`, or whose body always throws.
pub(super) fn never_returns(ret: Option<&TsTypeAnn>, body: &[Stmt]) -> bool {
    let typed = ret.is_some_and(|t| {
        matches!(&*t.type_ann, TsType::TsKeywordType(k) if k.kind == TsKeywordTypeKind::TsNeverKeyword)
    });
    typed || always_throws(body)
}

/// Whether statements always end by throwing: a `throw` last, or an `if` whose branches both
/// throw.
pub(super) fn always_throws(stmts: &[Stmt]) -> bool {
    fn throws(st: &Stmt) -> bool {
        match st {
            Stmt::Throw(_) => true,
            Stmt::Block(b) => always_throws(&b.stmts),
            Stmt::If(i) => throws(&i.cons) && i.alt.as_deref().is_some_and(throws),
            _ => false,
        }
    }
    stmts.last().is_some_and(throws)
}

/// The calls an `await` of `e` waits for such that their error reaches the awaiting code:
/// `await f()`, through `.then(ok)` and `.finally(..)`, and each element of `await
/// Promise.all([f(), g()])`. Not `await f().catch(..)` (the error is handled) nor `.then(ok,
/// failed)`.
pub(super) fn awaited_calls(e: &Expr, out: &mut Vec<swc_common::Span>) {
    // Down a chain of `.then(ok)` / `.finally(..)` without recursing (chains may be long).
    let mut e = e;
    loop {
        let Expr::Call(c) = unwrap(e) else { return };
        let call = method_call(c);
        match call.as_ref().map(|(obj, m)| (*obj, &**m)) {
            Some((obj, "then")) if c.args.len() == 1 => e = obj,
            Some((obj, "finally")) => e = obj,
            Some((_, "catch" | "then")) => return,
            Some((obj, "all")) if matches!(unwrap(obj), Expr::Ident(p) if &*p.sym == "Promise") => {
                if let Some(Expr::Array(a)) = c.args.first().map(|a| unwrap(&a.expr)) {
                    for el in a.elems.iter().flatten().filter(|el| el.spread.is_none()) {
                        awaited_calls(&el.expr, out);
                    }
                }
                return;
            }
            _ => {
                out.push(c.span);
                return;
            }
        }
    }
}

/// The call `e` is, or the one whose promise `e` catches (`check(..).catch(() => null)`).
pub(super) fn uncaught(e: &Expr) -> Option<&CallExpr> {
    let Expr::Call(c) = unwrap(e) else {
        return None;
    };
    match method_call(c) {
        Some((obj, m)) if &*m == "catch" => match unwrap(obj) {
            Expr::Call(inner) => Some(inner),
            _ => None,
        },
        _ => Some(c),
    }
}
