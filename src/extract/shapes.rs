//! Syntactic shapes the condition reader and the walk look for, which read no condition
//! themselves: table calls, a push guarded by its own value, literal-typed parameters.

use super::ast::unwrap;
use swc_ecma_ast::*;

/// `createTable('x', {..})`, `make('x', (d) => ({..}))`: a string, then columns. At module
/// level it may be a table built through an imported table function, resolved when linking.
pub(super) fn looks_like_table_call(c: &CallExpr) -> bool {
    c.args
        .first()
        .is_some_and(|a| matches!(unwrap(&a.expr), Expr::Lit(Lit::Str(_))))
        && c.args
            .get(1)
            .is_some_and(|a| matches!(unwrap(&a.expr), Expr::Object(_) | Expr::Arrow(_)))
}

/// `billing.table('x', ..)` on a `pgSchema(..)` object.
pub(super) fn is_schema_table_call(c: &CallExpr) -> bool {
    match &c.callee {
        Callee::Expr(e) => {
            matches!(unwrap(e), Expr::Member(m) if super::ast::member_prop_is(&m.prop, "table"))
        }
        _ => false,
    }
}

/// `if (w) conds.push(w)` (or `w !== undefined`, a block of that one push, no `else`): the push
/// of a name guarded by the name's own presence.
pub(super) fn pushes_what_it_tests(st: &IfStmt) -> bool {
    if st.alt.is_some() {
        return false;
    }
    let Expr::Ident(tested) = super::ast::presence_tested(&st.test) else {
        return false;
    };
    let push = match &*st.cons {
        Stmt::Expr(e) => &*e.expr,
        Stmt::Block(b) => match b.stmts.as_slice() {
            [Stmt::Expr(e)] => &*e.expr,
            _ => return false,
        },
        _ => return false,
    };
    let Expr::Call(c) = unwrap(push) else {
        return false;
    };
    let Callee::Expr(callee) = &c.callee else {
        return false;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return false;
    };
    super::ast::member_prop_is(&m.prop, "push")
        && matches!(c.args.as_slice(), [a] if a.spread.is_none()
            && matches!(unwrap(&a.expr), Expr::Ident(i) if i.sym == tested.sym))
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
