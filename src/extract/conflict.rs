//! An upsert's `where` written only for the case where the client supplied the conflicting key:
//! `where: data.id ? and(eq(T.id, data.id), eq(T.teamId, teamId)) : undefined` with the row's
//! `id` taken from `data`. When the key is absent, the row gets a fresh key and cannot conflict,
//! so the condition applies to every update that can happen.

use super::ast::{is_undefined, presence_tested, prop_atom, unwrap};
use swc_atoms::Atom;
use swc_ecma_ast::*;

/// The branch of an upsert's `where` that applies whenever the insert can conflict: `cons` of
/// `test ? cons : undefined` (or `test && cons`) when `test` checks that the value the row
/// takes for the one-column conflict `target` is present. `None` for any other condition.
pub(super) fn guarded_branch<'a>(
    cond: &'a Expr,
    values: &Expr,
    target: &[Atom],
) -> Option<&'a Expr> {
    let [key] = target else {
        return None;
    };
    let (test, branch) = match unwrap(cond) {
        Expr::Cond(c) if is_undefined(&c.alt) => (&*c.test, &*c.cons),
        Expr::Bin(b) if b.op == BinaryOp::LogicalAnd => (&*b.left, &*b.right),
        _ => return None,
    };
    let tested = presence_tested(test);
    key_source(values, key)
        .is_some_and(|src| same_path(src, tested, key))
        .then_some(branch)
}

/// Where the row object `values` takes `key` from: `key: e` gives `e`, a shorthand `key` gives
/// the local `key`, and with no own `key`, a spread `...s` gives `s.key` (as the path `s`
/// plus `key`). Anything but one object literal gives `None`.
enum Source<'a> {
    Expr(&'a Expr),
    Local(&'a Atom),
    SpreadMember(&'a Expr),
}

fn key_source<'a>(values: &'a Expr, key: &Atom) -> Option<Source<'a>> {
    let Expr::Object(o) = unwrap(values) else {
        return None;
    };
    let mut found = None;
    let mut spreads = vec![];
    for p in &o.props {
        match p {
            PropOrSpread::Spread(s) => spreads.push(&*s.expr),
            PropOrSpread::Prop(p) => match &**p {
                Prop::Shorthand(i) if i.sym == *key => found = Some(Source::Local(&i.sym)),
                Prop::KeyValue(kv) if prop_atom(&kv.key).as_ref() == Some(key) => {
                    found = Some(Source::Expr(&kv.value))
                }
                _ => {}
            },
        }
    }
    // With no key of its own, the row's key comes from the one spread that can hold it.
    match (found, spreads.as_slice()) {
        (Some(f), _) => Some(f),
        (None, [one]) => Some(Source::SpreadMember(one)),
        _ => None,
    }
}

/// Whether `tested` is the path the row's key comes from (`id` for a shorthand, `data.id` for
/// a spread of `data` or `id: data.id`).
fn same_path(src: Source<'_>, tested: &Expr, key: &Atom) -> bool {
    let Some(tested) = path(tested) else {
        return false;
    };
    match src {
        Source::Local(name) => tested == [name.clone()],
        Source::Expr(e) => path(e).is_some_and(|p| p == tested),
        Source::SpreadMember(base) => path(base).is_some_and(|mut p| {
            p.push(key.clone());
            p == tested
        }),
    }
}

/// `a`, `a.b`, `a.b.c` as its names; `None` for any other expression.
fn path(e: &Expr) -> Option<Vec<Atom>> {
    match unwrap(e) {
        Expr::Ident(i) => Some(vec![i.sym.clone()]),
        Expr::Member(m) => {
            let mut p = path(&m.obj)?;
            p.push(super::ast::member_prop(&m.prop)?);
            Some(p)
        }
        _ => None,
    }
}
