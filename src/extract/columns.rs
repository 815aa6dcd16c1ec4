//! Columns: a column builder chain (`text('id').primaryKey().references(() => t.id)`), as a
//! table's, a shared column object's, or what a column function returns (`const id = () =>
//! text('id').primaryKey()`, which a table's `id: id()` is linked to).

use super::ast::{member_prop, prop_name, str_value, unwrap};
use super::conditions::table_expr;
use super::schema::Schema;
use crate::facts::*;
use swc_common::Spanned;
use swc_ecma_ast::*;

impl Schema<'_> {
    /// The columns of an object literal. `strict` (for objects outside a table) only accepts
    /// values built by a known column builder.
    pub(super) fn columns_of(
        &self,
        o: &ObjectLit,
        builder_param: Option<&str>,
        strict: bool,
    ) -> Vec<ColumnDef> {
        let mut out = vec![];
        for p in &o.props {
            let PropOrSpread::Prop(p) = p else { continue };
            let Prop::KeyValue(kv) = &**p else { continue };
            let Some(key) = prop_name(&kv.key) else {
                continue;
            };
            if let Some(col) = self.column(&key, &kv.value, builder_param, strict) {
                out.push(col);
            }
        }
        out
    }

    fn column(
        &self,
        key: &str,
        value: &Expr,
        builder_param: Option<&str>,
        strict: bool,
    ) -> Option<ColumnDef> {
        let chain = Chain::of(value, builder_param)?;
        if strict && !super::names::is_column_builder(chain.builder) {
            return None;
        }
        Some(self.column_of(key, value, &chain))
    }

    /// A module-level function whose body is one column builder chain (`() =>
    /// text('id').primaryKey()`, `function id() { return uuid('id').primaryKey(); }`): the
    /// column it returns. Anything else (several statements, a chain on something else) is no
    /// column function.
    pub(super) fn column_fn(&self, binding: &str, f: ModuleFn<'_>) -> Option<ColumnFn> {
        let (params, body): (Vec<&Pat>, &Expr) = match f {
            ModuleFn::Arrow(a) if !a.is_async && !a.is_generator => (
                a.params.iter().collect(),
                match &*a.body {
                    ArrowFunctionBody::Expr(e) => e,
                    ArrowFunctionBody::FunctionBody(b) => only_return(b)?,
                },
            ),
            ModuleFn::Function(f) if !f.is_async && !f.is_generator => (
                f.params.iter().map(|p| &p.pat).collect(),
                only_return(f.body.as_ref()?)?,
            ),
            _ => return None,
        };
        let chain = Chain::of(body, None)?;
        if !super::names::is_column_builder(chain.builder) {
            return None;
        }
        let param = |arg: Option<&ExprOrSpread>| match unwrap(&arg?.expr) {
            Expr::Ident(i) => params
                .iter()
                .position(|p| matches!(p, Pat::Ident(b) if b.id.sym == i.sym)),
            _ => None,
        };
        let references = chain.mods.iter().find(|(n, _)| *n == "references");
        Some(ColumnFn {
            binding: Name::from(binding),
            name_param: param(chain.call.args.first()),
            references_param: references.and_then(|(_, c)| param(c.args.first())),
            column: self.column_of("", body, &chain),
        })
    }

    fn column_of(&self, key: &str, value: &Expr, chain: &Chain<'_>) -> ColumnDef {
        let builder = chain.builder;
        let args = &chain.call.args;
        let sql_name = args.first().and_then(|a| str_value(&a.expr));
        // A call to a name that is no builder may be a column function, in this module or
        // another: linking reads it with the arguments it may take a name or reference from.
        let call = (!chain.from_param && !super::names::is_column_builder(builder)).then(|| {
            let args = args
                .iter()
                .take_while(|a| a.spread.is_none())
                .map(|a| match unwrap(&a.expr) {
                    e @ Expr::Arrow(_) => self
                        .reference_target(e)
                        .map_or(ColumnArg::Other, ColumnArg::Ref),
                    e => str_value(e).map_or(ColumnArg::Other, ColumnArg::Str),
                })
                .collect();
            Box::new(ColumnCall {
                callee: Name::from(builder),
                args,
            })
        });
        let mut col = ColumnDef {
            key: key.to_string(),
            sql_name,
            builder: builder.to_string(),
            boolean: builder == "boolean"
                || builder == "integer"
                    && option(args, "mode").and_then(str_value).as_deref() == Some("boolean"),
            enumerated: builder == "mysqlEnum"
                || matches!(builder, "text" | "varchar" | "char") && option(args, "enum").is_some(),
            primary: false,
            unique: false,
            has_default: super::names::builder_has_default(builder),
            references: None,
            not_null: false,
            on_delete_set_null: false,
            call,
            span: self.at.span(value.span()),
        };
        for &(name, call) in &chain.mods {
            col.has_default |= super::names::modifier_sets_default(name);
            match name {
                "primaryKey" => {
                    col.primary = true;
                    col.not_null = true;
                }
                "unique" => col.unique = true,
                "notNull" => col.not_null = true,
                "references" => {
                    col.references = call
                        .args
                        .first()
                        .and_then(|a| self.reference_target(&a.expr));
                    col.on_delete_set_null = call.args.get(1).is_some_and(|a| {
                        matches!(unwrap(&a.expr), Expr::Object(o)
                            if super::ast::object_prop(o, "onDelete")
                                .and_then(str_value)
                                .is_some_and(|v| v.eq_ignore_ascii_case("set null")))
                    });
                }
                _ => {}
            }
        }
        col
    }

    /// `() => organizations.id`
    fn reference_target(&self, e: &Expr) -> Option<ColumnRef> {
        let body = match unwrap(e) {
            Expr::Arrow(a) => match &*a.body {
                ArrowFunctionBody::Expr(b) => &**b,
                ArrowFunctionBody::FunctionBody(b) => match b.stmts.last() {
                    Some(Stmt::Return(ReturnStmt { arg: Some(a), .. })) => &**a,
                    _ => return None,
                },
            },
            other => other,
        };
        let Expr::Member(m) = unwrap(body) else {
            return None;
        };
        let table = table_expr(self.scopes, &m.obj)?;
        Some(ColumnRef {
            table,
            column: member_prop(&m.prop)?.to_string(),
        })
    }
}

