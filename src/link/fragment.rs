//! Raw `sql` fragments in a builder's condition (`.where(sql`namespace_id = ${ns.id}`)`): the
//! equalities and null tests its text makes on the query's own table, read with the SQL
//! parser, so that a key or tenant column named by its SQL name proves what `eq(..)` would.
//! What the reader does not know stays one opaque conjunct, as the whole fragment was. Only a
//! fragment with an equality is read.

use super::model::Project;
use super::raw_cond::column_named;
use super::raw_text::COLUMN_MARK;
use crate::ids::TableId;
use crate::predicate::{Col, Opnd, Pred, TableRef};
use sqlparser::ast::{BinaryOperator, CastKind, Expr, Ident, Value};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

/// The conjuncts of a fragment on `table` (the query's own table) that are read: `col = ${v}`,
/// `${T.col} = ${v}`, `col IS [NOT] NULL`, and `AND`/`OR` of such; and whether the fragment
/// says more than that. `None` when nothing is read (or the text does not parse): the
/// fragment stays opaque. `values` are the interpolations, resolved (an `Err` is one that
/// could not be).
pub(super) fn read<'a>(
    project: &Project,
    table: TableId,
    parts: impl Iterator<Item = &'a str> + Clone,
    values: &[Result<Opnd, String>],
) -> Option<(Vec<Pred>, bool)> {
    // Only an equality proves a tenant or keys a row: a fragment with none (`${t.x} IS NULL`,
    // `${t.amount} <= ${v}`) is not parsed (a parse costs as much as a small file's queries);
    // nor is one with a subquery, whose rows the reader does not follow.
    if !parts.clone().any(has_equality) || parts.clone().any(|p| p.contains("select")) {
        return None;
    }
    // The text itself holding `${..}` would shift every value to the wrong place.
    if parts.clone().count() != values.len() + 1 {
        return None;
    }
    let mut text = String::new();
    let mut at = vec![];
    for (i, part) in parts.enumerate() {
        text.push_str(part);
        match values.get(i) {
            Some(Ok(Opnd::Col(_))) => text.push_str(&format!(" {COLUMN_MARK}{i} ")),
            Some(Ok(Opnd::Value(v))) => {
                at.push(*v);
                text.push_str(&format!(" ${} ", at.len()));
            }
            // Something the reader cannot name: no column of the table, no value it knows.
            Some(Err(_)) => text.push_str(" __dg_unknown "),
            None => {}
        }
    }
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect).try_with_sql(&text).ok()?;
    let e = parser.parse_expr().ok()?;
    if parser.peek_token().token != Token::EOF {
        return None;
    }
    let reader = Fragment {
        project,
        me: TableRef::from(table),
        values,
        at,
    };
    let mut conjuncts = vec![];
    split_and(&e, &mut conjuncts, 0);
    let mut read = vec![];
    let mut rest = false;
    for c in conjuncts {
        match reader.pred(c, 0) {
            Some(p) => read.push(p),
            None => rest = true,
        }
    }
    (!read.is_empty()).then_some((read, rest))
}

/// The text is read lowercased: a quoted name (`"userId"`) matches in any case too.
fn unquoted(id: &Ident) -> Ident {
    Ident::new(id.value.as_str())
}

/// `=` on its own, not part of `<=`, `>=`, `!=`, `=>` or `:=`.
fn has_equality(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c == b'='
            && !matches!(
                i.checked_sub(1).map(|j| b[j]),
                Some(b'<' | b'>' | b'!' | b':' | b'=')
            )
            && !matches!(b.get(i + 1), Some(b'>' | b'='))
    })
}

fn split_and<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>, depth: u32) {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } if depth < 64 => {
            split_and(left, out, depth + 1);
            split_and(right, out, depth + 1);
        }
        Expr::Nested(inner) if depth < 64 => split_and(inner, out, depth + 1),
        e => out.push(e),
    }
}

struct Fragment<'a> {
    project: &'a Project,
    me: TableRef,
    values: &'a [Result<Opnd, String>],
    /// Where each `$n` placeholder's value starts.
    at: Vec<Option<crate::facts::ValueAt>>,
}

impl Fragment<'_> {
    /// The condition `e` makes, when every part of it is read.
    fn pred(&self, e: &Expr, depth: u32) -> Option<Pred> {
        if depth > 64 {
            return None;
        }
        match e {
            Expr::Nested(inner) => self.pred(inner, depth + 1),
            Expr::BinaryOp { left, op, right } => match op {
                BinaryOperator::And | BinaryOperator::Or => {
                    let (l, r) = (self.pred(left, depth + 1)?, self.pred(right, depth + 1)?);
                    Some(if *op == BinaryOperator::And {
                        Pred::And(vec![l, r])
                    } else {
                        Pred::Or(vec![l, r])
                    })
                }
                BinaryOperator::Eq => match (self.operand(left), self.operand(right)) {
                    (Some(a), Some(b))
                        if matches!(a, Opnd::Col(_)) || matches!(b, Opnd::Col(_)) =>
                    {
                        Some(Pred::Eq(a, b))
                    }
                    _ => None,
                },
                _ => None,
            },
            Expr::IsNull(inner) => self.column(inner).map(Pred::IsNull),
            Expr::IsNotNull(inner) => self.column(inner).map(Pred::IsNotNull),
            _ => None,
        }
    }

    fn operand(&self, e: &Expr) -> Option<Opnd> {
        if let Some(c) = self.column(e) {
            return Some(Opnd::Col(c));
        }
        match e {
            Expr::Nested(inner) => self.operand(inner),
            Expr::Value(v) => match &v.value {
                Value::Placeholder(p) => {
                    let n: usize = p.strip_prefix('$')?.parse().ok()?;
                    Some(Opnd::Value(*self.at.get(n.checked_sub(1)?)?))
                }
                Value::Null => None,
                _ => Some(Opnd::Value(None)),
            },
            // `${id}::uuid`: still the value.
            Expr::Cast {
                kind: CastKind::DoubleColon | CastKind::Cast,
                expr,
                ..
            } if self.column(expr).is_none() => self.operand(expr),
            _ => None,
        }
    }

    /// A column of the query's own table: `col`, `table.col` (its SQL name), or `${T.col}`.
    fn column(&self, e: &Expr) -> Option<Col> {
        match e {
            Expr::Identifier(id) => match id.value.strip_prefix(COLUMN_MARK) {
                Some(i) => match self.values.get(i.parse::<usize>().ok()?)? {
                    Ok(Opnd::Col(c)) => Some(c.clone()),
                    _ => None,
                },
                None => column_named(self.project, &self.me, &unquoted(id)),
            },
            Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                let table = self.project.table(self.me.id);
                parts[0]
                    .value
                    .eq_ignore_ascii_case(&table.sql_name)
                    .then(|| column_named(self.project, &self.me, &unquoted(&parts[1])))
                    .flatten()
            }
            Expr::Nested(inner) => self.column(inner),
            _ => None,
        }
    }
}
