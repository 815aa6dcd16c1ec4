//! What assignments and initialisers bind during the walk (conditions, rows, builders, the
//! local a query's result goes to), and the properties of a result a later condition tests.

use super::*;

impl Extractor {
    /// `const row = await helper(..)` (also `const [row] = ..`): the local holds what the
    /// project function returns (`FileFacts::result_calls`); `const [a, b] = await
    /// Promise.all([f(..), g(..)])`: each name, its own call's.
    pub(super) fn note_result_calls(&mut self, d: &VarDeclarator) {
        let Some(init) = &d.init else { return };
        let init = held_result(init);
        let all = match awaited(init) {
            Expr::Call(c) => promise_all(c),
            _ => None,
        };
        if let (Pat::Array(p), Some(calls)) = (&d.name, all) {
            for (pat, call) in p.elems.iter().zip(calls) {
                if let (Some(Pat::Ident(i)), Some(c)) = (pat, call) {
                    if c.spread.is_none() {
                        self.note_result_call(&i.id.sym, &c.expr);
                    }
                }
            }
            return;
        }
        if let Some(local) = result_binding(&d.name) {
            self.note_result_call(local, mapped_call(init).unwrap_or(init));
        }
    }

    fn note_result_call(&mut self, local: &Atom, init: &Expr) {
        // A chain (`db.select()..`, `f().g()`) names no project function as a whole.
        let chained = |c: &CallExpr| match &c.callee {
            Callee::Expr(callee) => match unwrap(callee) {
                Expr::Member(m) => matches!(unwrap(&m.obj), Expr::Call(_)),
                _ => false,
            },
            _ => true,
        };
        if let Some((call, c)) = Some(awaited(init)).and_then(|e| match e {
            Expr::Call(c) if !chained(c) => Some((e, c)),
            _ => None,
        }) {
            // `helper(..)`, `obj.m(..)`, `this.m(..)`, `repo.find(..)` on an instance,
            // `ns.obj.m(..)`: what the whole call names.
            let (root, segs) = flatten(call);
            let callee = callee_names(root, &segs, &self.scopes, &self.held)
                .filter(|(names, seg)| {
                    seg.call_span == c.span
                        && !(names.len() == 1 && self.scopes.is_local(&names[0]))
                })
                .map(|(names, _)| names);
            if let Some(callee) = callee {
                let span = self.at.span(c.span);
                self.facts.result_calls.push(crate::facts::ResultCall {
                    local: local.clone(),
                    callee,
                    span,
                    scope: self.frames.function_span(self.at),
                });
            }
        }
    }

    /// `x = ..`: on a `let` condition, the new value (or either value when conditional); a
    /// chain assigned is stored, not run.
    pub(super) fn assign(&mut self, a: &AssignExpr) {
        if let AssignTarget::Simple(SimpleAssignTarget::Ident(id)) = &a.left {
            if matches!(self.scopes.get(&id.id.sym), Some(Binding::Pred(_))) {
                let new = if a.op == AssignOp::Assign {
                    pred(&self.scopes, &a.right)
                } else {
                    unknown(format!("`{}` after a compound assignment", id.id.sym))
                };
                let conditional = self.frames.conditional > 0;
                if let Some(Binding::Pred(old)) = self.scopes.get_mut(&id.id.sym) {
                    // A conditional reassignment leaves either value possible.
                    *old = if conditional {
                        RawPred::Or(vec![old.clone(), new])
                    } else {
                        new
                    };
                }
            }
        }
        // `row.teamId = ..` on a local row object: the row sets that key too.
        if let AssignTarget::Simple(SimpleAssignTarget::Member(m)) = &a.left {
            if let Expr::Ident(obj) = unwrap(&m.obj) {
                let rows = match self.scopes.get_mut(&obj.sym) {
                    Some(Binding::Rows(rows)) => Some(&mut rows[..]),
                    Some(Binding::StrMap(row)) => Some(std::slice::from_mut(row)),
                    _ => None,
                };
                if let Some(rows) = rows {
                    let key = crate::extract::ast::member_prop(&m.prop);
                    for row in rows.iter_mut() {
                        row.set(key.clone());
                    }
                }
            }
        }
        a.left.visit_with(self);
        match unwrap(&a.right) {
            // `row = await db.query.T.findFirst(..)`: the query's result, or a helper's, is the
            // local's, as `const row = await ..` (origins decide which assignment's value the
            // local holds where it is used).
            Expr::Await(aw) if a.op == AssignOp::Assign => {
                let AssignTarget::Simple(SimpleAssignTarget::Ident(id)) = &a.left else {
                    return self.visit_expr(&a.right);
                };
                self.note_result_call(&id.id.sym, &a.right);
                match unwrap(&aw.arg) {
                    chain @ Expr::Call(_) => {
                        let how = ChainUse {
                            result: Some(&id.id.sym),
                            ..ChainUse::default()
                        };
                        self.nested(|x| x.call_chain(chain, how));
                    }
                    _ => self.visit_expr(&a.right),
                }
            }
            chain @ Expr::Call(_) => {
                let how = ChainUse {
                    stored: true,
                    ..ChainUse::default()
                };
                let before = self.facts.queries.len();
                self.nested(|x| x.call_chain(chain, how));
                if let AssignTarget::Simple(SimpleAssignTarget::Ident(id)) = &a.left {
                    self.note_builder(&id.id.sym, before, chain);
                }
            }
            _ => self.visit_expr(&a.right),
        }
    }

