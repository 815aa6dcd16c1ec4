//! Condition arrays combined by their length: `x.length > 1 ? and(...x) : x[0]` is `and(...x)`
//! (with one element, that element; with none, no condition), written in place or as a helper
//! over its array parameter (`genWhere(xs)`, returning early by `xs.length`); filters that drop
//! only absent conditions; whether a function body can fall off its end. Syntax only: the
//! conditions themselves are read by `conditions`.

use super::ast::{callee_ident, member_prop, member_prop_is, unwrap};
use crate::facts::*;
use swc_atoms::Atom;
use swc_ecma_ast::*;

/// Whether control can reach the end of these statements (a function body's: it then returns
/// `undefined`). Only the plain ways out are seen: a `return` or `throw` last, or an `if`
/// whose branches both leave.
pub(super) fn falls_through(stmts: &[Stmt]) -> bool {
    stmts.last().is_none_or(|last| !leaves(last))
}

fn leaves(st: &Stmt) -> bool {
    match st {
        Stmt::Return(_) | Stmt::Throw(_) => true,
        Stmt::Block(b) => !falls_through(&b.stmts),
        Stmt::If(i) => leaves(&i.cons) && i.alt.as_deref().is_some_and(leaves),
        _ => false,
    }
}

/// `x.length > 1 ? and(...x) : x[0]` (any length tests whose every arm is the conjunction of
/// `x` for the lengths it is taken at): `x`.
pub(super) fn length_combined(c: &CondExpr) -> Option<&Atom> {
    let (name, _, _) = length_test(&c.test)?;
    let mut k = Combiner {
        allowed: vec![name.clone()],
        name: Some(name.clone()),
    };
    let (yes, no) = k.test(&c.test, ANY)?;
    (k.expr(&c.cons, yes) && k.expr(&c.alt, no)).then_some(name)
}

/// A helper over its array parameter returning the conjunction of its elements by their
/// number (`const f = xs.filter(Boolean); if (f.length > 1) return and(...f); return f[0];`):
/// the parameter's name.
pub(super) fn combiner_param(params: &[Name], body: &[Stmt]) -> Option<Name> {
    // A combiner is short; most functions are not one.
    if params.is_empty() || body.len() > 6 {
        return None;
    }
    // It starts with a filtered copy or a length test (checked before anything is allocated).
    let starts = match body.first()? {
        Stmt::If(i) => length_test(&i.test).is_some(),
        Stmt::Return(r) => {
            matches!(r.arg.as_deref().map(unwrap), Some(Expr::Cond(c)) if length_test(&c.test).is_some())
        }
        st => filtered_copy(st).is_some(),
    };
    if !starts {
        return None;
    }
    let mut k = Combiner {
        allowed: params.to_vec(),
        name: None,
    };
    if !k.stmts(body, ANY) {
        return None;
    }
    let name = k.name?;
    // The name used may be a filtered copy of the parameter: find the parameter.
    params.iter().find(|p| **p == name).cloned().or_else(|| {
        body.iter().find_map(|st| {
            let (alias, of) = filtered_copy(st)?;
            (*alias == name).then(|| of.clone())
        })
    })
}

/// Lengths an array may have, `lo..=hi`; empty when `lo > hi` (an arm never taken).
#[derive(Clone, Copy)]
struct Len {
    lo: u64,
    hi: u64,
}

const ANY: Len = Len {
    lo: 0,
    hi: u64::MAX,
};

impl Len {
    fn empty(self) -> bool {
        self.lo > self.hi
    }
    fn at_least(self, n: u64) -> Len {
        Len {
            lo: self.lo.max(n),
            ..self
        }
    }
    fn at_most(self, n: u64) -> Len {
        Len {
            hi: self.hi.min(n),
            ..self
        }
    }
    /// Without `n`: narrower only when `n` is an end of the range.
    fn not(self, n: u64) -> Len {
        if self.lo == n {
            Len {
                lo: n.saturating_add(1),
                ..self
            }
        } else if self.hi == n && n > 0 {
            Len { hi: n - 1, ..self }
        } else if self.hi == n {
            Len { lo: 1, hi: 0 }
        } else {
            self
        }
    }
}

/// Reads the length tests and returns of a combiner, the array always named the same.
struct Combiner {
    /// The names the array may go by: the parameters, then their filtered copies.
    allowed: Vec<Atom>,
    /// The name used, once one was.
    name: Option<Atom>,
}

impl Combiner {
    fn uses(&mut self, n: &Atom) -> bool {
        match &self.name {
            Some(m) => m == n,
            None if self.allowed.contains(n) => {
                self.name = Some(n.clone());
                true
            }
            None => false,
        }
    }

