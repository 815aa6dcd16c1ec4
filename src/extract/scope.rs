//! What the names of a file stand for, as far as the file can tell: bindings by scope, and the
//! names that construct tables.

use super::names;
use crate::facts::*;
use swc_atoms::Atom;
use swc_ecma_ast::*;

/// Hashes short identifiers in a few instructions (the default hasher is built to resist
/// flooding, which costs a tenth of extraction here).
type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// What a local name stands for, as far as this file can tell.
#[derive(Debug, Clone)]
pub(super) enum Binding {
    /// A value we know nothing useful about (shadows any module-level table of that name).
    Opaque,
    /// A function parameter.
    Param,
    /// Another name for a table (`alias(T, ..)`, `const t = T`).
    Alias(TableExpr),
    /// A predicate value (`const cond = eq(..)`).
    Pred(RawPred),
    /// An array of conditions built with a literal and `.push(..)`; `depth` is how many
    /// conditional constructs enclosed its declaration.
    Array { elems: Vec<RawPred>, depth: u32 },
    /// The table parameter of a relational `where` callback.
    SelfTable,
    /// The operators parameter of a relational `where` callback.
    Ops,
    /// A drizzle operator under another name (`{ eq: eqFn }`, `import { eq as equals }`).
    Operator(Name),
    /// A constant string (or a parameter typed as a union of string literals).
    Str,
    /// An object literal whose values are all constant strings: a lookup table of constants
    /// (its keys kept, should it be written as a row).
    StrMap(RowKeys),
    /// Row objects (`const row = { .. }`, `const rows = [{ .. }, ..]`): the keys each sets,
    /// for an insert's `.values(row)`.
    Rows(Vec<RowKeys>),
    /// A function defined in the enclosing one (`const where = (c) => and(..)`), by its index
    /// among the file's functions.
    LocalFn(u32),
}

/// What a name constructs: a table, a table creator's product, a table of a `pgSchema(..)`.
#[derive(Clone, Debug)]
pub(super) enum TableFn {
    Table(Dialect),
    /// `pgTableCreator((name) => `prefix_${name}`)`'s product, with the (prefix, suffix).
    Creator(Dialect, Option<(String, String)>),
    /// `pgSchema('name')`'s product.
    Schema(Dialect, String),
    MakeCreator(Dialect),
    MakeSchema(Dialect),
}

/// Drizzle's own table constructors, creators and schema constructors.
fn builtin_table_fn(name: &str) -> Option<TableFn> {
    names::table_constructor(name)
        .map(TableFn::Table)
        .or_else(|| names::table_creator(name).map(TableFn::MakeCreator))
        .or_else(|| names::schema_constructor(name).map(TableFn::MakeSchema))
}

/// The names in scope, keyed by swc's atoms (a binding copies no name). Module-level names are
/// many and looked up often: a map. A function's own names are few and come and go with it: one
/// stack for all of them, searched from the innermost, so entering a function allocates nothing.
/// A relational `where` callback opens a scope too without being a function the walk enters:
/// whether the walk is at module level is for the walk's frames to say, not for this stack.
#[derive(Default)]
pub(super) struct Scopes {
    module: HashMap<Atom, Binding>,
    locals: Vec<(Atom, Binding)>,
    /// Where each open scope (a function, a relational callback) starts in `locals`.
    starts: Vec<usize>,
    /// Local names of table constructors, creators and `pgSchema(..)` objects made in this file
    /// or imported under another name; Drizzle's own names are in [`builtin_table_fn`].
    table_fns: HashMap<String, TableFn>,
    /// Module-level names of aggregates: `const total = sql`count(*)``, and functions that
    /// return one (`function countOf() { return count(); }`). Selecting one (or calling one)
    /// selects an aggregate.
    pub(super) aggregates: Vec<Atom>,
    /// Functions of the module that never return (they always throw: typed `never`, a body
    /// ending in `throw`), and imports of such functions from frameworks (`notFound`).
    pub(super) never: Vec<Atom>,
    /// A property of the module handles requests (`origins::handles_requests`).
    pub(super) request_props: bool,
    /// Where the file starts in swc's positions: values are known by their offset in the file.
    pub(super) base: u32,
}