    /// A variable's initialiser: a function named after the variable, an object literal whose
    /// methods are, or a chain stored in it or whose result it holds.
    pub(super) fn initialiser(&mut self, name: &Pat, init: &Expr) {
        let ident = match name {
            Pat::Ident(i) => Some(i.id.sym.as_str()),
            _ => None,
        };
        let value = unwrap(init);
        // `export const archive = action.schema(s).action(async ({ parsedInput }) => ..)`: a
        // call of `archive(..)` runs the function (next-safe-action, zsa's `.handler(..)`); so
        // does a call of `getDeal = cache(async (id) => ..)`.
        if let (Expr::Call(c), Some(n)) = (value, ident) {
            if self.frames.at_module_level() && action_chain(c) {
                self.wrapped = Some(n.to_owned());
            }
        }
        if let Expr::Call(c) = awaited(init) {
            if let Some((body, ret, returned)) = transaction_return(c) {
                for (local, inner) in returned_locals(name, returned) {
                    self.facts.tx_results.push(crate::facts::TxResult {
                        local: local.as_str().into(),
                        inner: inner.clone(),
                        body: self.at.span(body),
                        ret: self.at.span(ret),
                        span: self.at.span(init.span()),
                    });
                }
            }
        }
        match (value, ident) {
            (Expr::Arrow(_) | Expr::Fn(_), _) => {
                let name = ident.map(|n| match &self.owner {
                    Some(c) if self.frames.at_module_level() => format!("{c}.{n}"),
                    _ => n.to_owned(),
                });
                self.nested(|x| x.function_value(value, FnKind::Own(name)));
            }
            // `const row = c ? await read(..) : null`: the read's rows, or nothing.
            (Expr::Cond(c), _) if !std::ptr::eq(held_result(init), init) => {
                self.test(&c.test);
                self.with_cond(|x| x.initialiser(name, held_result(init)));
            }
            // `export const users = { async get(id) {..} }`: methods are named `users.get`.
            (Expr::Object(_), Some(owner)) if self.frames.at_module_level() => {
                self.with_owner(owner, |x| x.visit_expr(init));
            }
            _ => match awaited(init) {
                // `const [a, b] = await Promise.all([qa, qb])`: each query's rows are bound
                // to its own name, as `const a = await qa` would.
                Expr::Call(c) if matches!(name, Pat::Array(_)) && promise_all(c).is_some() => {
                    let (Pat::Array(names), Some(elems)) = (name, promise_all(c)) else {
                        return;
                    };
                    for (i, e) in elems.iter().enumerate() {
                        let Some(e) = e else { continue };
                        match awaited(&e.expr) {
                            chain @ Expr::Call(_) if e.spread.is_none() => {
                                let how = ChainUse {
                                    argument: None,
                                    stored: false,
                                    result: names
                                        .elems
                                        .get(i)
                                        .and_then(|p| result_binding(p.as_ref()?)),
                                };
                                self.nested(|x| x.call_chain(chain, how));
                            }
                            _ => self.visit_expr(&e.expr),
                        }
                    }
                }
                chain @ Expr::Call(_) => {
                    let stored = matches!(value, Expr::Call(_));
                    let how = ChainUse {
                        argument: None,
                        stored,
                        result: result_binding(name),
                    };
                    let before = self.facts.queries.len();
                    self.nested(|x| x.call_chain(chain, how));
                    if let (Expr::Await(_), Some(local)) = (value, how.result) {
                        self.note_passthrough(chain, local, before);
                    }
                    if let (Expr::Await(_), Pat::Ident(i)) = (value, name) {
                        self.note_rows_array(&i.id.sym, chain, before);
                    }
                    if let (true, Pat::Ident(i)) = (stored, name) {
                        if self.facts.queries.len() > before {
                            self.note_builder(&i.id.sym, before, chain);
                        } else {
                            // `let query = base.$dynamic()`: another name for `base`'s builder.
                            self.note_builder_alias(&i.id.sym, chain);
                        }
                    }
                }
                // `const rows = await q`: the rows of the query the builder `q` holds.
                Expr::Ident(q) if matches!(value, Expr::Await(_)) => {
                    self.note_builder_result(&q.sym);
                    self.visit_expr(init);
                }
                _ => self.visit_expr(init),
            },
        }
    }

