//! Columns: a column builder chain (`text('id').primaryKey().references(() => t.id)`), as a
//! table's, a shared column object's.

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
        // Walk `builder('name', ..).notNull().primaryKey().references(() => t.id)` from the outside in.
        let mut mods: Vec<(&str, &CallExpr)> = vec![];
        let mut cur = unwrap(value);
        let (builder, builder_call) = loop {
            let Expr::Call(c) = cur else { return None };
            let Callee::Expr(callee) = &c.callee else {
                return None;
            };
            match unwrap(callee) {
                Expr::Ident(i) => break (i.sym.as_str().to_owned(), c),
                Expr::Member(m) => {
                    let prop = match &m.prop {
                        MemberProp::Ident(i) => &*i.sym,
                        _ => return None,
                    };
                    match unwrap(&m.obj) {
                        // `t.uuid()` in the callback column form.
                        Expr::Ident(obj) if Some(&*obj.sym) == builder_param => {
                            break (prop.to_string(), c)
                        }
                        obj => {
                            mods.push((prop, c));
                            cur = obj;
                        }
                    }
                }
                _ => return None,
            }
        };
        if strict && !super::names::is_column_builder(&builder) {
            return None;
        }
        let sql_name = builder_call.args.first().and_then(|a| str_value(&a.expr));
        let has_default = super::names::builder_has_default(&builder);
        let mut col = ColumnDef {
            key: key.to_string(),
            sql_name,
            builder,
            primary: false,
            unique: false,
            has_default,
            references: None,
            not_null: false,
            on_delete_set_null: false,
            span: self.at.span(value.span()),
        };
        for (name, call) in mods {
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
        Some(col)
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
