//! The keys an insert's `values` or an update's `set` writes, and where their values come from.

use super::values::{prop_key, Env, Val};
use crate::extract::ast::{member_prop, prop_name, unwrap};
use crate::facts::{Name, TableExpr, UseTarget, ValueUse};
use crate::span::Span;
use swc_common::Spanned;
use swc_ecma_ast::*;

/// `insert(T).values(v)`, `update(T).set(v)`: the keys written and where their values
/// come from.
pub(super) fn write(env: &Env, uses: &mut Vec<ValueUse>, obj: &Expr, method: &str, arg: &Expr) {
    let Expr::Call(start) = unwrap(obj) else {
        return;
    };
    let Callee::Expr(callee) = &start.callee else {
        return;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return;
    };
    let starts = match method {
        "values" => "insert",
        _ => "update",
    };
    if member_prop(&m.prop).as_deref() != Some(starts) {
        return;
    }
    let Some(table) = start.args.first().and_then(|a| env.table(&a.expr)) else {
        return;
    };
    let scope = env.scope();
    let e = unwrap(arg);
    let literal = match e {
        Expr::Object(o) => Some(o),
        // `values(body.titles.map((t) => ({ orgId: body.orgId, title: t })))`: each row the
        // callback returns writes what its object literal does (its parameter's values have no
        // origin here: only what comes from outside the callback is followed).
        Expr::Call(c) => mapped_literal(env, c),
        _ => None,
    };
    if let Some(o) = literal {
        return literal_writes(env, uses, &table, o, scope);
    }
    match env.origin(e) {
        // `values(tuple)`: each key the local object literal writes.
        Val::Object(props) => {
            object_writes(uses, &table, props.iter(), env.at.span(e.span()), scope)
        }
        v @ Val::Input(_) => {
            if let Some(origin) = v.fact() {
                let span = env.at.span(e.span());
                uses.push(ValueUse {
                    target: UseTarget::Spread {
                        table,
                        later: vec![],
                    },
                    origin,
                    span,
                    scope,
                });
            }
        }
        _ => {}
    }
}

/// The writes of an object literal given as the values or `set` of a write into `table`: each
/// key it sets (a spread of input, or of a local object literal, with the keys written after
/// it left out).
fn literal_writes(
    env: &Env,
    uses: &mut Vec<ValueUse>,
    table: &TableExpr,
    o: &ObjectLit,
    scope: Option<Span>,
) {
    for (i, p) in o.props.iter().enumerate() {
        let (target, value) = match p {
            PropOrSpread::Spread(s) => {
                let later = o.props[i + 1..]
                    .iter()
                    .filter_map(|p| match p {
                        PropOrSpread::Prop(p) => prop_key(p),
                        PropOrSpread::Spread(_) => None,
                    })
                    .collect();
                let target = UseTarget::Spread {
                    table: table.clone(),
                    later,
                };
                (target, &*s.expr)
            }
            PropOrSpread::Prop(p) => match &**p {
                Prop::KeyValue(kv) => {
                    let Some(key) = prop_name(&kv.key) else {
                        continue;
                    };
                    let target = UseTarget::Write {
                        table: table.clone(),
                        key: key.into(),
                    };
                    (target, &*kv.value)
                }
                Prop::Shorthand(i) => {
                    let target = UseTarget::Write {
                        table: table.clone(),
                        key: i.sym.clone(),
                    };
                    let origin = env.lookup(&i.sym).and_then(Val::fact);
                    if let Some(origin) = origin {
                        let span = env.at.span(i.span);
                        uses.push(ValueUse {
                            target,
                            origin,
                            span,
                            scope,
                        });
                    }
                    continue;
                }
                _ => continue,
            },
        };
        let origin = env.origin(value);
        // `...tuple`, a local object literal: each key it writes, unless written again
        // after the spread.
        if let (Val::Object(props), UseTarget::Spread { later, .. }) = (&origin, &target) {
            let props = props.iter().filter(|(k, _)| !later.contains(k));
            object_writes(uses, table, props, env.at.span(value.span()), scope);
            continue;
        }
        let keep = match target {
            UseTarget::Spread { .. } => matches!(origin, Val::Input(_)),
            _ => true,
        };
        if let (true, Some(origin)) = (keep, origin.fact()) {
            let span = env.at.span(value.span());
            uses.push(ValueUse {
                target,
                origin,
                span,
                scope,
            });
        }
    }
}

/// The object literal `xs.map((x) => ({ .. }))`'s callback returns, when its parameters hide
/// no name in scope (the literal is read with the names of the scope around it).
fn mapped_literal<'c>(env: &Env, c: &'c CallExpr) -> Option<&'c ObjectLit> {
    let Callee::Expr(callee) = &c.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return None;
    };
    if member_prop(&m.prop).as_deref() != Some("map") {
        return None;
    }
    let Expr::Arrow(a) = c.args.first().map(|a| unwrap(&a.expr))? else {
        return None;
    };
    let mut names = vec![];
    for p in &a.params {
        crate::extract::rows::pat_names(p, &mut names);
    }
    if names.iter().any(|n| env.lookup(n).is_some()) {
        return None;
    }
    match unwrap(crate::extract::ast::arrow_result(a)?) {
        Expr::Object(o) => Some(o),
        _ => None,
    }
}

/// The writes of the keys of a local object literal (see [`Val::Object`]) into `table`, all
/// at `span`, where the query names the object (a value is found by its start and its key).
fn object_writes<'v>(
    uses: &mut Vec<ValueUse>,
    table: &TableExpr,
    props: impl Iterator<Item = &'v (Name, Val)>,
    span: Span,
    scope: Option<Span>,
) {
    for (key, v) in props {
        if let Some(origin) = v.fact() {
            uses.push(ValueUse {
                target: UseTarget::Write {
                    table: table.clone(),
                    key: key.clone(),
                },
                origin,
                span,
                scope,
            });
        }
    }
}
