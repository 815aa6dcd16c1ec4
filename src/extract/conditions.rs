//! Reading conditions (`where` arguments, join conditions, helpers' returns) as [`RawPred`]s,
//! and the names that hold them: `const` conditions, condition arrays built with `.push(..)`,
//! constant strings. Everything here reads the names in scope and changes nothing but a
//! condition array's elements.

use super::ast::{callee_ident, member_prop, str_name, this_name, unwrap};
use super::combine::drops_only_empty;
use super::constants::{is_constant_map, is_constant_string};
use super::names::is_operator;
use super::scope::{Binding, Scopes};
use super::shapes::{is_schema_table_call, looks_like_table_call};
use crate::facts::*;
use swc_ecma_ast::*;

/// How deeply nested a condition (or a relational filter) is read before giving up.
pub(super) const MAX_DEPTH: u32 = 64;

/// A condition drizzle-guard cannot see into; `why` is shown to the user.
pub(super) fn unknown(why: impl Into<String>) -> RawPred {
    RawPred::Unknown {
        why: why.into(),
        mentions: vec![],
        sql: None,
    }
}

/// Reads an expression as a condition.
pub(super) fn pred(s: &Scopes, e: &Expr) -> RawPred {
    pred_at(s, e, 0)
}

fn pred_at(s: &Scopes, e: &Expr, depth: u32) -> RawPred {
    if depth > MAX_DEPTH {
        return unknown("a condition nested too deeply");
    }
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || pred_inner(s, e, depth))
}

fn pred_inner(s: &Scopes, e: &Expr, depth: u32) -> RawPred {
    let e = match unwrap(e) {
        Expr::Await(a) => unwrap(&a.arg),
        e => e,
    };
    match e {
        Expr::Ident(i) if &*i.sym == "undefined" => RawPred::Undefined,
        // `ops.undefined`: an operator the operators object does not have is no condition.
        Expr::Member(m)
            if super::ast::member_prop_is(&m.prop, "undefined")
                && matches!(unwrap(&m.obj), Expr::Ident(o)
                    if matches!(s.get(&o.sym), Some(Binding::Ops | Binding::Param))) =>
        {
            RawPred::Undefined
        }
        Expr::Lit(Lit::Null(_)) | Expr::Lit(Lit::Bool(Bool { value: true, .. })) => {
            RawPred::Undefined
        }
        Expr::Ident(i) => match s.get(&i.sym) {
            Some(Binding::Pred(p)) => p.clone(),
            Some(Binding::Param) => RawPred::Param(i.sym.clone()),
            Some(Binding::Array { .. }) => {
                unknown(format!("the array `{}` used as one condition", i.sym))
            }
            Some(_) => unknown(format!("`{}`", i.sym)),
            None => unknown(format!("`{}`", i.sym)),
        },
        Expr::Cond(c) => match super::combine::length_combined(c).and_then(|x| array_elems(s, x)) {
            // `x.length > 1 ? and(...x) : x[0]`: `and(...x)`.
            Some(elems) => RawPred::And(elems),
            None => RawPred::Or(vec![
                pred_at(s, &c.cons, depth + 1),
                pred_at(s, &c.alt, depth + 1),
            ]),
        },
        Expr::Bin(b) => match b.op {
            // `flag && eq(..)` applies the condition only when `flag` holds.
            BinaryOp::LogicalAnd => {
                RawPred::Or(vec![RawPred::Undefined, pred_at(s, &b.right, depth + 1)])
            }
            BinaryOp::LogicalOr | BinaryOp::NullishCoalescing => RawPred::Or(vec![
                pred_at(s, &b.left, depth + 1),
                pred_at(s, &b.right, depth + 1),
            ]),
            _ => unknown("an expression that is not a condition"),
        },
        Expr::TaggedTpl(t) if matches!(unwrap(&t.tag), Expr::Ident(i) if &*i.sym == "sql") => {
            sql_template(s, &t.tpl)
        }
        Expr::Call(c) => pred_call(s, c, depth),
        Expr::Object(_) => unknown("an object where a condition was expected"),
        _ => unknown("an expression drizzle-guard cannot read as a condition"),
    }
}

