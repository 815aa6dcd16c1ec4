//! Loops during the walk: their heads and bodies, the `for` counters a guard can test, the
//! statements after which a loop body runs at most once, and guards that narrow a name to
//! constants.

use super::*;

impl Extractor {
    pub(super) fn visit_loop_body(
        &mut self,
        info: LoopInfo,
        body: swc_common::Span,
        f: impl FnOnce(&mut Self),
    ) {
        self.frames.innermost_mut().loops.push(info);
        let breaks = std::mem::replace(&mut self.break_leaves_loop, true);
        // A check in the body holds in that iteration only (the body may not run at all).
        self.frames.reach.enter_block(body);
        self.with_cond(f);
        self.frames.reach.leave();
        self.break_leaves_loop = breaks;
        self.frames.innermost_mut().loops.pop();
    }

    /// `i === n - 1`, `0 == i`: a test of a `for` loop's counter against one value, true in
    /// one iteration; the index of that loop.
    pub(super) fn counter_test(&self, test: &Expr) -> Option<usize> {
        let Expr::Bin(b) = unwrap(test) else {
            return None;
        };
        if !matches!(b.op, BinaryOp::EqEqEq | BinaryOp::EqEq) {
            return None;
        }
        [&b.left, &b.right]
            .iter()
            .find_map(|side| match unwrap(side) {
                Expr::Ident(i) => self
                    .counters
                    .iter()
                    .rev()
                    .find(|(_, c)| *c == i.sym)
                    .map(|(at, _)| *at),
                _ => None,
            })
    }

    /// A statement loop of `kind` whose statement and body are at `stmt` and `body`.
    pub(super) fn loop_head(
        &self,
        kind: LoopKind,
        stmt: swc_common::Span,
        body: swc_common::Span,
    ) -> LoopInfo {
        loop_info(self.at, kind, head_span(stmt, body), false, None)
    }
}

impl Extractor {
    /// The statements of a block, `before` called on each before it is walked.
    pub(super) fn visit_stmts_once(
        &mut self,
        stmts: &[Stmt],
        before: &mut dyn FnMut(&mut Self, &Stmt),
    ) {
        let frame = self.frames.innermost();
        let (own, all) = (frame.own_loops, frame.loops.len());
        let exit = (own < all)
            .then(|| {
                stmts.iter().position(|s| match s {
                    Stmt::Return(_) => true,
                    Stmt::Break(b) => b.label.is_none() && self.break_leaves_loop,
                    _ => false,
                })
            })
            .flatten();
        let Some(exit) = exit else {
            for st in stmts {
                before(self, st);
                st.visit_with(self);
            }
            return;
        };
        let range = match &stmts[exit] {
            Stmt::Return(_) => own..all,
            _ => all - 1..all,
        };
        self.once(range, |x| {
            for st in &stmts[..exit] {
                before(x, st);
                st.visit_with(x);
            }
        });
        for st in &stmts[exit..] {
            before(self, st);
            st.visit_with(self);
        }
    }
}
