//! A module's own items: its imports and exports, and its module-level constants (tables,
//! shared columns, relations, aliases, table constructors).

use super::ast::{callee_ident, str_value, unwrap, wtf8_name, Offsets};
use super::columns::ModuleFn;
use super::conditions::{alias_expr, const_binding, table_expr};
use super::names::is_operator;
use super::schema::Schema;
use super::scope::{Binding, Scopes, TableFn};
use crate::facts::Import;
use crate::facts::*;
use swc_ecma_ast::*;

/// Binds module-level constants and imports before the walk, so functions declared above a
/// constant still see it (a `const` is initialised before any exported function can run).
pub(super) fn prepass(module: &Module, s: &mut Scopes, facts: &mut FileFacts) {
    for item in &module.body {
        let decl = match item {
            ModuleItem::Stmt(Stmt::Decl(d)) => d,
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(e)) => &e.decl,
            ModuleItem::ModuleDecl(ModuleDecl::Import(imp)) => {
                record_import(imp, s, facts);
                continue;
            }
            _ => continue,
        };
        if let Decl::Fn(f) = decl {
            if super::aggregates::returns_aggregate(&f.function) {
                s.aggregates.push(f.ident.sym.clone());
            }
            let body = f.function.body.as_ref().map_or(&[][..], |b| &b.stmts[..]);
            if f.function.body.is_some()
                && !f.function.is_async
                && super::reach::never_returns(f.function.return_type.as_deref(), body)
            {
                s.never.push(f.ident.sym.clone());
            }
        }
        if let Decl::Var(v) = decl {
            for d in &v.decls {
                if let (Pat::Ident(id), Some(init)) = (&d.name, &d.init) {
                    if v.kind == VarDeclKind::Const && super::aggregates::names_aggregate(init) {
                        s.aggregates.push(id.id.sym.clone());
                    }
                    note_table_fn(s, &id.id.sym, init, facts);
                    if let Expr::Arrow(a) = unwrap(init) {
                        if let (false, ArrowFunctionBody::FunctionBody(b)) = (a.is_async, &*a.body)
                        {
                            if super::reach::never_returns(a.return_type.as_deref(), &b.stmts) {
                                s.never.push(id.id.sym.clone());
                            }
                        }
                    }
                    if v.kind == VarDeclKind::Const {
                        if let Some(b) = const_binding(s, init, true, 0) {
                            s.bind(&id.id.sym, b);
                        }
                    }
                }
            }
        }
    }
}

fn record_import(imp: &ImportDecl, s: &mut Scopes, facts: &mut FileFacts) {
    let source = wtf8_name(&imp.src.value);
    for spec in &imp.specifiers {
        let (local, imported) = match spec {
            ImportSpecifier::Named(n) => {
                let imported = match &n.imported {
                    Some(ModuleExportName::Ident(i)) => i.sym.clone(),
                    Some(ModuleExportName::Str(s)) => wtf8_name(&s.value),
                    None => n.local.sym.clone(),
                };
                (n.local.sym.clone(), Imported::Named(imported))
            }
            ImportSpecifier::Default(d) => (d.local.sym.clone(), Imported::Default),
            ImportSpecifier::Namespace(n) => (n.local.sym.clone(), Imported::Namespace),
        };
        if source.starts_with("drizzle-orm") {
            if let Imported::Named(orig) = &imported {
                if orig != &local {
                    if let Some(f) = s.table_fn(orig) {
                        s.set_table_fn(local.to_string(), f);
                    }
                    if is_operator(orig) {
                        s.bind(&local, Binding::Operator(orig.clone()));
                    }
                }
            }
        }
        if let Imported::Named(orig) = &imported {
            if super::reach::never_returns_import(&source, orig) {
                s.never.push(local.clone());
            }
        }
        facts.imports.push(Import {
            local,
            source: source.clone(),
            imported,
        });
    }
}

/// `const createTable = pgTableCreator((name) => `app_${name}`)`, `const s = pgSchema('x')`.
fn note_table_fn(s: &mut Scopes, name: &Name, init: &Expr, facts: &mut FileFacts) {
    let Expr::Call(call) = unwrap(init) else {
        return;
    };
    let Some(callee) = callee_ident(call) else {
        return;
    };
    match s.table_fn(callee) {
        Some(TableFn::MakeCreator(d)) => {
            let template = call.args.first().and_then(|a| creator_template(&a.expr));
            facts.table_fns.push(TableFnDef {
                binding: name.clone(),
                kind: TableFnKind::Creator(d, template.clone()),
            });
            s.set_table_fn(name.to_string(), TableFn::Creator(d, template));
        }
        Some(TableFn::MakeSchema(d)) => {
            let schema = call
                .args
                .first()
                .and_then(|a| str_value(&a.expr))
                .unwrap_or_default();
            facts.table_fns.push(TableFnDef {
                binding: name.clone(),
                kind: TableFnKind::Schema(d, schema.clone()),
            });
            s.set_table_fn(name.to_string(), TableFn::Schema(d, schema));
        }
        _ => {}
    }
}

