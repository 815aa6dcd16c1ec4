//! Name lists the extractor recognises. Kept in one place so rules and docs agree.

use crate::facts::LoopKind;

/// Drizzle's condition operators (`drizzle-orm` and the relational callback's second argument).
pub fn is_operator(name: &str) -> bool {
    // (Asked of every call: most names are told apart by their first letter.)
    if !name.starts_with(['e', 'n', 'g', 'l', 'i', 'b', 'a', 'o']) {
        return false;
    }
    matches!(
        name,
        "eq" | "ne"
            | "gt"
            | "gte"
            | "lt"
            | "lte"
            | "isNull"
            | "isNotNull"
            | "inArray"
            | "notInArray"
            | "exists"
            | "notExists"
            | "between"
            | "notBetween"
            | "like"
            | "notLike"
            | "ilike"
            | "notIlike"
            | "and"
            | "or"
            | "not"
            | "arrayContains"
            | "arrayContained"
            | "arrayOverlaps"
    )
}

/// A method whose function argument is an action's body: next-safe-action's `action` and
/// `stateAction`, zsa's, oRPC's and TanStack Start's `handler`. The function's first parameter
/// holds the validated input and the middleware's context; a call of the value the chain
/// returns runs the function.
#[inline]
pub fn is_action_method(name: &str) -> bool {
    matches!(name, "action" | "stateAction" | "handler")
}

/// A function that returns its function argument memoised, to be called as it would be: React's
/// `cache(fn)` (a Next.js data access layer's getters) and Next's `unstable_cache(fn, keys)`.
#[inline]
pub fn is_function_wrapper(name: &str) -> bool {
    matches!(name, "cache" | "unstable_cache")
}

/// The call's argument `n` is the function a value made by the call runs when called: an
/// action client's ([`is_action_method`]) or a memoising wrapper's first
/// ([`is_function_wrapper`]).
#[inline]
pub fn wraps_function(name: &str, n: usize) -> bool {
    is_action_method(name) || (n == 0 && is_function_wrapper(name))
}

/// A method whose function argument is a procedure: tRPC's `query`, `mutation` and
/// `subscription`, and the action clients' ([`is_action_method`]).
#[inline]
pub fn is_procedure_method(name: &str) -> bool {
    matches!(name, "query" | "mutation" | "subscription") || is_action_method(name)
}

/// Table constructors and their dialect.
pub fn table_constructor(name: &str) -> Option<crate::facts::Dialect> {
    use crate::facts::Dialect::*;
    match name {
        "pgTable" => Some(Pg),
        "mysqlTable" => Some(Mysql),
        "sqliteTable" => Some(Sqlite),
        "singlestoreTable" => Some(Singlestore),
        _ => None,
    }
}

pub fn table_creator(name: &str) -> Option<crate::facts::Dialect> {
    use crate::facts::Dialect::*;
    match name {
        "pgTableCreator" => Some(Pg),
        "mysqlTableCreator" => Some(Mysql),
        "sqliteTableCreator" => Some(Sqlite),
        "singlestoreTableCreator" => Some(Singlestore),
        _ => None,
    }
}

pub fn schema_constructor(name: &str) -> Option<crate::facts::Dialect> {
    use crate::facts::Dialect::*;
    match name {
        "pgSchema" => Some(Pg),
        "mysqlSchema" => Some(Mysql),
        "singlestoreSchema" => Some(Singlestore),
        _ => None,
    }
}

/// Column builders of every dialect, for recognising shared column objects outside tables.
pub fn is_column_builder(name: &str) -> bool {
    matches!(
        name,
        "bigint"
            | "bigserial"
            | "binary"
            | "bit"
            | "blob"
            | "boolean"
            | "char"
            | "cidr"
            | "customType"
            | "date"
            | "datetime"
            | "decimal"
            | "double"
            | "doublePrecision"
            | "float"
            | "geometry"
            | "inet"
            | "int"
            | "integer"
            | "interval"
            | "json"
            | "jsonb"
            | "line"
            | "macaddr"
            | "macaddr8"
            | "mediumint"
            | "mediumtext"
            | "longtext"
            | "tinytext"
            | "numeric"
            | "point"
            | "real"
            | "serial"
            | "smallint"
            | "smallserial"
            | "text"
            | "time"
            | "timestamp"
            | "tinyint"
            | "uuid"
            | "varbinary"
            | "varchar"
            | "vector"
            | "year"
            | "mysqlEnum"
    ) || name.ends_with("Enum")
}

/// The loop kind of the array method whose callback runs once per element that `name` is.
pub fn iteration_method(name: &str) -> Option<LoopKind> {
    const METHODS: [&str; 11] = [
        "map",
        "forEach",
        "flatMap",
        "reduce",
        "reduceRight",
        "filter",
        "some",
        "every",
        "find",
        "findIndex",
        "findLast",
    ];
    METHODS
        .iter()
        .find(|&&m| m == name)
        .map(|&m| LoopKind::Method(m))
}

/// Aggregate functions: a selection of nothing but these returns one row without `groupBy`.
pub fn is_aggregate(name: &str) -> bool {
    matches!(
        name,
        "count" | "countDistinct" | "sum" | "sumDistinct" | "avg" | "avgDistinct" | "min" | "max"
    )
}

/// Globals whose calls are never project functions (not recorded as call facts).
pub fn is_global(name: &str) -> bool {
    matches!(
        name,
        "console"
            | "Math"
            | "JSON"
            | "Object"
            | "Array"
            | "Promise"
            | "Number"
            | "String"
            | "Boolean"
            | "Date"
            | "Symbol"
            | "Reflect"
            | "Error"
            | "Buffer"
            | "process"
            | "parseInt"
            | "parseFloat"
            | "setTimeout"
            | "setInterval"
            | "require"
            | "structuredClone"
            | "encodeURIComponent"
            | "decodeURIComponent"
            | "fetch"
            | "BigInt"
            | "Map"
            | "Set"
    )
}

/// Column builders whose column the database fills on insert (`serial`).
pub fn builder_has_default(name: &str) -> bool {
    matches!(name, "serial" | "bigserial" | "smallserial")
}

/// Column modifiers after which an insert may leave the column out: a default, a generated or
/// identity column, an auto-increment key. (`$onUpdate` runs on insert too when there is no
/// default.)
pub fn modifier_sets_default(name: &str) -> bool {
    matches!(
        name,
        "default"
            | "defaultNow"
            | "defaultRandom"
            | "$default"
            | "$defaultFn"
            | "$onUpdate"
            | "$onUpdateFn"
            | "generatedAlwaysAs"
            | "generatedAlwaysAsIdentity"
            | "generatedByDefaultAsIdentity"
            | "autoincrement"
    )
}

/// Functions that make a fresh unique id (`newId`, `nanoid`, `crypto.randomUUID`, `uuidv4`).
pub fn is_id_generator(name: &str) -> bool {
    matches!(
        name,
        "newId"
            | "createId"
            | "generateId"
            | "genId"
            | "nanoid"
            | "cuid"
            | "cuid2"
            | "ulid"
            | "uuid"
            | "uuidv4"
            | "uuidv7"
            | "v4"
            | "v7"
            | "randomUUID"
            | "generateUUID"
    )
}
