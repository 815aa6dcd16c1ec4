//! Call chains: Drizzle queries, iteration callbacks, calls to project functions, `sql.raw`.

use super::{member_prop, prop_name, unwrap, CallbackMode, Extractor};
use crate::facts::*;
use swc_common::Spanned;
use swc_ecma_ast::*;
use swc_ecma_visit::Visit;

/// One link of `a.b(..).c.d(..)`: a property name, with its arguments when it is called.
struct Seg<'a> {
    /// The property's name, shared with the AST; empty when computed from an expression.
    name: Name,
    args: Option<&'a [ExprOrSpread]>,
    /// The property name's span (or the callee's, for a root call).
    name_span: swc_common::Span,
    /// The call's span, when called.
    call_span: swc_common::Span,
    /// The expression this link is applied to.
    object: Option<&'a Expr>,
}

/// Splits a chain into its root expression and links, innermost first.
fn flatten(e: &Expr) -> (Option<&Expr>, Vec<Seg<'_>>) {
    // Most chains have a few links: one allocation rather than growing 1, 4, 8.
    let mut segs = Vec::with_capacity(6);
    let mut cur = e;
    let root = loop {
        match unwrap(cur) {
            Expr::Call(c) => match &c.callee {
                Callee::Expr(callee) => match unwrap(callee) {
                    Expr::Member(m) => {
                        segs.push(Seg {
                            name: member_prop(&m.prop).unwrap_or_default(),
                            args: Some(&c.args),
                            name_span: m.prop.span(),
                            call_span: c.span,
                            object: Some(&m.obj),
                        });
                        cur = &m.obj;
                    }
                    Expr::Ident(i) => {
                        segs.push(Seg {
                            name: i.sym.clone(),
                            args: Some(&c.args),
                            name_span: i.span,
                            call_span: c.span,
                            object: None,
                        });
                        break None;
                    }
                    other => {
                        segs.push(Seg {
                            name: Name::default(),
                            args: Some(&c.args),
                            name_span: c.span,
                            call_span: c.span,
                            object: None,
                        });
                        break Some(other);
                    }
                },
                _ => {
                    segs.push(Seg {
                        name: Name::default(),
                        args: Some(&c.args),
                        name_span: c.span,
                        call_span: c.span,
                        object: None,
                    });
                    break None;
                }
            },
            Expr::Member(m) => {
                segs.push(Seg {
                    name: member_prop(&m.prop).unwrap_or_default(),
                    args: None,
                    name_span: m.prop.span(),
                    call_span: m.span,
                    object: Some(&m.obj),
                });
                cur = &m.obj;
            }
            Expr::Await(a) if !segs.is_empty() => cur = &a.arg,
            other => break Some(other),
        }
    };
    segs.reverse();
    (root, segs)
}

