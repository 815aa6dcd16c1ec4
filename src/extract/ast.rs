//! Small readers of swc's AST shared by every part of extraction: looking through wrappers that
//! do not change a value, reading names and string literals, and turning swc positions into the
//! byte offsets facts carry. Nothing here knows what a name is bound to.

use crate::facts::Name;
use swc_atoms::Atom;
use swc_ecma_ast::*;

/// swc numbers positions from the source file's start position (`base`); facts hold byte
/// offsets into the file's text.
#[derive(Clone, Copy)]
pub(super) struct Offsets {
    base: u32,
}

impl Offsets {
    pub(super) fn new(base: u32) -> Self {
        Offsets { base }
    }

    /// Byte offsets only: lines and columns are worked out later, for the few spans that end
    /// up in a finding, not for every fact of every file.
    pub(super) fn span(self, s: swc_common::Span) -> crate::span::Span {
        let lo = s.lo.0.saturating_sub(self.base);
        let hi = s.hi.0.saturating_sub(self.base);
        crate::span::Span::unlocated(lo, hi)
    }
}

/// Strips parentheses, type assertions, `!` and `satisfies`, which do not change the value.
pub(crate) fn unwrap(e: &Expr) -> &Expr {
    let mut e = e;
    loop {
        e = match e {
            Expr::Paren(p) => &p.expr,
            Expr::TsAs(a) => &a.expr,
            Expr::TsNonNull(n) => &n.expr,
            Expr::TsSatisfies(s) => &s.expr,
            Expr::TsConstAssertion(c) => &c.expr,
            Expr::TsTypeAssertion(t) => &t.expr,
            Expr::TsInstantiation(t) => &t.expr,
            _ => return e,
        }
    }
}

/// The expression under `await`, parentheses and type assertions.
pub(super) fn awaited(e: &Expr) -> &Expr {
    match unwrap(e) {
        Expr::Await(a) => awaited(&a.arg),
        other => other,
    }
}

/// What a local given `init` holds the result of: `init`, or the awaited arm of `c ? await
/// read(..) : null` (either way round, or `undefined`): the local holds that result or nothing.
pub(super) fn held_result(init: &Expr) -> &Expr {
    if let Expr::Cond(c) = unwrap(init) {
        let read = |e: &Expr| matches!(unwrap(e), Expr::Await(_));
        if read(&c.cons) && is_nullish(&c.alt) {
            return &c.cons;
        }
        if read(&c.alt) && is_nullish(&c.cons) {
            return &c.alt;
        }
    }
    init
}

/// `null`, `undefined` or `void 0`.
pub(super) fn is_nullish(e: &Expr) -> bool {
    matches!(unwrap(e), Expr::Lit(Lit::Null(_))) || is_undefined(e)
}

/// The call chain an arrow with no parameters returns: `() => db.select()..`, `async () =>
/// await f(..)`, `() => { return q.where(..); }`.
pub(super) fn passthrough_chain(e: &Expr) -> Option<&Expr> {
    let Expr::Arrow(a) = unwrap(e) else {
        return None;
    };
    if !a.params.is_empty() || a.is_generator {
        return None;
    }
    let chain = awaited(arrow_result(a)?);
    matches!(chain, Expr::Call(_)).then_some(chain)
}

/// What an arrow returns when that is written once: its expression body, or the value of the
/// one `return` its block holds.
pub(super) fn arrow_result(a: &ArrowExpr) -> Option<&Expr> {
    match &*a.body {
        ArrowFunctionBody::Expr(body) => Some(&**body),
        ArrowFunctionBody::FunctionBody(b) => match b.stmts.as_slice() {
            [Stmt::Return(ReturnStmt { arg: Some(arg), .. })] => Some(&**arg),
            _ => None,
        },
    }
}

/// A function expression (`() => ..`, `function () {..}`) once wrappers are stripped.
pub(super) fn is_function(e: &Expr) -> bool {
    matches!(unwrap(e), Expr::Arrow(_) | Expr::Fn(_))
}

/// `f` in `f(..)`, when the callee is a plain identifier.
pub(crate) fn callee_ident(c: &CallExpr) -> Option<&str> {
    match &c.callee {
        Callee::Expr(e) => match unwrap(e) {
            Expr::Ident(i) => Some(&i.sym),
            _ => None,
        },
        _ => None,
    }
}

