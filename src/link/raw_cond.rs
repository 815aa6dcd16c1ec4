//! Conditions of raw statements: the columns a `WHERE` or `ON` names, resolved in the block's
//! scope, and the condition in the predicate algebra.

use super::model::Project;
use super::raw::{On, Reader, Scope};
use super::raw_text::{simple, Param, COLUMN_MARK};
use crate::facts::Name;
use crate::predicate::{CannotFilter, Col, Opnd, Pred, TableRef};
use sqlparser::ast::{
    BinaryOperator, Expr, Ident, JoinConstraint, JoinOperator, UnaryOperator, Value,
};

impl Reader<'_> {
    /// A joined table's condition in the block's scope.
    pub(super) fn on(&self, on: On<'_>, scope: &Scope) -> Option<Pred> {
        match on {
            On::None => None,
            On::Sql(e) => Some(self.pred(e, scope, 0)),
            On::Semi {
                selection,
                joins,
                equal,
                inner,
            } => {
                // The subquery's own tables first: an unqualified name is the innermost
                // table's that has it.
                let inner = inner.start.min(scope.len())..inner.end.min(scope.len());
                let scope: Scope = scope[inner.clone()]
                    .iter()
                    .chain(&scope[..inner.start])
                    .chain(&scope[inner.end..])
                    .cloned()
                    .collect();
                let scope = &scope;
                let mut parts: Vec<Pred> = selection
                    .map(|w| self.pred(w, scope, 0))
                    .into_iter()
                    .collect();
                for j in joins {
                    use JoinOperator as J;
                    if let J::Join(JoinConstraint::On(c))
                    | J::Inner(JoinConstraint::On(c))
                    | J::Left(JoinConstraint::On(c))
                    | J::LeftOuter(JoinConstraint::On(c)) = &j.join_operator
                    {
                        parts.push(self.pred(c, scope, 0));
                    }
                }
                if let Some((a, b)) = equal {
                    if let (Some(a), Some(b)) = (self.column(a, scope), self.column(b, scope)) {
                        parts.push(Pred::Eq(Opnd::Col(a), Opnd::Col(b)));
                    }
                }
                (!parts.is_empty()).then(|| Pred::and(parts))
            }
        }
    }

    /// A column reference: `col` (the first table in scope that has it), `t.col` (`t` a table
    /// or alias in scope, or an interpolated table), or an interpolated `${T.col}`.
    pub(super) fn column(&self, e: &Expr, scope: &Scope) -> Option<Col> {
        match e {
            Expr::Identifier(id) => {
                if let Some(i) = id.value.strip_prefix(COLUMN_MARK) {
                    return match self.params.get(i.parse::<usize>().ok()?)? {
                        Param::Column(c) => Some(c.clone()),
                        _ => None,
                    };
                }
                scope.iter().find_map(|(_, t)| self.column_of(t, id))
            }
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let table = &parts[parts.len() - 2];
                let col = &parts[parts.len() - 1];
                let t = match self.interpolated_table(&table.value) {
                    Some(t) => t,
                    None => {
                        let lower = table.value.to_ascii_lowercase();
                        &scope.iter().find(|(n, _)| *n == lower)?.1
                    }
                };
                self.column_of(t, col)
            }
            Expr::Nested(inner) => self.column(inner, scope),
            _ => None,
        }
    }

    fn column_of(&self, t: &TableRef, id: &Ident) -> Option<Col> {
        column_named(self.project, t, id)
    }

    fn operand(&self, e: &Expr, scope: &Scope) -> Option<Opnd> {
        if let Some(c) = self.column(e, scope) {
            return Some(Opnd::Col(c));
        }
        match e {
            Expr::Value(v) => match &v.value {
                Value::Null => None,
                _ => Some(Opnd::Value(None)),
            },
            Expr::Nested(inner) => self.operand(inner, scope),
            _ => None,
        }
    }

    /// A `WHERE` or `ON` condition in the predicate algebra: `=` between columns and values,
    /// `IS [NOT] NULL`, `IN (..)`, `AND`, `OR`, `NOT`; anything else is Unknown, naming the
    /// columns it mentions.
    pub(super) fn pred(&self, e: &Expr, scope: &Scope, depth: u32) -> Pred {
        if depth > 64 {
            return self.unknown(e, scope);
        }
        match e {
            Expr::Nested(inner) => self.pred(inner, scope, depth + 1),
            Expr::BinaryOp { left, op, right } => match op {
                BinaryOperator::And => Pred::And(vec![
                    self.pred(left, scope, depth + 1),
                    self.pred(right, scope, depth + 1),
                ]),
                BinaryOperator::Or => Pred::Or(vec![
                    self.pred(left, scope, depth + 1),
                    self.pred(right, scope, depth + 1),
                ]),
                BinaryOperator::Eq => {
                    match (self.operand(left, scope), self.operand(right, scope)) {
                        (Some(a), Some(b)) => Pred::Eq(a, b),
                        // A name the schema does not have is no tenant column.
                        _ if simple(left) && simple(right) => self.other(e, scope),
                        _ => self.unknown(e, scope),
                    }
                }
                // An order or inequality proves no equality, whatever it compares
                // (`due_at < now()`, `coalesce(a, b) > $1`).
                BinaryOperator::NotEq
                | BinaryOperator::Lt
                | BinaryOperator::LtEq
                | BinaryOperator::Gt
                | BinaryOperator::GtEq => self.other(e, scope),
                _ => self.unknown(e, scope),
            },
            Expr::Like { expr, pattern, .. } | Expr::ILike { expr, pattern, .. }
                if simple(expr) && simple(pattern) =>
            {
                self.other(e, scope)
            }
            Expr::IsNull(inner) => match self.column(inner, scope) {
                Some(c) => Pred::IsNull(c),
                None if simple(inner) => Pred::Other(vec![]),
                None => self.unknown(e, scope),
            },
            Expr::IsNotNull(inner) => match self.column(inner, scope) {
                Some(c) => Pred::IsNotNull(c),
                None if simple(inner) => Pred::Other(vec![]),
                None => self.unknown(e, scope),
            },
            Expr::In {
                expr,
                negated: false,
                ..
            } => match self.column(expr, scope) {
                Some(c) => Pred::InArray(c, None),
                None => self.unknown(e, scope),
            },
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => Pred::Not(Box::new(self.pred(expr, scope, depth + 1))),
            // What the subquery's rows say about this block's rows cannot be read (its own
            // tables are checked apart).
            Expr::Exists { .. } => Pred::Unknown {
                why: "an `EXISTS` subquery".into(),
                mentions: vec![],
                cannot_filter: CannotFilter::NOTHING,
            },
            _ => self.unknown(e, scope),
        }
    }

    /// A comparison of columns and values that proves no equality.
    fn other(&self, e: &Expr, scope: &Scope) -> Pred {
        let mut mentions = vec![];
        self.mentions(e, scope, &mut mentions, 0);
        Pred::Other(mentions)
    }

    fn unknown(&self, e: &Expr, scope: &Scope) -> Pred {
        let mut mentions = vec![];
        self.mentions(e, scope, &mut mentions, 0);
        Pred::Unknown {
            why: "a raw SQL condition".into(),
            mentions,
            cannot_filter: CannotFilter::NOTHING,
        }
    }

    /// The columns an expression compares, looked for through operators and nesting.
    fn mentions(&self, e: &Expr, scope: &Scope, out: &mut Vec<Col>, depth: u32) {
        if depth > 64 {
            return;
        }
        if let Some(c) = self.column(e, scope) {
            out.push(c);
            return;
        }
        match e {
            Expr::BinaryOp { left, right, .. } => {
                self.mentions(left, scope, out, depth + 1);
                self.mentions(right, scope, out, depth + 1);
            }
            Expr::Nested(x)
            | Expr::UnaryOp { expr: x, .. }
            | Expr::IsNull(x)
            | Expr::IsNotNull(x)
            | Expr::In { expr: x, .. }
            | Expr::Between { expr: x, .. }
            | Expr::Like { expr: x, .. }
            | Expr::ILike { expr: x, .. } => self.mentions(x, scope, out, depth + 1),
            Expr::AnyOp { left, .. } | Expr::AllOp { left, .. } => {
                self.mentions(left, scope, out, depth + 1)
            }
            _ => {}
        }
    }
}

/// The column of `t` whose SQL name (or key) `id` is: as written when quoted, in any case
/// otherwise.
pub(super) fn column_named(project: &Project, t: &TableRef, id: &Ident) -> Option<Col> {
    let table = project.table(t.id);
    let c = table.columns.iter().find(|c| {
        if id.quote_style.is_some() {
            c.sql_name == id.value || c.key == id.value
        } else {
            c.sql_name.eq_ignore_ascii_case(&id.value) || c.key.eq_ignore_ascii_case(&id.value)
        }
    })?;
    Some(Col {
        table: t.clone(),
        key: Name::from(c.key.as_str()),
    })
}