    /// `const rows = await runTimed('stage', () => db.select()..)` (`withSpan(name, async () =>
    /// { return q; })`, `retry(() => q, 3)`): a call given one callback with no parameters that
    /// returns a chain runs it now and returns its result (not `.catch(..)`, whose callback
    /// gives a fallback, nor `.finally(..)`). The query the walk found in that callback (the
    /// queries from `first` on) is the local's, and is run where the call is, in the caller's
    /// function.
    fn note_passthrough(&mut self, chain: &Expr, local: &Atom, first: usize) {
        let Expr::Call(c) = chain else { return };
        let callee = match &c.callee {
            Callee::Expr(e) => match unwrap(e) {
                Expr::Member(m) => crate::extract::ast::member_prop(&m.prop),
                Expr::Ident(i) => Some(i.sym.clone()),
                _ => None,
            },
            _ => None,
        };
        if matches!(callee.as_deref(), None | Some("catch" | "finally")) {
            return;
        }
        let mut bodies = (c.args.iter())
            .filter(|a| a.spread.is_none())
            .filter_map(|a| crate::extract::ast::passthrough_chain(&a.expr));
        let (Some(body), None) = (bodies.next(), bodies.next()) else {
            return;
        };
        let span = self.at.span(body.span());
        let scope = self.frames.function_span(self.at);
        let found = self.facts.queries[first..]
            .iter_mut()
            .find(|q| q.span == span && q.result.is_none());
        if let Some(site) = found {
            site.result = Some(local.clone());
            site.scope = scope;
        }
    }

    /// `row.deletedAt` in a condition, where `row` holds the result of a query of this function:
    /// the code looks at that column after the read.
    pub(super) fn note_result_test(&mut self, m: &MemberExpr) {
        if self.testing == 0 {
            return;
        }
        let (Expr::Ident(local), MemberProp::Ident(prop)) = (unwrap(&m.obj), &m.prop) else {
            return;
        };
        let scope = self.frames.function_span(self.at);
        // The latest query of this function whose result the local holds (a few looked at).
        let found = self
            .facts
            .queries
            .iter_mut()
            .rev()
            .take(32)
            .find(|q| q.scope == scope && q.result.as_ref() == Some(&local.sym));
        if let Some(q) = found {
            if !q.result_tests.contains(&prop.sym) {
                q.result_tests.push(prop.sym.clone());
            }
        }
    }

    /// `x.key`: a property a later condition may test, then the object and a computed key.
    pub(super) fn member_chain(&mut self, e: &Expr) {
        let Expr::Member(m) = e else { return };
        self.note_result_test(m);
        self.visit_expr(&m.obj);
        if let MemberProp::Computed(c) = &m.prop {
            self.visit_expr(&c.expr);
        }
    }

    /// Walks a condition.
    pub(super) fn test(&mut self, e: &Expr) {
        self.testing += 1;
        self.visit_expr(e);
        self.testing -= 1;
    }
}

/// The elements of `Promise.all([..])`'s array, written out.
fn promise_all(c: &CallExpr) -> Option<&[Option<ExprOrSpread>]> {
    let Callee::Expr(callee) = &c.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return None;
    };
    let (Expr::Ident(promise), Some(all)) = (unwrap(&m.obj), m.prop.as_ident()) else {
        return None;
    };
    if &*promise.sym != "Promise" || &*all.sym != "all" || c.args.len() != 1 {
        return None;
    }
    match unwrap(&c.args[0].expr) {
        Expr::Array(a) if c.args[0].spread.is_none() => Some(&a.elems),
        _ => None,
    }
}

