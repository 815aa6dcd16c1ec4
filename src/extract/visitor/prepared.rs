//! Prepared statements: `const byId = db.select()..where(eq(t.orgId, sql.placeholder('orgId')))
//! .prepare('by_id')`, run by `await byId.execute({ orgId, id })`. Each run is the statement's
//! query once more, where it runs (its function, its loops, the local its rows are bound to),
//! with each placeholder's value the argument's property of that name: what the proofs of
//! checked rows read. Findings stay the statement's own (see [`QuerySite::prepared`]).

use super::*;
use crate::extract::ast::{method_call, str_value};
use crate::extract::chain::Seg;
use crate::extract::conditions::operand;

/// The methods that run a prepared statement: `execute` (PostgreSQL, MySQL), and SQLite's
/// `all` and `get` (one row).
const RUNS: [&str; 3] = ["execute", "all", "get"];

impl Extractor {
    /// `stmt.execute({ orgId, id })` (the chain `segs` on the local `name`), where `name` holds
    /// a prepared read bound in this function or at module level: the run, as a query of its
    /// own.
    pub(super) fn run_prepared(&mut self, name: &Name, segs: &[Seg<'_>], e: &Expr, how: ChainUse) {
        let [seg] = segs else { return };
        if self.builders.is_empty() || !seg.is_call() || !RUNS.contains(&&*seg.name) {
            return;
        }
        // The newest binding of `name` that the call sees.
        let scope = self.frames.function_span(self.at);
        let module = !self.scopes.is_local(name);
        let Some(b) = self
            .builders
            .iter()
            .rev()
            .find(|b| b.name == *name && (b.scope == scope || (module && b.scope.is_none())))
        else {
            return;
        };
        let (Some(placeholders), Some(statement)) = (&b.prepared, self.facts.queries.get(b.site))
        else {
            return;
        };
        if !statement.kind.is_read() {
            return;
        }
        let values: Vec<(ValueAt, Operand, ValueAt)> = match seg.arg(0).map(unwrap) {
            Some(Expr::Object(o)) => placeholders
                .iter()
                .filter_map(|(at, key)| {
                    let v = property(o, key)?;
                    Some((*at, operand(&self.scopes, &v), self.scopes.value_at(&v)))
                })
                .collect(),
            _ => vec![],
        };
        let mut site = statement.clone();
        let statement = b.site as u32;
        let recogniser = Recogniser {
            scopes: &mut self.scopes,
            frames: &self.frames,
            at: self.at,
        };
        site.runs = recogniser.runs(how, false, false);
        if let Where::Condition(p) = &mut site.where_ {
            fill(p, &values);
        }
        site.span = self.at.span(e.span());
        site.target_span = self.at.span(seg.name_span);
        site.takes_one |= &*seg.name == "get";
        site.loops = self.frames.current_loops();
        site.function = self.frames.current_function();
        site.scope = scope;
        site.result = how.result.cloned();
        site.result_tests = vec![];
        site.prepared = Some(statement);
        self.facts.queries.push(site);
    }
}

/// Where each `sql.placeholder('name')` of a prepared statement's chain starts, with its name;
/// `None` for a chain that does not end in `.prepare(..)`.
pub(super) fn placeholders(s: &Scopes, chain: &Expr) -> Option<Vec<(ValueAt, Name)>> {
    let Expr::Call(c) = unwrap(chain) else {
        return None;
    };
    if &*method_call(c)?.1 != "prepare" {
        return None;
    }
    let mut found = Placeholders { s, out: vec![] };
    chain.visit_with(&mut found);
    Some(found.out)
}

struct Placeholders<'a> {
    s: &'a Scopes,
    out: Vec<(ValueAt, Name)>,
}

impl Visit for Placeholders<'_> {
    fn visit_expr(&mut self, e: &Expr) {
        if let Expr::Call(c) = e {
            let name = method_call(c)
                .filter(|(obj, m)| {
                    &**m == "placeholder"
                        && matches!(unwrap(obj), Expr::Ident(i) if &*i.sym == "sql")
                })
                .and_then(|_| str_value(&c.args.first()?.expr));
            if let Some(name) = name {
                self.out.push((self.s.value_at(e), name.into()));
                return;
            }
        }
        e.visit_children_with(self);
    }
}

/// The value of the property `key` of the object literal `o` (`{ orgId }`, `{ orgId: v }`):
/// the last one written, unless a spread after it may replace it.
fn property(o: &ObjectLit, key: &str) -> Option<Expr> {
    let mut found = None;
    for p in &o.props {
        match p {
            PropOrSpread::Spread(_) => found = None,
            PropOrSpread::Prop(p) => match &**p {
                Prop::Shorthand(i) if &*i.sym == key => found = Some(Expr::Ident(i.clone())),
                Prop::KeyValue(kv) if prop_name(&kv.key).as_deref() == Some(key) => {
                    found = Some((*kv.value).clone());
                }
                _ => {}
            },
        }
    }
    found
}

/// Puts the value each placeholder is given, `(placeholder, value, where the value starts)`,
/// in the placeholder's place in `p`.
fn fill(p: &mut RawPred, values: &[(ValueAt, Operand, ValueAt)]) {
    let given = |at: ValueAt| values.iter().find(|(p, _, _)| *p == at);
    let fill_operand = |o: &mut Operand| {
        if let Operand::Value(Some(at)) = o {
            if let Some((_, v, _)) = given(*at) {
                *o = v.clone();
            }
        }
    };
    match p {
        RawPred::Eq(a, b) => {
            fill_operand(a);
            fill_operand(b);
        }
        RawPred::InArray(_, Some(at)) => {
            if let Some((_, _, v)) = given(*at) {
                *at = *v;
            }
        }
        RawPred::IsNull(o) | RawPred::IsNotNull(o) => fill_operand(o),
        RawPred::Other(os) => os.iter_mut().for_each(fill_operand),
        RawPred::And(ps) | RawPred::Or(ps) | RawPred::Paths(ps) => {
            ps.iter_mut().for_each(|p| fill(p, values))
        }
        RawPred::Not(p) => fill(p, values),
        _ => {}
    }
}