/// `this` as the first part of a callee path.
pub(super) fn this_name() -> Name {
    swc_atoms::atom!("this")
}

/// The name a class's constructor is recorded by (`ProjectRepo.constructor`) and called by
/// (`new ProjectRepo(..)` is a call of `ProjectRepo.constructor`).
pub(super) fn constructor_name() -> Name {
    swc_atoms::atom!("constructor")
}

pub(crate) fn wtf8(a: &swc_atoms::Wtf8Atom) -> String {
    a.to_atom_lossy().to_string()
}

/// A string literal's value as a [`Name`]: the AST's own atom when it is valid UTF-8 (always,
/// but for lone surrogates), so nothing is copied or interned.
pub(crate) fn wtf8_name(a: &swc_atoms::Wtf8Atom) -> Name {
    a.to_atom_lossy().into_owned()
}

/// [`str_value`] as a [`Name`], shared with the AST for a string literal.
pub(crate) fn str_name(e: &Expr) -> Option<Name> {
    match unwrap(e) {
        Expr::Lit(Lit::Str(s)) => Some(wtf8_name(&s.value)),
        e => str_value(e).map(Name::from),
    }
}

/// A string literal's or a plain template literal's value.
pub(crate) fn str_value(e: &Expr) -> Option<String> {
    match unwrap(e) {
        Expr::Lit(Lit::Str(s)) => Some(wtf8(&s.value)),
        Expr::Tpl(t) if t.exprs.is_empty() => t.quasis.first().map(|q| q.raw.as_str().to_owned()),
        _ => None,
    }
}

/// An object key that is an identifier, a string or a number.
pub(crate) fn prop_name(p: &PropName) -> Option<String> {
    match p {
        PropName::Ident(i) => Some(i.sym.as_str().to_owned()),
        PropName::Str(s) => Some(wtf8(&s.value)),
        PropName::Num(n) => Some(n.value.to_string()),
        _ => None,
    }
}

/// [`prop_name`] as a [`Name`]: an identifier or string key is shared with the AST, not copied.
pub(crate) fn prop_atom(p: &PropName) -> Option<Name> {
    match p {
        PropName::Ident(i) => Some(i.sym.clone()),
        PropName::Str(s) => Some(wtf8_name(&s.value)),
        _ => prop_name(p).map(Name::from),
    }
}

/// The plain bindings of an object pattern, `{ a, b: c }`: (the key, the local it binds), here
/// `(a, a)` and `(b, c)`. A default (`{ a = 1 }`), a nested pattern or a rest binds no plain
/// copy of a key and is left out.
pub(crate) fn plain_bindings(o: &ObjectPat) -> impl Iterator<Item = (Name, &Name)> {
    o.props.iter().filter_map(|p| match p {
        ObjectPatProp::Assign(a) if a.value.is_none() => {
            Some((a.key.id.sym.clone(), &a.key.id.sym))
        }
        ObjectPatProp::KeyValue(kv) => match &*kv.value {
            Pat::Ident(local) => Some((prop_atom(&kv.key)?, &local.id.sym)),
            _ => None,
        },
        _ => None,
    })
}

/// `b` in `a.b` or `a['b']`.
pub(crate) fn member_prop(p: &MemberProp) -> Option<Name> {
    match p {
        MemberProp::Ident(i) => Some(i.sym.clone()),
        MemberProp::Computed(c) => str_name(&c.expr),
        _ => None,
    }
}

/// `b` in `a.b`, `a['b']` or `a.#b`: the name a member is called by (`this.#load(..)` calls
/// the class's `load`, recorded as `Class.load`).
pub(crate) fn called_member(p: &MemberProp) -> Option<Name> {
    match p {
        MemberProp::PrivateName(n) => Some(n.name.clone()),
        p => member_prop(p),
    }
}

/// `obj.name(..)`: the object a method is called on, and the method's name.
pub(super) fn method_call(c: &CallExpr) -> Option<(&Expr, Name)> {
    let Callee::Expr(callee) = &c.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return None;
    };
    Some((&m.obj, member_prop(&m.prop)?))
}

/// Whether a property is `name` (`x.name` or `x['name']`), without making a [`Name`] of it.
pub(crate) fn member_prop_is(p: &MemberProp, name: &str) -> bool {
    match p {
        MemberProp::Ident(i) => &*i.sym == name,
        MemberProp::Computed(c) => str_value(&c.expr).is_some_and(|s| s == name),
        _ => false,
    }
}

