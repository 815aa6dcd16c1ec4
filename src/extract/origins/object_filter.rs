//! A relational query's v2 object filter (`findMany({ where: { teamId: v } })`): where the
//! values its column keys are compared with come from.

use super::values::{Env, Val};
use crate::extract::ast::{prop_name, unwrap};
use crate::facts::{Name, UseTarget, ValueUse};
use swc_common::Spanned;
use swc_ecma_ast::*;

/// How deep `AND`/`OR` lists are followed.
const MAX_DEPTH: u32 = 4;

/// Records the column keys of the object filter `o` compared with a value of known origin
/// (`{ teamId: v }`, `{ teamId: { eq: v } }`, `{ teamId: { in: v } }`, in `AND`/`OR` lists too),
/// as filters on the relational query's own table.
pub(super) fn read(env: &Env, uses: &mut Vec<ValueUse>, o: &ObjectLit, depth: u32) {
    if depth > MAX_DEPTH {
        return;
    }
    for p in &o.props {
        let PropOrSpread::Prop(p) = p else { continue };
        let (key, value) = match &**p {
            Prop::KeyValue(kv) => match prop_name(&kv.key) {
                Some(k) => (Name::from(k), unwrap(&kv.value)),
                None => continue,
            },
            Prop::Shorthand(i) => {
                if let Some(v) = env.lookup(&i.sym) {
                    push(env, uses, i.sym.clone(), v, i.span);
                }
                continue;
            }
            _ => continue,
        };
        match (&*key, value) {
            ("AND" | "OR", Expr::Array(a)) => {
                for el in a.elems.iter().flatten() {
                    if let Expr::Object(o) = unwrap(&el.expr) {
                        read(env, uses, o, depth + 1);
                    }
                }
            }
            // A negation, raw SQL: no value the rows are chosen by.
            ("AND" | "OR" | "NOT" | "RAW", _) => {}
            (_, Expr::Object(ops)) => {
                for op in &ops.props {
                    let PropOrSpread::Prop(op) = op else { continue };
                    let Prop::KeyValue(kv) = &**op else { continue };
                    if matches!(prop_name(&kv.key).as_deref(), Some("eq" | "in")) {
                        let v = env.origin(&kv.value);
                        push(env, uses, key.clone(), &v, kv.value.span());
                    }
                }
            }
            (_, v) => push(env, uses, key, &env.origin(v), v.span()),
        }
    }
}

fn push(env: &Env, uses: &mut Vec<ValueUse>, column: Name, v: &Val, span: swc_common::Span) {
    if let Some(origin) = v.fact() {
        uses.push(ValueUse {
            target: UseTarget::Filter {
                table: None,
                column,
            },
            origin,
            span: env.at.span(span),
            scope: env.scope(),
        });
    }
}

/// The `where` of a relational query's options, when an object filter.
pub(super) fn object_where(o: &ObjectLit) -> Option<&ObjectLit> {
    o.props.iter().find_map(|p| match p {
        PropOrSpread::Prop(p) => match &**p {
            Prop::KeyValue(kv) if prop_name(&kv.key).as_deref() == Some("where") => {
                match unwrap(&kv.value) {
                    Expr::Object(w) => Some(w),
                    _ => None,
                }
            }
            _ => None,
        },
        PropOrSpread::Spread(_) => None,
    })
}
