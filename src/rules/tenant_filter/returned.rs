//! The rows a project function returns: the reads whose rows it hands back, each with a
//! proof of its own, and (for the rows a caller holds) those of the project functions it
//! returns the checked result of.

use super::keys::proven_directly;
use crate::ids::FileId;
use crate::link::{LinkedQuery, Project};

/// How many helpers deep [`returned_rows`] follows `const row = await helper(..); if (!row)
/// throw ..; return row` (a `requireX` over a `getX`).
const HELPER_DEPTH: u8 = 3;

/// The reads of project function `i` of file `f` whose rows it returns, each with a proof of
/// its own: a row it found and checked (`if (!found) throw ..`), or its last query's rows
/// (`return db.query.T.findFirst(..)`, `const found = await ..; return found`). A value of
/// such a row is that tenant's, or there is none.
pub(super) fn returned_reads(project: &Project, f: FileId, i: usize) -> Vec<&LinkedQuery> {
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
                last || helper.null_checks.iter().any(|n| {
                    n.within.is_none()
                        && *n.local == *found
                        && read.span.hi <= n.span.lo
                        && n.span.hi <= body.hi
                })
            }
            None => {
                last && read.runs
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
    let mut out = vec![];
    returned_rows_at(project, f, i, HELPER_DEPTH, &mut out);
    out
}

fn returned_rows_at<'p>(
    project: &'p Project,
    f: FileId,
    i: usize,
    depth: u8,
    out: &mut Vec<&'p LinkedQuery>,
) {
    out.extend(returned_reads(project, f, i));
    let Some(depth) = depth.checked_sub(1) else {
        return;
    };
    let helper = &project.units[f].facts;
    let body = helper.functions[i].span;
    for call in helper.result_calls.iter().filter(|c| c.scope == Some(body)) {
        // Leaves when the callee found nothing: what follows has its row.
        let checked = helper.null_checks.iter().any(|n| {
            n.within.is_none()
                && *n.local == *call.local
                && call.span.hi <= n.span.lo
                && n.span.hi <= body.hi
        });
        if !checked {
            continue;
        }
        if let Some((g, j)) = project.resolve_function(f, &call.callee) {
            if (g, j) != (f, i) {
                returned_rows_at(project, g, j, depth, out);
            }
        }
    }
}
