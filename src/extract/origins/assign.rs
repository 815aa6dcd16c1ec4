//! Locals assigned after their declaration (`let x; if (a) x = b; else x = c;`, a parameter
//! reassigned): what a name holds at a point of the walk.
//!
//! The walk reads the code once, in source order. A local's value there is what its
//! initialiser and every assignment the walk met before that point give, when they all give
//! the same value. When one disagrees, the local holds request input if any of them is input
//! (`Val::Input`, the newest, marked so that it equals no other value: a check of what the
//! local held before says nothing of it), and otherwise a value of no known origin. An
//! assignment made on every path from the declaration (in the same block, not under a
//! condition, loop, `try` or another function) replaces the value instead. `let x;` is
//! unassigned until its first assignment (reading it gives nothing). Compound assignments
//! (`x += ..`, `x++`) and destructuring assignments (`[a, b] = ..`) give a value of no known
//! origin; `x ??= v` (`||=`, `&&=`) may give `v`. A value of no known origin that an
//! assignment gives is a `Val::Local` named apart (`x'3`): no read's result, but the same
//! value wherever it is used before the next assignment (a key a read checked names the
//! same row again). When each value it may hold is a local's rows as a whole (`let item =
//! found; if (..) item = parent;`), those locals are recorded (`OriginFacts::merged`): it is
//! a checked row when every one of them is.
//!
//! Loops and functions may run their code again after an assignment later in their body
//! (`while (..) { use(x); x = next; }`, an iteration callback): when an assignment there
//! changed a name bound outside, the body is walked a second time from the values the first
//! walk ended with, and only the second walk's facts are kept. Not followed: a function
//! written before an assignment and called after it (`const f = () => use(x); x = v; f()`)
//! sees the value at the point it is written; properties assigned on an object
//! (`row.id = v`) are not followed. A `let` declared without a value and first assigned an
//! awaited call (`let row; row = await db.select()..`) holds its rows as an initialiser's local
//! would; a later assignment gives it another value.

use super::values::Val;
use super::Walk;
use crate::extract::ast::unwrap;
use crate::facts::{InputOrigin, Origin};
use swc_atoms::Atom;
use swc_ecma_ast::*;
use swc_ecma_visit::VisitWith;

impl Walk {
    /// Binds `name` to `v` in the current region.
    pub(super) fn push_var(&mut self, name: Atom, v: Val) {
        self.env.vars.push((name, v));
        self.lets.bound.push((self.lets.region, false));
    }

    /// `let x;`: bound, with no value until assigned.
    pub(super) fn push_unassigned(&mut self, name: Atom) {
        self.env.vars.push((name, Val::Unknown));
        self.lets.bound.push((self.lets.region, true));
    }

    pub(super) fn truncate_vars(&mut self, len: usize) {
        self.env.vars.truncate(len);
        self.lets.bound.truncate(len);
    }

    /// `x = v`, `x += v`, `[a, b] = v`, `x ??= v`.
    pub(super) fn assign(&mut self, a: &AssignExpr) {
        a.left.visit_with(self);
        a.right.visit_with(self);
        match &a.left {
            AssignTarget::Simple(t) => {
                let Some(name) = simple_name(t) else { return };
                match a.op {
                    AssignOp::Assign => {
                        let v = self.assigned_value(name, &a.right);
                        self.assign_name(name, v, true);
                    }
                    AssignOp::OrAssign | AssignOp::AndAssign | AssignOp::NullishAssign => {
                        let v = self.origin(&a.right);
                        self.assign_name(name, v, false);
                    }
                    _ => self.assign_name(name, Val::Unknown, false),
                }
            }
            AssignTarget::Pat(p) => {
                let pat = match p {
                    AssignTargetPat::Array(a) => Pat::Array(a.clone()),
                    AssignTargetPat::Object(o) => Pat::Object(o.clone()),
                    AssignTargetPat::Invalid(_) => return,
                };
                self.assign_unknown(&pat);
            }
        }
    }

    /// `x++`, `x--`.
    pub(super) fn update(&mut self, u: &UpdateExpr) {
        u.arg.visit_with(self);
        if let Expr::Ident(i) = unwrap(&u.arg) {
            self.assign_name(&i.sym, Val::Unknown, false);
        }
    }

    /// Every name `pat` assigns (a destructuring assignment, `for (x of ..)`) holds a value not
    /// followed.
    pub(super) fn assign_unknown(&mut self, pat: &Pat) {
        match pat {
            Pat::Ident(i) => self.assign_name(&i.id.sym, Val::Unknown, false),
            Pat::Array(a) => {
                for p in a.elems.iter().flatten() {
                    self.assign_unknown(p);
                }
            }
            Pat::Object(o) => {
                for p in &o.props {
                    match p {
                        ObjectPatProp::KeyValue(kv) => self.assign_unknown(&kv.value),
                        ObjectPatProp::Assign(a) => {
                            self.assign_name(&a.key.id.sym, Val::Unknown, false)
                        }
                        ObjectPatProp::Rest(r) => self.assign_unknown(&r.arg),
                    }
                }
            }
            Pat::Assign(a) => self.assign_unknown(&a.left),
            Pat::Rest(r) => self.assign_unknown(&r.arg),
            Pat::Expr(e) => {
                if let Expr::Ident(i) = unwrap(e) {
                    self.assign_name(&i.sym, Val::Unknown, false);
                }
            }
            Pat::Invalid(_) => {}
        }
    }

