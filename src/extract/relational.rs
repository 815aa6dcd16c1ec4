//! Relational queries' options (`db.query.T.findMany({ where, with, limit, .. })`) and their
//! filters: v2 object filters (`{ orgId: x, deletedAt: { isNull: true } }`) and `where`
//! callbacks (`(t, { eq }) => eq(t.orgId, x)`).

use super::ast::{prop_atom, prop_name, unwrap, Offsets};
use super::conditions::{const_binding, note_push, pred, unknown, MAX_DEPTH};
use super::names::is_operator;
use super::scope::{Binding, Scopes};
use crate::facts::*;
use swc_common::Spanned;
use swc_ecma_ast::*;

/// A relational v2 object filter: `{ organizationId: x, deletedAt: { isNull: true }, OR: [..] }`.
/// `base`, the file's start in swc's positions, places the values compared with (where their
/// origins are found); without it (a relation's preset filter, read with the schema) they
/// have none.
pub(super) fn object_filter(o: &ObjectLit, base: Option<u32>, depth: u32) -> RawPred {
    if depth > MAX_DEPTH {
        return unknown("a filter nested too deeply");
    }
    let mut parts = vec![];
    for p in &o.props {
        let PropOrSpread::Prop(p) = p else {
            parts.push(unknown("a spread in a filter object"));
            continue;
        };
        let (key, value): (Name, &Expr) = match &**p {
            Prop::KeyValue(kv) => match prop_atom(&kv.key) {
                Some(k) => (k, &kv.value),
                None => {
                    parts.push(unknown("a computed filter key"));
                    continue;
                }
            },
            Prop::Shorthand(i) => {
                let col = Operand::Member {
                    base: Base::SelfTable,
                    key: i.sym.clone(),
                    at: 0,
                };
                parts.push(RawPred::Eq(col, value_at(base, &i.span)));
                continue;
            }
            _ => continue,
        };
        let value = unwrap(value);
        match &*key {
            "AND" | "OR" => {
                let list: Vec<RawPred> = match value {
                    Expr::Array(a) => a
                        .elems
                        .iter()
                        .flatten()
                        .map(|el| match unwrap(&el.expr) {
                            Expr::Object(o) => object_filter(o, base, depth + 1),
                            _ => unknown("a filter that is not an object"),
                        })
                        .collect(),
                    _ => vec![unknown("a filter list that is not an array")],
                };
                parts.push(if key == "AND" {
                    RawPred::And(list)
                } else {
                    RawPred::Or(list)
                });
            }
            "NOT" => match value {
                Expr::Object(o) => {
                    let inner = object_filter(o, base, depth + 1);
                    parts.push(RawPred::Not(Box::new(inner)));
                }
                _ => parts.push(unknown("a NOT filter that is not an object")),
            },
            "RAW" => parts.push(unknown("a RAW filter")),
            _ => {
                let col = Operand::Member {
                    base: Base::SelfTable,
                    key: key.clone(),
                    at: 0,
                };
                parts.push(column_filter(col, value, base, depth));
            }
        }
    }
    RawPred::And(parts)
}

/// Where in the file a value at `span` starts, when `base` says where the file starts.
fn place(base: Option<u32>, span: &swc_common::Span) -> Option<ValueAt> {
    base.map(|b| span.lo.0.saturating_sub(b))
}

/// The value operand of a filter, placed at `span` (see [`place`]).
fn value_at(base: Option<u32>, span: &swc_common::Span) -> Operand {
    Operand::Value(place(base, span))
}