/// `pgEnum('status', [..])` or a schema object's `app.enum('status', [..])`: a name and a
/// list of values.
fn is_enum_def(call: &CallExpr) -> bool {
    let named = match &call.callee {
        Callee::Expr(e) => match unwrap(e) {
            Expr::Ident(i) => matches!(&*i.sym, "pgEnum" | "mysqlEnum"),
            Expr::Member(m) => super::ast::member_prop_is(&m.prop, "enum"),
            _ => false,
        },
        _ => false,
    };
    named
        && call
            .args
            .first()
            .is_some_and(|a| str_value(&a.expr).is_some())
        && call
            .args
            .get(1)
            .is_some_and(|a| matches!(unwrap(&a.expr), Expr::Array(_)))
}

/// `(name) => `prefix_${name}`` as (prefix, suffix).
fn creator_template(e: &Expr) -> Option<(String, String)> {
    let Expr::Arrow(a) = unwrap(e) else {
        return None;
    };
    let ArrowFunctionBody::Expr(body) = &*a.body else {
        return None;
    };
    let Expr::Tpl(t) = unwrap(body) else {
        return None;
    };
    if t.exprs.len() != 1 || t.quasis.len() != 2 {
        return None;
    }
    Some((
        t.quasis[0].raw.as_str().to_owned(),
        t.quasis[1].raw.as_str().to_owned(),
    ))
}

/// An `import`/`export` declaration: exports, and the constants an `export const` defines.
pub(super) fn module_decl(decl: &ModuleDecl, s: &Scopes, at: Offsets, facts: &mut FileFacts) {
    match decl {
        ModuleDecl::ExportDecl(e) => match &e.decl {
            Decl::Var(v) => module_var_decl(v, true, s, at, facts),
            Decl::Fn(f) => {
                export_local(facts, &f.ident.sym, &f.ident.sym);
                module_fn(&f.ident.sym, &f.function, s, at, facts);
            }
            Decl::Class(c) => export_local(facts, &c.ident.sym, &c.ident.sym),
            // `export namespace Project { .. }`: its functions are `Project.f`.
            Decl::TsModule(m) => {
                if let TsModuleName::Ident(id) = &m.id {
                    export_local(facts, &id.sym, &id.sym);
                    facts.namespaces.push(id.sym.clone());
                }
            }
            _ => {}
        },
        ModuleDecl::ExportNamed(n) => {
            let source = n.src.as_ref().map(|s| wtf8_name(&s.value));
            for spec in &n.specifiers {
                match (spec, &source) {
                    (ExportSpecifier::Named(named), _) => {
                        let orig = export_name(&named.orig);
                        let exported = named
                            .exported
                            .as_ref()
                            .map(export_name)
                            .unwrap_or_else(|| orig.clone());
                        match &source {
                            Some(src) => facts.exports.push(Export::Reexport {
                                exported,
                                imported: orig,
                                source: src.clone(),
                            }),
                            None => export_local(facts, &exported, &orig),
                        }
                    }
                    (ExportSpecifier::Namespace(ns), Some(src)) => {
                        facts.exports.push(Export::StarAs {
                            exported: export_name(&ns.name),
                            source: src.clone(),
                        })
                    }
                    _ => {}
                }
            }
        }
        ModuleDecl::ExportAll(all) => {
            facts.exports.push(Export::Star {
                source: wtf8_name(&all.src.value),
            });
        }
        ModuleDecl::ExportDefaultExpr(d) => {
            if let Expr::Ident(i) = unwrap(&d.expr) {
                export_local(facts, &swc_atoms::atom!("default"), &i.sym);
            }
        }
        ModuleDecl::ExportDefaultDecl(d) => {
            if let DefaultDecl::Fn(f) = &d.decl {
                if let Some(i) = &f.ident {
                    export_local(facts, &swc_atoms::atom!("default"), &i.sym);
                    module_fn(&i.sym, &f.function, s, at, facts);
                }
            }
        }
        _ => {}
    }
}

