//! Zod object schemas as written: which keys a request validated by one can hold (zod drops
//! the keys a schema does not name). Read from a tRPC procedure's `.input(..)`, a module-level
//! `const`, a `@hono/zod-openapi` route's request body (`createRoute({ request: { body: ..
//! } })`) and a `zValidator('json', ..)` middleware.

use super::ast::{callee_ident, member_prop, prop_atom, str_value, unwrap};
use crate::facts::{Name, ZodBase, ZodObject, ZodOp};
use swc_ecma_ast::*;

/// Methods that return a schema with the same keys (optionality, refinements, docs).
const KEEPS_KEYS: &[&str] = &[
    "partial",
    "deepPartial",
    "required",
    "strict",
    "strip",
    "openapi",
    "describe",
    "refine",
    "superRefine",
    "brand",
    "readonly",
    "optional",
    "nullable",
    "nullish",
    "default",
    "catch",
];

/// The object schema `e` builds: `z.object({ .. })`, a name, and the methods applied to it. A
/// chain with no call at all (a bare name) is no schema of its own: `None`, as is anything
/// that may let other keys through.
pub(crate) fn schema_of(e: &Expr) -> Option<ZodObject> {
    let mut ops = vec![];
    let mut cur = unwrap(e);
    let mut calls = 0;
    for _ in 0..32 {
        match cur {
            Expr::Ident(i) => {
                ops.reverse();
                return (calls > 0).then(|| ZodObject {
                    base: ZodBase::Named(i.sym.clone()),
                    ops,
                });
            }
            Expr::Call(c) => {
                calls += 1;
                let Callee::Expr(callee) = &c.callee else {
                    return None;
                };
                let Expr::Member(m) = unwrap(callee) else {
                    return None;
                };
                let method = member_prop(&m.prop)?;
                let arg = c.args.first().map(|a| unwrap(&a.expr));
                match &*method {
                    // `z.object({ .. })`
                    "object" | "strictObject" if is_z(&m.obj) => {
                        let keys = object_keys(arg?)?;
                        ops.reverse();
                        return Some(ZodObject {
                            base: ZodBase::Keys(keys),
                            ops,
                        });
                    }
                    "omit" => ops.push(ZodOp::Omit(object_keys(arg?)?)),
                    "pick" => ops.push(ZodOp::Pick(object_keys(arg?)?)),
                    "extend" => ops.push(ZodOp::Extend(object_keys(arg?)?)),
                    "merge" => match arg? {
                        Expr::Ident(i) => ops.push(ZodOp::Merge(i.sym.clone())),
                        other => {
                            let o = schema_of(other)?;
                            match (o.base, o.ops.is_empty()) {
                                (ZodBase::Keys(k), true) => ops.push(ZodOp::Extend(k)),
                                _ => return None,
                            }
                        }
                    },
                    m if KEEPS_KEYS.contains(&m) => {}
                    _ => return None,
                }
                cur = unwrap(&m.obj);
            }
            _ => return None,
        }
    }
    None
}

/// `z` itself (`z.object`), also under another name of zod's (`zod.object`).
fn is_z(e: &Expr) -> bool {
    matches!(unwrap(e), Expr::Ident(i) if matches!(&*i.sym, "z" | "zod"))
}

/// The keys of an object literal written out (`{ id: true }`, `{ a: z.string() }`); none when
/// it spreads something or computes a key.
fn object_keys(e: &Expr) -> Option<Vec<Name>> {
    let Expr::Object(o) = e else {
        return None;
    };
    o.props
        .iter()
        .map(|p| match p {
            PropOrSpread::Prop(p) => match &**p {
                Prop::KeyValue(kv) => prop_atom(&kv.key),
                Prop::Shorthand(i) => Some(i.sym.clone()),
                Prop::Method(m) => prop_atom(&m.key),
                _ => None,
            },
            PropOrSpread::Spread(_) => None,
        })
        .collect()
}

/// The value of `key` in an object literal.
fn prop<'e>(o: &'e ObjectLit, key: &str) -> Option<&'e Expr> {
    o.props.iter().find_map(|p| match p {
        PropOrSpread::Prop(p) => match &**p {
            Prop::KeyValue(kv) if prop_atom(&kv.key).as_deref() == Some(key) => {
                Some(unwrap(&kv.value))
            }
            _ => None,
        },
        PropOrSpread::Spread(_) => None,
    })
}

