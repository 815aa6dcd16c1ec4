//! Conditions in the resolved algebra: each operand's table resolved, and calls to project
//! helpers that return a condition inlined with their parameters bound to the caller's
//! arguments.

use super::model::{HashMap, Project, Table};
use super::resolve::Memo;
use crate::facts::{dotted, Base, Name, Operand, RawArg, RawPred, TableExpr};
use crate::ids::{FileId, TableId};
use crate::predicate::{CannotFilter, Col, Opnd, Pred, TableRef};

/// How many helpers deep a condition is inlined.
pub(crate) const MAX_INLINE: u32 = 4;

impl Project {
    pub(super) fn resolve_pred<'a>(&'a self, raw: &'a RawPred, ctx: &Ctx<'_, 'a>) -> Pred {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.resolve_pred_inner(raw, ctx))
    }

    fn resolve_pred_inner<'a>(&'a self, raw: &'a RawPred, ctx: &Ctx<'_, 'a>) -> Pred {
        let opnd = |o: &'a Operand| self.resolve_operand(o, ctx);
        let col_of = |o: &'a Operand| -> Result<Option<Col>, String> {
            match self.resolve_operand(o, ctx)? {
                Opnd::Col(c) => Ok(Some(c)),
                Opnd::Value(_) => Ok(None),
            }
        };
        let opaque = |why: String| Pred::Unknown {
            why,
            mentions: vec![],
            cannot_filter: CannotFilter::NOTHING,
        };
        // The column side of a comparison (`eq(col, v)`, `isNull(col)`, `inArray(col, vs)`)
        // written as a module-level name's column that names no table found (`t.projects.orgId`
        // through a name not followed, or a table of a package): a column all the same, of a
        // table not read, so the condition is unknown rather than no filter at all.
        let column_side = |o: &'a Operand| match col_of(o)? {
            None => unresolved_column(o).map_or(Ok(None), Err),
            c => Ok(c),
        };
        match raw {
            RawPred::Eq(x, y) => match (opnd(x), opnd(y)) {
                (Ok(a @ Opnd::Value(_)), Ok(b)) => match unresolved_column(x) {
                    Some(why) => opaque(why),
                    None => Pred::Eq(a, b),
                },
                (Ok(a), Ok(b)) => Pred::Eq(a, b),
                (Err(why), _) | (_, Err(why)) => opaque(why),
            },
            RawPred::InArray(a, at) => match column_side(a) {
                // Where the values start means something in the query's own function only.
                Ok(Some(c)) => Pred::InArray(c, at.filter(|_| ctx.here)),
                Ok(None) => Pred::Other(vec![]),
                Err(why) => opaque(why),
            },
            RawPred::IsNull(a) | RawPred::IsNotNull(a) => match column_side(a) {
                Ok(Some(c)) if matches!(raw, RawPred::IsNull(_)) => Pred::IsNull(c),
                Ok(Some(c)) => Pred::IsNotNull(c),
                Ok(None) => Pred::Other(vec![]),
                Err(why) => opaque(why),
            },
            RawPred::Other(ops) => Pred::Other(
                ops.iter()
                    .filter_map(|o| col_of(o).ok().flatten())
                    .collect(),
            ),
            RawPred::And(ps) => Pred::And(ps.iter().map(|p| self.resolve_pred(p, ctx)).collect()),
            RawPred::Or(ps) => Pred::Or(ps.iter().map(|p| self.resolve_pred(p, ctx)).collect()),
            RawPred::Not(p) => Pred::Not(Box::new(self.resolve_pred(p, ctx))),
            RawPred::Undefined => Pred::Undefined,
            RawPred::False => Pred::False,
            RawPred::Unknown { why, mentions, sql } => {
                let mentions: Vec<Col> = mentions
                    .iter()
                    .filter_map(|o| col_of(o).ok().flatten())
                    .collect();
                // A raw fragment that interpolates no tenant (soft-delete) column and names
                // none cannot filter by tenant (deleted rows).
                // (Columns of two instances may join through a foreign key: not decided.)
                let cannot_filter = sql.as_deref().map_or(CannotFilter::NOTHING, |sql| {
                    let text = &*sql.lower;
                    let interpolates = |of: fn(&Table) -> &[String]| {
                        mentions
                            .iter()
                            .any(|c| of(self.table(c.table.id)).iter().any(|k| **k == *c.key))
                    };
                    CannotFilter {
                        tenant: mentions.windows(2).all(|w| w[0].table == w[1].table)
                            && !interpolates(|t| &t.tenant_named)
                            && !Self::names_any(text, &self.raw_names.tenant),
                        deleted: !interpolates(|t| &t.soft_delete_columns)
                            && !Self::names_any(text, &self.raw_names.deleted),
                    }
                });
                let whole = Pred::Unknown {
                    why: why.clone(),
                    mentions,
                    cannot_filter,
                };
                // What the text says about the query's own table, read.
                let read = sql.as_deref().zip(ctx.self_table).and_then(|(sql, table)| {
                    let values: Vec<_> = sql.values.iter().map(opnd).collect();
                    super::fragment::read(self, table, sql.parts(), &values)
                });
                match read {
                    None => whole,
                    Some((mut read, rest)) => {
                        if rest {
                            read.push(whole);
                        }
                        Pred::and(read)
                    }
                }
            }
            RawPred::Param(p) => match ctx.env.and_then(|e| e.get(&**p)) {
                Some(arg) => arg.pred.clone(),
                None => opaque(format!(
                    "the parameter `{p}`, a condition passed in by the caller"
                )),
            },
            RawPred::Call {
                callee,
                args,
                local,
            } => self.inline_call(callee, args, *local, ctx),
            // A builder's condition on its paths (its query's own `where`, read there).
            RawPred::Paths(_) | RawPred::Pass(_) => Pred::Or(
                self.raw_paths(raw, ctx, &mut Default::default())
                    .into_iter()
                    .map(|p| p.unwrap_or(Pred::Undefined))
                    .collect(),
            ),
        }
    }

    pub(super) fn resolve_operand<'a>(
        &'a self,
        o: &'a Operand,
        ctx: &Ctx<'_, 'a>,
    ) -> Result<Opnd, String> {
        let (base, key, at) = match o {
            // `cols.userId` of a column bag the caller passed (`{ userId: notes.userId }`): the
            // column under that key; a key it lacks is no column.
            Operand::Member {
                base: Base::Param(p),
                key,
                ..
            } if ctx
                .env
                .and_then(|e| e.get(&**p))
                .is_some_and(|a| !a.bag.is_empty()) =>
            {
                let bag = ctx.env.and_then(|e| e.get(&**p)).map(|a| &a.bag[..]);
                return Ok(
                    match bag.and_then(|b| b.iter().find(|(k, _)| **k == **key)) {
                        Some((_, c)) => Opnd::Col(c.clone()),
                        None => Opnd::Value(None),
                    },
                );
            }
            Operand::Member { base, key, at } => (base, key, *at),
            // Where a value starts means something only in the query's own function (and the
            // functions defined in it), not in a helper written elsewhere.
            Operand::Value(at) if ctx.here => return Ok(Opnd::Value(*at)),
            Operand::Value(_) => return Ok(Opnd::Value(None)),
            // A column passed to an inlined helper; anything else passed is a value.
            // In the query's own function (not inlined) the parameter is a value with a path, like
            // any bare name, so that a later query keyed by the same name can be recognised.
            Operand::Param(p, at) => {
                return Ok(match ctx.env.and_then(|e| e.get(&**p)) {
                    Some(Arg { col: Some(c), .. }) => Opnd::Col(c.clone()),
                    _ if ctx.here => Opnd::Value(Some(*at)),
                    _ => Opnd::Value(None),
                })
            }
        };
        match self.resolve_base(base, ctx)? {
            Some(table) => Ok(Opnd::Col(Col {
                table,
                key: key.clone(),
            })),
            // `input.id` of the query's own function: a path, like a local's property.
            None => Ok(Opnd::Value(match base {
                Base::Param(_) if ctx.depth == 0 && ctx.env.is_none() => Some(at),
                _ => None,
            })),
        }
    }

    /// `Ok(None)`: not a table (so `x.key` is a value); `Err`: a parameter nobody bound.
    fn resolve_base<'a>(
        &'a self,
        base: &'a Base,
        ctx: &Ctx<'_, 'a>,
    ) -> Result<Option<TableRef>, String> {
        match base {
            Base::Table(t) => Ok(self.resolve_ref_in(ctx.file, t, ctx.memo)),
            Base::SelfTable => Ok(ctx.self_table.map(TableRef::from)),
            // Outside an inlined helper, a parameter of the enclosing function (`ctx.orgId`,
            // `input.id`) is a value the caller passes in, never a table.
            Base::Param(p) => match ctx.env {
                None => Ok(None),
                Some(env) => match env.get(&**p) {
                    Some(arg) => Ok(arg.table.clone()),
                    None => Err(format!("a column of the parameter `{p}`")),
                },
            },
        }
    }

    /// The column an argument names: `T.key` with `T` a table (read by the extraction as the
    /// namespace-like `T.key`), or a parameter of an inlined helper bound to a column.
    fn column_arg(&self, arg: &Base, ctx: &Ctx<'_, '_>) -> Option<Col> {
        match arg {
            Base::Table(TableExpr::Member(t, key)) => Some(Col {
                table: self.resolve_ref(ctx.file, &TableExpr::Name(t.clone()))?,
                key: key.clone(),
            }),
            Base::Param(p) => ctx.env?.get(&**p)?.col.clone(),
            _ => None,
        }
    }

    /// The function a helper call names. `this.m(..)` written in a method of class `C` is
    /// `C.m` (a file may hold several classes, each with its own `ownership`); not found there
    /// (an inherited method), it is not read.
    fn helper_of(&self, callee: &[Name], ctx: &Ctx<'_, '_>) -> Option<(FileId, usize)> {
        match (callee, ctx.class) {
            ([this, method], Some(class)) if this == "this" => {
                self.method_of(ctx.file, class, method, 0)
            }
            _ => self.resolve_function(ctx.file, callee),
        }
    }

    /// `class.method` in `file`, or the method the class inherits (`extends Base`, the base
    /// class found through imports), a few classes up.
    pub(super) fn method_of(
        &self,
        file: FileId,
        class: &str,
        method: &str,
        hops: u32,
    ) -> Option<(FileId, usize)> {
        let facts = &self.units[file].facts;
        let own = facts.functions.iter().position(|d| {
            d.name
                .strip_prefix(class)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|m| m == method)
        });
        if let Some(i) = own {
            return Some((file, i));
        }
        if hops >= MAX_INLINE {
            return None;
        }
        let (_, base) = facts.class_bases.iter().find(|(c, _)| **c == *class)?;
        match self.resolve_local(file, base, 0)? {
            super::resolve::Sym::Object(f, i) => {
                let name = &self.units[f].facts.functions[i].name;
                let base = name.rsplit_once('.').map_or(&**name, |(c, _)| c);
                self.method_of(f, base, method, hops + 1)
            }
            _ => None,
        }
    }

    /// The column bag an argument is: an object literal of columns, or a parameter bound to
    /// one.
    fn bag_arg<'a>(&'a self, a: &'a RawArg, ctx: &Ctx<'_, 'a>) -> Vec<(&'a Name, Col)> {
        if let Some(Base::Param(p)) = &a.table {
            return ctx
                .env
                .and_then(|e| e.get(&**p))
                .map(|arg| arg.bag.clone())
                .unwrap_or_default();
        }
        a.bag
            .iter()
            .filter_map(|(k, o)| match self.resolve_operand(o, ctx) {
                Ok(Opnd::Col(c)) => Some((k, c)),
                _ => None,
            })
            .collect()
    }

    /// A project helper returning a predicate, inlined with its parameters bound to the
    /// caller's arguments (a few levels deep).
    fn inline_call<'a>(
        &'a self,
        callee: &[Name],
        args: &'a [RawArg],
        local: Option<u32>,
        ctx: &Ctx<'_, 'a>,
    ) -> Pred {
        let shown = dotted(callee);
        let opaque = |why: String| Pred::Unknown {
            why,
            mentions: vec![],
            cannot_filter: CannotFilter::NOTHING,
        };
        if ctx.depth >= MAX_INLINE {
            return opaque(format!(
                "`{shown}(..)`, nested helpers deeper than drizzle-guard follows"
            ));
        }
        let found = match local {
            Some(i) => Some((ctx.file, i as usize)),
            None => self.helper_of(callee, ctx),
        };
        let Some((f, i)) = found else {
            return opaque(format!(
                "`{shown}(..)`, which is not defined in the checked files"
            ));
        };
        let def = &self.units[f].facts.functions[i];
        let Some(returns) = &def.returns else {
            return opaque(format!(
                "`{shown}(..)`, which does not return a condition drizzle-guard can read"
            ));
        };
        let mut env = HashMap::default();
        for (p, a) in def.params.iter().zip(args) {
            let pred = self.resolve_pred(&a.pred, ctx);
            let table = a
                .table
                .as_ref()
                .and_then(|b| self.resolve_base(b, ctx).ok().flatten());
            let col = match &a.table {
                Some(b) if table.is_none() => self.column_arg(b, ctx),
                _ => None,
            };
            let bag = self.bag_arg(a, ctx);
            env.insert(
                &**p,
                Arg {
                    pred,
                    table,
                    col,
                    bag,
                },
            );
        }
        for p in def.params.iter().skip(args.len()) {
            // A table default is resolved where the helper is written.
            let table = def
                .defaults
                .iter()
                .find(|(d, _)| d == p)
                .and_then(|(_, b)| match b {
                    Base::Table(t) => self.resolve_ref_in(f, t, ctx.memo),
                    _ => None,
                });
            env.insert(
                &**p,
                Arg {
                    pred: Pred::Undefined,
                    table,
                    col: None,
                    bag: vec![],
                },
            );
        }
        self.resolve_pred(
            returns,
            &Ctx {
                file: f,
                self_table: None,
                env: Some(&env),
                depth: ctx.depth + 1,
                here: ctx.here && local.is_some(),
                memo: ctx.memo,
                class: def.name.rsplit_once('.').map(|(c, _)| c),
            },
        )
    }
}

