//! What a class's fields hold: the constructor's arguments it stores (`constructor(private db:
//! Db, private workspaceId: string)`, or `this.workspaceId = workspaceId` in its body), read
//! in the class's methods as `this.workspaceId`. The value is the constructor's parameter, so
//! its callers (`new ProjectRepo(db, c.req.header('x-workspace-id'))`) decide it as for any
//! function. A field the class assigns anywhere else holds no one value and is not followed; a
//! getter with no setter is one value of its own.

use super::values::{This, Val};
use super::{FnKind, Walk};
use crate::extract::ast::{
    constructor_name, ctor_params, member_prop, this_field, this_stored as stored, unwrap,
};
use crate::extract::names::is_global;
use swc_atoms::Atom;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

impl Walk {
    /// Walks a class (`name`d, or an anonymous class expression): its constructor first, then
    /// its other members with `this.<field>` holding what the constructor stored.
    pub(super) fn class(&mut self, name: Option<&Atom>, c: &Class) {
        let ctor = c.body.iter().find_map(|m| match m {
            ClassMember::Constructor(k) if k.body.is_some() => Some(k),
            _ => None,
        });
        // (The class is read for assignments only when its constructor stores a field.)
        let stores = ctor.is_some_and(|k| {
            k.params
                .iter()
                .any(|p| matches!(p, ParamOrTsParamProp::TsParamProp(_)))
                || k.body
                    .iter()
                    .flat_map(|b| &b.stmts)
                    .any(|st| stored(st).is_some())
        });
        let values = match ctor {
            Some(k) if stores => self.constructor(k, &assigned_outside(c, Some(k))),
            Some(k) => self.constructor(k, &[]),
            None => vec![],
        };
        let this = This {
            class: name.cloned(),
            values,
            classes: crate::extract::held::class_fields(c),
            getters: getters(c),
        };
        let outer = self.env.this.replace(this.into());
        for m in &c.body {
            if !matches!(m, ClassMember::Constructor(_)) {
                m.visit_with(self);
            }
        }
        self.env.this = outer;
    }

    /// Walks the constructor as a function and returns the fields it stores a parameter (or
    /// a property of one, or the session) in, leaving out those in `skip`.
    fn constructor(&mut self, k: &Constructor, skip: &[Atom]) -> Vec<(Atom, Val)> {
        let params = ctor_params(k);
        let props: Vec<Option<Atom>> = k
            .params
            .iter()
            .map(|p| match p {
                ParamOrTsParamProp::TsParamProp(tp) => match &tp.param {
                    TsParamPropParam::Ident(i) => Some(i.id.sym.clone()),
                    TsParamPropParam::Assign(a) => a.left.as_ident().map(|i| i.id.sym.clone()),
                },
                ParamOrTsParamProp::Param(_) => None,
            })
            .collect();
        let out = std::cell::RefCell::new(vec![]);
        let body = |w: &mut Self| {
            let Some(b) = &k.body else { return };
            b.visit_with(w);
            let mut fields: Vec<(Atom, Val)> = props
                .iter()
                .flatten()
                .map(|name| {
                    (
                        name.clone(),
                        w.lookup(name).cloned().unwrap_or(Val::Unknown),
                    )
                })
                .collect();
            for st in &b.stmts {
                if let Some((name, value)) = stored(st) {
                    fields.retain(|(n, _)| *n != *name);
                    fields.push((name.clone(), w.origin(value)));
                }
            }
            fields.retain(|(n, v)| {
                !skip.contains(n) && matches!(v, Val::Param { .. } | Val::Session | Val::Input(_))
            });
            *out.borrow_mut() = fields;
        };
        self.function(params.iter(), &body, k.span, FnKind::Plain);
        out.into_inner()
    }
}

/// The class's getters with no setter (`get orgId() { return this.cls.get('orgId') }`): each
/// is one value, the same in every method.
fn getters(c: &Class) -> Vec<Atom> {
    let named = |m: &ClassMethod, kind: MethodKind| {
        (m.kind == kind && !m.is_static)
            .then(|| crate::extract::ast::prop_atom(&m.key))
            .flatten()
    };
    let methods = || {
        c.body.iter().filter_map(|m| match m {
            ClassMember::Method(m) => Some(m),
            _ => None,
        })
    };
    let setters: Vec<Atom> = methods()
        .filter_map(|m| named(m, MethodKind::Setter))
        .collect();
    methods()
        .filter_map(|m| named(m, MethodKind::Getter))
        .filter(|g| !setters.contains(g))
        .collect()
}

/// The fields the class assigns other than by a statement of the constructor's own body (the
/// last of which wins): in a method, in a nested block or callback of the constructor, with
/// `+=`, `??=` and the like, or `++`.
fn assigned_outside(c: &Class, k: Option<&Constructor>) -> Vec<Atom> {
    struct Assigned(Vec<Atom>);
    impl Visit for Assigned {
        // (Types hold no assignment; a nested class's `this` is its own.)
        fn visit_ts_type(&mut self, _: &TsType) {}
        fn visit_ts_type_ann(&mut self, _: &TsTypeAnn) {}
        fn visit_decorator(&mut self, _: &Decorator) {}
        fn visit_class(&mut self, _: &Class) {}
        fn visit_assign_expr(&mut self, a: &AssignExpr) {
            if let Some(name) = this_field(&a.left) {
                self.0.push(name.clone());
            }
            a.visit_children_with(self);
        }
        fn visit_update_expr(&mut self, u: &UpdateExpr) {
            if let Expr::Member(m) = unwrap(&u.arg) {
                if let (Expr::This(_), Some(name)) = (unwrap(&m.obj), member_prop(&m.prop)) {
                    self.0.push(name);
                }
            }
        }
    }
    let mut all = Assigned(vec![]);
    c.body.visit_with(&mut all);
    // Each statement of the constructor's body that stores a field accounts for one of them.
    let mut own: Vec<&Atom> = k
        .iter()
        .flat_map(|k| &k.body)
        .flat_map(|b| &b.stmts)
        .filter_map(|st| stored(st).map(|(n, _)| n))
        .collect();
    let mut out = vec![];
    for name in all.0 {
        match own.iter().position(|n| **n == name) {
            Some(i) if !out.contains(&name) => {
                own.swap_remove(i);
            }
            _ => out.push(name),
        }
    }
    out
}

impl Walk {
    /// The project class the field `this.<prop>` holds an instance of, when the class says.
    pub(super) fn field_class(&self, prop: &MemberProp) -> Option<Atom> {
        let name = member_prop(prop)?;
        let this = self.this.as_ref()?;
        let (_, class) = this.classes.iter().find(|(f, _)| *f == name)?;
        Some(class.clone())
    }

    /// `new ProjectRepo(db, workspaceId)`: a call of the class's constructor. One passing
    /// nothing of known origin is kept by the class's name alone (`OriginFacts::opaque_calls`):
    /// the constructor's callers are then not all known.
    pub(super) fn new_call(&mut self, n: &NewExpr) {
        let Expr::Ident(class) = unwrap(&n.callee) else {
            return;
        };
        let name = &class.sym;
        // (Cheapest first: most are `new Date()`, `new Error(..)`.)
        if !name.starts_with(|c: char| c.is_ascii_uppercase())
            || is_global(name)
            || self.is_bound(name)
        {
            return;
        }
        let args = n.args.as_deref().unwrap_or(&[]);
        self.call((args, n.span), name, || {
            vec![name.clone(), constructor_name()]
        });
    }
}
