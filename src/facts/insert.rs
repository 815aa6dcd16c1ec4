//! Facts about an insert: the keys its rows set and its conflict clause.

use crate::span::Span;

/// [`super::Name`], named here without importing the parent module.
type Name = swc_atoms::Atom;

/// What an insert writes: its rows' keys, and its conflict clause.
#[derive(Debug, Clone, PartialEq)]
pub struct InsertFacts {
    pub values: InsertValues,
    pub conflict: Option<Conflict>,
}

/// The rows an insert's `.values(..)` writes, as far as the file shows them.
#[derive(Debug, Clone, PartialEq)]
pub enum InsertValues {
    /// Objects written out (an object, an array of objects, a `.map(..)` callback returning one,
    /// a local `const` holding them): one entry per row shape.
    Rows(Vec<RowKeys>),
    /// Rows that cannot be seen (a parameter, a call's result).
    Opaque,
    /// `insert(T).select(..)`: rows from a query.
    Select,
}

/// The keys one row object sets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowKeys {
    pub keys: Vec<Name>,
    /// The row also takes keys from something not visible (`...input`): more may be set.
    pub opaque: bool,
    /// The keys the row surely holds as written: set by a key of its own after every spread
    /// that may set them too (`{ ...input, reportId: report.id }`).
    pub settled: Vec<Name>,
    /// The keys whose value no client chose: a fresh id made in place (`id: newId('key')`,
    /// `crypto.randomUUID()`, or a local `const` holding one) or a constant.
    pub fixed: Vec<Name>,
}

impl RowKeys {
    /// The row is given a key after everything written before (`{ .., k: v }`, `row.k = v`):
    /// the key, now settled; or a key not known (`[k]: v`): any key may be set, none is sure.
    pub fn set(&mut self, key: Option<Name>) {
        match key {
            Some(k) => {
                self.settled.push(k.clone());
                self.keys.push(k);
            }
            None => {
                self.settled.clear();
                self.opaque = true;
            }
        }
    }

    /// The row takes the keys of `inner` (`{ ..inner }`): what they may overwrite is no
    /// longer settled.
    pub fn spread(&mut self, inner: RowKeys) {
        if inner.opaque {
            self.settled.clear();
        } else {
            self.settled.retain(|k| !inner.keys.contains(k));
        }
        self.opaque |= inner.opaque;
        self.keys.extend(inner.keys);
        self.fixed.extend(inner.fixed);
    }
}

/// An insert's conflict clause.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub action: ConflictAction,
    /// `onConflictDoUpdate`'s `target` as column keys (`T.id`, `[T.teamId, T.slug]`); `None` when
    /// it is not written as columns of the table.
    pub target: Option<Vec<Name>>,
    /// The keys its `set` writes (`opaque` when it spreads something not visible).
    pub set: RowKeys,
    /// Where the conflict method is named.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictAction {
    /// `onConflictDoUpdate` (pg, sqlite).
    DoUpdate,
    /// `onConflictDoNothing`.
    DoNothing,
    /// `onDuplicateKeyUpdate` (MySQL).
    DuplicateKeyUpdate,
}