/// A function passed by name: `loadUser`, `this.load`, `users.load`.
fn function_ref(e: &Expr) -> Option<Vec<Name>> {
    match e {
        Expr::Ident(f) => Some(vec![f.sym.clone()]),
        Expr::Member(m) => {
            let prop = member_prop(&m.prop)?;
            match unwrap(&m.obj) {
                Expr::This(_) => Some(vec![this_name(), prop]),
                Expr::Ident(o) => Some(vec![o.sym.clone(), prop]),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `this` as the first part of a callee path.
pub(super) fn this_name() -> Name {
    swc_atoms::atom!("this")
}

/// The methods a Drizzle query's chain is built around (called, not just read).
fn starts_query(name: &str) -> bool {
    matches!(
        name,
        "findMany"
            | "findFirst"
            | "select"
            | "selectDistinct"
            | "selectDistinctOn"
            | "$count"
            | "update"
            | "delete"
            | "insert"
    )
}

fn arg<'a>(seg: &Seg<'a>, i: usize) -> Option<&'a Expr> {
    seg.args
        .and_then(|a| a.get(i))
        .filter(|a| a.spread.is_none())
        .map(|a| &*a.expr)
}

impl Extractor {
    pub(super) fn member_chain(&mut self, e: &Expr) {
        let Expr::Member(m) = e else { return };
        self.visit_expr(&m.obj);
        if let MemberProp::Computed(c) = &m.prop {
            self.visit_expr(&c.expr);
        }
    }

    pub(super) fn call_chain(&mut self, e: &Expr) {
        let (root, segs) = flatten(e);
        self.note_push(e);
        self.query(e, &segs);
        self.note_call(root, &segs);
        if let Some(root) = root {
            self.visit_expr(root);
        }
        for seg in &segs {
            let Some(args) = seg.args else { continue };
            let iteration =
                super::names::iteration_method(&seg.name).filter(|_| seg.object.is_some());
            for a in args {
                let value = unwrap(&a.expr);
                let is_fn = matches!(value, Expr::Arrow(_) | Expr::Fn(_));
                if is_fn {
                    self.next_fn = if let Some(method) = iteration {
                        let info = self.loop_info(method, seg.name_span, false, seg.object);
                        CallbackMode::Loop(info)
                    } else {
                        CallbackMode::Inherit
                    };
                } else if let Some(method) = iteration {
                    // `ids.map(loadUser)`: the named function is called once per element.
                    if let Some(callee) = function_ref(value) {
                        let info = self.loop_info(method, seg.name_span, false, seg.object);
                        let mut loops = self.current_loops();
                        loops.push(info);
                        self.push_call(callee, value.span(), loops);
                    }
                }
                if matches!(value, Expr::Call(_)) {
                    self.call_arg = Some(super::is_operator(&seg.name));
                }
                self.visit_expr(&a.expr);
                self.call_arg = None;
                self.next_fn = CallbackMode::Fresh(None);
            }
        }
    }

    /// Records a call to what may be a project function, for N+1 through calls; and `sql.raw`.
    fn note_call(&mut self, root: Option<&Expr>, segs: &[Seg<'_>]) {
        if self.note_raw_sql(root, segs) {
            return;
        }
        let callee: Vec<Name> = match (root.map(unwrap), segs) {
            (None, [first, ..]) if first.object.is_none() && !first.name.is_empty() => {
                vec![first.name.clone()]
            }
            (Some(Expr::This(_)), [first, ..]) => vec![this_name(), first.name.clone()],
            // `rows.map(..)`, `res.json(..)`: a method of a local value or parameter is never a
            // project function the linker could find (those are module-level or `this.`).
            (Some(Expr::Ident(i)), _) if self.is_local(&i.sym) => return,
            (Some(Expr::Ident(i)), [first, ..]) => {
                vec![i.sym.clone(), first.name.clone()]
            }
            _ => return,
        };
        if callee.len() == 1 && (callee[0] == "drizzle" || callee[0] == "defineConfig") {
            self.note_casing(&segs[0]);
        }
        let is_call = segs.first().is_some_and(|s| s.args.is_some())
            || (callee.len() == 2 && segs[0].args.is_some());
        if !is_call || super::names::is_global(&callee[0]) || super::is_operator(&callee[0]) {
            return;
        }
        let loops = self.current_loops();
        self.push_call(callee, segs[0].call_span, loops);
    }

    /// Records a call the N+1 rule can use: one in a loop (reported when the callee queries)
    /// or in a named function (followed when that function is called in a loop). A call in a
    /// `catch` clause is an error path, never per-item work: it is not recorded.
    fn push_call(&mut self, callee: Vec<Name>, span: swc_common::Span, loops: Vec<LoopInfo>) {
        if super::names::is_global(&callee[0]) || self.in_catch() {
            return;
        }
        let function = self.current_function();
        if function.is_none() && loops.is_empty() {
            return;
        }
        let span = self.span(span);
        self.facts.calls.push(CallFact {
            callee,
            span,
            loops,
            function,
        });
    }

    /// `sql.raw(x)`, or `helpers.sql.raw(x)` with the `sql` a relational callback receives.
    fn note_raw_sql(&mut self, root: Option<&Expr>, segs: &[Seg<'_>]) -> bool {
        let seg = match (root.map(unwrap), segs) {
            (Some(Expr::Ident(i)), [raw, ..]) if &*i.sym == "sql" && raw.name == "raw" => raw,
            (Some(_), [s, raw, ..]) if s.name == "sql" && s.args.is_none() && raw.name == "raw" => {
                raw
            }
            _ => return false,
        };
        if seg.args.is_none() {
            return false;
        }
        let constant = arg(seg, 0)
            .map(|a| super::predicate::is_constant_string(self, a))
            .unwrap_or(true);
        let span = self.span(seg.call_span);
        let function = self.current_function();
        self.facts.raw_sql.push(RawSqlCall {
            constant,
            span,
            function,
        });
        true
    }

    /// `drizzle(pool, { casing: 'snake_case' })` maps name-less builders to snake_case names.
    fn note_casing(&mut self, seg: &Seg<'_>) {
        for a in seg.args.unwrap_or(&[]) {
            if let Expr::Object(o) = unwrap(&a.expr) {
                for p in &o.props {
                    if let PropOrSpread::Prop(p) = p {
                        if let Prop::KeyValue(kv) = &**p {
                            if prop_name(&kv.key).as_deref() == Some("casing")
                                && super::str_value(&kv.value).as_deref() == Some("snake_case")
                            {
                                self.facts.snake_case = true;
                            }
                        }
                    }
                }
            }
        }
    }

    /// Recognises a Drizzle query in a chain. Which receiver does not matter: the table
    /// argument is resolved against the schema when linking.
    fn query(&mut self, whole: &Expr, segs: &[Seg<'_>]) {
        let arg = self.call_arg.take();
        let before = self.facts.queries.len();
        self.query_site(whole, segs);
        if let Some(site) = self.facts.queries.get_mut(before) {
            site.subquery |= arg == Some(true);
            site.embedded |= arg.is_some() || site.subquery;
        }
    }

    fn query_site(&mut self, whole: &Expr, segs: &[Seg<'_>]) {
        // Most chains are not queries: one pass over the names decides, before the searches
        // for each kind of query below.
        if !segs
            .iter()
            .any(|s| s.args.is_some() && starts_query(&s.name))
        {
            return;
        }
        let pos = |name: &str| segs.iter().position(|s| s.name == name && s.args.is_some());
        // db.query.K.findMany({..})
        if let Some(i) = segs
            .iter()
            .position(|s| (s.name == "findMany" || s.name == "findFirst") && s.args.is_some())
        {
            if i >= 2
                && segs[i - 2].name == "query"
                && segs[i - 1].args.is_none()
                && segs[i - 2].args.is_none()
            {
                let kind = if segs[i].name == "findMany" {
                    QueryKind::FindMany
                } else {
                    QueryKind::FindFirst
                };
                let mut site = self.site(
                    kind,
                    QueryTarget::QueryKey(segs[i - 1].name.clone()),
                    segs[i].name_span,
                    whole,
                    segs,
                );
                if let Some(Expr::Object(config)) = arg(&segs[i], 0).map(unwrap) {
                    self.relational_config(config, &mut site);
                }
                if kind == QueryKind::FindFirst {
                    site.has_limit = true;
                }
                self.facts.queries.push(site);
                return;
            }
        }
        let select = segs.iter().position(|s| {
            s.args.is_some() && matches!(&*s.name, "select" | "selectDistinct" | "selectDistinctOn")
        });
        if let Some(si) = select {
            let Some(fi) = segs[si..]
                .iter()
                .position(|s| s.name == "from" && s.args.is_some())
                .map(|i| i + si)
            else {
                return;
            };
            let Some(table_arg) = arg(&segs[fi], 0) else {
                return;
            };
            let Some(mut site) = self.table_site(QueryKind::Select, table_arg, whole, segs) else {
                return;
            };
            let selection = if segs[si].name == "selectDistinctOn" {
                arg(&segs[si], 1)
            } else {
                arg(&segs[si], 0)
            };
            site.aggregates_only = selection.is_some_and(aggregates_only);
            for seg in &segs[fi + 1..] {
                if seg.args.is_none() {
                    continue;
                }
                match &*seg.name {
                    "where" => {
                        site.has_where = true;
                        site.where_ = arg(seg, 0).map(|w| self.pred(w));
                    }
                    "limit" => site.has_limit = true,
                    "offset" => site.has_offset = true,
                    "orderBy" => site.has_order_by = true,
                    "groupBy" => {
                        site.has_group_by = true;
                        for a in seg.args.unwrap_or(&[]) {
                            site.group_by.push(self.operand(&a.expr));
                        }
                    }
                    "as" => site.subquery = true,
                    "$dynamic" => site.embedded = true,
                    name if name.ends_with("Join") || name.ends_with("JoinLateral") => {
                        if let Some(t) = arg(seg, 0) {
                            if let Some(table) = self.table_expr(t) {
                                let on = arg(seg, 1).map(|o| self.pred(o));
                                let span = self.span(t.span());
                                site.joins.push(JoinFact {
                                    kind: seg.name.clone(),
                                    table,
                                    on,
                                    span,
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
            self.facts.queries.push(site);
            return;
        }
        if let Some(i) = pos("$count") {
            let Some(t) = arg(&segs[i], 0) else { return };
            let Some(mut site) = self.table_site(QueryKind::Count, t, whole, segs) else {
                return;
            };
            site.aggregates_only = true;
            if let Some(w) = arg(&segs[i], 1) {
                site.has_where = true;
                site.where_ = Some(self.pred(w));
            }
            self.facts.queries.push(site);
            return;
        }
        for (name, kind) in [
            ("update", QueryKind::Update),
            ("delete", QueryKind::Delete),
            ("insert", QueryKind::Insert),
        ] {
            let Some(i) = pos(name) else { continue };
            if segs[i].object.is_none() {
                continue;
            }
            let Some(t) = arg(&segs[i], 0) else { continue };
            // `update(T)` must be followed by `.set(..)`; `insert(T)` by `.values(..)` or `.select(..)`.
            let rest = &segs[i + 1..];
            let shaped = match kind {
                QueryKind::Update => rest.iter().any(|s| s.name == "set"),
                QueryKind::Insert => rest
                    .iter()
                    .any(|s| s.name == "values" || s.name == "select"),
                _ => segs[i].args.is_some_and(|a| a.len() == 1),
            };
            if !shaped {
                continue;
            }
            let Some(mut site) = self.table_site(kind, t, whole, segs) else {
                continue;
            };
            for seg in rest {
                if seg.name == "where" && seg.args.is_some() {
                    site.has_where = true;
                    site.where_ = arg(seg, 0).map(|w| self.pred(w));
                }
                // MySQL and SQLite: `update(..).set(..).where(..).limit(n)` works in batches.
                site.has_limit |= seg.name == "limit" && seg.args.is_some();
            }
            self.facts.queries.push(site);
            return;
        }
    }

    /// A query on the table `t` names (`from(t)`, `update(t)`, `$count(t)`), reported at `t`;
    /// `None` when `t` is not a table.
    fn table_site(
        &self,
        kind: QueryKind,
        t: &Expr,
        whole: &Expr,
        segs: &[Seg<'_>],
    ) -> Option<QuerySite> {
        let table = self.table_expr(t)?;
        Some(self.site(kind, QueryTarget::Table(table), t.span(), whole, segs))
    }

    fn site(
        &self,
        kind: QueryKind,
        target: QueryTarget,
        target_span: swc_common::Span,
        whole: &Expr,
        segs: &[Seg<'_>],
    ) -> QuerySite {
        let dynamic = segs.iter().any(|s| s.name == "$dynamic");
        QuerySite {
            kind,
            target,
            target_span: self.span(target_span),
            span: self.span(whole.span()),
            joins: vec![],
            where_: None,
            has_where: false,
            deferred: dynamic || self.kept == Some(whole.span()),
            has_limit: false,
            has_offset: false,
            has_order_by: false,
            has_group_by: false,
            group_by: vec![],
            aggregates_only: false,
            embedded: false,
            subquery: false,
            with: vec![],
            loops: self.current_loops(),
            function: self.current_function(),
            in_catch: self.in_catch(),
            scope: self.function_span(),
            result: self
                .result_of
                .as_ref()
                .filter(|(span, _)| *span == whole.span())
                .map(|(_, name)| name.clone()),
        }
    }

    /// `{ where, with, limit, offset, orderBy }` of `findMany`/`findFirst`.
    fn relational_config(&mut self, config: &ObjectLit, site: &mut QuerySite) {
        for p in &config.props {
            let PropOrSpread::Prop(p) = p else { continue };
            let Prop::KeyValue(kv) = &**p else { continue };
            match prop_name(&kv.key).as_deref() {
                Some("where") => {
                    site.has_where = true;
                    site.where_ = Some(self.relational_where(&kv.value));
                }
                Some("limit") => site.has_limit = true,
                Some("offset") => site.has_offset = true,
                Some("orderBy") => site.has_order_by = true,
                Some("with") => {
                    if let Expr::Object(w) = unwrap(&kv.value) {
                        site.with = self.with_relations(w, 0);
                    }
                }
                _ => {}
            }
        }
    }

    fn with_relations(&mut self, w: &ObjectLit, depth: u32) -> Vec<WithFact> {
        let mut out = vec![];
        if depth > 16 {
            return out;
        }
        for p in &w.props {
            let PropOrSpread::Prop(p) = p else { continue };
            let (key, value, key_span) = match &**p {
                Prop::KeyValue(kv) => (prop_name(&kv.key), Some(&*kv.value), kv.key.span()),
                Prop::Shorthand(i) => (Some(i.sym.as_str().to_owned()), None, i.span),
                _ => continue,
            };
            let Some(relation) = key else { continue };
            let mut fact = WithFact {
                relation,
                where_: None,
                has_limit: false,
                many_hint: false,
                with: vec![],
                span: self.span(key_span),
            };
            match value.map(unwrap) {
                Some(Expr::Lit(Lit::Bool(Bool { value: false, .. }))) => continue,
                Some(Expr::Object(cfg)) => {
                    for cp in &cfg.props {
                        let PropOrSpread::Prop(cp) = cp else { continue };
                        let Prop::KeyValue(ckv) = &**cp else { continue };
                        match prop_name(&ckv.key).as_deref() {
                            Some("where") => fact.where_ = Some(self.relational_where(&ckv.value)),
                            Some("limit") => fact.has_limit = true,
                            Some("orderBy") => fact.many_hint = true,
                            Some("with") => {
                                if let Expr::Object(inner) = unwrap(&ckv.value) {
                                    fact.with = self.with_relations(inner, depth + 1);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
            out.push(fact);
        }
        out
    }
}

/// `select({ n: count() })`: every selected value is an aggregate.
fn aggregates_only(selection: &Expr) -> bool {
    let Expr::Object(o) = unwrap(selection) else {
        return false;
    };
    !o.props.is_empty()
        && o.props.iter().all(|p| {
            let PropOrSpread::Prop(p) = p else {
                return false;
            };
            let Prop::KeyValue(kv) = &**p else {
                return false;
            };
            is_aggregate_expr(&kv.value)
        })
}

fn is_aggregate_expr(e: &Expr) -> bool {
    let (root, segs) = flatten(e);
    if let Some(first) = segs.first() {
        if root.is_none() && first.object.is_none() {
            return super::is_aggregate(&first.name);
        }
    }
    match root.map(unwrap) {
        Some(Expr::TaggedTpl(t)) => {
            let text: String = t
                .tpl
                .quasis
                .iter()
                .map(|q| q.raw.as_str().to_owned())
                .collect::<String>()
                .to_lowercase();
            sql_aggregate(&text)
        }
        _ => false,
    }
}

/// `sql`count(*)``, `sql`coalesce(sum(${x}), 0)``: an aggregate call anywhere in the text, and
/// no window (`over (..)`), which would return a row per input row.
fn sql_aggregate(text: &str) -> bool {
    let calls = ["count(", "sum(", "avg(", "min(", "max("];
    let has_call = calls.iter().any(|f| {
        text.match_indices(f).any(|(i, _)| {
            !text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    });
    has_call && !text.contains(" over")
}

#[cfg(test)]
mod tests {
    #[test]
    fn aggregate_sql_templates() {
        assert!(super::sql_aggregate("count(*)"));
        assert!(super::sql_aggregate(
            "cast(coalesce(sum( * ), 0) as signed)"
        ));
        assert!(!super::sql_aggregate("lower() like lower()"));
        assert!(!super::sql_aggregate("admin()"));
        assert!(!super::sql_aggregate("row_number() over (partition by )"));
        assert!(!super::sql_aggregate("sum() over (order by )"));
    }
}
