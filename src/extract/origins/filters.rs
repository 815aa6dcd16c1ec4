//! The values filters compare with columns: `eq(T.col, v)`, `inArray(T.col, v)`, and the
//! values a raw `sql` fragment interpolates.

use super::values::Val;
use super::Walk;
use crate::extract::ast::{member_prop, unwrap};
use crate::facts::{Name, TableExpr, UseTarget, ValueUse};
use swc_common::Spanned;
use swc_ecma_ast::*;

impl Walk {
    /// A column a filter compares: of a table (`Some`), or of the relational query's own table
    /// (`t.col` with `t` the first parameter of the function the filter is in: `None`).
    pub(super) fn filtered(&self, e: &Expr) -> Option<(Option<TableExpr>, Name)> {
        if let Some((t, k)) = self.column(e) {
            return Some((Some(t), k));
        }
        let Expr::Member(m) = unwrap(e) else {
            return None;
        };
        let Expr::Ident(base) = unwrap(&m.obj) else {
            return None;
        };
        match self.lookup(&base.sym) {
            Some(Val::Param {
                scope,
                index: 0,
                path,
                each: false,
            }) if path.is_empty() && Some(*scope) == self.scope() => {
                Some((None, member_prop(&m.prop)?))
            }
            _ => None,
        }
    }

    /// `eq(T.col, v)`, `inArray(T.col, v)` (either way round).
    pub(super) fn filter(&mut self, c: &CallExpr) {
        let [a, b] = c.args.as_slice() else { return };
        if a.spread.is_some() || b.spread.is_some() {
            return;
        }
        let (table, column, value) = match (self.filtered(&a.expr), self.filtered(&b.expr)) {
            (Some((t, k)), None) => (t, k, &b.expr),
            (None, Some((t, k))) => (t, k, &a.expr),
            // `eq(projects.id, params.id)` in `(params) => ..`: the first parameter is a value
            // here, not the relational query's own table, since a table's column is named.
            (Some((Some(t), k)), Some((None, _))) => (Some(t), k, &b.expr),
            (Some((None, _)), Some((Some(t), k))) => (Some(t), k, &a.expr),
            _ => return,
        };
        self.note_use(UseTarget::Filter { table, column }, value);
    }

    /// The value `value` goes to `target`: kept when its origin is known.
    fn note_use(&mut self, target: UseTarget, value: &Expr) {
        if let Some(origin) = self.origin(value).fact() {
            let span = self.at.span(value.span());
            let scope = self.scope();
            self.facts.uses.push(ValueUse {
                target,
                origin,
                span,
                scope,
            });
        }
    }

    /// `sql`namespace_id = ${ns.id}``: where each interpolated value comes from, for the
    /// equalities the fragment's text makes (see `link::fragment`).
    pub(super) fn raw_values(&mut self, t: &TaggedTpl) {
        if !matches!(unwrap(&t.tag), Expr::Ident(i) if &*i.sym == "sql") {
            return;
        }
        for e in &t.tpl.exprs {
            if self.column(e).is_some() {
                continue;
            }
            self.note_use(UseTarget::Raw, e);
        }
    }

    /// `stmt.execute({ orgId: input.orgId, id })`, a run of a prepared statement: each
    /// property is the value of the statement's `sql.placeholder(..)` of its name, compared
    /// with the column the run's condition says (`extract::visitor::prepared`).
    pub(super) fn placeholder_values(&mut self, c: &CallExpr) {
        if !self.prepared.contains(&self.at.span(c.span).lo) {
            return;
        }
        let Some(Expr::Object(o)) = c.args.first().map(|a| unwrap(&a.expr)) else {
            return;
        };
        for p in &o.props {
            let PropOrSpread::Prop(p) = p else { continue };
            let shorthand;
            let value = match &**p {
                Prop::Shorthand(i) => {
                    shorthand = Expr::Ident(i.clone());
                    &shorthand
                }
                Prop::KeyValue(kv) => &*kv.value,
                _ => continue,
            };
            self.note_use(UseTarget::Raw, value);
        }
    }
}
