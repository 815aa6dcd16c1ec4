//! Reading `where` arguments as [`RawPred`]s.

use super::{member_prop, prop_name, unwrap, Binding, Extractor};
use crate::facts::*;
use swc_ecma_ast::*;

const MAX_DEPTH: u32 = 64;

fn unknown(why: impl Into<String>) -> RawPred {
    RawPred::Unknown {
        why: why.into(),
        mentions: vec![],
    }
}

impl Extractor {
    pub(super) fn pred(&mut self, e: &Expr) -> RawPred {
        self.pred_at(e, 0)
    }

    fn pred_at(&mut self, e: &Expr, depth: u32) -> RawPred {
        if depth > MAX_DEPTH {
            return unknown("a condition nested too deeply");
        }
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.pred_inner(e, depth))
    }

    fn pred_inner(&mut self, e: &Expr, depth: u32) -> RawPred {
        let e = match unwrap(e) {
            Expr::Await(a) => unwrap(&a.arg),
            e => e,
        };
        match e {
            Expr::Ident(i) if &*i.sym == "undefined" => RawPred::Undefined,
            Expr::Lit(Lit::Null(_)) | Expr::Lit(Lit::Bool(Bool { value: true, .. })) => {
                RawPred::Undefined
            }
            Expr::Ident(i) => match self.lookup(&i.sym) {
                Some(Binding::Pred(p)) => p.clone(),
                Some(Binding::Param) => RawPred::Param(i.sym.clone()),
                Some(Binding::Array { .. }) => {
                    unknown(format!("the array `{}` used as one condition", i.sym))
                }
                Some(_) => unknown(format!("`{}`", i.sym)),
                None => unknown(format!("`{}`", i.sym)),
            },
            Expr::Cond(c) => RawPred::Or(vec![
                self.pred_at(&c.cons, depth + 1),
                self.pred_at(&c.alt, depth + 1),
            ]),
            Expr::Bin(b) => match b.op {
                // `flag && eq(..)` applies the condition only when `flag` holds.
                BinaryOp::LogicalAnd => {
                    RawPred::Or(vec![RawPred::Undefined, self.pred_at(&b.right, depth + 1)])
                }
                BinaryOp::LogicalOr | BinaryOp::NullishCoalescing => RawPred::Or(vec![
                    self.pred_at(&b.left, depth + 1),
                    self.pred_at(&b.right, depth + 1),
                ]),
                _ => unknown("an expression that is not a condition"),
            },
            Expr::TaggedTpl(t) if matches!(unwrap(&t.tag), Expr::Ident(i) if &*i.sym == "sql") => {
                self.sql_template(&t.tpl)
            }
            Expr::Call(c) => self.pred_call(c, depth),
            Expr::Object(_) => unknown("an object where a condition was expected"),
            _ => unknown("an expression drizzle-guard cannot read as a condition"),
        }
    }

    fn pred_call(&mut self, c: &CallExpr, depth: u32) -> RawPred {
        let Callee::Expr(callee) = &c.callee else {
            return unknown("a call");
        };
        let (op, path): (Option<Name>, Vec<Name>) = match unwrap(callee) {
            Expr::Ident(i) => {
                let name = i.sym.clone();
                match self.lookup(&i.sym) {
                    Some(Binding::Param) | Some(Binding::Opaque) | Some(Binding::Pred(_)) => {
                        return unknown(format!("`{name}(..)`"))
                    }
                    Some(Binding::Operator(op)) => (Some(op.clone()), vec![]),
                    _ if super::is_operator(&name) => (Some(name), vec![]),
                    _ => (None, vec![name]),
                }
            }
            Expr::Member(m) => {
                let Some(prop) = member_prop(&m.prop) else {
                    return unknown("a computed call");
                };
                match unwrap(&m.obj) {
                    Expr::Ident(obj) => match self.lookup(&obj.sym) {
                        Some(Binding::Ops) if super::is_operator(&prop) => (Some(prop), vec![]),
                        Some(Binding::Param) if super::is_operator(&prop) => (Some(prop), vec![]),
                        Some(Binding::Param) | Some(Binding::Opaque) => {
                            return unknown(format!("`{}.{}(..)`", obj.sym, prop))
                        }
                        _ => (None, vec![obj.sym.clone(), prop]),
                    },
                    Expr::This(_) => (None, vec![super::query::this_name(), prop]),
                    _ => {
                        // `sql.raw(..)` and friends.
                        return unknown(format!("`..{prop}(..)`"));
                    }
                }
            }
            _ => return unknown("a computed call"),
        };
        let args: Vec<&ExprOrSpread> = c.args.iter().collect();
        let Some(op) = op else {
            if path.first().is_some_and(|p| p == "sql") {
                return unknown(format!("`{}(..)`", dotted(&path)));
            }
            let args = args
                .iter()
                .map(|a| RawArg {
                    pred: if a.spread.is_some() {
                        unknown("a spread argument")
                    } else {
                        self.pred_at(&a.expr, depth + 1)
                    },
                    table: self.base_of(&a.expr),
                })
                .collect();
            return RawPred::Call { callee: path, args };
        };
        let operand = |x: &mut Self, i: usize| -> Operand {
            args.get(i)
                .map(|a| x.operand(&a.expr))
                .unwrap_or(Operand::Value(None))
        };
        match &*op {
            "eq" => RawPred::Eq(operand(self, 0), operand(self, 1)),
            "inArray" => RawPred::InArray(operand(self, 0)),
            "isNull" => RawPred::IsNull(operand(self, 0)),
            "isNotNull" => RawPred::IsNotNull(operand(self, 0)),
            "and" | "or" => {
                // Sized once: a grown vector of 144-byte predicates wastes up to half of it.
                let mut parts = Vec::with_capacity(args.len());
                for a in &args {
                    if a.spread.is_some() {
                        parts.extend(self.spread_preds(&a.expr));
                    } else {
                        parts.push(self.pred_at(&a.expr, depth + 1));
                    }
                }
                if op == "and" {
                    RawPred::And(parts)
                } else {
                    RawPred::Or(parts)
                }
            }
            "not" => RawPred::Not(Box::new(
                args.first()
                    .map(|a| self.pred_at(&a.expr, depth + 1))
                    .unwrap_or(RawPred::Undefined),
            )),
            "exists" | "notExists" => RawPred::Other(vec![]),
            _ => RawPred::Other((0..args.len().min(3)).map(|i| operand(self, i)).collect()),
        }
    }

    /// `...conds` inside `and(..)`: the elements of a condition array built in this function.
    pub(super) fn spread_preds(&mut self, e: &Expr) -> Vec<RawPred> {
        match unwrap(e) {
            Expr::Ident(i) => match self.lookup(&i.sym) {
                Some(Binding::Array { elems, .. }) => elems.clone(),
                _ => vec![unknown(format!("the spread `...{}`", i.sym))],
            },
            Expr::Array(a) => a
                .elems
                .iter()
                .flatten()
                .map(|el| self.pred(&el.expr))
                .collect(),
            _ => vec![unknown("a spread drizzle-guard cannot follow")],
        }
    }

    /// `sql`${col} = ${value}`` is an equality; any other template is opaque but its columns
    /// are kept so that "mentions the column" checks can still see them.
    fn sql_template(&mut self, tpl: &Tpl) -> RawPred {
        if tpl.exprs.is_empty() && tpl.quasis.len() == 1 {
            // `sql`true``, `sql`1 = 1``: every row passes, as if there were no condition.
            let text: String = tpl.quasis[0].raw.split_whitespace().collect();
            if matches!(text.to_lowercase().as_str(), "true" | "1=1" | "(true)") {
                return RawPred::Undefined;
            }
        }
        let quasis: Vec<String> = tpl
            .quasis
            .iter()
            .map(|q| q.raw.trim().to_lowercase())
            .collect();
        if tpl.exprs.len() == 2
            && quasis.len() == 3
            && quasis[0].is_empty()
            && quasis[1] == "="
            && quasis[2].is_empty()
        {
            return RawPred::Eq(self.operand(&tpl.exprs[0]), self.operand(&tpl.exprs[1]));
        }
        let mentions = tpl
            .exprs
            .iter()
            .map(|e| self.operand(e))
            .filter(|o| matches!(o, Operand::Member { .. }))
            .collect();
        let text: String = tpl
            .quasis
            .iter()
            .map(|q| q.raw.as_str().to_owned())
            .collect::<Vec<_>>()
            .join("${..}");
        let mut why = format!("the raw SQL `sql`{}``", text.trim());
        if why.len() > 80 {
            why = "a raw `sql` fragment".to_string();
        }
        RawPred::Unknown { why, mentions }
    }

    /// An operand of a comparison: a column when it is `table.key`, otherwise a value.
    pub(super) fn operand(&mut self, e: &Expr) -> Operand {
        let e = unwrap(e);
        // `Number(row.id)`, `String(id)`: a conversion keeps what the value is.
        if let Expr::Call(c) = e {
            if matches!(super::callee_ident(c), Some("Number" | "String" | "BigInt"))
                && c.args.len() == 1
                && c.args[0].spread.is_none()
            {
                return self.operand(&c.args[0].expr);
            }
        }
        let Expr::Member(m) = e else {
            return Operand::Value(None);
        };
        let Some(key) = member_prop(&m.prop) else {
            return Operand::Value(None);
        };
        match (self.base_of(&m.obj), unwrap(&m.obj)) {
            (Some(base), _) => Operand::Member { base, key },
            (None, Expr::Ident(local)) => {
                Operand::Value(Some(format!("{}.{key}", local.sym).into_boxed_str()))
            }
            (None, _) => Operand::Value(None),
        }
    }

    /// What `x` in `x.key` may be: a table, the relational query's table, or a parameter.
    pub(super) fn base_of(&self, e: &Expr) -> Option<Base> {
        match unwrap(e) {
            Expr::Ident(i) => match self.lookup(&i.sym) {
                Some(Binding::SelfTable) => Some(Base::SelfTable),
                Some(Binding::Param) => Some(Base::Param(i.sym.clone())),
                Some(Binding::Alias(t)) => Some(Base::Table(t.clone())),
                Some(_) => None,
                None => Some(Base::Table(TableExpr::Name(i.sym.clone()))),
            },
            Expr::Member(m) => {
                let Expr::Ident(ns) = unwrap(&m.obj) else {
                    return None;
                };
                if self.lookup(&ns.sym).is_some() {
                    return None;
                }
                Some(Base::Table(TableExpr::Member(
                    ns.sym.clone(),
                    member_prop(&m.prop)?,
                )))
            }
            _ => None,
        }
    }

    /// A table argument (`from(T)`, `update(T)`, `alias(T, ..)`).
    pub(super) fn table_expr(&self, e: &Expr) -> Option<TableExpr> {
        match self.base_of(e)? {
            Base::Table(t) => Some(t),
            _ => None,
        }
    }

    /// A relational v2 object filter: `{ organizationId: x, deletedAt: { isNull: true }, OR: [..] }`.
    pub(super) fn object_filter(&mut self, o: &ObjectLit, depth: u32) -> RawPred {
        if depth > MAX_DEPTH {
            return unknown("a filter nested too deeply");
        }
        let mut parts = vec![];
        for p in &o.props {
            let PropOrSpread::Prop(p) = p else {
                parts.push(unknown("a spread in a filter object"));
                continue;
            };
            let (key, value): (Name, &Expr) = match &**p {
                Prop::KeyValue(kv) => match super::prop_atom(&kv.key) {
                    Some(k) => (k, &kv.value),
                    None => {
                        parts.push(unknown("a computed filter key"));
                        continue;
                    }
                },
                Prop::Shorthand(i) => {
                    let col = Operand::Member {
                        base: Base::SelfTable,
                        key: i.sym.clone(),
                    };
                    parts.push(RawPred::Eq(col, Operand::Value(None)));
                    continue;
                }
                _ => continue,
            };
            let value = unwrap(value);
            match &*key {
                "AND" | "OR" => {
                    let list: Vec<RawPred> = match value {
                        Expr::Array(a) => a
                            .elems
                            .iter()
                            .flatten()
                            .map(|el| match unwrap(&el.expr) {
                                Expr::Object(o) => self.object_filter(o, depth + 1),
                                _ => unknown("a filter that is not an object"),
                            })
                            .collect(),
                        _ => vec![unknown("a filter list that is not an array")],
                    };
                    parts.push(if key == "AND" {
                        RawPred::And(list)
                    } else {
                        RawPred::Or(list)
                    });
                }
                "NOT" => match value {
                    Expr::Object(o) => {
                        let inner = self.object_filter(o, depth + 1);
                        parts.push(RawPred::Not(Box::new(inner)));
                    }
                    _ => parts.push(unknown("a NOT filter that is not an object")),
                },
                "RAW" => parts.push(unknown("a RAW filter")),
                _ => {
                    let col = Operand::Member {
                        base: Base::SelfTable,
                        key: key.clone(),
                    };
                    parts.push(self.column_filter(col, value, depth));
                }
            }
        }
        RawPred::And(parts)
    }

    fn column_filter(&mut self, col: Operand, value: &Expr, depth: u32) -> RawPred {
        if depth > MAX_DEPTH {
            return unknown("a filter nested too deeply");
        }
        match value {
            Expr::Ident(i) if &*i.sym == "undefined" => RawPred::Undefined,
            Expr::Object(o) => {
                let mut parts = vec![];
                for p in &o.props {
                    let PropOrSpread::Prop(p) = p else { continue };
                    let Prop::KeyValue(kv) = &**p else { continue };
                    let Some(op) = prop_name(&kv.key) else {
                        continue;
                    };
                    let v = unwrap(&kv.value);
                    let is_true = matches!(v, Expr::Lit(Lit::Bool(Bool { value: true, .. })));
                    parts.push(match op.as_str() {
                        "eq" => RawPred::Eq(col.clone(), Operand::Value(None)),
                        "in" | "inArray" => RawPred::InArray(col.clone()),
                        "isNull" if is_true => RawPred::IsNull(col.clone()),
                        "isNotNull" if is_true => RawPred::IsNotNull(col.clone()),
                        "OR" | "AND" | "NOT" => {
                            let inner = match v {
                                Expr::Object(_) => self.column_filter(col.clone(), v, depth + 1),
                                Expr::Array(a) => {
                                    let list = a
                                        .elems
                                        .iter()
                                        .flatten()
                                        .map(|el| {
                                            self.column_filter(
                                                col.clone(),
                                                unwrap(&el.expr),
                                                depth + 1,
                                            )
                                        })
                                        .collect();
                                    if op == "AND" {
                                        RawPred::And(list)
                                    } else {
                                        RawPred::Or(list)
                                    }
                                }
                                _ => unknown("a filter drizzle-guard cannot read"),
                            };
                            if op == "NOT" {
                                RawPred::Not(Box::new(inner))
                            } else {
                                inner
                            }
                        }
                        _ => RawPred::Other(vec![col.clone()]),
                    });
                }
                RawPred::And(parts)
            }
            _ => RawPred::Eq(col, Operand::Value(None)),
        }
    }

    /// The `where` of a relational query: a callback, an object filter, or a condition.
    pub(super) fn relational_where(&mut self, e: &Expr) -> RawPred {
        match unwrap(e) {
            Expr::Object(o) => self.object_filter(o, 0),
            Expr::Arrow(a) => {
                self.scopes.push();
                if let Some(p) = a.params.first() {
                    self.bind_pat(p, Binding::SelfTable);
                }
                if let Some(p) = a.params.get(1) {
                    self.bind_ops(p);
                }
                let p = match &*a.body {
                    ArrowFunctionBody::Expr(body) => self.pred(body),
                    ArrowFunctionBody::FunctionBody(b) => self.block_return(b),
                };
                self.scopes.pop();
                p
            }
            Expr::Fn(f) => {
                self.scopes.push();
                if let Some(p) = f.function.params.first() {
                    self.bind_pat(&p.pat, Binding::SelfTable);
                }
                if let Some(p) = f.function.params.get(1) {
                    self.bind_ops(&p.pat);
                }
                let p = match &f.function.body {
                    Some(b) => self.block_return(b),
                    None => unknown("an empty function"),
                };
                self.scopes.pop();
                p
            }
            other => self.pred(other),
        }
    }

    fn bind_ops(&mut self, p: &Pat) {
        match p {
            Pat::Ident(i) => self.bind(&i.id.sym, Binding::Ops),
            Pat::Object(o) => {
                for prop in &o.props {
                    match prop {
                        // `{ eq: eqFn }`: the operator under another name.
                        ObjectPatProp::KeyValue(kv) => {
                            let binding = match super::prop_atom(&kv.key) {
                                Some(op) if super::is_operator(&op) => Binding::Operator(op),
                                _ => Binding::Opaque,
                            };
                            self.bind_pat(&kv.value, binding)
                        }
                        // `{ eq, and }`: the operators under their own names.
                        ObjectPatProp::Assign(a) => {
                            self.scopes.unbind(&a.key.id.sym);
                        }
                        ObjectPatProp::Rest(r) => self.bind_pat(&r.arg, Binding::Ops),
                    }
                }
            }
            _ => {}
        }
    }

    /// The predicate returned by a block body: local `const`s first, then the returns.
    fn block_return(&mut self, b: &FunctionBody) -> RawPred {
        let mut returns = vec![];
        for s in &b.stmts {
            match s {
                Stmt::Decl(Decl::Var(v)) => {
                    for d in &v.decls {
                        if let (Pat::Ident(id), Some(init)) = (&d.name, &d.init) {
                            let b = self.const_binding(init, false).unwrap_or(Binding::Opaque);
                            self.bind(&id.id.sym, b);
                        }
                    }
                }
                Stmt::Return(r) => {
                    returns.push(
                        r.arg
                            .as_ref()
                            .map(|a| self.pred(a))
                            .unwrap_or(RawPred::Undefined),
                    );
                }
                Stmt::Expr(e) => self.note_push(&e.expr),
                Stmt::If(i) => {
                    self.cond_depth += 1;
                    for s in std::iter::once(&*i.cons).chain(i.alt.as_deref()) {
                        match s {
                            Stmt::Return(r) => returns.push(
                                r.arg
                                    .as_ref()
                                    .map(|a| self.pred(a))
                                    .unwrap_or(RawPred::Undefined),
                            ),
                            Stmt::Expr(e) => self.note_push(&e.expr),
                            Stmt::Block(b) => {
                                for s in &b.stmts {
                                    match s {
                                        Stmt::Expr(e) => self.note_push(&e.expr),
                                        Stmt::Return(r) => returns.push(
                                            r.arg
                                                .as_ref()
                                                .map(|a| self.pred(a))
                                                .unwrap_or(RawPred::Undefined),
                                        ),
                                        _ => {}
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                    self.cond_depth -= 1;
                }
                _ => {}
            }
        }
        match returns.len() {
            0 => unknown("a callback with no return"),
            1 => returns.pop().unwrap_or(RawPred::Undefined),
            _ => RawPred::Or(returns),
        }
    }

    /// `conds.push(x)` on a condition array: conditional when it happens deeper than the array's
    /// declaration (inside an `if`, a loop, a `&&`).
    pub(super) fn note_push(&mut self, e: &Expr) {
        let Expr::Call(c) = unwrap(e) else { return };
        let Callee::Expr(callee) = &c.callee else {
            return;
        };
        let Expr::Member(m) = unwrap(callee) else {
            return;
        };
        if !super::member_prop_is(&m.prop, "push") {
            return;
        }
        let Expr::Ident(arr) = unwrap(&m.obj) else {
            return;
        };
        let Some(Binding::Array { depth, .. }) = self.lookup(&arr.sym) else {
            return;
        };
        let conditional = self.cond_depth > *depth;
        let mut new = vec![];
        for a in &c.args {
            let preds = if a.spread.is_some() {
                self.spread_preds(&a.expr)
            } else {
                vec![self.pred(&a.expr)]
            };
            for p in preds {
                new.push(if conditional {
                    RawPred::Or(vec![p, RawPred::Undefined])
                } else {
                    p
                });
            }
        }
        if let Some(Binding::Array { elems, .. }) = self.lookup_mut(&arr.sym) {
            elems.extend(new);
        }
    }

    /// `x = ..` on a `let` condition: the new value, or either value when conditional.
    pub(super) fn assign(&mut self, a: &AssignExpr) {
        self.keep(&a.right);
        if let AssignTarget::Simple(SimpleAssignTarget::Ident(id)) = &a.left {
            if matches!(self.lookup(&id.id.sym), Some(Binding::Pred(_))) {
                let new = if a.op == AssignOp::Assign {
                    self.pred(&a.right)
                } else {
                    unknown(format!("`{}` after a compound assignment", id.id.sym))
                };
                let depth = self.cond_depth;
                if let Some(Binding::Pred(old)) = self.lookup_mut(&id.id.sym) {
                    // A conditional reassignment leaves either value possible.
                    *old = if depth > 0 {
                        RawPred::Or(vec![old.clone(), new])
                    } else {
                        new
                    };
                }
            }
        }
        swc_ecma_visit::VisitWith::visit_children_with(a, self);
    }
}

/// Whether `sql.raw(arg)` receives a constant string: a literal, a template or `+` of
/// constants, a `const` bound to one, or `cond ? a : b` choosing between constants.
pub(super) fn is_constant_string(x: &Extractor, e: &Expr) -> bool {
    match unwrap(e) {
        Expr::Lit(Lit::Str(_)) | Expr::Lit(Lit::Num(_)) => true,
        Expr::Tpl(t) => t.exprs.iter().all(|e| is_constant_string(x, e)),
        Expr::Ident(i) => matches!(x.lookup(&i.sym), Some(Binding::Str)),
        Expr::Bin(b) if b.op == BinaryOp::Add => {
            is_constant_string(x, &b.left) && is_constant_string(x, &b.right)
        }
        Expr::Bin(b) if matches!(b.op, BinaryOp::NullishCoalescing | BinaryOp::LogicalOr) => {
            is_constant_string(x, &b.left) && is_constant_string(x, &b.right)
        }
        Expr::Cond(c) => is_constant_string(x, &c.cons) && is_constant_string(x, &c.alt),
        // `SORT_COLUMNS[input.sort]`: one of the table's constants (or `undefined`).
        Expr::Member(m) => is_constant_map(x, &m.obj),
        _ => false,
    }
}

/// A lookup table of constants: `{ name: 'name', created: 'created_at' }` (every value a
/// constant string), a `const` bound to one, or `cond ? A : B` choosing between them.
pub(super) fn is_constant_map(x: &Extractor, e: &Expr) -> bool {
    match unwrap(e) {
        Expr::Object(o) => {
            !o.props.is_empty()
                && o.props.iter().all(|p| match p {
                    PropOrSpread::Prop(p) => match &**p {
                        Prop::KeyValue(kv) => is_constant_string(x, &kv.value),
                        _ => false,
                    },
                    PropOrSpread::Spread(_) => false,
                })
        }
        Expr::Ident(i) => matches!(x.lookup(&i.sym), Some(Binding::StrMap)),
        Expr::Cond(c) => is_constant_map(x, &c.cons) && is_constant_map(x, &c.alt),
        _ => false,
    }
}

/// The name of a parameter whose type is a string literal or a union of literals.
pub(super) fn literal_typed_param(p: &Pat) -> Option<&swc_atoms::Atom> {
    let p = match p {
        Pat::Assign(a) => &*a.left,
        p => p,
    };
    let Pat::Ident(i) = p else { return None };
    let ann = i.type_ann.as_ref()?;
    literal_type(&ann.type_ann).then_some(&i.id.sym)
}

fn literal_type(t: &TsType) -> bool {
    match t {
        TsType::TsLitType(l) => matches!(l.lit, TsLit::Str(_) | TsLit::Number(_)),
        TsType::TsUnionOrIntersectionType(TsUnionOrIntersectionType::TsUnionType(u)) => {
            u.types.iter().all(|t| literal_type(t))
        }
        TsType::TsParenthesizedType(p) => literal_type(&p.type_ann),
        _ => false,
    }
}