fn pred_call(s: &Scopes, c: &CallExpr, depth: u32) -> RawPred {
    let Callee::Expr(callee) = &c.callee else {
        return unknown("a call");
    };
    let mut local = None;
    let (op, path): (Option<Name>, Vec<Name>) = match unwrap(callee) {
        Expr::Ident(i) => {
            let name = i.sym.clone();
            match s.get(&i.sym) {
                Some(Binding::LocalFn(f)) => {
                    local = Some(*f);
                    (None, vec![name])
                }
                Some(Binding::Param) | Some(Binding::Opaque) | Some(Binding::Pred(_)) => {
                    return unknown(format!("`{name}(..)`"))
                }
                Some(Binding::Operator(op)) => (Some(op.clone()), vec![]),
                _ if is_operator(&name) => (Some(name), vec![]),
                _ => (None, vec![name]),
            }
        }
        Expr::Member(m) => {
            let Some(prop) = member_prop(&m.prop) else {
                return unknown("a computed call");
            };
            match unwrap(&m.obj) {
                Expr::Ident(obj) => match s.get(&obj.sym) {
                    Some(Binding::Ops) if is_operator(&prop) => (Some(prop), vec![]),
                    Some(Binding::Param) if is_operator(&prop) => (Some(prop), vec![]),
                    // (A local function's `.call(..)` is not a helper of that name elsewhere.)
                    Some(Binding::Param | Binding::Opaque | Binding::LocalFn(_)) => {
                        return unknown(format!("`{}.{}(..)`", obj.sym, prop))
                    }
                    _ => (None, vec![obj.sym.clone(), prop]),
                },
                Expr::This(_) => (None, vec![this_name(), prop]),
                _ => {
                    // `sql.raw(..)` and friends.
                    return unknown(format!("`..{prop}(..)`"));
                }
            }
        }
        _ => return unknown("a computed call"),
    };
    let args: Vec<&ExprOrSpread> = c.args.iter().collect();
    let Some(op) = op else {
        if path.first().is_some_and(|p| p == "sql") {
            return unknown(format!("`{}(..)`", dotted(&path)));
        }
        let args = args
            .iter()
            .map(|a| RawArg {
                pred: if a.spread.is_some() {
                    unknown("a spread argument")
                } else if is_array(s, &a.expr) {
                    // A condition array, for a helper that combines its elements.
                    RawPred::And(spread_preds(s, &a.expr))
                } else {
                    pred_at(s, &a.expr, depth + 1)
                },
                table: base_of(s, &a.expr),
                bag: column_bag(s, &a.expr),
            })
            .collect();
        return RawPred::Call {
            callee: path,
            args,
            local,
        };
    };
    let nth = |i: usize| -> Operand {
        args.get(i)
            .map(|a| operand(s, &a.expr))
            .unwrap_or(Operand::Value(None))
    };
    match &*op {
        "eq" => RawPred::Eq(nth(0), nth(1)),
        // Where the values come from (`rows.map((r) => r.id)`: a checked read's rows) is for
        // the origins of values to say.
        "inArray" => RawPred::InArray(nth(0), args.get(1).map(|a| s.value_at(&a.expr))),
        "isNull" => RawPred::IsNull(nth(0)),
        "isNotNull" => RawPred::IsNotNull(nth(0)),
        "and" | "or" => {
            // Sized once: a grown vector of 144-byte predicates wastes up to half of it.
            let mut parts = Vec::with_capacity(args.len());
            for a in &args {
                if a.spread.is_some() {
                    parts.extend(spread_preds(s, &a.expr));
                } else {
                    parts.push(pred_at(s, &a.expr, depth + 1));
                }
            }
            if op == "and" {
                RawPred::And(parts)
            } else {
                RawPred::Or(parts)
            }
        }
        "not" => RawPred::Not(Box::new(
            args.first()
                .map(|a| pred_at(s, &a.expr, depth + 1))
                .unwrap_or(RawPred::Undefined),
        )),
        "exists" | "notExists" => RawPred::Other(vec![]),
        _ => RawPred::Other((0..args.len().min(3)).map(nth).collect()),
    }
}

/// The conditions of a local condition array, or an array parameter's (the caller's, when the
/// helper is inlined).
fn array_elems(s: &Scopes, name: &swc_atoms::Atom) -> Option<Vec<RawPred>> {
    match s.get(name)? {
        Binding::Array { elems, .. } => Some(elems.clone()),
        Binding::Param => Some(vec![RawPred::Param(name.clone())]),
        _ => None,
    }
}

