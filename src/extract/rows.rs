//! The rows an insert writes, as far as the file shows them: the keys each row object sets,
//! which of their values no client chose (fresh ids, constants), and the columns an upsert's
//! conflict `target` names.

use super::ast::{prop_atom, unwrap};
use super::scope::{Binding, Scopes};
use crate::facts::*;
use swc_atoms::Atom;
use swc_ecma_ast::*;

/// `const row = { .. }` or `const rows = [{ .. }, ..]`: the keys the rows set, kept so that
/// `.values(row)` can be read.
pub(super) fn row_binding(s: &Scopes, init: &Expr) -> Option<Binding> {
    match unwrap(init) {
        Expr::Object(o) => Some(Binding::Rows(vec![object_keys(s, o, &[])])),
        Expr::Array(a)
            if !a.elems.is_empty()
                && a.elems.iter().all(|el| {
                    el.as_ref().is_some_and(|el| {
                        el.spread.is_none() && matches!(unwrap(&el.expr), Expr::Object(_))
                    })
                }) =>
        {
            match insert_values(s, init) {
                InsertValues::Rows(rows) => Some(Binding::Rows(rows)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The keys of an object literal (empty and opaque for anything else).
pub(super) fn row_keys_of(s: &Scopes, e: &Expr) -> RowKeys {
    single_row(s, e, &[])
}

/// The rows `.values(v)` writes: an object, an array of them, `rows.map((r) => ({ .. }))`, a
/// local `const` holding them, either branch of `c ? a : b`; anything else is opaque.
pub(super) fn insert_values(s: &Scopes, v: &Expr) -> InsertValues {
    let opaque_row = || RowKeys {
        opaque: true,
        ..RowKeys::default()
    };
    match unwrap(v) {
        Expr::Object(o) => InsertValues::Rows(vec![object_keys(s, o, &[])]),
        Expr::Array(a) => {
            let mut rows = vec![];
            for el in a.elems.iter().flatten() {
                match (el.spread.is_some(), insert_values(s, &el.expr)) {
                    (false, InsertValues::Rows(mut r)) if r.len() == 1 => rows.append(&mut r),
                    (true, InsertValues::Rows(mut r)) => rows.append(&mut r),
                    _ => rows.push(opaque_row()),
                }
            }
            InsertValues::Rows(rows)
        }
        Expr::Ident(i) => match s.get(&i.sym) {
            Some(Binding::Rows(rows)) => InsertValues::Rows(rows.clone()),
            Some(Binding::StrMap(row)) => InsertValues::Rows(vec![row.clone()]),
            _ => InsertValues::Opaque,
        },
        Expr::Cond(c) => {
            let mut rows = vec![];
            for branch in [&c.cons, &c.alt] {
                match insert_values(s, branch) {
                    InsertValues::Rows(mut r) => rows.append(&mut r),
                    _ => rows.push(opaque_row()),
                }
            }
            InsertValues::Rows(rows)
        }
        Expr::Call(c) => match mapped_row(s, c) {
            Some(row) => InsertValues::Rows(vec![row]),
            None => InsertValues::Opaque,
        },
        _ => InsertValues::Opaque,
    }
}

/// `xs.map((x) => ({ .. }))` or `xs.map((x) => { ..; return { .. }; })`: the row the callback
/// returns (its parameters' names hide outer rows of the same name).
pub(super) fn mapped_row(s: &Scopes, c: &CallExpr) -> Option<RowKeys> {
    let arrow = super::ast::map_callback(c)?;
    let mut params = vec![];
    for p in &arrow.params {
        pat_names(p, &mut params);
    }
    let body = match &*arrow.body {
        ArrowFunctionBody::Expr(e) => &**e,
        ArrowFunctionBody::FunctionBody(b) => match b.stmts.last()? {
            Stmt::Return(ReturnStmt { arg: Some(a), .. }) => &**a,
            _ => return None,
        },
    };
    match unwrap(body) {
        Expr::Object(o) => Some(object_keys(s, o, &params)),
        _ => None,
    }
}

/// Every name a pattern binds.
pub(super) fn pat_names<'p>(p: &'p Pat, out: &mut Vec<&'p Atom>) {
    match p {
        Pat::Ident(i) => out.push(&i.id.sym),
        Pat::Array(a) => a.elems.iter().flatten().for_each(|e| pat_names(e, out)),
        Pat::Object(o) => {
            for prop in &o.props {
                match prop {
                    ObjectPatProp::KeyValue(kv) => pat_names(&kv.value, out),
                    ObjectPatProp::Assign(a) => out.push(&a.key.sym),
                    ObjectPatProp::Rest(r) => pat_names(&r.arg, out),
                }
            }
        }
        Pat::Rest(r) => pat_names(&r.arg, out),
        Pat::Assign(a) => pat_names(&a.left, out),
        _ => {}
    }
}

/// The keys one row object sets: a `set` of an upsert, or `.values(v)` read as one row.
pub(super) fn single_row(s: &Scopes, v: &Expr, hidden: &[&Atom]) -> RowKeys {
    match unwrap(v) {
        Expr::Object(o) => object_keys(s, o, hidden),
        Expr::Ident(i) if !hidden.contains(&&i.sym) => match s.get(&i.sym) {
            Some(Binding::Rows(rows)) if rows.len() == 1 => rows[0].clone(),
            Some(Binding::StrMap(row)) => row.clone(),
            _ => RowKeys {
                opaque: true,
                ..RowKeys::default()
            },
        },
        _ => RowKeys {
            opaque: true,
            ..RowKeys::default()
        },
    }
}

/// A value no client chose: a fresh id made in place, a constant, or a local `const` holding one.
pub(super) fn fixed_value(s: &Scopes, e: &Expr, hidden: &[&Atom]) -> bool {
    match unwrap(e) {
        Expr::Ident(i) if hidden.contains(&&i.sym) => false,
        Expr::Ident(i) => fixed_local(s, &i.sym),
        // `ws-${randomUUID()}`: a template of fixed parts.
        Expr::Tpl(t) => t.exprs.iter().all(|e| fixed_value(s, e, hidden)),
        e => fresh_id(e) || super::constants::is_constant_string(s, e),
    }
}

/// A local bound to a constant string or to a fresh id (`const id = newId('key')`).
pub(super) fn fixed_local(s: &Scopes, name: &Atom) -> bool {
    match s.get(name) {
        Some(Binding::Str) => true,
        Some(Binding::Pred(RawPred::Call { callee, .. })) => callee
            .last()
            .is_some_and(|n| super::names::is_id_generator(n)),
        _ => false,
    }
}

/// `newId('key')`, `crypto.randomUUID()`, `nanoid()`, `createId()`: a call of an id generator
/// with nothing but literals as arguments.
pub(super) fn fresh_id(e: &Expr) -> bool {
    let Expr::Call(c) = unwrap(e) else {
        return false;
    };
    let Callee::Expr(callee) = &c.callee else {
        return false;
    };
    let name = match unwrap(callee) {
        Expr::Ident(i) => i.sym.clone(),
        Expr::Member(m) => match super::ast::member_prop(&m.prop) {
            Some(n) => n,
            None => return false,
        },
        _ => return false,
    };
    super::names::is_id_generator(&name)
        && c.args
            .iter()
            .all(|a| a.spread.is_none() && matches!(unwrap(&a.expr), Expr::Lit(_)))
}

/// The keys an object literal sets, following spreads of inline objects and of local rows;
/// any other spread (or a computed key) makes the row opaque.
pub(super) fn object_keys(s: &Scopes, o: &ObjectLit, hidden: &[&Atom]) -> RowKeys {
    let mut row = RowKeys::default();
    for p in &o.props {
        match p {
            PropOrSpread::Spread(sp) => {
                row.spread(single_row(s, &sp.expr, hidden));
            }
            PropOrSpread::Prop(p) => {
                let key = match &**p {
                    Prop::Shorthand(i) => {
                        if !hidden.contains(&&i.sym) && fixed_local(s, &i.sym) {
                            row.fixed.push(i.sym.clone());
                        }
                        Some(i.sym.clone())
                    }
                    Prop::KeyValue(kv) => {
                        let key = prop_atom(&kv.key);
                        if let Some(k) = key.as_ref().filter(|_| fixed_value(s, &kv.value, hidden))
                        {
                            row.fixed.push(k.clone());
                        }
                        key
                    }
                    Prop::Getter(g) => prop_atom(&g.key),
                    Prop::Method(m) => prop_atom(&m.key),
                    _ => None,
                };
                row.set(key);
            }
        }
    }
    row
}

/// `T.id` or `[T.teamId, T.slug]`: the conflict target's column keys.
pub(super) fn target_columns(e: &Expr) -> Option<Vec<Name>> {
    let column = |e: &Expr| match unwrap(e) {
        Expr::Member(m) => super::ast::member_prop(&m.prop),
        _ => None,
    };
    match unwrap(e) {
        Expr::Array(a) => a
            .elems
            .iter()
            .map(|el| {
                el.as_ref()
                    .filter(|el| el.spread.is_none())
                    .and_then(|el| column(&el.expr))
            })
            .collect(),
        other => column(other).map(|c| vec![c]),
    }
}