/// The body schema of a `@hono/zod-openapi` route, `createRoute({ request: { body: { content:
/// { 'application/json': { schema: S } } } } })`, as written (a name is resolved by linking).
pub(crate) fn route_body(init: &Expr) -> Option<ZodObject> {
    let c = call_to(init, "createRoute")?;
    let Expr::Object(route) = unwrap(&c.args.first()?.expr) else {
        return None;
    };
    let mut e = route_path(route, &["request", "body", "content", "application/json"])?;
    let Expr::Object(json) = e else {
        return None;
    };
    e = prop(json, "schema")?;
    named_or_schema(e)
}

/// `e` is a call of the function named `name`.
fn call_to<'e>(e: &'e Expr, name: &str) -> Option<&'e CallExpr> {
    match unwrap(e) {
        Expr::Call(c) if callee_ident(c) == Some(name) => Some(c),
        _ => None,
    }
}

fn route_path<'e>(mut o: &'e ObjectLit, keys: &[&str]) -> Option<&'e Expr> {
    let (last, path) = keys.split_last()?;
    for k in path {
        let Expr::Object(inner) = prop(o, k)? else {
            return None;
        };
        o = inner;
    }
    prop(o, last)
}

/// A schema argument: a name, or a schema built in place.
pub(crate) fn named_or_schema(e: &Expr) -> Option<ZodObject> {
    match unwrap(e) {
        Expr::Ident(i) => Some(ZodObject {
            base: ZodBase::Named(i.sym.clone()),
            ops: vec![],
        }),
        e => schema_of(e),
    }
}

/// `zValidator('json', S)` (`@hono/zod-validator`): the body schema it validates with.
pub(crate) fn json_validator(e: &Expr) -> Option<ZodObject> {
    let c = call_to(e, "zValidator")?;
    let [target, schema, ..] = c.args.as_slice() else {
        return None;
    };
    if str_value(&target.expr).as_deref() != Some("json") {
        return None;
    }
    named_or_schema(&schema.expr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ZodBase::*;
    use crate::facts::ZodOp::*;

    /// The initialiser of `const x = <src>`.
    fn parse(src: &str) -> Expr {
        let module =
            crate::parse::parse_module(std::path::Path::new("x.ts"), &format!("const x = {src};"))
                .unwrap();
        let ModuleItem::Stmt(Stmt::Decl(Decl::Var(v))) = &module.body[0] else {
            panic!("not a declaration: {src}");
        };
        *v.decls[0].init.clone().unwrap()
    }

    fn names(k: &[&str]) -> Vec<Name> {
        k.iter().map(|k| Name::from(*k)).collect()
    }

    #[test]
    fn reads_object_schemas_and_their_methods() {
        let s = schema_of(&parse("z.object({ name: z.string(), url }).strict()")).unwrap();
        assert_eq!(s.base, Keys(names(&["name", "url"])));
        assert!(s.ops.is_empty());
        let s = schema_of(&parse(
            "Monitor.omit({ id: true }).partial().extend({ a: z.number() })",
        ))
        .unwrap();
        assert_eq!(s.base, Named(Name::from("Monitor")));
        assert_eq!(s.ops, vec![Omit(names(&["id"])), Extend(names(&["a"]))]);
        let s = schema_of(&parse("A.pick({ x: true }).merge(B)")).unwrap();
        assert_eq!(s.ops, vec![Pick(names(&["x"])), Merge(Name::from("B"))]);
    }

    #[test]
    fn refuses_what_may_let_other_keys_through() {
        for src in [
            "Monitor",
            "z.object({ a: z.string() }).passthrough()",
            "z.object({ ...base })",
            "z.object({ a: z.string() }).transform((v) => v)",
            "Monitor.omit(keys)",
            "z.record(z.string())",
        ] {
            assert_eq!(schema_of(&parse(src)), None, "{src}");
        }
    }

    #[test]
    fn reads_route_bodies_and_validators() {
        let route = "createRoute({ method: 'put', request: { params: P, body: { content: { 'application/json': { schema: Monitor.omit({ id: true }) } } } } })";
        let s = route_body(&parse(route)).unwrap();
        assert_eq!(s.base, Named(Name::from("Monitor")));
        assert_eq!(s.ops, vec![Omit(names(&["id"]))]);
        assert_eq!(route_body(&parse("createRoute({ method: 'get' })")), None);
        let s = json_validator(&parse("zValidator('json', Body)")).unwrap();
        assert_eq!(s.base, Named(Name::from("Body")));
        assert_eq!(json_validator(&parse("zValidator('query', Q)")), None);
    }
}