    /// Every path through `stmts` returns the conjunction; none falls off the end.
    fn stmts(&mut self, stmts: &[Stmt], len: Len) -> bool {
        let mut len = len;
        for st in stmts {
            if len.empty() {
                return true;
            }
            match st {
                Stmt::Return(r) => return self.returns(r.arg.as_deref(), len),
                Stmt::Block(b) => return self.stmts(&b.stmts, len),
                Stmt::If(i) => {
                    let Some((yes, no)) = self.test(&i.test, len) else {
                        return false;
                    };
                    if !self.stmts(std::slice::from_ref(&*i.cons), yes) {
                        return false;
                    }
                    match &i.alt {
                        Some(alt) => return self.stmts(std::slice::from_ref(&**alt), no),
                        None => len = no,
                    }
                }
                st => match filtered_copy(st) {
                    Some((alias, of)) if self.allowed.contains(of) && self.name.is_none() => {
                        self.allowed.push(alias.clone())
                    }
                    _ => return false,
                },
            }
        }
        len.empty()
    }

    fn returns(&mut self, arg: Option<&Expr>, len: Len) -> bool {
        match arg {
            None => len.hi == 0,
            Some(e) => self.expr(e, len),
        }
    }

    /// `e` is the conjunction of the array's elements whenever its length is in `len`.
    fn expr(&mut self, e: &Expr, len: Len) -> bool {
        if len.empty() {
            return true;
        }
        match unwrap(e) {
            Expr::Cond(c) => match self.test(&c.test, len) {
                Some((yes, no)) => self.expr(&c.cons, yes) && self.expr(&c.alt, no),
                None => false,
            },
            // `and(...x)` (or `and(...x.filter(Boolean))`: only what is no condition is
            // dropped), whatever the length.
            Expr::Call(c) if callee_ident(c) == Some("and") => match c.args.as_slice() {
                [a] if a.spread.is_some() => match unwrap(&a.expr) {
                    Expr::Ident(i) => self.uses(&i.sym),
                    e => filtered_name(e).is_some_and(|n| self.uses(n)),
                },
                _ => false,
            },
            // `x[0]`: the only element, or none.
            Expr::Member(m) if len.hi <= 1 => {
                matches!(&m.prop, MemberProp::Computed(p)
                    if matches!(unwrap(&p.expr), Expr::Lit(Lit::Num(n)) if n.value == 0.0))
                    && matches!(unwrap(&m.obj), Expr::Ident(i) if self.uses(&i.sym))
            }
            Expr::Ident(i) if &*i.sym == "undefined" => len.hi == 0,
            Expr::Unary(u) if u.op == UnaryOp::Void => len.hi == 0,
            Expr::Lit(Lit::Null(_)) => len.hi == 0,
            _ => false,
        }
    }

    /// A length test of the array: the lengths it holds at, and those it fails at.
    fn test(&mut self, test: &Expr, len: Len) -> Option<(Len, Len)> {
        let (name, op, n) = length_test(test)?;
        if !self.uses(name) {
            return None;
        }
        Some(split(op, n, len))
    }
}

/// `x.length`: `x`.
fn length_of(e: &Expr) -> Option<&Atom> {
    let Expr::Member(m) = unwrap(e) else {
        return None;
    };
    if !member_prop_is(&m.prop, "length") {
        return None;
    }
    match unwrap(&m.obj) {
        Expr::Ident(i) => Some(&i.sym),
        _ => None,
    }
}

/// `x.length OP n` (either way round), `!x.length` (`=== 0`), `x.length` (`!== 0`).
fn length_test(test: &Expr) -> Option<(&Atom, BinaryOp, u64)> {
    let number = |e: &Expr| match unwrap(e) {
        Expr::Lit(Lit::Num(n)) if n.value >= 0.0 && n.value.fract() == 0.0 => Some(n.value as u64),
        _ => None,
    };
    match unwrap(test) {
        Expr::Unary(u) if u.op == UnaryOp::Bang => Some((length_of(&u.arg)?, BinaryOp::EqEqEq, 0)),
        Expr::Bin(b) => {
            if let (Some(name), Some(n)) = (length_of(&b.left), number(&b.right)) {
                return Some((name, b.op, n));
            }
            let (name, n) = (length_of(&b.right)?, number(&b.left)?);
            // `n < x.length` is `x.length > n`.
            let op = match b.op {
                BinaryOp::Lt => BinaryOp::Gt,
                BinaryOp::LtEq => BinaryOp::GtEq,
                BinaryOp::Gt => BinaryOp::Lt,
                BinaryOp::GtEq => BinaryOp::LtEq,
                op => op,
            };
            Some((name, op, n))
        }
        // `x.some(Boolean)`: some element is a condition. The lengths are then those of `x`
        // without its absent elements, which `and(...x)` skips anyway.
        e => match some_present(e) {
            Some(name) => Some((name, BinaryOp::NotEqEq, 0)),
            None => Some((length_of(e)?, BinaryOp::NotEqEq, 0)),
        },
    }
}

