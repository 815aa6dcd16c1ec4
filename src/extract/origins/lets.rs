//! What the walk keeps of the locals assigned after their declaration (see `assign`, `flow`).

/// How the walk tracks assignments: for each name of `Env::vars`, the region (a block that
/// runs on every path from where it starts, `region`) it was bound in and whether it is
/// still unassigned.
pub(super) struct Lets {
    pub(super) bound: Vec<(u32, bool)>,
    /// The region the walk is in, and the last one made.
    pub(super) region: u32,
    pub(super) regions: u32,
    /// The region of the innermost function's own body: code in it runs on every path of
    /// that function.
    pub(super) fn_region: u32,
    /// The lowest index of `Env::vars` whose value an assignment changed since the innermost
    /// loop or function began.
    pub(super) changed_below: usize,
    /// How many values of no known origin assignments have given (each is named apart).
    pub(super) versions: u32,
    /// Inside a second walk of a loop or function: its inner loops are not walked again.
    pub(super) again: bool,
}

impl Lets {
    pub(super) fn new() -> Self {
        Lets {
            bound: vec![],
            region: 0,
            regions: 0,
            fn_region: 0,
            changed_below: usize::MAX,
            versions: 0,
            again: false,
        }
    }
}