/// What `return arg` gives, read as a condition: a `return` of nothing is no condition, an
/// array of conditions is their conjunction (TypeScript lets such a function's result be
/// spread, `and(...scope())`, never used as one condition), a local names what it holds.
pub(super) fn returned(s: &Scopes, arg: Option<&Expr>) -> RawPred {
    let Some(e) = arg else {
        return RawPred::Undefined;
    };
    match unwrap(e) {
        Expr::Array(_) => RawPred::And(spread_preds(s, e)),
        Expr::Ident(i) => match s.get(&i.sym) {
            Some(Binding::Pred(p)) => p.clone(),
            Some(Binding::Array { elems, .. }) => RawPred::And(elems.clone()),
            _ => pred(s, e),
        },
        Expr::Unary(u) if u.op == UnaryOp::Void => RawPred::Undefined,
        e if looks_like_predicate(e) => pred(s, e),
        _ => unknown(""),
    }
}

/// `...conds` inside `and(..)`: the elements of a condition array built in this function.
pub(super) fn spread_preds(s: &Scopes, e: &Expr) -> Vec<RawPred> {
    // `...xs.map((x) => eq(..))`: as many conditions as elements, each what the callback
    // returns: read as one. (An empty list would make `or()` no condition at all; code that
    // spreads a list guards it, and reading that case too reported lookups by a list.)
    if let Expr::Call(c) = unwrap(e) {
        if let Some(p) = mapped(s, c) {
            return vec![p];
        }
    }
    match unwrap(e) {
        Expr::Ident(i) => match s.get(&i.sym) {
            Some(Binding::Array { elems, .. }) => elems.clone(),
            // An array parameter: its elements are the caller's, when the helper is inlined.
            Some(Binding::Param) => vec![RawPred::Param(i.sym.clone())],
            // `const c = this.scope()`: what the function returns.
            Some(Binding::Pred(p @ RawPred::Call { .. })) => vec![p.clone()],
            _ => vec![unknown(format!("the spread `...{}`", i.sym))],
        },
        Expr::Array(a) => a
            .elems
            .iter()
            .flatten()
            .flat_map(|el| {
                if el.spread.is_some() {
                    spread_preds(s, &el.expr)
                } else {
                    vec![pred(s, &el.expr)]
                }
            })
            .collect(),
        // `...(c ? [eq(..)] : [])`: one branch's elements or the other's.
        Expr::Cond(c) => {
            let branch = |e: &Expr| {
                let mut ps = spread_preds(s, e);
                match ps.len() {
                    0 => RawPred::Undefined,
                    1 => ps.pop().unwrap_or(RawPred::Undefined),
                    _ => RawPred::And(ps),
                }
            };
            vec![RawPred::Or(vec![branch(&c.cons), branch(&c.alt)])]
        }
        // `...conds.filter(Boolean)`: only the elements that are no condition at all go.
        Expr::Call(c) if drops_only_empty(c) => match &c.callee {
            Callee::Expr(callee) => match unwrap(callee) {
                Expr::Member(m) => spread_preds(s, &m.obj),
                _ => vec![unknown("a spread drizzle-guard cannot follow")],
            },
            _ => vec![unknown("a spread drizzle-guard cannot follow")],
        },
        // `...this.scope()`: the condition array a project function returns (read as the
        // conjunction of its elements).
        Expr::Call(c) if looks_like_predicate(e) && !local_method(s, c) => match pred(s, e) {
            p @ RawPred::Call { .. } => vec![p],
            _ => vec![unknown("a spread drizzle-guard cannot follow")],
        },
        _ => vec![unknown("a spread drizzle-guard cannot follow")],
    }
}

/// What the callback of `xs.map((x) => cond)` returns, read where the call is: an arrow whose
/// body is the condition (or a block of one `return`), whose parameters shadow no name in
/// scope (the body would read them as the outer ones).
fn mapped(s: &Scopes, c: &CallExpr) -> Option<RawPred> {
    let a = super::ast::map_callback(c)?;
    let simple = a.params.iter().all(|p| match p {
        Pat::Ident(i) => s.get(&i.id.sym).is_none(),
        _ => false,
    });
    if !simple {
        return None;
    }
    Some(pred(s, super::ast::arrow_result(a)?))
}

/// `conds.filter(keep)`: a method of a local value, not a project function.
fn local_method(s: &Scopes, c: &CallExpr) -> bool {
    match &c.callee {
        Callee::Expr(callee) => match unwrap(callee) {
            Expr::Member(m) => matches!(unwrap(&m.obj), Expr::Ident(i) if s.get(&i.sym).is_some()),
            _ => false,
        },
        _ => false,
    }
}

