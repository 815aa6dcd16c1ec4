//! The text side of raw statements: the SQL written out from a `sql` template's parts, where a
//! parser error stands, and small readers of the parsed statement that need no schema.

use crate::facts::{Dialect, RawPred, Where};
use crate::predicate::{Col, TableRef};
use sqlparser::ast::{BinaryOperator, Expr, InTarget, Query, Select, SetExpr};

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

/// `count(*)`, `sum(x)`, .. : an aggregate call.
pub(super) fn aggregate(e: &Expr) -> bool {
    match e {
        Expr::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            matches!(
                name.as_str(),
                "count" | "sum" | "avg" | "min" | "max" | "bool_or" | "bool_and" | "every"
            )
        }
        Expr::Nested(inner) => aggregate(inner),
        _ => false,
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
    use super::{error_offset, no_value_here};

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
