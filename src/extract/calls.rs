//! Calls other than queries: calls to what may be project functions (for N+1 through calls),
//! `sql.raw(..)`, and the `casing` option of `drizzle(..)`.

use super::ast::{prop_name, str_value, this_name, unwrap, Offsets};
use super::chain::Seg;
use super::constants::is_constant_string;
use super::frames::Frames;
use super::names::{is_global, is_operator};
use super::scope::Scopes;
use crate::facts::*;
use swc_ecma_ast::*;

/// Records a call to what may be a project function, for N+1 through calls; and `sql.raw`.
pub(super) fn note_call(
    root: Option<&Expr>,
    segs: &[Seg<'_>],
    s: &Scopes,
    frames: &Frames,
    at: Offsets,
    facts: &mut FileFacts,
) {
    if note_raw_sql(root, segs, s, frames, at, &mut facts.raw_sql) {
        return;
    }
    let callee: Vec<Name> = match (root.map(unwrap), segs) {
        (None, [first, ..]) if first.object.is_none() && !first.name.is_empty() => {
            vec![first.name.clone()]
        }
        (Some(Expr::This(_)), [first, ..]) => vec![this_name(), first.name.clone()],
        // `rows.map(..)`, `res.json(..)`: a method of a local value or parameter is never a
        // project function the linker could find (those are module-level or `this.`).
        (Some(Expr::Ident(i)), _) if s.is_local(&i.sym) => return,
        (Some(Expr::Ident(i)), [first, ..]) => {
            vec![i.sym.clone(), first.name.clone()]
        }
        _ => return,
    };
    if callee.len() == 1 && (callee[0] == "drizzle" || callee[0] == "defineConfig") {
        note_casing(&segs[0], facts);
    }
    let is_call =
        segs.first().is_some_and(Seg::is_call) || (callee.len() == 2 && segs[0].is_call());
    if !is_call || is_global(&callee[0]) || is_operator(&callee[0]) {
        return;
    }
    let loops = frames.current_loops();
    push_call(
        callee,
        segs[0].call_span,
        loops,
        frames,
        at,
        &mut facts.calls,
    );
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
