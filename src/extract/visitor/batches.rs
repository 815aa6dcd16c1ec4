//! Queries built in a loop and sent together: `stmts.push(db.update(..))` per item, or
//! `ids.map((id) => db.update(..))`, then one `db.batch(stmts)` (Drizzle's batch API on D1,
//! LibSQL and Neon). A builder is lazy: it runs where the batch runs, in one round trip, not
//! once per iteration where it was built. `Promise.all(stmts)` is no batch: each runs alone.

use super::*;
use crate::extract::chain::Seg;

impl Extractor {
    /// `local.push(..)`, cheaply: asked of every argument.
    #[inline]
    pub(super) fn may_push(seg: &Seg<'_>) -> bool {
        matches!(seg.object, Some(Expr::Ident(_))) && seg.name == "push"
    }

    /// `stmts.push(q)`, `stmts.push(db.update(..))` (a `seg` [`Extractor::may_push`] took):
    /// the query at `before` (written in place) or the builder `q` holds is held by the local
    /// array `stmts` until it runs.
    pub(super) fn note_pushed_part(&mut self, seg: &Seg<'_>, value: &Expr, before: usize) {
        let Some(Expr::Ident(holder)) = seg.object.map(unwrap) else {
            return;
        };
        if !self.scopes.is_local(&holder.sym) {
            return;
        }
        let site = match unwrap(value) {
            Expr::Ident(i) => self.builder_site(&i.sym),
            e => self.site_at(before, e),
        };
        if let Some(site) = site {
            let scope = self.frames.function_span(self.at);
            self.batch_parts.push((holder.sym.clone(), scope, site));
        }
    }

    /// `xs.map((x) => db.update(..))` (also `flatMap`), the chain `chain`: the query the
    /// callback `callback` returns unrun, read from `first` on, is held by whatever holds the
    /// mapped array ([`Extractor::note_batch_holders`], [`Extractor::note_batch`]).
    pub(super) fn note_mapped_part(
        &mut self,
        seg: &Seg<'_>,
        chain: &Expr,
        callback: &Expr,
        first: usize,
    ) {
        if !matches!(&*seg.name, "map" | "flatMap") {
            return;
        }
        let Expr::Arrow(ArrowExpr { body, .. }) = unwrap(callback) else {
            return;
        };
        let ArrowFunctionBody::Expr(returned) = &**body else {
            return;
        };
        if let Some(site) = self.site_at(first, unwrap(returned)) {
            self.mapped_parts.push((chain.span(), site));
        }
    }

    /// `const [first, ...rest] = ids.map((id) => db.update(..))`: each name bound holds the
    /// queries the `map` built.
    pub(super) fn note_batch_holders(&mut self, name: &Pat, init: &Expr) {
        if self.mapped_parts.is_empty() {
            return;
        }
        let span = unwrap(init).span();
        let sites: Vec<usize> = self
            .mapped_parts
            .iter()
            .filter(|(s, _)| *s == span)
            .map(|(_, site)| *site)
            .collect();
        if sites.is_empty() {
            return;
        }
        let mut names = vec![];
        crate::extract::rows::pat_names(name, &mut names);
        let scope = self.frames.function_span(self.at);
        for holder in names {
            for &site in &sites {
                self.batch_parts.push((holder.clone(), scope, site));
            }
        }
    }

    /// `db.batch([first, ...rest])` (on a name Drizzle's databases go by): the queries its
    /// argument holds run here, in the loops around this call only.
    pub(super) fn note_batch(&mut self, segs: &[Seg<'_>]) {
        // `db.batch(..)` or `this.db.batch(..)`: asked of every chain, so only there.
        let Some(seg) = segs
            .iter()
            .take(2)
            .find(|s| s.is_call() && s.name == "batch")
        else {
            return;
        };
        let on_db = match seg.object.map(unwrap) {
            Some(Expr::Ident(i)) => crate::extract::calls::is_db_name(&i.sym),
            Some(Expr::Member(m)) => crate::extract::ast::member_prop(&m.prop)
                .is_some_and(|p| crate::extract::calls::is_db_name(&p)),
            _ => false,
        };
        let Some(arg) = seg.arg(0).filter(|_| on_db) else {
            return;
        };
        let mut sites = vec![];
        self.batched_sites(arg, &mut sites);
        let loops = self.frames.current_loops();
        for site in sites {
            if let Some(q) = self.facts.queries.get_mut(site) {
                q.loops.clone_from(&loops);
            }
        }
    }

    /// The queries `e`, an argument of `db.batch(..)`, holds: through array literals and
    /// spreads, locals holding them, and a `map(..)` written in place.
    fn batched_sites(&self, e: &Expr, out: &mut Vec<usize>) {
        let e = unwrap(e);
        match e {
            Expr::Array(a) => {
                for elem in a.elems.iter().flatten() {
                    self.batched_sites(&elem.expr, out);
                }
            }
            Expr::Ident(i) => {
                let scope = self.frames.function_span(self.at);
                out.extend(
                    (self.batch_parts.iter())
                        .filter(|(holder, s, _)| *holder == i.sym && *s == scope)
                        .map(|(_, _, site)| *site),
                )
            }
            _ => {
                let span = e.span();
                out.extend(
                    (self.mapped_parts.iter())
                        .filter(|(s, _)| *s == span)
                        .map(|(_, site)| *site),
                );
            }
        }
    }

    /// The query read from `from` on whose chain is `e` itself.
    pub(super) fn site_at(&self, from: usize, e: &Expr) -> Option<usize> {
        let span = self.at.span(e.span());
        (from..self.facts.queries.len()).find(|&q| self.facts.queries[q].span == span)
    }
}
