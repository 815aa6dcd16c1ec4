//! How a query builder's conditions on its paths combine as `where`s are added to it.

/// Adds the `where` `new` to a query builder whose condition on each path through the code is
/// one of `paths` (`none` tells a path without one): the one account of how a `where` added
/// to a builder after it was made combines with what it had, for a builder held in a local
/// and for the clauses a function it is passed to adds. Added on some paths only
/// (`conditional`), it is one more path; on every path it replaces them, except that after a
/// `where` added in a branch (`branch`) the paths that have one may have ended there (`if (s)
/// return q.where(a)`), and stay.
pub fn add_path_where<T>(
    paths: &mut Vec<T>,
    new: T,
    conditional: bool,
    branch: bool,
    none: impl Fn(&T) -> bool,
) {
    if !conditional {
        if branch {
            paths.retain(|p| !none(p));
        } else {
            paths.clear();
        }
    }
    paths.push(new);
}