fn column_filter(col: Operand, value: &Expr, base: Option<u32>, depth: u32) -> RawPred {
    if depth > MAX_DEPTH {
        return unknown("a filter nested too deeply");
    }
    match value {
        Expr::Ident(i) if &*i.sym == "undefined" => RawPred::Undefined,
        Expr::Object(o) => {
            let mut parts = vec![];
            for p in &o.props {
                let PropOrSpread::Prop(p) = p else { continue };
                let Prop::KeyValue(kv) = &**p else { continue };
                let Some(op) = prop_name(&kv.key) else {
                    continue;
                };
                let v = unwrap(&kv.value);
                let is_true = matches!(v, Expr::Lit(Lit::Bool(Bool { value: true, .. })));
                parts.push(match op.as_str() {
                    "eq" => RawPred::Eq(col.clone(), value_at(base, &v.span())),
                    "in" | "inArray" => RawPred::InArray(col.clone(), place(base, &v.span())),
                    "isNull" if is_true => RawPred::IsNull(col.clone()),
                    "isNotNull" if is_true => RawPred::IsNotNull(col.clone()),
                    "OR" | "AND" | "NOT" => {
                        let inner = match v {
                            Expr::Object(_) => column_filter(col.clone(), v, base, depth + 1),
                            Expr::Array(a) => {
                                let list = a
                                    .elems
                                    .iter()
                                    .flatten()
                                    .map(|el| {
                                        column_filter(
                                            col.clone(),
                                            unwrap(&el.expr),
                                            base,
                                            depth + 1,
                                        )
                                    })
                                    .collect();
                                if op == "AND" {
                                    RawPred::And(list)
                                } else {
                                    RawPred::Or(list)
                                }
                            }
                            _ => unknown("a filter drizzle-guard cannot read"),
                        };
                        if op == "NOT" {
                            RawPred::Not(Box::new(inner))
                        } else {
                            inner
                        }
                    }
                    _ => RawPred::Other(vec![col.clone()]),
                });
            }
            RawPred::And(parts)
        }
        _ => RawPred::Eq(col, value_at(base, &value.span())),
    }
}

/// Reads a relational query's options into `site`. `conditional` is how many conditional
/// constructs enclose the query (condition arrays pushed to in a callback compare with it).
pub(super) fn relational_config(
    s: &mut Scopes,
    at: Offsets,
    conditional: u32,
    config: &ObjectLit,
    site: &mut QuerySite,
) {
    for p in &config.props {
        let PropOrSpread::Prop(p) = p else { continue };
        // `{ where, orderBy, limit }`: options named by the locals that hold them.
        if let Prop::Shorthand(i) = &**p {
            match &*i.sym {
                "where" => {
                    let local = Expr::Ident(i.clone());
                    site.where_ = Where::Condition(pred(s, &local));
                }
                "limit" => site.has_limit = true,
                "offset" => site.has_offset = true,
                "orderBy" => site.has_order_by = true,
                _ => {}
            }
            continue;
        }
        let Prop::KeyValue(kv) = &**p else { continue };
        match prop_name(&kv.key).as_deref() {
            Some("where") => {
                site.where_ = Where::Condition(relational_where(s, &kv.value, conditional));
            }
            Some("limit") => site.has_limit = true,
            Some("offset") => site.has_offset = true,
            Some("orderBy") => site.has_order_by = true,
            Some("with") => {
                for w in with_objects(&kv.value) {
                    site.with.extend(with_relations(s, at, conditional, w, 0));
                }
            }
            _ => {}
        }
    }
}

/// The object literals a `with` may be: itself, or either branch of `c ? {..} : undefined`
/// (`c && {..}`), each of which may be what ran.
fn with_objects(e: &Expr) -> Vec<&ObjectLit> {
    let mut out = vec![];
    let mut stack = vec![e];
    // Bounded: a conditional nested deeper than this is not read.
    while let Some(e) = stack.pop().filter(|_| out.len() + stack.len() < 16) {
        match unwrap(e) {
            Expr::Object(o) => out.push(o),
            Expr::Cond(c) => stack.extend([&*c.alt, &*c.cons]),
            Expr::Bin(b) if b.op == BinaryOp::LogicalAnd => stack.push(&b.right),
            _ => {}
        }
    }
    out
}

