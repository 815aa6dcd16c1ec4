//! Table definitions (their columns are read by `columns`) and relations.

use super::ast::{
    callee_ident, member_prop, member_prop_is, method_call, object_prop, pat_name, prop_atom,
    prop_name, str_value, unwrap, Offsets,
};
use super::conditions::table_expr;
use super::relational::object_filter;
use super::scope::{Scopes, TableFn};
use crate::facts::*;
use swc_common::Spanned;
use swc_ecma_ast::*;

/// Reads schema definitions with the file's names in scope.
pub(super) struct Schema<'a> {
    pub(super) scopes: &'a Scopes,
    pub(super) at: Offsets,
}

impl Schema<'_> {
    /// `pgTable('name', {..}, extra)`, `createTable('name', ..)`, `schema.table('name', ..)`.
    pub(super) fn table_def(&self, binding: &str, call: &CallExpr) -> Option<TableDef> {
        let Callee::Expr(callee) = &call.callee else {
            return None;
        };
        let (dialect, db_schema, template) = match unwrap(callee) {
            Expr::Ident(i) => match self.scopes.table_fn(&i.sym)? {
                TableFn::Table(d) => (d, None, None),
                TableFn::Creator(d, t) => (d, None, t),
                _ => return None,
            },
            Expr::Member(m) if member_prop_is(&m.prop, "table") => match unwrap(&m.obj) {
                Expr::Ident(i) => match self.scopes.table_fn(&i.sym)? {
                    TableFn::Schema(d, s) => (d, Some(s), None),
                    _ => return None,
                },
                Expr::Call(inner) => {
                    let name = callee_ident(inner)?;
                    let d = super::names::schema_constructor(name)?;
                    (d, inner.args.first().and_then(|a| str_value(&a.expr)), None)
                }
                _ => return None,
            },
            _ => return None,
        };
        Some(self.build_table(binding, call, callee, dialect, db_schema, template, None))
    }

    /// A table built through an imported name the file cannot see into (`createTable('post',
    /// ..)`, `app.table('x', ..)` with `createTable` or `app` imported from the project): a
    /// candidate, kept by linking only if the name turns out to be a table function. The call
    /// must look like a table definition: a string name, then an object literal or a callback
    /// returning one.
    pub(super) fn candidate_def(
        &self,
        binding: &str,
        call: &CallExpr,
        imports: &[crate::facts::Import],
    ) -> Option<TableDef> {
        let Callee::Expr(callee) = &call.callee else {
            return None;
        };
        str_value(&call.args.first()?.expr)?;
        let columns_shaped = match unwrap(&call.args.get(1)?.expr) {
            Expr::Object(_) => true,
            Expr::Arrow(a) => arrow_object(a).is_some(),
            _ => false,
        };
        if !columns_shaped {
            return None;
        }
        let (path_expr, schema_table) = match unwrap(callee) {
            Expr::Member(m) if member_prop_is(&m.prop, "table") => (unwrap(&m.obj), true),
            other => (other, false),
        };
        let path: Vec<Name> = match path_expr {
            Expr::Ident(i) => vec![i.sym.clone()],
            Expr::Member(m) => match (unwrap(&m.obj), member_prop(&m.prop)) {
                (Expr::Ident(o), Some(p)) => vec![o.sym.clone(), p],
                _ => return None,
            },
            _ => return None,
        };
        // Only a name imported from another module of the project: Drizzle's own names were
        // read by `table_def`, and anything else from a package is not a table function.
        let imported = imports
            .iter()
            .any(|i| i.local == path[0] && !i.source.starts_with("drizzle-orm"));
        if !imported {
            return None;
        }
        let via = ViaImport {
            callee: path,
            schema_table,
        };
        // Dialect, schema and name template are the table function's, filled in when linking.
        Some(self.build_table(
            binding,
            call,
            callee,
            Dialect::Pg,
            None,
            None,
            Some(Box::new(via)),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn build_table(
        &self,
        binding: &str,
        call: &CallExpr,
        callee: &Expr,
        dialect: Dialect,
        db_schema: Option<String>,
        template: Option<(String, String)>,
        via: Option<Box<ViaImport>>,
    ) -> TableDef {
        let name_arg = call.args.first().filter(|a| str_value(&a.expr).is_some());
        let name_span = self.at.span(match name_arg {
            Some(a) => a.expr.span(),
            None => callee.span(),
        });
        let name = name_arg
            .and_then(|a| str_value(&a.expr))
            .unwrap_or_else(|| binding.to_string());
        let sql_name = match template {
            Some((pre, post)) => format!("{pre}{name}{post}"),
            None => name,
        };
        let mut table = TableDef {
            binding: binding.to_string(),
            sql_name,
            db_schema,
            dialect,
            columns: vec![],
            spreads: vec![],
            primary_key: vec![],
            indexes: vec![],
            foreign_keys: vec![],
            span: self.at.span(call.span),
            name_span,
            via,
        };
        if let Some(cols) = call.args.get(1) {
            let (obj, param) = match unwrap(&cols.expr) {
                Expr::Object(o) => (Some(o), None),
                Expr::Arrow(a) => (arrow_object(a), a.params.first().and_then(pat_name)),
                _ => (None, None),
            };
            if let Some(o) = obj {
                table.columns = self.columns_of(o, param.as_deref(), false);
                for p in &o.props {
                    if let PropOrSpread::Spread(s) = p {
                        if let Expr::Ident(i) = unwrap(&s.expr) {
                            table.spreads.push(i.sym.as_str().to_owned());
                        }
                    }
                }
            }
        }
        if let Some(extra) = call.args.get(2) {
            self.extra_config(&extra.expr, &mut table);
        }
        table
    }

    /// The third argument: `(t) => [index(..).on(t.a)]` or `(t) => ({ i: index(..).on(t.a) })`.
    fn extra_config(&self, e: &Expr, table: &mut TableDef) {
        let Expr::Arrow(a) = unwrap(e) else { return };
        let param = a.params.first().and_then(pat_name);
        let body: &Expr = match &*a.body {
            ArrowFunctionBody::Expr(b) => b,
            ArrowFunctionBody::FunctionBody(b) => match b.stmts.iter().rev().find_map(|s| match s {
                Stmt::Return(ReturnStmt { arg: Some(a), .. }) => Some(a),
                _ => None,
            }) {
                Some(a) => a,
                None => return,
            },
        };
        let items: Vec<&Expr> = match unwrap(body) {
            Expr::Array(arr) => arr.elems.iter().flatten().map(|el| &*el.expr).collect(),
            Expr::Object(o) => o
                .props
                .iter()
                .filter_map(|p| match p {
                    PropOrSpread::Prop(p) => match &**p {
                        Prop::KeyValue(kv) => Some(&*kv.value),
                        _ => None,
                    },
                    _ => None,
                })
                .collect(),
            _ => return,
        };
        for item in items {
            self.constraint(item, param.as_deref(), table);
        }
    }

    fn constraint(&self, item: &Expr, param: Option<&str>, table: &mut TableDef) {
        // Flatten `index('n').using(..).on(t.a, t.b).where(..)`.
        let mut calls: Vec<(String, &CallExpr)> = vec![];
        let mut cur = unwrap(item);
        while let Expr::Call(c) = cur {
            let Callee::Expr(callee) = &c.callee else {
                break;
            };
            match unwrap(callee) {
                Expr::Ident(i) => {
                    calls.push((i.sym.as_str().to_owned(), c));
                    break;
                }
                Expr::Member(m) => {
                    calls.push((member_prop(&m.prop).unwrap_or_default().to_string(), c));
                    cur = unwrap(&m.obj);
                }
                _ => break,
            }
        }
        calls.reverse();
        let Some((head, head_call)) = calls.first() else {
            return;
        };
        let span = self.at.span(item.span());
        let cols_of = |args: &[ExprOrSpread]| -> Vec<String> {
            args.iter()
                .map(|a| column_key(&a.expr, param).unwrap_or_else(|| "<expression>".to_string()))
                .collect()
        };
        match head.as_str() {
            "index" | "uniqueIndex" | "unique" => {
                let name = head_call.args.first().and_then(|a| str_value(&a.expr));
                let mut columns = vec![];
                let partial = calls[1..].iter().any(|(n, _)| n == "where");
                for (n, c) in &calls[1..] {
                    if n == "on" || n == "onOnly" {
                        columns = cols_of(&c.args);
                    } else if n == "using" {
                        columns = cols_of(c.args.get(1..).unwrap_or(&[]));
                    }
                }
                if !columns.is_empty() {
                    table.indexes.push(IndexDef {
                        name,
                        columns,
                        unique: head != "index",
                        primary: false,
                        partial,
                        span,
                    });
                }
            }
            "primaryKey" => {
                let columns = match head_call.args.first().map(|a| unwrap(&a.expr)) {
                    Some(Expr::Object(o)) => object_prop(o, "columns")
                        .map(|v| array_columns(v, param))
                        .unwrap_or_default(),
                    _ => cols_of(&head_call.args),
                };
                if !columns.is_empty() {
                    table.primary_key = columns.clone();
                    table.indexes.push(IndexDef {
                        name: None,
                        columns,
                        unique: true,
                        primary: true,
                        partial: false,
                        span,
                    });
                }
            }
            "foreignKey" => {
                let Some(Expr::Object(o)) = head_call.args.first().map(|a| unwrap(&a.expr)) else {
                    return;
                };
                let columns = object_prop(o, "columns")
                    .map(|v| array_columns(v, param))
                    .unwrap_or_default();
                let (target, target_columns) = match object_prop(o, "foreignColumns").map(unwrap) {
                    Some(Expr::Array(arr)) => {
                        let mut target = None;
                        let mut cols = vec![];
                        for el in arr.elems.iter().flatten() {
                            if let Expr::Member(m) = unwrap(&el.expr) {
                                target = target.or_else(|| table_expr(self.scopes, &m.obj));
                                cols.push(member_prop(&m.prop).unwrap_or_default().to_string());
                            }
                        }
                        (target, cols)
                    }
                    _ => (None, vec![]),
                };
                let on_delete_set_null = calls[1..].iter().any(|(n, c)| {
                    n == "onDelete"
                        && c.args
                            .first()
                            .and_then(|a| str_value(&a.expr))
                            .is_some_and(|v| v.eq_ignore_ascii_case("set null"))
                });
                table.foreign_keys.push(ForeignKeyDef {
                    columns,
                    target,
                    target_columns,
                    on_delete_set_null,
                    span,
                });
            }
            _ => {}
        }
    }

    /// `relations(T, ({ one, many }) => ({..}))` or `defineRelations(schema, (r) => ({..}))`.
    pub(super) fn relations_def(&self, call: &CallExpr) -> Option<Vec<RelationsDef>> {
        match callee_ident(call)? {
            "relations" => {
                let table = table_expr(self.scopes, &call.args.first()?.expr)?;
                let Expr::Arrow(a) = unwrap(&call.args.get(1)?.expr) else {
                    return None;
                };
                let o = arrow_object(a)?;
                let mut relations = vec![];
                for p in &o.props {
                    let PropOrSpread::Prop(p) = p else { continue };
                    let Prop::KeyValue(kv) = &**p else { continue };
                    let Some(name) = prop_name(&kv.key) else {
                        continue;
                    };
                    let Expr::Call(c) = unwrap(&kv.value) else {
                        continue;
                    };
                    let kind = match &c.callee {
                        Callee::Expr(e) => match unwrap(e) {
                            Expr::Ident(i) => i.sym.as_str().to_owned(),
                            Expr::Member(m) => member_prop(&m.prop).unwrap_or_default().to_string(),
                            _ => continue,
                        },
                        _ => continue,
                    };
                    if kind != "one" && kind != "many" {
                        continue;
                    }
                    let Some(target) = c
                        .args
                        .first()
                        .and_then(|a| table_expr(self.scopes, &a.expr))
                    else {
                        continue;
                    };
                    let mut rel = RelationDef {
                        name,
                        many: kind == "many",
                        target,
                        fields: vec![],
                        references: vec![],
                        preset_where: None,
                        through: None,
                    };
                    if let Some(Expr::Object(cfg)) = c.args.get(1).map(|a| unwrap(&a.expr)) {
                        rel.fields = object_prop(cfg, "fields")
                            .map(|v| array_columns(v, None))
                            .unwrap_or_default();
                        rel.references = object_prop(cfg, "references")
                            .map(|v| array_columns(v, None))
                            .unwrap_or_default();
                    }
                    relations.push(rel);
                }
                Some(vec![RelationsDef {
                    table,
                    by_key: false,
                    relations,
                }])
            }
            "defineRelations" | "defineRelationsPart" => {
                let f = call.args.iter().find_map(|a| match unwrap(&a.expr) {
                    Expr::Arrow(a) => Some(a),
                    _ => None,
                })?;
                let o = arrow_object(f)?;
                let mut out = vec![];
                for p in &o.props {
                    let PropOrSpread::Prop(p) = p else { continue };
                    let Prop::KeyValue(kv) = &**p else { continue };
                    let Some(table_key) = prop_atom(&kv.key) else {
                        continue;
                    };
                    let Expr::Object(rels) = unwrap(&kv.value) else {
                        continue;
                    };
                    let mut relations = vec![];
                    for rp in &rels.props {
                        let PropOrSpread::Prop(rp) = rp else { continue };
                        let Prop::KeyValue(rkv) = &**rp else { continue };
                        let Some(name) = prop_name(&rkv.key) else {
                            continue;
                        };
                        if let Some(rel) = self.v2_relation(name, &rkv.value) {
                            relations.push(rel);
                        }
                    }
                    out.push(RelationsDef {
                        table: TableExpr::Name(table_key),
                        by_key: true,
                        relations,
                    });
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// `r.many.posts({ from: r.users.id, to: r.posts.authorId, where: {..} })` or `r.one.org()`.
    fn v2_relation(&self, name: String, value: &Expr) -> Option<RelationDef> {
        let (call, member) = match unwrap(value) {
            Expr::Call(c) => match &c.callee {
                Callee::Expr(e) => match unwrap(e) {
                    Expr::Member(m) => (Some(c), m),
                    _ => return None,
                },
                _ => return None,
            },
            Expr::Member(m) => (None, m),
            _ => return None,
        };
        let target = member_prop(&member.prop)?;
        let Expr::Member(kind_m) = unwrap(&member.obj) else {
            return None;
        };
        let kind = member_prop(&kind_m.prop)?;
        if kind != "one" && kind != "many" {
            return None;
        }
        let mut rel = RelationDef {
            name,
            many: kind == "many",
            target: TableExpr::Name(target),
            fields: vec![],
            references: vec![],
            preset_where: None,
            through: None,
        };
        if let Some(Expr::Object(cfg)) = call.and_then(|c| c.args.first()).map(|a| unwrap(&a.expr))
        {
            rel.fields = object_prop(cfg, "from")
                .map(|v| array_columns(v, None))
                .unwrap_or_default();
            rel.references = object_prop(cfg, "to")
                .map(|v| array_columns(v, None))
                .unwrap_or_default();
            rel.through = through_def(object_prop(cfg, "from"), object_prop(cfg, "to"));
            if let Some(Expr::Object(w)) = object_prop(cfg, "where").map(unwrap) {
                rel.preset_where = Some(object_filter(w, None, 0));
            }
        }
        Some(rel)
    }
}

/// The link table of a v2 many-to-many, `from: r.a.id.through(r.link.aId), to:
/// r.b.id.through(r.link.bId)` (or lists of such columns): `None` when no column goes
/// `.through(..)`; no table when they do not all name one link table.
fn through_def(from: Option<&Expr>, to: Option<&Expr>) -> Option<ThroughDef> {
    let links = |e: Option<&Expr>| -> Vec<Option<(Name, String)>> {
        match e.map(unwrap) {
            Some(Expr::Array(a)) => a
                .elems
                .iter()
                .flatten()
                .map(|el| link_column(&el.expr))
                .collect(),
            Some(other) => vec![link_column(other)],
            None => vec![],
        }
    };
    let (from, to) = (links(from), links(to));
    if from.iter().chain(&to).all(Option::is_none) {
        return None;
    }
    let mut tables = from.iter().chain(&to).map(|l| l.as_ref().map(|(t, _)| t));
    let first = tables.next().flatten();
    let table = first
        .filter(|t| tables.all(|o| o == Some(*t)))
        .map(|t| TableExpr::Name(t.clone()));
    let columns =
        |ls: Vec<Option<(Name, String)>>| ls.into_iter().flatten().map(|(_, c)| c).collect();
    Some(ThroughDef {
        table,
        from: columns(from),
        to: columns(to),
    })
}

/// `r.a.id.through(r.link.aId)` → (`link`, `aId`).
fn link_column(e: &Expr) -> Option<(Name, String)> {
    let Expr::Call(c) = unwrap(e) else {
        return None;
    };
    let (_, method) = method_call(c)?;
    if &*method != "through" {
        return None;
    }
    let Expr::Member(col) = unwrap(&c.args.first()?.expr) else {
        return None;
    };
    let Expr::Member(table) = unwrap(&col.obj) else {
        return None;
    };
    Some((
        member_prop(&table.prop)?,
        member_prop(&col.prop)?.to_string(),
    ))
}

fn arrow_object(a: &ArrowExpr) -> Option<&ObjectLit> {
    match &*a.body {
        ArrowFunctionBody::Expr(e) => match unwrap(e) {
            Expr::Object(o) => Some(o),
            _ => None,
        },
        ArrowFunctionBody::FunctionBody(b) => b.stmts.iter().rev().find_map(|s| match s {
            Stmt::Return(ReturnStmt { arg: Some(a), .. }) => match unwrap(a) {
                Expr::Object(o) => Some(o),
                _ => None,
            },
            _ => None,
        }),
    }
}

/// `t.a` (or `t.a.desc()`, `t.a.asc().nullsLast()`) → `a`.
fn column_key(e: &Expr, _param: Option<&str>) -> Option<String> {
    let mut cur = unwrap(e);
    loop {
        match cur {
            Expr::Call(c) => match &c.callee {
                Callee::Expr(callee) => match unwrap(callee) {
                    Expr::Member(m) => cur = unwrap(&m.obj),
                    _ => return None,
                },
                _ => return None,
            },
            Expr::Member(m) => return member_prop(&m.prop).map(|k| k.to_string()),
            _ => return None,
        }
    }
}

/// `[t.a, t.b]` or a single `t.a`.
fn array_columns(e: &Expr, param: Option<&str>) -> Vec<String> {
    match unwrap(e) {
        Expr::Array(a) => a
            .elems
            .iter()
            .flatten()
            .filter_map(|el| column_key(&el.expr, param))
            .collect(),
        other => column_key(other, param).into_iter().collect(),
    }
}
