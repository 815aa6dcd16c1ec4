//! The rows a project function returns: the reads whose rows it hands back, each with a
//! proof of its own, and (for the rows a caller holds) those of the project functions it
//! returns the checked result of.

use super::keys::{keys_of, proven_directly};
use crate::facts::{FileFacts, Origin};
use crate::ids::{FileId, TableId};
use crate::link::origins::{argument, same_value};
use crate::link::{LinkedQuery, Project};
use crate::predicate::conjuncts_of;
use crate::span::Span;

/// `local`, bound at `from` in the function `body`, is checked past `from` at the function's
/// own level, which leaves when it is missing (`if (!found) throw ..`); with `throws`, by
/// throwing, so that the error reaches a caller.
fn checked_in(facts: &FileFacts, local: &str, from: Span, body: Span, throws: bool) -> bool {
    facts.null_checks.iter().any(|n| {
        (n.throws || !throws)
            && n.within.is_none()
            && *n.local == *local
            && from.hi <= n.span.lo
            && n.span.hi <= body.hi
    })
}

/// How many helpers deep [`returned_rows`] follows `const row = await helper(..); if (!row)
/// throw ..; return row` (a `requireX` over a `getX`).
const HELPER_DEPTH: u8 = 3;

/// The reads of project function `i` of file `f` whose rows it returns, each with a proof of
/// its own: a row it found and checked (`if (!found) throw ..`), or its last query's rows
/// (`return db.query.T.findFirst(..)`, `const found = await ..; return found`). A value of
/// such a row is that tenant's, or there is none.
pub(super) fn returned_reads(project: &Project, f: FileId, i: usize) -> Vec<&LinkedQuery> {
    returned_reads_leaving(project, f, i, false)
}

/// [`returned_reads`]; with `throws`, only those the function throws on when they found
/// nothing (so that past a call whose error stops the caller, the row is there).
fn returned_reads_leaving(
    project: &Project,
    f: FileId,
    i: usize,
    throws: bool,
) -> Vec<&LinkedQuery> {
    let helper = &project.units[f].facts;
    let body = helper.functions[i].span;
    let reads: Vec<&LinkedQuery> = project.queries[f]
        .iter()
        .filter(|p| helper.queries[p.site].scope == Some(body))
        .collect();
    let mut out = vec![];
    for (k, p) in reads.iter().enumerate() {
        let read = &helper.queries[p.site];
        let last = k + 1 == reads.len();
        let returned = match read.result.as_deref() {
            Some(found) => {
                // Leaves when nothing is found (a block entered only with a row says
                // nothing of what is returned past it).
                (last && !throws) || checked_in(helper, found, read.span, body, throws)
            }
            None => {
                !throws
                    && last
                    && read.runs
                        == crate::facts::Runs::InFunction(crate::facts::Handling::AsWritten)
            }
        };
        if read.kind.is_read() && p.alias.is_none() && returned && proven_directly(project, p) {
            out.push(*p);
        }
    }
    out
}

/// [`returned_reads`] of project function `i` of file `f`, and through the project functions it
/// calls and returns the checked result of: `const inv = await getInvoice(t, id); if (!inv)
/// throw ..; return inv` returns `getInvoice`'s rows, found (a caller holding them needs no
/// check of its own past the throw, as for a row the function read itself).
pub(super) fn returned_rows(project: &Project, f: FileId, i: usize) -> Vec<&LinkedQuery> {
    rows_past_call(project, f, i, true)
}

/// The reads whose rows a caller of project function `i` of file `f` holds past the call:
/// [`returned_rows`] when the caller checked what came back (`checked`); else only those the
/// function, and each helper it returns the result of, throws on when they are missing
/// (`const inv = await svc.getOrThrow(id)` over `this.get(id)`).
pub(super) fn rows_past_call(
    project: &Project,
    f: FileId,
    i: usize,
    checked: bool,
) -> Vec<&LinkedQuery> {
    let mut out = vec![];
    returned_rows_at(project, f, i, HELPER_DEPTH, !checked, &mut out);
    out
}