/// The arrow passed to `xs.map(..)`, when that is what `c` is.
pub(super) fn map_callback(c: &CallExpr) -> Option<&ArrowExpr> {
    let Callee::Expr(callee) = &c.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return None;
    };
    if !member_prop_is(&m.prop, "map") {
        return None;
    }
    match unwrap(&c.args.first()?.expr) {
        Expr::Arrow(a) => Some(a),
        _ => None,
    }
}

/// The value of `key: value` in an object literal.
pub(super) fn object_prop<'a>(o: &'a ObjectLit, key: &str) -> Option<&'a Expr> {
    o.props.iter().find_map(|p| match p {
        PropOrSpread::Prop(p) => match &**p {
            Prop::KeyValue(kv) if prop_name(&kv.key).as_deref() == Some(key) => Some(&*kv.value),
            _ => None,
        },
        _ => None,
    })
}

/// The name a plain identifier pattern binds.
pub(super) fn pat_name(p: &Pat) -> Option<String> {
    match p {
        Pat::Ident(i) => Some(i.id.sym.as_str().to_owned()),
        _ => None,
    }
}

/// `row` in `const row = ..` and `const [row] = ..`: the local a query's result lands in.
pub(super) fn result_binding(p: &Pat) -> Option<&Atom> {
    match p {
        Pat::Ident(i) => Some(&i.id.sym),
        Pat::Array(a) => match a.elems.first() {
            Some(Some(Pat::Ident(i))) => Some(&i.id.sym),
            _ => None,
        },
        _ => None,
    }
}

/// The local that `if (!x) { ..; throw/return }` checks (also `x == null`, `x === undefined`,
/// `!x?.y`, `!x || ..`): the statement leaves the function unless `x` holds a value; whether it
/// leaves by throwing; whether the test is of `x` itself (see [`presence`]); and, when it ends
/// in a call (`if (!x) notFound();`), the function called: it leaves if that never returns.
pub(super) fn null_checked(s: &IfStmt) -> Option<(Atom, bool, bool, Option<Atom>)> {
    let (throws, via) = match last_stmt(&s.cons) {
        Stmt::Throw(_) => (true, None),
        // `continue` leaves the loop's body, where the check then holds (see `reach`).
        Stmt::Return(_) | Stmt::Continue(_) => (false, None),
        st if throws_by_method(st) => (true, None),
        _ => (true, Some(exit_call(&s.cons)?.clone())),
    };
    match presence(&s.test)? {
        (x, false, whole) => Some((x, throws, whole, via)),
        _ => None,
    }
}

/// The last statement a statement runs (of a block, its last, nested blocks too).
fn last_stmt(st: &Stmt) -> &Stmt {
    match st {
        Stmt::Block(b) => b.stmts.last().map_or(st, last_stmt),
        _ => st,
    }
}

/// The function a statement (or a block's last) calls by name, as its whole expression
/// (`if (rows.length !== ids.length) error(404, ..)`): it leaves as a `throw` would when that
/// function never returns (see [`exit_by`]).
pub(super) fn exit_call(st: &Stmt) -> Option<&Atom> {
    let Stmt::Expr(e) = last_stmt(st) else {
        return None;
    };
    match unwrap(&e.expr) {
        Expr::Call(CallExpr {
            callee: Callee::Expr(f),
            ..
        }) => match unwrap(f) {
            Expr::Ident(i) => Some(&i.sym),
            _ => None,
        },
        _ => None,
    }
}

/// How a check that ends in a call of `f` leaves: `Some(None)` when it surely does (`f` is
/// one of `never`: a function of the module, or a framework's, that never returns),
/// `Some(Some(f))` when `f` is imported (whether it returns is decided when the project is
/// linked), `None` when it does not leave (another function, a global such as
/// `console.error`).
pub(super) fn exit_by(
    f: &Atom,
    never: &[Atom],
    imported: impl Fn(&Atom) -> bool,
) -> Option<Option<Atom>> {
    if never.contains(f) {
        Some(None)
    } else if imported(f) {
        Some(Some(f.clone()))
    } else {
        None
    }
}