/// An array literal, or a local condition array.
fn is_array(s: &Scopes, e: &Expr) -> bool {
    match unwrap(e) {
        Expr::Array(_) => true,
        Expr::Ident(i) => matches!(s.get(&i.sym), Some(Binding::Array { .. })),
        _ => false,
    }
}

/// `xs.filter(..)` on a local condition array, a parameter or an array literal.
fn filters_array(s: &Scopes, c: &CallExpr) -> bool {
    let Callee::Expr(callee) = &c.callee else {
        return false;
    };
    match unwrap(callee) {
        Expr::Member(m) => match unwrap(&m.obj) {
            Expr::Array(_) => true,
            Expr::Ident(i) => matches!(s.get(&i.sym), Some(Binding::Array { .. } | Binding::Param)),
            _ => false,
        },
        _ => false,
    }
}

/// `{ userId: notes.userId, workspaceId: notes.workspaceId }` passed to a helper that reads
/// `cols.userId`: each key's column. Empty for anything else.
fn column_bag(s: &Scopes, e: &Expr) -> Vec<(Name, Operand)> {
    let Expr::Object(o) = unwrap(e) else {
        return vec![];
    };
    let mut bag = Vec::with_capacity(o.props.len());
    for p in &o.props {
        let PropOrSpread::Prop(p) = p else { continue };
        let Prop::KeyValue(kv) = &**p else { continue };
        let Some(key) = super::ast::prop_atom(&kv.key) else {
            continue;
        };
        if let o @ Operand::Member { .. } = operand(s, &kv.value) {
            bag.push((key, o));
        }
    }
    bag
}

/// `sql`${col} = ${value}`` is an equality; any other template is opaque but its columns
/// are kept so that "mentions the column" checks can still see them.
fn sql_template(s: &Scopes, tpl: &Tpl) -> RawPred {
    if tpl.exprs.is_empty() && tpl.quasis.len() == 1 {
        // `sql`true``, `sql`1 = 1``: every row passes, as if there were no condition.
        let text: String = tpl.quasis[0].raw.split_whitespace().collect();
        match text.to_lowercase().as_str() {
            "true" | "1=1" | "(true)" | "1" => return RawPred::Undefined,
            // `sql`false``, `sql`1 = 0``, `sql`0`` (MySQL, SQLite): no row passes.
            "false" | "1=0" | "0=1" | "(false)" | "0" => return RawPred::False,
            _ => {}
        }
    }
    let quasis: Vec<String> = tpl
        .quasis
        .iter()
        .map(|q| q.raw.trim().to_lowercase())
        .collect();
    if tpl.exprs.len() == 2
        && quasis.len() == 3
        && quasis[0].is_empty()
        && quasis[1] == "="
        && quasis[2].is_empty()
    {
        return RawPred::Eq(operand(s, &tpl.exprs[0]), operand(s, &tpl.exprs[1]));
    }
    let mut mentions = vec![];
    for e in &tpl.exprs {
        interpolated_columns(s, e, 0, &mut mentions);
    }
    let text: String = tpl
        .quasis
        .iter()
        .map(|q| q.raw.as_str().to_owned())
        .collect::<Vec<_>>()
        .join(RAW_HOLE);
    let mut why = format!("the raw SQL `sql`{}``", text.trim());
    if why.len() > 80 {
        why = "a raw `sql` fragment".to_string();
    }
    RawPred::Unknown {
        why,
        mentions,
        sql: Some(Box::new(RawSql {
            lower: text.to_lowercase().into_boxed_str(),
            values: tpl.exprs.iter().map(|e| operand(s, e)).collect(),
        })),
    }
}

/// The columns an interpolation of a raw fragment names: itself (`${t.body}`), or inside a
/// call or a nested fragment (`${isNull(t.deletedAt)}`, `${sql`${t.id}`}`), which a fragment
/// may embed as SQL.
fn interpolated_columns(s: &Scopes, e: &Expr, depth: usize, out: &mut Vec<Operand>) {
    if depth > 8 {
        return;
    }
    match unwrap(e) {
        Expr::Call(c) => {
            for a in &c.args {
                interpolated_columns(s, &a.expr, depth + 1, out);
            }
        }
        Expr::TaggedTpl(t) => {
            for e in &t.tpl.exprs {
                interpolated_columns(s, e, depth + 1, out);
            }
        }
        e => {
            let o = operand(s, e);
            if matches!(o, Operand::Member { .. }) {
                out.push(o);
            }
        }
    }
}

