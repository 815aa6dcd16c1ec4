//! Facts about the schema as one file defines it: tables, their columns, indexes and foreign
//! keys, shared column groups and the table functions tables are built through.

use crate::span::Span;
use serde::Serialize;

/// [`super::Name`], named here without importing the parent module.
type Name = swc_atoms::Atom;

/// A reference to a table as written: `projects`, `schema.projects`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TableExpr {
    Name(Name),
    Member(Name, Name),
    /// `alias(T, 'name')`: another instance of T under the SQL alias `name`.
    Alias(Name, Box<TableExpr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Pg,
    Mysql,
    Sqlite,
    Singlestore,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Pg => "pg",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
            Dialect::Singlestore => "singlestore",
        }
    }
}

/// A module-level table function: what tables built through it get.
#[derive(Debug, Clone)]
pub struct TableFnDef {
    pub binding: Name,
    pub kind: TableFnKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableFnKind {
    /// `pgTableCreator((name) => `prefix_${name}`)`: called as `createTable('name', ..)`; the
    /// (prefix, suffix) of the name template when it could be read.
    Creator(Dialect, Option<(String, String)>),
    /// `pgSchema('name')`: called as `app.table('name', ..)`.
    Schema(Dialect, String),
}

/// The imported table function a table is built through, when the file cannot tell what it
/// is: `createTable('post', ..)` with `createTable` imported, `app.table('x', ..)` with `app`
/// imported, or either through a namespace import (`db.createTable(..)`). Linking resolves the
/// name and keeps the table only when it is a table function of the right kind.
#[derive(Debug, Clone)]
pub struct ViaImport {
    /// The callee's name path, without `.table`: `["createTable"]`, `["ns", "app"]`.
    pub callee: Vec<Name>,
    /// Called as `X.table(..)`: `X` must be a schema object; otherwise a creator.
    pub schema_table: bool,
}

#[derive(Debug, Clone)]
pub struct TableDef {
    /// The module-level binding (`export const projects = pgTable(..)`).
    pub binding: String,
    pub sql_name: String,
    pub db_schema: Option<String>,
    pub dialect: Dialect,
    pub columns: Vec<ColumnDef>,
    /// Spreads of shared column objects, resolved when linking.
    pub spreads: Vec<String>,
    /// Composite primary key from the extra config (TS keys).
    pub primary_key: Vec<String>,
    pub indexes: Vec<IndexDef>,
    pub foreign_keys: Vec<ForeignKeyDef>,
    pub span: Span,
    /// The table's SQL name argument (or the constructor, when name-less): a one-line place
    /// to report findings about the table as a whole.
    pub name_span: Span,
    /// Built through an imported table function: a candidate until linking resolves it
    /// (boxed: most tables are built in place).
    pub via: Option<Box<ViaImport>>,
}

#[derive(Debug, Clone)]
pub struct ColumnDef {
    pub key: String,
    /// The SQL name as written, or `None` for a name-less builder (`text()`).
    pub sql_name: Option<String>,
    pub builder: String,
    /// Holds a boolean: `boolean(..)`, SQLite's `integer(.., { mode: 'boolean' })`.
    pub boolean: bool,
    /// Holds one of the values listed where it is written: `mysqlEnum(..)`, a text column given
    /// them (`text(.., { enum: [..] })`, also `varchar` and `char`). A `pgEnum(..)`'s product
    /// is known once the enums of every file are (linking).
    pub enumerated: bool,
    pub primary: bool,
    pub unique: bool,
    /// The database or Drizzle fills it when an insert leaves it out: `.default(..)`,
    /// `.defaultRandom()`, `.$defaultFn(..)`, `serial`, identity and generated columns.
    pub has_default: bool,
    pub references: Option<ColumnRef>,
    /// `.notNull()` (or `.primaryKey()`): the column always holds a value.
    pub not_null: bool,
    /// `.references(.., { onDelete: 'set null' })`: a pointer cleared when its target goes.
    pub on_delete_set_null: bool,
    /// Written as a call to a name that is no column builder (`id: id()`, `teamId:
    /// teamRef()`): linking makes it the column that function returns, when it is a
    /// [`ColumnFn`] (boxed: most columns call a builder).
    pub call: Option<Box<ColumnCall>>,
    pub span: Span,
}

/// A module-level function whose body is one column builder chain (`const id = () =>
/// text('id').primaryKey()`, `function teamRef() { return uuid('team_id').references(..) }`):
/// a column written as a call to it is the column it returns.
#[derive(Debug, Clone)]
pub struct ColumnFn {
    pub binding: Name,
    /// The column it returns, its key empty.
    pub column: ColumnDef,
    /// The parameter the builder is given as the SQL name: `(name) => text(name)`.
    pub name_param: Option<usize>,
    /// The parameter `.references(..)` is given: `(to) => text('x').references(to)`.
    pub references_param: Option<usize>,
}

/// A column's call to a name that is no column builder: the name, and what linking may take
/// from its arguments (a string given as the SQL name, a callback given to `.references`).
#[derive(Debug, Clone)]
pub struct ColumnCall {
    pub callee: Name,
    pub args: Vec<ColumnArg>,
}

#[derive(Debug, Clone)]
pub enum ColumnArg {
    Str(String),
    /// `() => teams.id`
    Ref(ColumnRef),
    Other,
}

/// `t.col` where `t` names a table (used by `.references(() => t.col)` and `foreignKey`).
#[derive(Debug, Clone)]
pub struct ColumnRef {
    pub table: TableExpr,
    pub column: String,
}

#[derive(Debug, Clone)]
pub struct IndexDef {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub unique: bool,
    /// `primaryKey(..)` in the extra config is recorded as a unique index too.
    pub primary: bool,
    /// `.where(..)`: a partial index, which covers (and for a unique one, makes unique) only
    /// the rows its condition selects.
    pub partial: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ForeignKeyDef {
    pub columns: Vec<String>,
    pub target: Option<TableExpr>,
    pub target_columns: Vec<String>,
    /// `foreignKey({..}).onDelete('set null')`: its columns are pointers cleared when the
    /// target goes, like `.references(.., { onDelete: 'set null' })`.
    pub on_delete_set_null: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ColumnGroup {
    pub binding: String,
    pub columns: Vec<ColumnDef>,
}
