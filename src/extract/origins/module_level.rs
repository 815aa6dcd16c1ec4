//! Module-level values: a value with no function in it (a route's definition, a schema, a
//! constant) holds no value of a request, so the origins walk only notes the names of the
//! calls in it (`OriginFacts::opaque_calls`) instead of following it.

use crate::extract::ast::{member_prop, unwrap};
use crate::facts::Name;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// The classes the module declares at its top level or imports by a path into the project
/// (`./repo`, `../services`, or an alias such as `@/`, `~/`, `#`, `$lib`): the classes whose
/// instances' method calls can be followed. A package's (`new Hono()`) cannot.
pub(super) fn project_classes(module: &Module) -> Vec<swc_atoms::Atom> {
    let mut out = vec![];
    for item in &module.body {
        match item {
            ModuleItem::Stmt(Stmt::Decl(Decl::Class(c))) => out.push(c.ident.sym.clone()),
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(ExportDecl {
                decl: Decl::Class(c),
                ..
            })) => out.push(c.ident.sym.clone()),
            ModuleItem::ModuleDecl(ModuleDecl::Import(i)) if !i.type_only => {
                let src = i.src.value.as_str().unwrap_or_default();
                let project = src.starts_with('.')
                    || src.starts_with("@/")
                    || src.starts_with("~/")
                    || src.starts_with('#')
                    || src.starts_with('$');
                if project {
                    out.extend(i.specifiers.iter().filter_map(|s| match s {
                        ImportSpecifier::Named(n) if !n.is_type_only => Some(n.local.sym.clone()),
                        ImportSpecifier::Default(d) => Some(d.local.sym.clone()),
                        _ => None,
                    }));
                }
            }
            _ => {}
        }
    }
    out.retain(|n| n.starts_with(|c: char| c.is_ascii_uppercase()));
    out
}

/// Whether a function is written anywhere in `e`.
pub(super) fn has_function(e: &Expr) -> bool {
    struct Find(bool);
    impl Visit for Find {
        fn visit_arrow_expr(&mut self, _: &ArrowExpr) {
            self.0 = true;
        }
        fn visit_function(&mut self, _: &Function) {
            self.0 = true;
        }
        fn visit_class(&mut self, _: &Class) {
            self.0 = true;
        }
        fn visit_expr(&mut self, e: &Expr) {
            if !self.0 {
                e.visit_children_with(self);
            }
        }
    }
    let mut f = Find(false);
    e.visit_with(&mut f);
    f.0
}

/// The last names of the calls in a module-level value with no function in it: they are
/// still calls a function's callers must count.
pub(super) struct CalledNames<'a>(pub(super) &'a mut Vec<Name>);

impl Visit for CalledNames<'_> {
    fn visit_call_expr(&mut self, c: &CallExpr) {
        if let Callee::Expr(callee) = &c.callee {
            match unwrap(callee) {
                Expr::Ident(i) => self.0.push(i.sym.clone()),
                Expr::Member(m) => {
                    if let Some(n) = member_prop(&m.prop) {
                        self.0.push(n);
                    }
                }
                _ => {}
            }
        }
        c.visit_children_with(self);
    }
}