/// The local that `if (x) { .. }` finds holding a value inside its block (also `x?.y`, `x &&
/// ..`, `x != null`, `x !== undefined`, `rows.length`, `rows.length > 0`): the consequent,
/// and the local. Past the `if`, nothing is known.
pub(super) fn present_in(s: &IfStmt) -> Option<(Atom, swc_common::Span, bool)> {
    match presence(&s.test)? {
        (x, true, whole) => Some((x, swc_common::Spanned::span(&*s.cons), whole)),
        _ => None,
    }
}

/// What a test being true says of a local: `(x, true)` when `x` then holds a value (`x`,
/// `x?.y`, `x && ..`, `x != null`, `x !== undefined`, `rows.length`, `rows.length > 0`),
/// `(x, false)` when it may not (`!x`, `!x?.y`, `!x || ..`, `x == null`, `x === undefined`,
/// `rows.length === 0`, `< 1`, `<= 0`, as `!rows.length` is); and whether the test is of the
/// local itself (`!x`, `x == null`: of an array, never true), not of a property or its length.
fn presence(e: &Expr) -> Option<(Atom, bool, bool)> {
    let nullish = is_nullish;
    let whole = |e: &Expr| matches!(unwrap(e), Expr::Ident(_));
    match unwrap(e) {
        Expr::Unary(u) if u.op == UnaryOp::Bang => Some((local_of(&u.arg)?, false, whole(&u.arg))),
        Expr::Ident(_) | Expr::OptChain(_) | Expr::Member(_) => {
            Some((local_of(e)?, true, whole(e)))
        }
        Expr::Bin(b) if b.op == BinaryOp::LogicalOr => presence(&b.left).filter(|p| !p.1),
        Expr::Bin(b) if b.op == BinaryOp::LogicalAnd => presence(&b.left).filter(|p| p.1),
        Expr::Bin(b) if nullish(&b.right) => match b.op {
            BinaryOp::EqEq | BinaryOp::EqEqEq => Some((local_of(&b.left)?, false, whole(&b.left))),
            BinaryOp::NotEq | BinaryOp::NotEqEq => Some((local_of(&b.left)?, true, whole(&b.left))),
            _ => None,
        },
        Expr::Bin(b) if is_length(&b.left) => {
            let present = match (b.op, number(&b.right)?) {
                (BinaryOp::EqEq | BinaryOp::EqEqEq | BinaryOp::LtEq, 0.0) | (BinaryOp::Lt, 1.0) => {
                    false
                }
                (BinaryOp::Gt | BinaryOp::NotEq | BinaryOp::NotEqEq, 0.0)
                | (BinaryOp::GtEq, 1.0) => true,
                _ => return None,
            };
            Some((local_of(&b.left)?, present, false))
        }
        _ => None,
    }
}

fn number(e: &Expr) -> Option<f64> {
    match unwrap(e) {
        Expr::Lit(Lit::Num(n)) => Some(n.value),
        _ => None,
    }
}
fn is_length(e: &Expr) -> bool {
    matches!(unwrap(e), Expr::Member(m) if member_prop(&m.prop).as_deref() == Some("length"))
}
fn local_of(e: &Expr) -> Option<Atom> {
    match unwrap(e) {
        Expr::Ident(i) => Some(i.sym.clone()),
        Expr::OptChain(o) => match &*o.base {
            OptChainBase::Member(m) => local_of(&m.obj),
            OptChainBase::Call(_) => None,
        },
        Expr::Member(m) => local_of(&m.obj),
        _ => None,
    }
}