fn export_local(facts: &mut FileFacts, exported: &Name, local: &Name) {
    facts.exports.push(Export::Local {
        exported: exported.clone(),
        local: local.clone(),
    });
}

fn export_name(n: &ModuleExportName) -> Name {
    match n {
        ModuleExportName::Ident(i) => i.sym.clone(),
        ModuleExportName::Str(s) => wtf8_name(&s.value),
    }
}

/// A module-level declaration that is not exported: what its constants and functions define.
pub(super) fn module_local_decl(d: &Decl, s: &Scopes, at: Offsets, facts: &mut FileFacts) {
    match d {
        Decl::Var(v) => module_var_decl(v, false, s, at, facts),
        Decl::Fn(f) => module_fn(&f.ident.sym, &f.function, s, at, facts),
        Decl::TsModule(m) => {
            if let TsModuleName::Ident(id) = &m.id {
                facts.namespaces.push(id.sym.clone());
            }
        }
        _ => {}
    }
}

/// A module-level `const`/`let` declaration: its exports and what its constants define.
fn module_var_decl(v: &VarDecl, exported: bool, s: &Scopes, at: Offsets, facts: &mut FileFacts) {
    for d in &v.decls {
        if let (Pat::Object(o), Some(init)) = (&d.name, &d.init) {
            destructured_tables(o, init, s, exported, facts);
            continue;
        }
        let Pat::Ident(id) = &d.name else { continue };
        if exported {
            export_local(facts, &id.id.sym, &id.id.sym);
        }
        let Some(init) = &d.init else { continue };
        module_const(&id.id.sym, init, s, at, facts);
    }
}

/// `const { deals, contacts: people } = schema` at module level, `schema` a module-level name
/// or import: each name is that member of it (a table, when `schema` is the schema namespace).
fn destructured_tables(
    o: &ObjectPat,
    init: &Expr,
    s: &Scopes,
    exported: bool,
    facts: &mut FileFacts,
) {
    let Expr::Ident(ns) = unwrap(init) else {
        return;
    };
    if s.get(&ns.sym).is_some() {
        return;
    }
    for (key, local) in crate::extract::ast::plain_bindings(o) {
        if exported {
            export_local(facts, local, local);
        }
        facts
            .aliases
            .push((local.to_string(), TableExpr::Member(ns.sym.clone(), key)));
    }
}

/// A module-level `function name() {..}`: a column function, when it returns one column.
fn module_fn(name: &str, f: &Function, s: &Scopes, at: Offsets, facts: &mut FileFacts) {
    let schema = Schema { scopes: s, at };
    facts
        .column_fns
        .extend(schema.column_fn(name, ModuleFn::Function(f)));
}

/// Module-level `const name = init`: tables, shared columns, column functions, relations,
/// aliases, clients.
fn module_const(name: &str, init: &Expr, s: &Scopes, at: Offsets, facts: &mut FileFacts) {
    let schema = Schema { scopes: s, at };
    let e = unwrap(init);
    match e {
        Expr::Call(call) => {
            if let Some(t) = schema.table_def(name, call) {
                facts.tables.push(t);
            } else if let Some(t) = schema.candidate_def(name, call, &facts.imports) {
                facts.tables.push(t);
            } else if let Some(r) = schema.relations_def(call) {
                facts.relations.extend(r);
            } else if callee_ident(call) == Some("alias") {
                if let Some(t) = alias_expr(s, call) {
                    facts.aliases.push((name.to_string(), t));
                }
            } else if is_enum_def(call) {
                facts.enums.push(Name::from(name));
            } else if let Some(z) = super::zod::schema_of(e) {
                facts.schemas.push((Name::from(name), z));
            }
        }
        Expr::Object(o) => {
            let columns = schema.columns_of(o, None, true);
            if !columns.is_empty() {
                facts.column_groups.push(ColumnGroup {
                    binding: name.to_string(),
                    columns,
                });
            }
        }
        Expr::Arrow(a) => facts
            .column_fns
            .extend(schema.column_fn(name, ModuleFn::Arrow(a))),
        Expr::Fn(f) => facts
            .column_fns
            .extend(schema.column_fn(name, ModuleFn::Function(&f.function))),
        Expr::Ident(_) | Expr::Member(_) => {
            if let Some(t) = table_expr(s, e) {
                facts.aliases.push((name.to_string(), t));
            }
        }
        _ => {}
    }
}
