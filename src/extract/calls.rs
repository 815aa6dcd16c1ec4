//! Calls other than queries: calls to what may be project functions (for N+1 through calls),
//! `sql.raw(..)`, and the `casing` option of `drizzle(..)`.

use super::ast::{prop_name, str_value, this_name, unwrap, Offsets};
use super::chain::Seg;
use super::constants::is_constant_string;
use super::frames::Frames;
use super::held::Locals;
use super::names::{is_global, is_operator};
use super::query::QUERY_METHODS;
use super::scope::Scopes;
use crate::facts::*;
use swc_ecma_ast::*;

/// Records a call to what may be a project function, for N+1 through calls; and `sql.raw`.
#[inline]
pub(super) fn note_call(
    root: Option<&Expr>,
    segs: &[Seg<'_>],
    s: &Scopes,
    held: &Locals,
    frames: &Frames,
    at: Offsets,
    facts: &mut FileFacts,
) {
    if note_raw_sql(root, segs, s, frames, at, &mut facts.raw_sql) {
        return;
    }
    let Some((callee, call)) = callee_names(root, segs, s, held) else {
        return;
    };
    if callee.len() == 1 && (callee[0] == "drizzle" || callee[0] == "defineConfig") {
        if callee[0] == "drizzle" {
            if let Some(name) = &held.module_const {
                facts.drizzle_clients.push(name.clone());
            }
        }
        note_casing(&segs[0], facts);
    }
    if !call.is_call() || is_global(&callee[0]) || is_operator(&callee[0]) {
        return;
    }
    let loops = frames.current_loops();
    push_call(callee, call.call_span, loops, frames, at, &mut facts.calls);
}

/// The names of what may be a project function a chain calls (`f`, `this.m`, `obj.m`,
/// `ns.obj.m`, `Class.m` for a method of an instance), and the link that calls it.
pub(super) fn callee_names<'s, 'a>(
    root: Option<&Expr>,
    segs: &'s [Seg<'a>],
    s: &Scopes,
    held: &Locals,
) -> Option<(Vec<Name>, &'s Seg<'a>)> {
    let root = root.map(unwrap);
    // `new Repo(db).find(..)`, `repo.find(..)` with a local holding a `new Repo(..)` or typed
    // `Repo`: the class's method.
    let instance = root.and_then(|r| held.instance_of(r));
    Some(match (root, segs) {
        (None, [first, ..]) if first.object.is_none() && !first.name.is_empty() => {
            (vec![first.name.clone()], first)
        }
        (Some(_), [method, ..]) if instance.is_some() => (
            vec![instance.unwrap_or_default(), method.name.clone()],
            method,
        ),
        // `this.repo.find(..)` with a field holding a `Repo`.
        (Some(Expr::This(_)), [field, method, ..])
            if !field.is_call() && method.is_call() && held.field(&field.name).is_some() =>
        {
            let class = held.field(&field.name).cloned().unwrap_or_default();
            (vec![class, method.name.clone()], method)
        }
        (Some(Expr::This(_)), [first, ..]) => (vec![this_name(), first.name.clone()], first),
        // `rows.map(..)`, `res.json(..)`: a method of a local value or parameter is never a
        // project function the linker could find (those are module-level or `this.`).
        (Some(Expr::Ident(i)), _) if s.is_local(&i.sym) => return None,
        // `services.users.list()`: a namespace's object or namespace, then the function.
        (Some(Expr::Ident(i)), [mid, name, ..]) if !mid.is_call() && name.is_call() => (
            vec![i.sym.clone(), mid.name.clone(), name.name.clone()],
            name,
        ),
        (Some(Expr::Ident(i)), [first, ..]) => (vec![i.sym.clone(), first.name.clone()], first),
        _ => return None,
    })
}

/// Records a call the N+1 rule can use: one in a loop (reported when the callee queries)
/// or in a named function (followed when that function is called in a loop). A call in a
/// `catch` clause is an error path, never per-item work: it is not recorded.
pub(super) fn push_call(
    callee: Vec<Name>,
    span: swc_common::Span,
    loops: Vec<LoopInfo>,
    frames: &Frames,
    at: Offsets,
    calls: &mut Vec<CallFact>,
) {
    if is_global(&callee[0]) || frames.in_catch() {
        return;
    }
    let function = frames.current_function();
    if function.is_none() && loops.is_empty() {
        return;
    }
    calls.push(CallFact {
        callee,
        span: at.span(span),
        loops,
        function,
    });
}

/// `sql.raw(x)`, or `helpers.sql.raw(x)` with the `sql` a relational callback receives.
fn note_raw_sql(
    root: Option<&Expr>,
    segs: &[Seg<'_>],
    s: &Scopes,
    frames: &Frames,
    at: Offsets,
    raw_sql: &mut Vec<RawSqlCall>,
) -> bool {
    let seg = match (root.map(unwrap), segs) {
        (Some(Expr::Ident(i)), [raw, ..]) if &*i.sym == "sql" && raw.name == "raw" => raw,
        (Some(_), [sql, raw, ..]) if sql.name == "sql" && !sql.is_call() && raw.name == "raw" => {
            raw
        }
        _ => return false,
    };
    if !seg.is_call() {
        return false;
    }
    let constant = seg.arg(0).map(|a| is_constant_string(s, a)).unwrap_or(true);
    raw_sql.push(RawSqlCall {
        constant,
        span: at.span(seg.call_span),
        function: frames.current_function(),
    });
    true
}

/// `drizzle(pool, { casing: 'snake_case' })` maps name-less builders to snake_case names.
fn note_casing(seg: &Seg<'_>, facts: &mut FileFacts) {
    for a in seg.args.unwrap_or(&[]) {
        if let Expr::Object(o) = unwrap(&a.expr) {
            for p in &o.props {
                if let PropOrSpread::Prop(p) = p {
                    if let Prop::KeyValue(kv) = &**p {
                        if prop_name(&kv.key).as_deref() == Some("casing")
                            && str_value(&kv.value).as_deref() == Some("snake_case")
                        {
                            facts.snake_case = true;
                        }
                    }
                }
            }
        }
    }
}

/// What a query chain is called on: the links before the first that starts a query (or before
/// `query` of a relational query), and the root.
pub(super) fn receiver(root: Option<&Expr>, segs: &[Seg<'_>], s: &Scopes) -> Receiver {
    let starts = |seg: &Seg<'_>| match seg.is_call() {
        true => QUERY_METHODS.iter().any(|(m, _)| seg.name == *m),
        false => seg.name == "query",
    };
    let start = segs.iter().position(starts).unwrap_or(segs.len());
    // `tx.objectStore('x').delete(key)`: a call before the query's start is some other API.
    if segs[..start].iter().any(Seg::is_call) {
        return Receiver::Other;
    }
    let last = match segs[..start].last() {
        Some(seg) => Some(&seg.name),
        None => match root.map(unwrap) {
            Some(Expr::Ident(i)) => Some(&i.sym),
            _ => None,
        },
    };
    if last.is_some_and(|n| is_db_name(n)) {
        return Receiver::DbName;
    }
    match root.map(unwrap) {
        Some(Expr::Ident(i)) if !s.is_local(&i.sym) => Receiver::Module(i.sym.clone()),
        _ => Receiver::Other,
    }
}

/// `db`, `tx`, `trx`, `database`, or a name ending in `Db`/`DB` (`tenantDb`, `readDB`).
pub(super) fn is_db_name(n: &str) -> bool {
    matches!(n, "db" | "tx" | "trx" | "database") || n.ends_with("Db") || n.ends_with("DB")
}