/// `if (g !== 'a' && g !== 'b') throw ..` (or `return`): the name `g` is one of the constants
/// after it. Also `if (!['a', 'b'].includes(g))`.
pub(super) fn constant_guard(st: &Stmt) -> Option<&Atom> {
    let Stmt::If(i) = st else { return None };
    if i.alt.is_some() || !leaves(&i.cons) {
        return None;
    }
    fn not_one_of(e: &Expr) -> Option<&Atom> {
        match unwrap(e) {
            Expr::Bin(b) if matches!(b.op, BinaryOp::NotEqEq | BinaryOp::NotEq) => {
                match (unwrap(&b.left), unwrap(&b.right)) {
                    (Expr::Ident(i), Expr::Lit(Lit::Str(_)))
                    | (Expr::Lit(Lit::Str(_)), Expr::Ident(i)) => Some(&i.sym),
                    _ => None,
                }
            }
            Expr::Bin(b) if b.op == BinaryOp::LogicalAnd => {
                let l = not_one_of(&b.left)?;
                (not_one_of(&b.right)? == l).then_some(l)
            }
            Expr::Unary(u) if u.op == UnaryOp::Bang => {
                let Expr::Call(c) = unwrap(&u.arg) else {
                    return None;
                };
                let Callee::Expr(callee) = &c.callee else {
                    return None;
                };
                let Expr::Member(m) = unwrap(callee) else {
                    return None;
                };
                let literals = matches!(unwrap(&m.obj), Expr::Array(a) if a.elems.iter().all(|el| {
                    el.as_ref().is_some_and(|el| el.spread.is_none() && matches!(unwrap(&el.expr), Expr::Lit(Lit::Str(_))))
                }));
                let includes = matches!(&m.prop, MemberProp::Ident(p) if &*p.sym == "includes");
                match (literals && includes, c.args.as_slice()) {
                    (true, [a]) => match unwrap(&a.expr) {
                        Expr::Ident(i) => Some(&i.sym),
                        _ => None,
                    },
                    _ => None,
                }
            }
            _ => None,
        }
    }
    not_one_of(&i.test)
}

/// `undefined` or `void 0`.
pub(super) fn is_undefined(e: &Expr) -> bool {
    match unwrap(e) {
        Expr::Ident(i) => &*i.sym == "undefined",
        Expr::Unary(u) => u.op == UnaryOp::Void,
        _ => false,
    }
}

/// The expression a test checks to hold a value: `x`, `!!x`, `x !== undefined`, `x != null`
/// (either side). Anything else is the test itself.
pub(super) fn presence_tested(test: &Expr) -> &Expr {
    match unwrap(test) {
        Expr::Unary(u) if u.op == UnaryOp::Bang => match unwrap(&u.arg) {
            Expr::Unary(inner) if inner.op == UnaryOp::Bang => unwrap(&inner.arg),
            // `!x` tests for no value.
            _ => unwrap(test),
        },
        Expr::Bin(b) if matches!(b.op, BinaryOp::NotEqEq | BinaryOp::NotEq) => {
            // `x !== null` lets `undefined` through; `x != null` does not.
            let empty = |e: &Expr| {
                is_undefined(e)
                    || (b.op == BinaryOp::NotEq && matches!(unwrap(e), Expr::Lit(Lit::Null(_))))
            };
            if empty(&b.right) {
                unwrap(&b.left)
            } else if empty(&b.left) {
                unwrap(&b.right)
            } else {
                unwrap(test)
            }
        }
        other => other,
    }
}

/// A statement that always leaves: `throw`, `return`, or a block ending in one.
pub(super) fn leaves(st: &Stmt) -> bool {
    match st {
        // (`continue` leaves the loop's body, the block a check in it holds in: see `reach`.)
        Stmt::Throw(_) | Stmt::Return(_) | Stmt::Continue(_) => true,
        Stmt::Block(b) => b.stmts.last().is_some_and(leaves),
        st => throws_by_method(st),
    }
}

/// `ctx.throw(404)` (Koa's, as a statement): a method named `throw` throws.
fn throws_by_method(st: &Stmt) -> bool {
    let Stmt::Expr(e) = st else { return false };
    match unwrap(&e.expr) {
        Expr::Call(CallExpr {
            callee: Callee::Expr(f),
            ..
        }) => matches!(unwrap(f), Expr::Member(m) if member_prop_is(&m.prop, "throw")),
        _ => false,
    }
}

/// A constructor's parameters as patterns, parameter properties (`private orgId: string`)
/// among them in their place; a name's type annotation is left out (only the names are read,
/// and a type can be large).
pub(crate) fn ctor_params(k: &Constructor) -> Vec<Pat> {
    let name = |i: &BindingIdent| {
        Pat::Ident(BindingIdent {
            id: i.id.clone(),
            type_ann: None,
        })
    };
    k.params
        .iter()
        .map(|p| match p {
            ParamOrTsParamProp::Param(Param {
                pat: Pat::Ident(i), ..
            })
            | ParamOrTsParamProp::TsParamProp(TsParamProp {
                param: TsParamPropParam::Ident(i),
                ..
            }) => name(i),
            ParamOrTsParamProp::Param(p) => p.pat.clone(),
            ParamOrTsParamProp::TsParamProp(tp) => match &tp.param {
                TsParamPropParam::Ident(i) => name(i),
                TsParamPropParam::Assign(a) => Pat::Assign(a.clone()),
            },
        })
        .collect()
}