    /// What `name = value` gives it: the value's origin; for the first value of a `let` with
    /// none (`let session; session = await verify(token)`), what a `const` given it would hold;
    /// for a query builder refined in place (`q = q.where(..)`, with `q` named by its own
    /// query), still that query (the query's clauses are followed where it is read).
    fn assigned_value(&self, name: &Atom, value: &Expr) -> Val {
        let v = self.origin(value);
        if !matches!(v, Val::Unknown) {
            return v;
        }
        let Some(i) = self.env.vars.iter().rposition(|(n, _)| n == name) else {
            return v;
        };
        match &self.env.vars[i].1 {
            Val::Local { name: n, path, .. }
                if n == name && path.is_empty() && chain_root(value) == Some(name) =>
            {
                self.env.vars[i].1.clone()
            }
            _ if self.lets.bound[i].1
                && super::session_name(name)
                && super::returns_value(value) =>
            {
                Val::Session
            }
            // `let row; row = await db.query.T.findFirst(..)`: the first assignment of a `let`
            // declared without a value holds what the awaited call gives, as an initialiser
            // would (`extract::visitor` binds the query's result to the name the same way);
            // any later assignment makes it another value.
            _ if self.lets.bound[i].1 && matches!(unwrap(value), Expr::Await(_)) => Val::rows(name),
            _ => v,
        }
    }

    /// Whether `value` names a local declared in the region the walk is in (see
    /// [`crate::facts::Guard::beside`]).
    pub(super) fn declared_here(&self, value: &Origin) -> bool {
        let Origin::Local { name, .. } = value else {
            return false;
        };
        self.env
            .vars
            .iter()
            .rposition(|(n, _)| **n == **name)
            .is_some_and(|i| self.lets.bound[i].0 == self.lets.region)
    }

    /// `xs.add(v)`, `xs.push(v)`, `byId.set(k, v)` (`value`: the index of the argument added)
    /// on a local that holds a new empty collection, or the values added so far: it now holds
    /// the values of `v` (one of many); values of two origins hold nothing known.
    pub(super) fn accumulate(&mut self, m: &MemberExpr, c: &CallExpr, value: usize) {
        let (Expr::Ident(xs), Some(a)) = (unwrap(&m.obj), c.args.get(value)) else {
            return;
        };
        if c.args.len() != value + 1 {
            return;
        }
        if a.spread.is_some() || !self.is_bound(&xs.sym) {
            return;
        }
        let name = &xs.sym;
        let Some(i) = self.env.vars.iter().rposition(|(n, _)| n == name) else {
            return;
        };
        let values = self.origin(&a.expr).one_of_many();
        let old = &self.env.vars[i].1;
        if matches!(old, Val::Empty) || same(old, &values) {
            self.assign_name(name, values, false);
        } else if matches!(
            old,
            Val::Local { each: true, .. } | Val::Param { each: true, .. }
        ) {
            self.assign_name(name, Val::Unknown, false);
        }
        // Anything else (a query's rows, `rows.push(found)`) is left as it was.
    }

    /// `name` is given `v`: on every path from where it was bound (`replace`, in its own
    /// region), the new value; otherwise what both give (see the module's doc).
    fn assign_name(&mut self, name: &Atom, v: Val, replace: bool) {
        let Some(i) = self.env.vars.iter().rposition(|(n, _)| n == name) else {
            // An unbound `session` (`ctx`, `locals`) holds the session until assigned.
            if super::session_name(name) {
                self.env.vars.push((name.clone(), Val::Session));
                self.lets.bound.push((u32::MAX, false));
                self.assign_name(name, v, false);
            }
            return;
        };
        let (region, unassigned) = self.lets.bound[i];
        let old = &self.env.vars[i].1;
        let mut merged = None;
        let mut new = if unassigned || (replace && region == self.lets.region) {
            v
        } else {
            merged = self.rows_of(old).zip(self.rows_of(&v)).map(|(mut a, b)| {
                for n in b {
                    if !a.contains(&n) {
                        a.push(n);
                    }
                }
                a
            });
            join(old, v)
        };
        if matches!(new, Val::Unknown) {
            // A value of no known origin is still one value until the next assignment: a
            // key checked by a read and used again after it names the same row.
            self.lets.versions += 1;
            let n = self.lets.versions;
            if let Some(alts) = merged {
                // Either local's rows: what every one of them is, it is.
                self.facts.merged.push((format!("{name}'{n}").into(), alts));
            }
            new = Val::Version {
                name: name.clone(),
                n,
                path: String::new(),
            };
        }
        // A loop or function around walks its code again (`Walk::repeated`) when what its
        // code read before this point may have been another value on a later pass: a value
        // that proves or suppresses something (all but nothing known and constants), or now
        // input, which a read before this point would report.
        let read_before = !unassigned && !matches!(old, Val::Unknown | Val::Const);
        if (unassigned || !same(old, &new)) && (read_before || matches!(new, Val::Input(_))) {
            self.lets.changed_below = self.lets.changed_below.min(i);
        }
        self.env.vars[i].1 = new;
        self.lets.bound[i].1 = false;
    }

