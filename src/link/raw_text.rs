//! The text side of raw statements: the SQL written out from a `sql` template's parts, where a
//! parser error stands, and small readers of the parsed statement that need no schema.

use crate::facts::{Dialect, RawPred, Where};
use crate::predicate::{Col, TableRef};
use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, InTarget, Query, Select,
    SetExpr,
};

/// The prefix of the identifiers an interpolated table or column is written as.
pub(super) const TABLE_MARK: &str = "__dg_t";
pub(super) const COLUMN_MARK: &str = "__dg_c";

/// The statement's text with each interpolation written in: a table or column as a marked
/// identifier, a value as the dialect's placeholder, a dropped one as nothing. Also where each
/// placeholder is: `(start, end, param index)`.
pub(super) fn sql_text(
    parts: &[Box<str>],
    params: &[Param],
    dropped: &[bool],
    dialect: Dialect,
) -> (String, Vec<(usize, usize, usize)>) {
    let mut text = String::new();
    let mut values = vec![];
    let mut n = 0;
    for (i, part) in parts.iter().enumerate() {
        text.push_str(part);
        match params.get(i) {
            Some(Param::Table(_)) => text.push_str(&format!(" {TABLE_MARK}{i} ")),
            Some(Param::Column(_)) => text.push_str(&format!(" {COLUMN_MARK}{i} ")),
            Some(Param::Value) if dropped[i] => text.push(' '),
            Some(Param::Value) => {
                n += 1;
                text.push(' ');
                let lo = text.len();
                match dialect {
                    Dialect::Pg => text.push_str(&format!("${n}")),
                    Dialect::Mysql | Dialect::Singlestore | Dialect::Sqlite => text.push('?'),
                }
                values.push((lo, text.len(), i));
                text.push(' ');
            }
            None => {}
        }
    }
    (text, values)
}

/// The byte offset of a parser error's `Line: l, Column: c` in `text`.
pub(super) fn error_offset(text: &str, message: &str) -> Option<usize> {
    let rest = &message[message.rfind("Line: ")? + 6..];
    let (line, rest) = rest.split_once(", Column: ")?;
    let line: usize = line.trim().parse().ok()?;
    let column: usize = rest.trim().trim_end_matches(')').parse().ok()?;
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let line_text = text.get(start..)?;
    let (off, _) = line_text.char_indices().nth(column.checked_sub(1)?)?;
    Some(start + off)
}

/// What one interpolation turned out to be.
pub(super) enum Param {
    Table(TableRef),
    Column(Col),
    Value,
}

/// The site's `where_` for a statement's own `WHERE`: absent, or one the linked query reads.
pub(super) fn where_of(selection: Option<&Expr>) -> Where {
    match selection {
        None => Where::Absent,
        Some(_) => Where::Condition(RawPred::Unknown {
            why: "a raw SQL condition".into(),
            mentions: vec![],
            sql: None,
        }),
    }
}

/// `count(*)`, `sum(x)`, `coalesce(sum(x), 0)`, `sum(a) / count(*)`, `round(avg(x), 2)`: an
/// expression that calls an aggregate and names no column outside one, so it gives one value
/// for all the rows. A window (`sum(x) over (..)`) gives a value per row.
pub(super) fn aggregate(e: &Expr) -> bool {
    yields(e, 0) == Yields::Aggregate
}

/// What an expression gives over the rows of a block without `GROUP BY`, in the order in which
/// its parts combine: a part that differs per row makes the whole differ per row.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Yields {
    /// The same value whatever the rows: a literal, a parameter.
    Constant,
    /// One value for all the rows.
    Aggregate,
    /// A value per row (a column), or something not read here.
    PerRow,
}

fn yields(e: &Expr, depth: u32) -> Yields {
    if depth > 64 {
        return Yields::PerRow;
    }
    let all = |parts: &mut dyn Iterator<Item = &Expr>| {
        parts
            .map(|p| yields(p, depth + 1))
            .max()
            .unwrap_or(Yields::Constant)
    };
    match e {
        Expr::Value(_) => Yields::Constant,
        Expr::Function(f) if f.over.is_some() => Yields::PerRow,
        Expr::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            if matches!(
                name.as_str(),
                "count" | "sum" | "avg" | "min" | "max" | "bool_or" | "bool_and" | "every"
            ) {
                return Yields::Aggregate;
            }
            let plain = f.filter.is_none()
                && f.within_group.is_empty()
                && matches!(f.parameters, FunctionArguments::None);
            match &f.args {
                FunctionArguments::None if plain => Yields::Constant,
                FunctionArguments::List(list) if plain && list.clauses.is_empty() => {
                    // A `*` or an argument of another kind is not read here.
                    let args: Option<Vec<&Expr>> = list
                        .args
                        .iter()
                        .map(|a| match a {
                            FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
                            | FunctionArg::Named {
                                arg: FunctionArgExpr::Expr(e),
                                ..
                            }
                            | FunctionArg::ExprNamed {
                                arg: FunctionArgExpr::Expr(e),
                                ..
                            } => Some(e),
                            _ => None,
                        })
                        .collect();
                    args.map_or(Yields::PerRow, |a| all(&mut a.into_iter()))
                }
                _ => Yields::PerRow,
            }
        }
        Expr::Nested(x)
        | Expr::UnaryOp { expr: x, .. }
        | Expr::Cast { expr: x, .. }
        | Expr::IsNull(x)
        | Expr::IsNotNull(x) => yields(x, depth + 1),
        Expr::BinaryOp { left, right, .. } => all(&mut [&**left, &**right].into_iter()),
        Expr::Case {
            operand,
            conditions,
            else_result,
            ..
        } => all(&mut operand
            .iter()
            .chain(else_result)
            .map(|b| &**b)
            .chain(conditions.iter().flat_map(|c| [&c.condition, &c.result]))),
        _ => Yields::PerRow,
    }
}

