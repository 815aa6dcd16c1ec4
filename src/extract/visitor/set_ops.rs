//! Set operations (`union`, `unionAll`, `intersect`, `intersectAll`, `except`, `exceptAll`):
//! several selects run as one query. In the method form (`a.union(b).limit(20)`) the chain
//! `a` starts is the query and takes the clauses written after it, and `b` is passed to it.
//! The function form (`union(a, b).limit(20)`, imported from a `drizzle-orm/*-core` module)
//! is read the same way: its first part stands for the whole, with the clauses written on the
//! set operation and what the code does with it; every other part is passed to it.

use super::*;
use crate::extract::chain::Seg;
use crate::extract::query::paging;

/// `union`, `unionAll`, `intersect`, `intersectAll`, `except`, `exceptAll` (asked of every
/// call of every chain: a match, not a scan of a list).
#[inline]
fn is_set_operator_name(name: &str) -> bool {
    matches!(
        name,
        "union" | "unionAll" | "intersect" | "intersectAll" | "except" | "exceptAll"
    )
}

impl Extractor {
    /// The parts of the set operations the chain `segs` calls, read once the chain's arguments
    /// were (their queries are at `before` or later). `how` is what the code does with the
    /// chain.
    #[inline]
    pub(super) fn note_set_operation(
        &mut self,
        segs: &[Seg<'_>],
        how: ChainUse<'_>,
        before: usize,
    ) {
        // Asked of every chain, and almost none calls a set operator.
        if segs
            .iter()
            .any(|s| s.args.is_some() && is_set_operator_name(&s.name))
        {
            self.set_operation_parts(segs, how, before);
        }
    }

    #[inline(never)]
    fn set_operation_parts(&mut self, segs: &[Seg<'_>], how: ChainUse<'_>, before: usize) {
        for (i, seg) in segs.iter().enumerate() {
            let Some(args) = seg.args.filter(|_| is_set_operator_name(&seg.name)) else {
                continue;
            };
            let function_form = i == 0 && seg.object.is_none() && self.is_set_operator(&seg.name);
            if seg.object.is_none() && !function_form {
                continue;
            }
            for (n, arg) in args.iter().enumerate() {
                let Some(site) = self.part_site(arg, before) else {
                    continue;
                };
                if function_form && n == 0 {
                    self.first_part(site, &arg.expr, &segs[1..], how);
                } else if let Some(q) = self.facts.queries.get_mut(site) {
                    q.runs = q.runs.passed();
                }
            }
        }
    }

    /// Notes the local names of the set operators the module imports from Drizzle (`import {
    /// union as u } from 'drizzle-orm/pg-core'` gives `u`): read once, asked of many calls.
    pub(super) fn note_set_operators(&mut self) {
        self.set_operators = self
            .facts
            .imports
            .iter()
            .filter(|i| {
                i.source.starts_with("drizzle-orm/")
                    && matches!(&i.imported, Imported::Named(o) if is_set_operator_name(o))
            })
            .map(|i| i.local.clone())
            .collect();
    }

    /// `name` is a set operator imported from Drizzle (`import { union } from
    /// 'drizzle-orm/pg-core'`), not shadowed by a local.
    pub(super) fn is_set_operator(&self, name: &Name) -> bool {
        self.set_operators.contains(name) && !self.scopes.is_local(name)
    }

    /// The query a part of a set operation is: a local holding a builder, or a chain written in
    /// place.
    fn part_site(&self, arg: &ExprOrSpread, before: usize) -> Option<usize> {
        if arg.spread.is_some() {
            return None;
        }
        match unwrap(&arg.expr) {
            Expr::Ident(i) => self.builder_site(&i.sym),
            e @ Expr::Call(_) => self.site_at(before, e),
            _ => None,
        }
    }

    /// The first part of `union(a, b)..` at `site`: it runs as the set operation does, with
    /// the clauses written after it (`tail`).
    fn first_part(&mut self, site: usize, part: &Expr, tail: &[Seg<'_>], how: ChainUse<'_>) {
        let called = |name: &str| tail.iter().any(|s| s.name == name && s.is_call());
        let runs = Recogniser {
            scopes: &mut self.scopes,
            frames: &self.frames,
            at: self.at,
        }
        .runs(how, called("$dynamic"), called("as"));
        match unwrap(part) {
            // A local's builder keeps what the code does with it unless the set operation is
            // not run here; the clauses are added as to the local (`a.limit(20)`).
            Expr::Ident(i) => {
                self.add_clauses(&i.sym, tail);
                if let Some(q) = self
                    .facts
                    .queries
                    .get_mut(site)
                    .filter(|_| runs.is_embedded())
                {
                    q.runs = runs;
                }
            }
            _ => {
                if let Some(q) = self.facts.queries.get_mut(site) {
                    q.runs = runs;
                    for seg in tail.iter().filter(|s| s.is_call()) {
                        paging(q, seg);
                    }
                }
            }
        }
    }
}