    /// The locals whose rows `v` is (a local's value as a whole, or one a conditional
    /// reassignment merged), if it is nothing else.
    fn rows_of(&self, v: &Val) -> Option<Vec<Atom>> {
        match v {
            Val::Local {
                name,
                path,
                each: false,
            } if path.is_empty() => Some(vec![name.clone()]),
            Val::Version { name, n, path } if path.is_empty() => {
                let apart = format!("{name}'{n}");
                self.facts
                    .merged
                    .iter()
                    .find(|(m, _)| **m == *apart)
                    .map(|(_, alts)| alts.clone())
            }
            _ => None,
        }
    }
}

/// The name a method chain starts from (`q` of `q.where(..).limit(..)`).
fn chain_root(e: &Expr) -> Option<&Atom> {
    match unwrap(e) {
        Expr::Call(c) => match &c.callee {
            Callee::Expr(callee) => match unwrap(callee) {
                Expr::Member(m) => chain_root(&m.obj),
                _ => None,
            },
            _ => None,
        },
        Expr::Member(m) => chain_root(&m.obj),
        Expr::Ident(i) => Some(&i.sym),
        _ => None,
    }
}

/// The name a simple assignment target names (`x`, `(x as T)`, `x!`).
fn simple_name(t: &SimpleAssignTarget) -> Option<&Atom> {
    let e = match t {
        SimpleAssignTarget::Ident(i) => return Some(&i.id.sym),
        SimpleAssignTarget::Paren(p) => &p.expr,
        SimpleAssignTarget::TsAs(a) => &a.expr,
        SimpleAssignTarget::TsNonNull(n) => &n.expr,
        SimpleAssignTarget::TsSatisfies(s) => &s.expr,
        SimpleAssignTarget::TsTypeAssertion(t) => &t.expr,
        _ => return None,
    };
    match unwrap(e) {
        Expr::Ident(i) => Some(&i.sym),
        _ => None,
    }
}

/// What a name holds that was given `old` on some paths and `new` on others: the same value,
/// or request input (the newer when both are: the older may have been checked; marked: it
/// equals no other value), or nothing known.
fn join(old: &Val, new: Val) -> Val {
    if same(old, &new) {
        return old.clone();
    }
    match (old, &new) {
        // A collection still empty on some paths holds some of the values added on others.
        (Val::Empty, _) => new,
        (_, Val::Empty) => old.clone(),
        (_, Val::Input(i)) | (Val::Input(i), _) => Val::Input(InputOrigin {
            path: format!("{} (on some paths)", i.path).into(),
            schema: None,
            ..i.clone()
        }),
        _ => Val::Unknown,
    }
}

/// The same value: the same input read the same way, the same parameter's or local's
/// property, the same kind of request object.
fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Input(a), Val::Input(b)) => a.label == b.label && a.path == b.path,
        (
            Val::Param {
                scope: s1,
                index: i1,
                path: p1,
                each: e1,
            },
            Val::Param {
                scope: s2,
                index: i2,
                path: p2,
                each: e2,
            },
        ) => s1 == s2 && i1 == i2 && p1 == p2 && e1 == e2,
        (
            Val::Local {
                name: n1,
                path: p1,
                each: e1,
            },
            Val::Local {
                name: n2,
                path: p2,
                each: e2,
            },
        ) => n1 == n2 && p1 == p2 && e1 == e2,
        (
            Val::Version {
                name: n1,
                n: v1,
                path: p1,
            },
            Val::Version {
                name: n2,
                n: v2,
                path: p2,
            },
        ) => n1 == n2 && v1 == v2 && p1 == p2,
        (Val::PageProps(a), Val::PageProps(b)) => a == b,
        (Val::SessionRows(a), Val::SessionRows(b)) => a == b,
        (Val::Unknown, Val::Unknown)
        | (Val::Empty, Val::Empty)
        | (Val::Const, Val::Const)
        | (Val::Session, Val::Session)
        | (Val::Request, Val::Request)
        | (Val::RouteContext, Val::RouteContext)
        | (Val::RequestEvent, Val::RequestEvent)
        | (Val::SearchParams, Val::SearchParams)
        | (Val::FormData, Val::FormData)
        | (Val::HonoContext, Val::HonoContext)
        | (Val::HonoRequest, Val::HonoRequest)
        | (Val::H3Event, Val::H3Event)
        | (Val::H3Context, Val::H3Context)
        | (Val::ElysiaContext, Val::ElysiaContext)
        | (Val::KoaContext, Val::KoaContext)
        | (Val::KoaRequest, Val::KoaRequest)
        | (Val::KoaCookies, Val::KoaCookies)
        | (Val::QwikEvent, Val::QwikEvent)
        | (Val::QwikParseBody, Val::QwikParseBody)
        | (Val::LambdaEvent, Val::LambdaEvent) => true,
        _ => false,
    }
}