/// `this.name = value;` as a statement (a constructor's, storing a field).
pub(crate) fn this_stored(st: &Stmt) -> Option<(&Atom, &Expr)> {
    let Stmt::Expr(e) = st else { return None };
    let Expr::Assign(a) = unwrap(&e.expr) else {
        return None;
    };
    if a.op != AssignOp::Assign {
        return None;
    }
    let name = this_field(&a.left)?;
    Some((name, &a.right))
}

/// The field `this.name` an assignment's target names.
pub(crate) fn this_field(t: &AssignTarget) -> Option<&Atom> {
    let AssignTarget::Simple(SimpleAssignTarget::Member(m)) = t else {
        return None;
    };
    match (unwrap(&m.obj), &m.prop) {
        (Expr::This(_), MemberProp::Ident(f)) => Some(&f.sym),
        _ => None,
    }
}

/// `keys.length` (also `keys?.length`, `keys.length > 0`, `keys.length !== 0`) as an `if`'s
/// test: the array `keys`, non-empty in the branch.
pub(super) fn length_tested(test: &Expr) -> Option<&Expr> {
    match unwrap(test) {
        Expr::Bin(b) => {
            let zero = matches!(unwrap(&b.right), Expr::Lit(Lit::Num(n)) if n.value == 0.0);
            let one = matches!(unwrap(&b.right), Expr::Lit(Lit::Num(n)) if n.value == 1.0);
            match b.op {
                BinaryOp::Gt | BinaryOp::NotEqEq | BinaryOp::NotEq if zero => length_of(&b.left),
                BinaryOp::GtEq if one => length_of(&b.left),
                _ => None,
            }
        }
        e => length_of(e),
    }
}

/// `keys.length` or `keys?.length`: `keys`.
fn length_of(e: &Expr) -> Option<&Expr> {
    let m = match unwrap(e) {
        Expr::Member(m) => m,
        Expr::OptChain(OptChainExpr { base, .. }) => match &**base {
            OptChainBase::Member(m) => m,
            OptChainBase::Call(_) => return None,
        },
        _ => return None,
    };
    matches!(&m.prop, MemberProp::Ident(p) if &*p.sym == "length").then_some(&*m.obj)
}

/// The last name of the type a parameter is annotated with (`Route.ActionArgs`: `ActionArgs`),
/// when it is a named type.
pub(crate) fn type_name(p: &BindingIdent) -> Option<&str> {
    match &*p.type_ann.as_deref()?.type_ann {
        TsType::TsTypeRef(r) => Some(match &r.type_name {
            TsEntityName::Ident(i) => &i.sym,
            TsEntityName::TsQualifiedName(q) => &q.right.sym,
        }),
        _ => None,
    }
}

/// A parameter that is a request: named `req` or `request`, or typed as one (`Request`,
/// `NextRequest`, `NextApiRequest`, `FastifyRequest`, Node's `IncomingMessage`).
pub(crate) fn is_request_param(p: &BindingIdent) -> bool {
    matches!(&*p.id.sym, "req" | "request")
        || type_name(p).is_some_and(|t| t.ends_with("Request") || t == "IncomingMessage")
}

/// The class a dependency container gives an instance of: `container.resolve(ProjectService)`
/// (tsyringe), `app.get(ProjectService)` (NestJS), a capitalised name as the one argument.
pub(super) fn resolved_class(c: &CallExpr) -> Option<&Atom> {
    let Callee::Expr(callee) = &c.callee else {
        return None;
    };
    match unwrap(callee) {
        Expr::Member(m) => resolved_class_of(&m.prop, &c.args),
        _ => None,
    }
}

/// [`resolved_class`] of a method `prop` called with `args`.
pub(super) fn resolved_class_of<'a>(
    prop: &MemberProp,
    args: &'a [ExprOrSpread],
) -> Option<&'a Atom> {
    // (Asked of most calls: the one capitalised argument first, the method's name last.)
    let class = match args {
        [a] if a.spread.is_none() => match &*a.expr {
            Expr::Ident(i) if i.sym.starts_with(|c: char| c.is_ascii_uppercase()) => &i.sym,
            _ => return None,
        },
        _ => return None,
    };
    (member_prop_is(prop, "resolve") || member_prop_is(prop, "get")).then_some(class)
}