/// A function a module defines at its top level: `const f = () => ..`, `function f() {..}`.
#[derive(Clone, Copy)]
pub(super) enum ModuleFn<'a> {
    Arrow(&'a ArrowExpr),
    Function(&'a Function),
}

/// `builder('name', ..).notNull().primaryKey().references(() => t.id)`, walked from the outside
/// in: the builder's name and call, and the modifiers applied to it.
struct Chain<'e> {
    builder: &'e str,
    call: &'e CallExpr,
    /// `t.uuid()` in the callback column form: the builder is the callback parameter's.
    from_param: bool,
    mods: Vec<(&'e str, &'e CallExpr)>,
}

impl<'e> Chain<'e> {
    fn of(value: &'e Expr, builder_param: Option<&str>) -> Option<Self> {
        let mut mods = vec![];
        let mut cur = unwrap(value);
        loop {
            let Expr::Call(c) = cur else { return None };
            let Callee::Expr(callee) = &c.callee else {
                return None;
            };
            let (builder, from_param) = match unwrap(callee) {
                Expr::Ident(i) => (&*i.sym, false),
                Expr::Member(m) => {
                    let MemberProp::Ident(prop) = &m.prop else {
                        return None;
                    };
                    match unwrap(&m.obj) {
                        Expr::Ident(obj) if Some(&*obj.sym) == builder_param => (&*prop.sym, true),
                        obj => {
                            mods.push((&*prop.sym, c));
                            cur = obj;
                            continue;
                        }
                    }
                }
                _ => return None,
            };
            return Some(Chain {
                builder,
                call: c,
                from_param,
                mods,
            });
        }
    }
}

/// The value a column builder's options object gives `key`: `text('s', { enum: [..] })`,
/// `text({ enum: [..] })`, `integer('n', { mode: 'boolean' })`.
fn option<'a>(args: &'a [ExprOrSpread], key: &str) -> Option<&'a Expr> {
    args.iter().find_map(|a| match unwrap(&a.expr) {
        Expr::Object(o) if a.spread.is_none() => super::ast::object_prop(o, key),
        _ => None,
    })
}

/// The expression a function body returns when returning it is all the body does.
fn only_return(b: &FunctionBody) -> Option<&Expr> {
    match b.stmts.as_slice() {
        [Stmt::Return(ReturnStmt { arg: Some(a), .. })] => Some(a),
        _ => None,
    }
}