/// A helper's parameter bound to an argument of its caller.
#[derive(Debug, Clone)]
struct Arg<'a> {
    pred: Pred,
    table: Option<TableRef>,
    /// The column passed (`helper(projects.organizationId, ..)`), or passed on by a helper
    /// that received it.
    col: Option<Col>,
    /// The columns of a column bag passed (`{ userId: notes.userId }`), or passed on by a
    /// helper that received it; empty for anything else.
    bag: Vec<(&'a Name, Col)>,
}

/// Where a condition is resolved: the file whose names it uses, the table its query reads (for
/// conditions written as a callback of the table), and, inside an inlined helper, what its
/// parameters are bound to and how deep the inlining is.
pub(super) struct Ctx<'e, 'a> {
    pub(super) file: FileId,
    pub(super) self_table: Option<TableId>,
    env: Option<&'e HashMap<&'e str, Arg<'a>>>,
    depth: u32,
    /// Whether a value's start is in the query's own function (or a function defined in it,
    /// inlined there), where its origin is known; not in a helper written elsewhere.
    here: bool,
    pub(super) memo: &'e Memo<'a>,
    /// The class (or object) whose method the condition is written in, for `this.m(..)`.
    class: Option<&'a str>,
}

impl<'e, 'a> Ctx<'e, 'a> {
    pub(super) fn new(file: FileId, self_table: Option<TableId>, memo: &'e Memo<'a>) -> Self {
        Ctx {
            file,
            self_table,
            env: None,
            depth: 0,
            here: true,
            memo,
            class: None,
        }
    }

    /// Written in `function` (`Class.method`): `this.m(..)` is that class's method.
    pub(super) fn within(mut self, function: Option<&'a str>) -> Self {
        self.class = function.and_then(|f| f.rsplit_once('.')).map(|(c, _)| c);
        self
    }
}

/// `ns.table.col` or `name.col` in a column's place whose base names no table: what the
/// condition is made unknown by (a value there is read as a value).
fn unresolved_column(o: &Operand) -> Option<String> {
    let Operand::Member {
        base: Base::Table(t),
        key,
        ..
    } = o
    else {
        return None;
    };
    let base = match t {
        TableExpr::Name(n) | TableExpr::Alias(n, _) => n.to_string(),
        TableExpr::Member(ns, n) => format!("{ns}.{n}"),
    };
    Some(format!(
        "`{base}.{key}`, a column of a table not found in the schema"
    ))
}