/// An operand of a comparison: a column when it is `table.key`, otherwise a value, known by
/// where it starts (its origin, if it has one, is in the file's origin facts).
pub(super) fn operand(s: &Scopes, e: &Expr) -> Operand {
    let at = s.value_at(e);
    let mut e = unwrap(e);
    // `Number(row.id)`, `String(id)`: a conversion keeps what the value is.
    while let Expr::Call(c) = e {
        if matches!(callee_ident(c), Some("Number" | "String" | "BigInt"))
            && c.args.len() == 1
            && c.args[0].spread.is_none()
        {
            e = unwrap(&c.args[0].expr);
        } else {
            break;
        }
    }
    let m = match e {
        Expr::Member(m) => m,
        Expr::OptChain(OptChainExpr { base, .. }) => match &**base {
            OptChainBase::Member(m) => m,
            OptChainBase::Call(_) => return Operand::Value(Some(at)),
        },
        // A parameter used whole: a column when the caller passes one (`(col: Column, v) =>
        // eq(col, v)`), bound when the helper is inlined.
        Expr::Ident(i) if matches!(s.get(&i.sym), Some(Binding::Param)) => {
            return Operand::Param(i.sym.clone(), at)
        }
        _ => return Operand::Value(Some(at)),
    };
    let Some(key) = member_prop(&m.prop) else {
        return Operand::Value(Some(at));
    };
    match base_of(s, &m.obj) {
        Some(base) => Operand::Member { base, key, at },
        None => Operand::Value(Some(at)),
    }
}

/// What `x` in `x.key` may be: a table, the relational query's table, or a parameter.
pub(super) fn base_of(s: &Scopes, e: &Expr) -> Option<Base> {
    match unwrap(e) {
        Expr::Ident(i) => match s.get(&i.sym) {
            Some(Binding::SelfTable) => Some(Base::SelfTable),
            Some(Binding::Param) => Some(Base::Param(i.sym.clone())),
            Some(Binding::Alias(t)) => Some(Base::Table(t.clone())),
            Some(_) => None,
            None => Some(Base::Table(TableExpr::Name(i.sym.clone()))),
        },
        Expr::Member(m) => {
            let Expr::Ident(ns) = unwrap(&m.obj) else {
                return None;
            };
            if s.get(&ns.sym).is_some() {
                return None;
            }
            Some(Base::Table(TableExpr::Member(
                ns.sym.clone(),
                member_prop(&m.prop)?,
            )))
        }
        _ => None,
    }
}

/// A table argument (`from(T)`, `update(T)`, `alias(T, ..)`).
pub(super) fn table_expr(s: &Scopes, e: &Expr) -> Option<TableExpr> {
    match base_of(s, e)? {
        Base::Table(t) => Some(t),
        _ => None,
    }
}

/// `alias(T, 'name')`: T's instance under the alias name (the binding's table expression
/// when the name is not a constant string, which still keeps the instance apart).
pub(super) fn alias_expr(s: &Scopes, call: &CallExpr) -> Option<TableExpr> {
    let table = call.args.first().and_then(|a| table_expr(s, &a.expr))?;
    let name = call
        .args
        .get(1)
        .and_then(|a| str_name(&a.expr))
        .unwrap_or_else(|| Name::from(format!("alias@{}", call.span.lo.0)));
    Some(TableExpr::Alias(name, Box::new(table)))
}

/// A cheap test before reading an expression as a predicate.
pub(super) fn looks_like_predicate(e: &Expr) -> bool {
    match unwrap(e) {
        Expr::Call(c) => match &c.callee {
            Callee::Expr(callee) => match unwrap(callee) {
                Expr::Ident(_) => true,
                Expr::Member(m) => matches!(unwrap(&m.obj), Expr::Ident(_) | Expr::This(_)),
                _ => false,
            },
            _ => false,
        },
        Expr::TaggedTpl(t) => matches!(unwrap(&t.tag), Expr::Ident(i) if &*i.sym == "sql"),
        Expr::Cond(c) => looks_like_predicate(&c.cons) || looks_like_predicate(&c.alt),
        Expr::Bin(b) => {
            matches!(
                b.op,
                BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing
            ) && (looks_like_predicate(&b.left) || looks_like_predicate(&b.right))
        }
        Expr::Ident(i) => &*i.sym == "undefined",
        _ => false,
    }
}