/// The lengths within `len` for which `length OP n` holds, and those for which it fails.
fn split(op: BinaryOp, n: u64, len: Len) -> (Len, Len) {
    match op {
        BinaryOp::Gt => (len.at_least(n.saturating_add(1)), len.at_most(n)),
        BinaryOp::GtEq if n == 0 => (len, Len { lo: 1, hi: 0 }),
        BinaryOp::GtEq => (len.at_least(n), len.at_most(n - 1)),
        BinaryOp::Lt if n == 0 => (Len { lo: 1, hi: 0 }, len),
        BinaryOp::Lt => (len.at_most(n - 1), len.at_least(n)),
        BinaryOp::LtEq => (len.at_most(n), len.at_least(n.saturating_add(1))),
        BinaryOp::EqEqEq | BinaryOp::EqEq => (len.at_least(n).at_most(n), len.not(n)),
        BinaryOp::NotEqEq | BinaryOp::NotEq => (len.not(n), len.at_least(n).at_most(n)),
        // Anything else may hold at any length.
        _ => (len, len),
    }
}

/// `const f = xs.filter(Boolean)` (a filter that drops only what is no condition): the copy's
/// name and the array's.
fn filtered_copy(st: &Stmt) -> Option<(&Atom, &Atom)> {
    let Stmt::Decl(Decl::Var(v)) = st else {
        return None;
    };
    let [d] = v.decls.as_slice() else {
        return None;
    };
    let Pat::Ident(alias) = &d.name else {
        return None;
    };
    let Expr::Call(c) = unwrap(d.init.as_deref()?) else {
        return None;
    };
    if !drops_only_empty(c) {
        return None;
    }
    let Callee::Expr(callee) = &c.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return None;
    };
    match unwrap(&m.obj) {
        Expr::Ident(of) => Some((&alias.id.sym, &of.sym)),
        _ => None,
    }
}

/// `xs.filter(Boolean)`, `xs.filter((c) => c)`, `xs.filter((c) => !!c)`,
/// `xs.filter((c) => c !== undefined)` (or `!= null`): a filter that removes only the falsy
/// elements, which are no condition (`undefined`) anyway.
pub(super) fn drops_only_empty(c: &CallExpr) -> bool {
    tests_presence(c, "filter")
}

/// `xs.some(Boolean)` (any predicate [`drops_only_empty`] accepts): whether `xs` has an element
/// that is a condition, as `xs.filter(Boolean).length > 0` would say: `xs`.
fn some_present(e: &Expr) -> Option<&Atom> {
    let Expr::Call(c) = unwrap(e) else {
        return None;
    };
    if !tests_presence(c, "some") {
        return None;
    }
    array_of(c)
}

/// `xs.filter(Boolean)` of a name: the name.
fn filtered_name(e: &Expr) -> Option<&Atom> {
    let Expr::Call(c) = unwrap(e) else {
        return None;
    };
    if !drops_only_empty(c) {
        return None;
    }
    array_of(c)
}

/// `xs` of `xs.method(..)`.
fn array_of(c: &CallExpr) -> Option<&Atom> {
    let Callee::Expr(callee) = &c.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return None;
    };
    match unwrap(&m.obj) {
        Expr::Ident(i) => Some(&i.sym),
        _ => None,
    }
}

/// `xs.<method>(p)` where `p` tests only whether an element is present (see
/// [`drops_only_empty`]).
fn tests_presence(c: &CallExpr, method: &str) -> bool {
    let Callee::Expr(callee) = &c.callee else {
        return false;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return false;
    };
    if member_prop(&m.prop).as_deref() != Some(method) || c.args.len() != 1 {
        return false;
    }
    match unwrap(&c.args[0].expr) {
        Expr::Ident(i) => &*i.sym == "Boolean",
        Expr::Arrow(f) => {
            let [Pat::Ident(p)] = f.params.as_slice() else {
                return false;
            };
            let ArrowFunctionBody::Expr(body) = &*f.body else {
                return false;
            };
            // `(c) => c`, `(c) => !!c`, `(c) => c !== undefined`, `(c) => c != null`,
            // `(c): c is SQL => Boolean(c)`.
            let tested = match unwrap(body) {
                Expr::Call(b) if callee_ident(b) == Some("Boolean") && b.args.len() == 1 => {
                    unwrap(&b.args[0].expr)
                }
                body => super::ast::presence_tested(body),
            };
            matches!(tested, Expr::Ident(i) if i.sym == p.id.sym)
        }
        _ => false,
    }
}