fn with_relations(
    s: &mut Scopes,
    at: Offsets,
    conditional: u32,
    w: &ObjectLit,
    depth: u32,
) -> Vec<WithFact> {
    let mut out = vec![];
    if depth > 16 {
        return out;
    }
    for p in &w.props {
        let PropOrSpread::Prop(p) = p else { continue };
        let (key, value, key_span) = match &**p {
            Prop::KeyValue(kv) => (prop_name(&kv.key), Some(&*kv.value), kv.key.span()),
            Prop::Shorthand(i) => (Some(i.sym.as_str().to_owned()), None, i.span),
            _ => continue,
        };
        let Some(relation) = key else { continue };
        let mut fact = WithFact {
            relation,
            where_: None,
            has_limit: false,
            many_hint: false,
            with: vec![],
            span: at.span(key_span),
        };
        match value.map(unwrap) {
            Some(Expr::Lit(Lit::Bool(Bool { value: false, .. }))) => continue,
            Some(Expr::Object(cfg)) => {
                for cp in &cfg.props {
                    let PropOrSpread::Prop(cp) = cp else { continue };
                    let Prop::KeyValue(ckv) = &**cp else { continue };
                    match prop_name(&ckv.key).as_deref() {
                        Some("where") => {
                            fact.where_ = Some(relational_where(s, &ckv.value, conditional))
                        }
                        Some("limit") => fact.has_limit = true,
                        Some("orderBy") => fact.many_hint = true,
                        Some("with") => {
                            for inner in with_objects(&ckv.value) {
                                let more = with_relations(s, at, conditional, inner, depth + 1);
                                fact.with.extend(more);
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        out.push(fact);
    }
    out
}

/// The `where` of a relational query: a callback, an object filter, or a condition.
fn relational_where(s: &mut Scopes, e: &Expr, conditional: u32) -> RawPred {
    match unwrap(e) {
        Expr::Object(o) => object_filter(o, Some(s.base), 0),
        Expr::Arrow(a) => {
            s.push();
            if let Some(p) = a.params.first() {
                s.bind_pat(p, Binding::SelfTable);
            }
            if let Some(p) = a.params.get(1) {
                bind_ops(s, p);
            }
            let p = match &*a.body {
                ArrowFunctionBody::Expr(body) => pred(s, body),
                ArrowFunctionBody::FunctionBody(b) => block_return(s, b, conditional),
            };
            s.pop();
            p
        }
        Expr::Fn(f) => {
            s.push();
            if let Some(p) = f.function.params.first() {
                s.bind_pat(&p.pat, Binding::SelfTable);
            }
            if let Some(p) = f.function.params.get(1) {
                bind_ops(s, &p.pat);
            }
            let p = match &f.function.body {
                Some(b) => block_return(s, b, conditional),
                None => unknown("an empty function"),
            };
            s.pop();
            p
        }
        other => pred(s, other),
    }
}

/// The operators parameter of a `where` callback: `ops`, `{ eq, and }`, `{ eq: eqFn }`.
fn bind_ops(s: &mut Scopes, p: &Pat) {
    match p {
        Pat::Ident(i) => s.bind(&i.id.sym, Binding::Ops),
        Pat::Object(o) => {
            for prop in &o.props {
                match prop {
                    // `{ eq: eqFn }`: the operator under another name.
                    ObjectPatProp::KeyValue(kv) => {
                        let binding = match prop_atom(&kv.key) {
                            Some(op) if is_operator(&op) => Binding::Operator(op),
                            _ => Binding::Opaque,
                        };
                        s.bind_pat(&kv.value, binding)
                    }
                    // `{ eq, and }`: the operators under their own names.
                    ObjectPatProp::Assign(a) => {
                        s.unbind(&a.key.id.sym);
                    }
                    ObjectPatProp::Rest(r) => s.bind_pat(&r.arg, Binding::Ops),
                }
            }
        }
        _ => {}
    }
}

/// The predicate returned by a block body: local `const`s first, then the returns.
fn block_return(s: &mut Scopes, b: &FunctionBody, conditional: u32) -> RawPred {
    let read =
        |s: &Scopes, r: &ReturnStmt| r.arg.as_ref().map_or(RawPred::Undefined, |a| pred(s, a));
    let mut returns = vec![];
    for st in &b.stmts {
        match st {
            Stmt::Decl(Decl::Var(v)) => {
                for d in &v.decls {
                    if let (Pat::Ident(id), Some(init)) = (&d.name, &d.init) {
                        let b =
                            const_binding(s, init, false, conditional).unwrap_or(Binding::Opaque);
                        s.bind(&id.id.sym, b);
                    }
                }
            }
            Stmt::Return(r) => returns.push(read(s, r)),
            Stmt::Expr(e) => note_push(s, &e.expr, conditional),
            Stmt::If(i) => {
                // Inside the `if`, one conditional construct deeper.
                let inner = conditional + 1;
                for st in std::iter::once(&*i.cons).chain(i.alt.as_deref()) {
                    match st {
                        Stmt::Return(r) => returns.push(read(s, r)),
                        Stmt::Expr(e) => note_push(s, &e.expr, inner),
                        Stmt::Block(b) => {
                            for st in &b.stmts {
                                match st {
                                    Stmt::Expr(e) => note_push(s, &e.expr, inner),
                                    Stmt::Return(r) => returns.push(read(s, r)),
                                    _ => {}
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    match returns.len() {
        0 => unknown("a callback with no return"),
        1 => returns.pop().unwrap_or(RawPred::Undefined),
        _ => RawPred::Or(returns),
    }
}
