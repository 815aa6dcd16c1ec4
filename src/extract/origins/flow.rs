//! Which code runs on every path, and which may run again: what the walk needs to know of
//! assignments (see `assign`). Branches (`if`, `?:`, the right of `&&`/`||`/`??`, `case`s,
//! `try`/`catch`/`finally`, labelled statements) are regions of their own; loops and
//! functions may run their code again after its own assignments.

use super::values::Val;
use super::Walk;
use swc_common::Spanned;
use swc_ecma_ast::*;
use swc_ecma_visit::VisitWith;

/// How many facts of each kind the walk holds (to drop a first walk's).
type Marks = [usize; 7];

impl Walk {
    /// Walks code that may not run on every path (a branch, a `case`, a `try` block).
    pub(super) fn branch(&mut self, walk: impl FnOnce(&mut Self)) {
        let outer = self.lets.region;
        self.lets.regions += 1;
        self.lets.region = self.lets.regions;
        walk(self);
        self.lets.region = outer;
    }

    /// Walks a branch at `span`: a check in it holds there only (see `reach`).
    pub(super) fn branch_at(&mut self, span: swc_common::Span, walk: impl FnOnce(&mut Self)) {
        self.reach.enter_block(span);
        self.branch(walk);
        self.reach.leave();
    }

    /// Walks code that may run again after its own assignments (a loop's body and tests, a
    /// function): a second time when an assignment in it changed a name bound outside, its
    /// first walk's facts dropped.
    pub(super) fn repeated(&mut self, walk: &mut dyn FnMut(&mut Self)) {
        let floor = self.env.vars.len();
        let marks = self.marks();
        let outer = std::mem::replace(&mut self.lets.changed_below, usize::MAX);
        self.branch(|w| walk(w));
        if self.lets.changed_below < floor && !self.lets.again {
            self.drop_to(marks);
            self.truncate_vars(floor);
            self.lets.again = true;
            self.branch(|w| walk(w));
            self.lets.again = false;
        }
        self.lets.changed_below = self.lets.changed_below.min(outer);
    }

    fn marks(&self) -> Marks {
        let f = &self.facts;
        [
            f.uses.len(),
            f.calls.len(),
            f.opaque_calls.len(),
            f.guards.len(),
            f.builders.len(),
            f.procedures.len(),
            f.merged.len(),
        ]
    }

    fn drop_to(&mut self, [uses, calls, opaque, guards, builders, procedures, merged]: Marks) {
        let f = &mut self.facts;
        f.uses.truncate(uses);
        f.calls.truncate(calls);
        f.opaque_calls.truncate(opaque);
        f.guards.truncate(guards);
        f.builders.truncate(builders);
        f.procedures.truncate(procedures);
        f.merged.truncate(merged);
    }

    pub(super) fn for_of(&mut self, s: &ForOfStmt) {
        s.right.visit_with(self);
        let vars = self.env.vars.len();
        // `for (const item of rows)`: one of the rows; `for (const id of input.ids)`: input.
        self.reach.enter_block(s.span);
        let elem = match self.origin(&s.right) {
            v @ (Val::Input(_) | Val::Session) => v,
            v => v.one_of_many(),
        };
        self.repeated(&mut |w| {
            match &s.left {
                ForHead::VarDecl(v) => {
                    if let [d] = v.decls.as_slice() {
                        w.bind(&d.name, elem.clone());
                    }
                }
                ForHead::Pat(p) => w.assign_unknown(p),
                ForHead::UsingDecl(_) => {}
            }
            s.body.visit_with(w);
        });
        self.reach.leave();
        self.truncate_vars(vars);
    }

    pub(super) fn for_in(&mut self, s: &ForInStmt) {
        s.right.visit_with(self);
        self.reach.enter_block(s.span);
        self.repeated(&mut |w| {
            match &s.left {
                ForHead::VarDecl(v) => {
                    for d in &v.decls {
                        w.bind(&d.name, Val::Unknown);
                    }
                }
                ForHead::Pat(p) => w.assign_unknown(p),
                ForHead::UsingDecl(_) => {}
            }
            s.body.visit_with(w);
        });
        self.reach.leave();
    }

    pub(super) fn for_loop(&mut self, s: &ForStmt) {
        s.init.visit_with(self);
        self.reach.enter_block(s.span);
        self.repeated(&mut |w| {
            s.test.visit_with(w);
            s.body.visit_with(w);
            s.update.visit_with(w);
        });
        self.reach.leave();
    }

    pub(super) fn cond(&mut self, c: &CondExpr) {
        c.test.visit_with(self);
        self.branch_at(c.cons.span(), |w| c.cons.visit_with(w));
        self.branch_at(c.alt.span(), |w| c.alt.visit_with(w));
    }

    pub(super) fn bin(&mut self, b: &BinExpr) {
        b.left.visit_with(self);
        match b.op {
            BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing => {
                self.branch_at(b.right.span(), |w| b.right.visit_with(w))
            }
            _ => b.right.visit_with(self),
        }
    }

    pub(super) fn try_stmt(&mut self, s: &TryStmt) {
        match &s.handler {
            Some(c) => {
                self.reach.enter_try(s.block.span, c);
                self.branch(|w| s.block.visit_with(w));
                self.reach.leave();
            }
            None => self.branch(|w| s.block.visit_with(w)),
        }
        self.branch(|w| s.handler.visit_with(w));
        self.branch(|w| s.finalizer.visit_with(w));
    }
}