/// Whether a value cannot follow `before`: it ends in another placeholder, a name or a closing
/// parenthesis rather than an operator, a comma or a keyword that takes a value.
pub(super) fn no_value_here(before: &str) -> bool {
    let before = before.trim_end();
    let Some(last) = before.chars().last() else {
        return false;
    };
    if last == '?' || last == ')' {
        return true;
    }
    if !(last.is_alphanumeric() || last == '_') {
        return false;
    }
    let word: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if let Some(n) = word.strip_prefix('$') {
        // A PostgreSQL placeholder (`$3`).
        return n.chars().all(|c| c.is_ascii_digit());
    }
    const TAKES_VALUE: [&str; 26] = [
        "limit",
        "offset",
        "and",
        "or",
        "not",
        "where",
        "on",
        "in",
        "is",
        "like",
        "ilike",
        "by",
        "then",
        "else",
        "when",
        "select",
        "set",
        "values",
        "between",
        "returning",
        "having",
        "interval",
        "case",
        "escape",
        "distinct",
        "all",
    ];
    let lower = word.to_ascii_lowercase();
    !TAKES_VALUE.contains(&lower.as_str())
}

/// A name, a qualified name or a value: an operand whose comparison hides nothing.
pub(super) fn simple(e: &Expr) -> bool {
    match e {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Value(_) => true,
        Expr::Nested(inner) => simple(inner),
        _ => false,
    }
}

/// The words of a statement's literal parts, with quotes and punctuation taken off.
pub(super) fn words(parts: &[Box<str>]) -> Vec<&str> {
    parts
        .iter()
        .flat_map(|p| p.split(|c: char| !(c.is_alphanumeric() || c == '_')))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The subqueries of a `WHERE`: with `top`, those that are parts of its top-level `AND`
/// (`x IN (SELECT ..)`, `EXISTS (SELECT ..)` over one plain `SELECT`) go to `semi` with the `IN`
/// operand; every other one to `own`.
pub(super) fn subqueries<'a>(
    e: &'a Expr,
    top: bool,
    semi: &mut Vec<(&'a Select, Option<&'a Expr>)>,
    own: &mut Vec<&'a Query>,
    depth: u32,
) {
    if depth > 64 {
        return;
    }
    let plain = |q: &'a Query| match &*q.body {
        SetExpr::Select(s) if q.with.is_none() => Some(&**s),
        _ => None,
    };
    match e {
        Expr::Nested(x) => subqueries(x, top, semi, own, depth + 1),
        Expr::BinaryOp { left, op, right } => {
            let top = top && *op == BinaryOperator::And;
            subqueries(left, top, semi, own, depth + 1);
            subqueries(right, top, semi, own, depth + 1);
        }
        Expr::In {
            expr,
            target: InTarget::Subquery(q),
            negated,
            ..
        } => match plain(q) {
            Some(s) if top && !negated => semi.push((s, Some(expr))),
            _ => own.push(q),
        },
        Expr::Exists { subquery, negated } => match plain(subquery) {
            Some(s) if top && !negated => semi.push((s, None)),
            _ => own.push(subquery),
        },
        Expr::Subquery(q) => own.push(q),
        Expr::UnaryOp { expr: x, .. }
        | Expr::IsNull(x)
        | Expr::IsNotNull(x)
        | Expr::In { expr: x, .. } => subqueries(x, false, semi, own, depth + 1),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{aggregate, error_offset, no_value_here};

    #[test]
    fn aggregates_are_expressions_with_every_column_inside_an_aggregate() {
        let read = |text: &str| {
            let dialect = sqlparser::dialect::PostgreSqlDialect {};
            let e = sqlparser::parser::Parser::new(&dialect)
                .try_with_sql(text)
                .and_then(|mut p| p.parse_expr())
                .unwrap_or_else(|e| panic!("{text}: {e}"));
            aggregate(&e)
        };
        for text in [
            "count(*)",
            "COALESCE(SUM(total_cents), 0)",
            "ROUND(AVG(x), 2)",
            "SUM(a) / NULLIF(COUNT(*), 0)",
            "CAST(MAX(x) AS text)",
            "count(*)::int",
            "CASE WHEN COUNT(*) > $1 THEN 'many' ELSE 'few' END",
            "(min(x))",
        ] {
            assert!(read(text), "{text}");
        }
        for text in [
            "COALESCE(name, '')",
            "COALESCE(SUM(x), y)",
            "SUM(x) OVER (ORDER BY y)",
            "COALESCE(SUM(x) OVER (), 0)",
            "now()",
            "1",
            "x",
        ] {
            assert!(!read(text), "{text}");
        }
    }

    #[test]
    fn parser_error_positions_are_byte_offsets() {
        let text = "select *\nfrom t where a = ? ? limit 1";
        let msg = "sql parser error: Expected: end of statement, found: ? at Line: 2, Column: 20";
        assert_eq!(error_offset(text, msg), Some(text.rfind('?').unwrap()));
        assert_eq!(error_offset(text, "no position"), None);
        assert_eq!(error_offset(text, "at Line: 9, Column: 1"), None);
    }

    #[test]
    fn values_stand_after_operators_and_keywords_only() {
        for before in [
            "where a =",
            "in (",
            "limit",
            "OFFSET",
            "order by",
            "a <>",
            "x,",
        ] {
            assert!(!no_value_here(before), "{before}");
        }
        for before in ["where a = ?", "where a = $1", "order by ? ", "id", ") r"] {
            assert!(no_value_here(before), "{before}");
        }
    }
}