fn returned_rows_at<'p>(
    project: &'p Project,
    f: FileId,
    i: usize,
    depth: u8,
    throws: bool,
    out: &mut Vec<&'p LinkedQuery>,
) {
    out.extend(returned_reads_leaving(project, f, i, throws));
    let Some(depth) = depth.checked_sub(1) else {
        return;
    };
    let helper = &project.units[f].facts;
    let body = helper.functions[i].span;
    for call in helper.result_calls.iter().filter(|c| c.scope == Some(body)) {
        // Leaves when the callee found nothing: what follows has its row.
        if !checked_in(helper, &call.local, call.span, body, throws) {
            continue;
        }
        // Past the check, the callee need only return what it found.
        if let Some((g, j)) = result_callee(project, f, call) {
            if (g, j) != (f, i) {
                returned_rows_at(project, g, j, depth, false, out);
            }
        }
    }
}

/// The project function the call whose result a local holds names: as written (`getX(..)`,
/// `this.get(..)`), or, for a method of an instance (`svc.getOrThrow(..)` with `svc = new
/// InvoiceService(..)`), as the walk of values resolved it.
pub(super) fn result_callee(
    project: &Project,
    file: FileId,
    call: &crate::facts::ResultCall,
) -> Option<(FileId, usize)> {
    project.resolve_function(file, &call.callee).or_else(|| {
        let calls = &project.units[file].facts.origins.calls;
        let resolved = calls
            .iter()
            .find(|c| c.span == call.span && c.callee != call.callee)?;
        project.resolve_function(file, &resolved.callee)
    })
}

/// The read `p` in the function `body` of file `f` is bound to a local the function checks
/// and throws when it is missing (`if (!env) throw new TRPCError(..)`): past a call, the read
/// found its row, whether the caller checks the result or not.
pub(super) fn throws_when_missing(
    project: &Project,
    f: FileId,
    body: Span,
    p: &LinkedQuery,
) -> bool {
    let facts = &project.units[f].facts;
    let read = &facts.queries[p.site];
    read.result
        .as_deref()
        .is_some_and(|found| checked_in(facts, found, read.span, body, true))
}

/// A call of project function `(f, i)`, whose arguments `arg(index, path)` gives, keys by `k`
/// (on a column `accept` takes) a read the function returns: keyed by the parameter the call
/// fills with `k` (`getProject(input.id, orgId)` reading `eq(projects.id, id)`), or through a
/// helper it calls with that parameter and throws when it finds nothing (`getOrThrow(id)`
/// over `this.get(id)`), `depth` helpers deep. `(checked, stops)`: the caller checked the
/// result; the call's error stops the code that needs the row.
pub(super) fn keys_returned_read(
    project: &Project,
    (f, i): (FileId, usize),
    arg: &dyn Fn(u32, &str) -> Option<Origin>,
    k: &Origin,
    (checked, stops): (bool, bool),
    accept: &dyn Fn(TableId, &str, bool) -> bool,
    depth: u8,
) -> bool {
    let callee = &project.units[f].facts;
    let body = callee.functions[i].span;
    let direct = returned_reads(project, f, i).into_iter().any(|p| {
        // Unchecked: when it throws on a missing row and the error stops the code.
        let thrown = || stops && throws_when_missing(project, f, body, p);
        if !(checked || thrown()) {
            return false;
        }
        let all = p.conditions();
        keys_of(callee, &conjuncts_of(&all), &p.instance())
            .iter()
            .any(|(u, o, many)| match o {
                Origin::Param {
                    scope,
                    index,
                    path,
                    each: false,
                } if !many && *scope == body => {
                    arg(*index, path).is_some_and(|a| same_value(k, &a)) && accept(p.table, u, true)
                }
                _ => false,
            })
    });
    if direct || depth == 0 || !(checked || stops) {
        return direct;
    }
    callee
        .origins
        .calls
        .iter()
        .filter(|c| c.scope == Some(body))
        .any(|inner| {
            let Some(found) = inner.result.as_deref() else {
                return false;
            };
            let throws = checked_in(callee, found, inner.span, body, true);
            let Some((g, j)) = project.resolve_function(f, &inner.callee) else {
                return false;
            };
            if !throws || (g, j) == (f, i) {
                return false;
            }
            // What the helper passes, as what the call passed for its own parameters.
            let inner_arg = |index: u32, path: &str| match argument(inner, index, path)? {
                Origin::Param {
                    scope,
                    index,
                    path,
                    each: false,
                } if scope == body => arg(index, &path),
                _ => None,
            };
            keys_returned_read(
                project,
                (g, j),
                &inner_arg,
                k,
                (true, true),
                accept,
                depth - 1,
            )
        })
}
