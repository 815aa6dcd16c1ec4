//! Checks that leave unless two values are equal (`if (!row || row.teamId !== teamId) throw
//! ..`) or unless a value is one of the session's rows (`if (!teams.some((t) => t.id === v))
//! throw ..`): past them, what they compared is known.

use super::values::Val;
use super::Walk;
use crate::extract::ast::{exit_by, exit_call, leaves, unwrap};
use crate::facts::{Guard, Origin};
use swc_ecma_ast::*;

impl Walk {
    /// The guards of `if (..) <leave>`, `s`.
    pub(super) fn guards(&mut self, s: &IfStmt) {
        // Leaves by a `throw` or a `return`, by a call that never returns, or by an imported
        // function that the project decides.
        let exit = if leaves(&s.cons) {
            Some(None)
        } else {
            exit_call(&s.cons).and_then(|f| exit_by(f, &self.never, |f| self.imported.contains(f)))
        };
        if let Some(via) = exit {
            // Past `if (a || b) throw ..`, every part of the test is false.
            let mut parts = vec![];
            disjuncts(&s.test, &mut parts);
            let span = self.at.span(s.span);
            let scope = self.scope();
            let top = self.lets.region == self.lets.fn_region;
            let within = self.reach.of_check(true).0.map(|w| self.at.span(w));
            // The branch is `if (keys.length) { .. }` itself: past it, `keys` were checked or
            // empty.
            let nonempty = self
                .nonempty
                .as_ref()
                .filter(|(block, _)| Some(*block) == within)
                .map(|(_, keys)| keys.clone());
            for part in parts {
                match part {
                    // `if (!hasAccess) throw ..` with `hasAccess = teams.some((t) => t.id === v)`.
                    Expr::Unary(u) if u.op == UnaryOp::Bang => {
                        if let Val::Membership(v) = self.origin(&u.arg) {
                            if let Some(value) = v.fact() {
                                self.facts.guards.push(Guard {
                                    beside: self.declared_here(&value),
                                    value,
                                    against: Origin::Session,
                                    span,
                                    scope,
                                    top,
                                    within,
                                    nonempty: nonempty.clone(),
                                    via: via.clone(),
                                });
                            }
                        }
                    }
                    // `if (row.teamId !== teamId) throw ..`: past it, the two are equal.
                    Expr::Bin(b) if matches!(b.op, BinaryOp::NotEqEq | BinaryOp::NotEq) => {
                        let (l, r) = (self.origin(&b.left).fact(), self.origin(&b.right).fact());
                        if let (Some(l), Some(r)) = (l, r) {
                            for (value, against) in [(l.clone(), r.clone()), (r, l)] {
                                self.facts.guards.push(Guard {
                                    beside: self.declared_here(&value),
                                    value,
                                    against,
                                    span,
                                    scope,
                                    top,
                                    within,
                                    nonempty: nonempty.clone(),
                                    via: via.clone(),
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The parts of `a || b || ..`, unwrapped.
fn disjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match unwrap(e) {
        Expr::Bin(b) if b.op == BinaryOp::LogicalOr => {
            disjuncts(&b.left, out);
            disjuncts(&b.right, out);
        }
        e => out.push(e),
    }
}