/// What a `const` initialiser binds its name to; `None` at module level when the name is
/// resolved when linking instead (tables, relations, clients, anything unread). `depth` is how
/// many conditional constructs enclose the declaration (a condition array remembers it).
pub(super) fn const_binding(
    s: &Scopes,
    init: &Expr,
    module_level: bool,
    depth: u32,
) -> Option<Binding> {
    let e = unwrap(init);
    if is_constant_string(s, e) {
        return Some(Binding::Str);
    }
    if is_constant_map(s, e) {
        return Some(Binding::StrMap(super::rows::row_keys_of(s, e)));
    }
    match e {
        Expr::Call(c) if callee_ident(c) == Some("alias") => {
            Some(Binding::Alias(alias_expr(s, c)?))
        }
        // `const scope = undefined`: no condition.
        Expr::Ident(i) if !module_level && &*i.sym == "undefined" => {
            Some(Binding::Pred(RawPred::Undefined))
        }
        Expr::Ident(_) | Expr::Member(_) if !module_level => match table_expr(s, e) {
            Some(t) => Some(Binding::Alias(t)),
            None => Some(Binding::Opaque),
        },
        // `const conds = c ? [...base, ...more] : base`: a condition array either way; spread
        // into `and(..)`, every row passes one side's conjunction.
        Expr::Cond(c) if !module_level && is_array(s, &c.cons) && is_array(s, &c.alt) => {
            Some(Binding::Array {
                elems: spread_preds(s, e),
                depth,
            })
        }
        Expr::Array(_) => Some(Binding::Array {
            elems: spread_preds(s, e),
            depth,
        }),
        // `const f = conds.filter(Boolean)`: the same conditions.
        Expr::Call(c) if !module_level && drops_only_empty(c) && filters_array(s, c) => {
            Some(Binding::Array {
                elems: spread_preds(s, e),
                depth,
            })
        }
        // Tables, relations and clients are resolved by name when linking.
        Expr::Call(c)
            if callee_ident(c).is_some_and(|n| {
                s.table_fn(n).is_some() || matches!(n, "relations" | "defineRelations" | "drizzle")
            }) || is_schema_table_call(c)
                || (module_level && looks_like_table_call(c)) =>
        {
            if module_level {
                None
            } else {
                Some(Binding::Opaque)
            }
        }
        _ => {
            if looks_like_predicate(e) {
                let p = pred(s, e);
                if !matches!(p, RawPred::Unknown { .. }) {
                    return Some(Binding::Pred(p));
                }
            }
            if module_level {
                None
            } else {
                Some(Binding::Opaque)
            }
        }
    }
}

/// [`note_push`] for a call chain whose links are `segs` (asked of every chain: most end in
/// no `push`, told by the last link's name).
pub(super) fn note_chain_push(
    s: &mut Scopes,
    e: &Expr,
    segs: &[super::chain::Seg<'_>],
    depth: u32,
) {
    if segs.last().is_some_and(|l| &*l.name == "push") {
        note_push(s, e, depth);
    }
}

/// `conds.push(x)` on a condition array: conditional when it happens deeper (`depth`, in
/// conditional constructs) than the array's declaration (inside an `if`, a loop, a `&&`).
pub(super) fn note_push(s: &mut Scopes, e: &Expr, depth: u32) {
    let Expr::Call(c) = unwrap(e) else { return };
    let Callee::Expr(callee) = &c.callee else {
        return;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return;
    };
    if !super::ast::member_prop_is(&m.prop, "push") {
        return;
    }
    let Expr::Ident(arr) = unwrap(&m.obj) else {
        return;
    };
    let Some(Binding::Array {
        depth: declared, ..
    }) = s.get(&arr.sym)
    else {
        return;
    };
    let conditional = depth > *declared;
    let mut new = vec![];
    for a in &c.args {
        let preds = if a.spread.is_some() {
            spread_preds(s, &a.expr)
        } else {
            vec![pred(s, &a.expr)]
        };
        for p in preds {
            new.push(if conditional {
                RawPred::Or(vec![p, RawPred::Undefined])
            } else {
                p
            });
        }
    }
    if let Some(Binding::Array { elems, .. }) = s.get_mut(&arr.sym) {
        elems.extend(new);
    }
}