/// `await Promise.all(ids.map((id) => requireTask(orgId, id)))`: the call each element runs,
/// whose result every element is (not one that calls a parameter of the callback).
fn mapped_call(init: &Expr) -> Option<&Expr> {
    let Expr::Call(all) = awaited(init) else {
        return None;
    };
    let Callee::Expr(callee) = &all.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return None;
    };
    let ([arg], Expr::Ident(promise)) = (&all.args[..], unwrap(&m.obj)) else {
        return None;
    };
    if &*promise.sym != "Promise" || m.prop.as_ident().is_none_or(|p| &*p.sym != "all") {
        return None;
    }
    let Expr::Call(map) = unwrap(&arg.expr) else {
        return None;
    };
    let (Callee::Expr(mc), [cb]) = (&map.callee, &map.args[..]) else {
        return None;
    };
    let Expr::Member(mm) = unwrap(mc) else {
        return None;
    };
    let Expr::Arrow(a) = unwrap(&cb.expr) else {
        return None;
    };
    if mm.prop.as_ident().is_none_or(|p| &*p.sym != "map") {
        return None;
    }
    let result = crate::extract::ast::arrow_result(a)?;
    let Expr::Call(c) = awaited(result) else {
        return None;
    };
    let param = |name: &str| {
        a.params
            .iter()
            .any(|p| matches!(p, Pat::Ident(i) if &*i.id.sym == name))
    };
    match &c.callee {
        Callee::Expr(f) if matches!(unwrap(f), Expr::Ident(i) if param(&i.sym)) => None,
        _ => Some(result),
    }
}

/// `x.transaction(async (tx) => { ..; return row; })` (also `function`): the callback's span,
/// its last statement and the local it returns.
fn transaction_return(c: &CallExpr) -> Option<(swc_common::Span, swc_common::Span, &Expr)> {
    let Callee::Expr(callee) = &c.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return None;
    };
    if m.prop.as_ident().is_none_or(|p| &*p.sym != "transaction") {
        return None;
    }
    let first = c.args.first().filter(|a| a.spread.is_none())?;
    let (span, body) = match unwrap(&first.expr) {
        Expr::Arrow(a) => match &*a.body {
            ArrowFunctionBody::FunctionBody(b) => (a.span, b),
            ArrowFunctionBody::Expr(_) => return None,
        },
        Expr::Fn(f) => (f.function.span, f.function.body.as_ref()?),
        _ => return None,
    };
    let Some(Stmt::Return(ReturnStmt {
        arg: Some(arg),
        span: ret,
        ..
    })) = body.stmts.last()
    else {
        return None;
    };
    Some((span, *ret, unwrap(arg)))
}

/// The locals `name` binds to locals of the callback that `returned` names: `const row = ..`
/// with `return created`, or `const { report, update } = ..` with `return { report, update:
/// created }` (by key; a key the object does not name by a local binds nothing).
fn returned_locals<'e>(name: &'e Pat, returned: &'e Expr) -> Vec<(&'e Atom, &'e Atom)> {
    match (name, returned) {
        (Pat::Ident(local), Expr::Ident(inner)) => vec![(&local.id.sym, &inner.sym)],
        (Pat::Object(pat), Expr::Object(obj)) => {
            let inner_of = |key: &str| {
                obj.props.iter().rev().find_map(|p| match p {
                    PropOrSpread::Prop(p) => match &**p {
                        Prop::Shorthand(i) if &*i.sym == key => Some(&i.sym),
                        Prop::KeyValue(kv) if prop_name(&kv.key).as_deref() == Some(key) => {
                            match unwrap(&kv.value) {
                                Expr::Ident(i) => Some(&i.sym),
                                _ => None,
                            }
                        }
                        _ => None,
                    },
                    PropOrSpread::Spread(_) => None,
                })
            };
            // A spread may write any key: then nothing is known of the object.
            if obj
                .props
                .iter()
                .any(|p| matches!(p, PropOrSpread::Spread(_)))
            {
                return vec![];
            }
            crate::extract::ast::plain_bindings(pat)
                .filter_map(|(key, local)| Some((local, inner_of(&key)?)))
                .collect()
        }
        _ => vec![],
    }
}

/// `client.schema(s).action(async (..) => ..)`: a chain whose last call is
/// an action client's ([`crate::extract::names::is_action_method`]), given a function; or a
/// memoising wrapper's (`cache(async (id) => ..)`, [`crate::extract::names::is_function_wrapper`]).
fn action_chain(c: &CallExpr) -> bool {
    let Callee::Expr(callee) = &c.callee else {
        return false;
    };
    let function_arg = |a: Option<&ExprOrSpread>| a.is_some_and(|a| is_function(&a.expr));
    match unwrap(callee) {
        Expr::Member(m) => match crate::extract::ast::member_prop(&m.prop) {
            Some(p) if crate::extract::names::is_action_method(&p) => function_arg(c.args.last()),
            // `React.cache(fn)`.
            Some(p) if crate::extract::names::is_function_wrapper(&p) => {
                function_arg(c.args.first())
            }
            _ => false,
        },
        Expr::Ident(i) => {
            crate::extract::names::is_function_wrapper(&i.sym) && function_arg(c.args.first())
        }
        _ => false,
    }
}