impl Scopes {
    /// The scopes of a file that starts at `base` in swc's positions.
    pub(super) fn new(base: u32) -> Self {
        Scopes {
            base,
            ..Scopes::default()
        }
    }

    /// Where the value `e` starts in the file (see [`ValueAt`]).
    pub(super) fn value_at(&self, e: &Expr) -> ValueAt {
        use swc_common::Spanned;
        e.span().lo.0.saturating_sub(self.base)
    }

    /// Opens the scope of a function or callback.
    pub(super) fn push(&mut self) {
        self.starts.push(self.locals.len());
    }

    /// Closes the innermost scope and forgets its names.
    pub(super) fn pop(&mut self) {
        if let Some(start) = self.starts.pop() {
            self.locals.truncate(start);
        }
    }

    /// Bound inside a function (a parameter or a local), not at module level.
    pub(super) fn is_local(&self, name: &Atom) -> bool {
        self.locals.iter().any(|(n, _)| n == name)
    }

    pub(super) fn get(&self, name: &Atom) -> Option<&Binding> {
        match self.locals.iter().rev().find(|(n, _)| n == name) {
            Some((_, b)) => Some(b),
            None => self.module.get(name),
        }
    }

    pub(super) fn get_mut(&mut self, name: &Atom) -> Option<&mut Binding> {
        match self.locals.iter_mut().rev().find(|(n, _)| n == name) {
            Some((_, b)) => Some(b),
            None => self.module.get_mut(name),
        }
    }

    /// Binds in the innermost scope. A name bound again there is pushed again: lookups search
    /// from the newest, so the new binding is the one seen.
    pub(super) fn bind(&mut self, name: &Atom, b: Binding) {
        if self.starts.is_empty() {
            self.module.insert(name.clone(), b);
        } else {
            self.locals.push((name.clone(), b));
        }
    }

    /// Binds every name a pattern introduces: a plain name as `b`, destructured names as opaque.
    pub(super) fn bind_pat(&mut self, pat: &Pat, b: Binding) {
        match pat {
            Pat::Ident(i) => self.bind(&i.id.sym, b),
            Pat::Array(a) => {
                for p in a.elems.iter().flatten() {
                    self.bind_pat(p, Binding::Opaque);
                }
            }
            Pat::Object(o) => {
                for p in &o.props {
                    match p {
                        ObjectPatProp::KeyValue(kv) => self.bind_pat(&kv.value, Binding::Opaque),
                        ObjectPatProp::Assign(a) => self.bind(&a.key.id.sym, Binding::Opaque),
                        ObjectPatProp::Rest(r) => self.bind_pat(&r.arg, Binding::Opaque),
                    }
                }
            }
            Pat::Rest(r) => self.bind_pat(&r.arg, b),
            Pat::Assign(a) => self.bind_pat(&a.left, b),
            _ => {}
        }
    }

    /// Forgets `name` in the innermost scope, so that an outer binding shows again.
    pub(super) fn unbind(&mut self, name: &Atom) {
        match self.starts.last() {
            Some(&start) => {
                let mut i = start;
                while i < self.locals.len() {
                    if &self.locals[i].0 == name {
                        self.locals.remove(i);
                    } else {
                        i += 1;
                    }
                }
            }
            None => {
                self.module.remove(name);
            }
        }
    }

    /// What `name` constructs: a local table function first (it shadows Drizzle's name).
    pub(super) fn table_fn(&self, name: &str) -> Option<TableFn> {
        match self.table_fns.get(name) {
            Some(f) => Some(f.clone()),
            None => builtin_table_fn(name),
        }
    }

    /// Records that the module-level `name` constructs tables (`const createTable =
    /// pgTableCreator(..)`, `import { pgTable as table }`).
    pub(super) fn set_table_fn(&mut self, name: String, f: TableFn) {
        self.table_fns.insert(name, f);
    }
}
