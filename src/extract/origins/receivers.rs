//! A method called on a receiver (`repo.find(id)`, `this.invoices.list(..)`, `new Repo(db)
//! .find(id)`, `container.resolve(Repo).find(id)`): the method of the class the receiver is an
//! instance of, followed like a function; of a receiver whose class is not followed, a call of
//! that name nothing is known about, so that a project method of the name does not take its
//! callers as known (see `Project::callers`). A Drizzle query's own first call
//! (`db.update(projects)`, `this.db.delete(..)`) is no such call.

use super::values::Val;
use super::Walk;
use crate::extract::ast::unwrap;
use crate::extract::names::is_global;
use crate::facts::Name;
use swc_ecma_ast::*;

impl Walk {
    pub(super) fn receiver_call(&mut self, c: &CallExpr, m: &MemberExpr, method: Name) {
        match unwrap(&m.obj) {
            Expr::Ident(o)
                if !self.is_bound(&o.sym) && !super::session_name(&o.sym) && !is_global(&o.sym) =>
            {
                let last = method.clone();
                self.call((&c.args, c.span), &last, || vec![o.sym.clone(), method]);
            }
            // `this.m(..)`: the method of the class the walk is in.
            Expr::This(_) => {
                let last = method.clone();
                let class = self.this.as_ref().and_then(|t| t.class.clone());
                let this = || class.unwrap_or_else(crate::extract::ast::this_name);
                self.call((&c.args, c.span), &last, || vec![this(), method])
            }
            // `this.invoices.list(..)`: a method of the class a field holds an instance of.
            Expr::Member(f) if matches!(unwrap(&f.obj), Expr::This(_)) => {
                match self.field_class(&f.prop) {
                    Some(class) => self.class_method_call(c, class, method),
                    None => self.unknown_method(c, method),
                }
            }
            // `new Repo(db).find(id)`, `container.resolve(Repo).find(id)`: the class's method.
            // (Only those calls are asked: the origin of every link of a query's chain would
            // be worked out again for each link after it.)
            e @ Expr::New(_) => self.instance_call(c, e, method),
            Expr::Call(inner) if crate::extract::ast::resolved_class(inner).is_some() => {
                self.instance_call(c, &m.obj, method)
            }
            // Of a local given `new Repo(..)`: that class's method. Of another local
            // (`model.rename(id)`): maybe a project class's, called on an instance whose class
            // is not followed; following its arguments costs more than the proofs it would
            // allow.
            Expr::Ident(o) if !super::session_name(&o.sym) => match self.env.lookup(&o.sym) {
                Some(Val::Instance(class)) => self.class_method_call(c, class.clone(), method),
                _ => self.unknown_method(c, method),
            },
            _ => {}
        }
    }

    /// `method` called on `receiver`, when it is an instance of a project class.
    fn instance_call(&mut self, c: &CallExpr, receiver: &Expr, method: Name) {
        if let Val::Instance(class) = self.origin(receiver) {
            self.class_method_call(c, class, method);
        }
    }

    /// `method` called on a receiver whose class is not followed, unless the call starts a
    /// query.
    fn unknown_method(&mut self, c: &CallExpr, method: Name) {
        if !self.starts_query(c.span) {
            self.facts.opaque_calls.push(method);
        }
    }

    /// The call at `call` is the first of a query the module's walk found (`db.update(projects)`
    /// in `db.update(projects).set(..)`): Drizzle's, no project function's.
    pub(super) fn starts_query(&self, call: swc_common::Span) -> bool {
        self.queries.binary_search(&self.at.span(call).lo).is_ok()
    }
}
