//! The only module that sees swc types: one visitor pass over a module produces [`FileFacts`].

pub mod comments;
mod names;
mod predicate;
mod query;
mod schema;

pub use names::{is_aggregate, is_operator};

use crate::facts::Import;
use crate::facts::*;
/// Hashes short identifiers in a few instructions (the default hasher is built to resist
/// flooding, which costs a tenth of extraction here).
type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;
use swc_atoms::Atom;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// Extracts the facts of one parsed module. Spans are offsets into the file's text, which swc
/// numbers from `base` (the source file's start position); they are not located yet.
pub fn extract(module: &Module, base: u32) -> FileFacts {
    let mut x = Extractor::new(base);
    x.prepass(module);
    module.visit_with(&mut x);
    mark_nested_queries(&mut x.facts.queries);
    x.facts
}

/// Marks every query whose chain lies inside another query's chain
/// (`db.insert(t).select(db.select()..)`) as a subquery: once per file, by sorting spans,
/// rather than by comparing every pair in the rules that ask.
fn mark_nested_queries(queries: &mut [QuerySite]) {
    let mut order: Vec<usize> = (0..queries.len()).collect();
    order.sort_by_key(|&i| (queries[i].span.lo, std::cmp::Reverse(queries[i].span.hi)));
    // The furthest end among the chains that start earlier (or start at the same place and end
    // later): a chain ending before it is inside one of them. Chains with the same span are one
    // group and do not contain each other.
    let mut reach_before_group = None;
    let mut reach = None;
    let mut group: Option<(u32, u32)> = None;
    for i in order {
        let s = (queries[i].span.lo, queries[i].span.hi);
        if group != Some(s) {
            reach_before_group = reach;
            group = Some(s);
        }
        if reach_before_group.is_some_and(|hi| hi >= s.1) {
            queries[i].subquery = true;
        }
        reach = reach.max(Some(s.1));
    }
}

/// What a local name stands for, as far as this file can tell.
#[derive(Debug, Clone)]
enum Binding {
    /// A value we know nothing useful about (shadows any module-level table of that name).
    Opaque,
    /// A function parameter.
    Param,
    /// Another name for a table (`alias(T, ..)`, `const t = T`).
    Alias(TableExpr),
    /// A predicate value (`const cond = eq(..)`).
    Pred(RawPred),
    /// An array of conditions built with a literal and `.push(..)`.
    Array { elems: Vec<RawPred>, depth: u32 },
    /// The table parameter of a relational `where` callback.
    SelfTable,
    /// The operators parameter of a relational `where` callback.
    Ops,
    /// A drizzle operator under another name (`{ eq: eqFn }`, `import { eq as equals }`).
    Operator(Name),
    /// A constant string (or a parameter typed as a union of string literals).
    Str,
    /// An object literal whose values are all constant strings: a lookup table of constants.
    StrMap,
}

/// The names in scope, keyed by swc's atoms (a binding copies no name). Module-level names are
/// many and looked up often: a map. A function's own names are few and come and go with it: one
/// stack for all of them, searched from the innermost, so entering a function allocates nothing.
#[derive(Default)]
struct Scopes {
    module: HashMap<Atom, Binding>,
    locals: Vec<(Atom, Binding)>,
    /// Where each open function scope starts in `locals`.
    starts: Vec<usize>,
}

impl Scopes {
    fn push(&mut self) {
        self.starts.push(self.locals.len());
    }

    fn pop(&mut self) {
        if let Some(start) = self.starts.pop() {
            self.locals.truncate(start);
        }
    }

    fn is_local(&self, name: &Atom) -> bool {
        self.locals.iter().any(|(n, _)| n == name)
    }

    fn get(&self, name: &Atom) -> Option<&Binding> {
        match self.locals.iter().rev().find(|(n, _)| n == name) {
            Some((_, b)) => Some(b),
            None => self.module.get(name),
        }
    }

    fn get_mut(&mut self, name: &Atom) -> Option<&mut Binding> {
        match self.locals.iter_mut().rev().find(|(n, _)| n == name) {
            Some((_, b)) => Some(b),
            None => self.module.get_mut(name),
        }
    }

    /// Binds in the innermost scope. A name bound again there is pushed again: lookups search
    /// from the newest, so the new binding is the one seen.
    fn bind(&mut self, name: &Atom, b: Binding) {
        if self.starts.is_empty() {
            self.module.insert(name.clone(), b);
        } else {
            self.locals.push((name.clone(), b));
        }
    }

    /// Forgets `name` in the innermost scope, so that an outer binding shows again.
    fn unbind(&mut self, name: &Atom) {
        match self.starts.last() {
            Some(&start) => {
                let mut i = start;
                while i < self.locals.len() {
                    if &self.locals[i].0 == name {
                        self.locals.remove(i);
                    } else {
                        i += 1;
                    }
                }
            }
            None => {
                self.module.remove(name);
            }
        }
    }
}

struct FnFrame {
    name: Option<FnName>,
    loops: Vec<LoopInfo>,
    /// Return values read as predicates; `None` once a return is not a predicate.
    returns: Option<Vec<RawPred>>,
    params: Vec<Name>,
    span: swc_common::Span,
    record: bool,
    /// How many `catch` clauses of this function the walk is in.
    catch_depth: u32,
}

/// How the next function expression is entered.
#[derive(Clone)]
enum CallbackMode {
    /// A function of its own (declared or assigned): loops outside do not apply.
    Fresh(Option<String>),
    /// An argument of a call that runs it now (`transaction`, `Promise.all`): loops apply.
    Inherit,
    /// The callback of an iteration method: runs once per element.
    Loop(LoopInfo),
}

pub(crate) struct Extractor {
    base: u32,
    facts: FileFacts,
    scopes: Scopes,
    frames: Vec<FnFrame>,
    cond_depth: u32,
    next_fn: CallbackMode,
    /// Local names of table constructors, creators and `pgSchema(..)` objects made in this file
    /// or imported under another name; Drizzle's own names are in [`builtin_table_fn`].
    table_fns: HashMap<String, TableFn>,
    class_name: Option<String>,
    /// The initialiser being visited and the local it is bound to (`const row = await ..`).
    result_of: Option<(swc_common::Span, Atom)>,
    /// The expression about to be visited is a call's argument (read by the next query):
    /// `Some(true)` when the call is a condition operator (`inArray`, `exists`).
    call_arg: Option<bool>,
    /// The call being stored in a variable (`const q = db.delete(t)`, `q = ..`), not awaited.
    kept: Option<swc_common::Span>,
    /// How many `visit_expr` calls are on the stack.
    expr_depth: u32,
}

/// Drizzle's own table constructors, creators and schema constructors.
fn builtin_table_fn(name: &str) -> Option<TableFn> {
    names::table_constructor(name)
        .map(TableFn::Table)
        .or_else(|| names::table_creator(name).map(TableFn::MakeCreator))
        .or_else(|| names::schema_constructor(name).map(TableFn::MakeSchema))
}

#[derive(Clone, Debug)]
enum TableFn {
    Table(Dialect),
    Creator(Dialect, Option<(String, String)>),
    Schema(Dialect, String),
    MakeCreator(Dialect),
    MakeSchema(Dialect),
}

impl Extractor {
    fn new(base: u32) -> Self {
        Extractor {
            base,
            facts: FileFacts::default(),
            scopes: Scopes::default(),
            frames: vec![FnFrame {
                name: None,
                loops: vec![],
                returns: None,
                params: vec![],
                span: Default::default(),
                record: false,
                catch_depth: 0,
            }],
            cond_depth: 0,
            result_of: None,
            next_fn: CallbackMode::Fresh(None),
            table_fns: HashMap::default(),
            class_name: None,
            call_arg: None,
            kept: None,
            expr_depth: 0,
        }
    }

    /// What `name` constructs: a local table function first (it shadows Drizzle's name).
    fn table_fn(&self, name: &str) -> Option<TableFn> {
        match self.table_fns.get(name) {
            Some(f) => Some(f.clone()),
            None => builtin_table_fn(name),
        }
    }

    /// Byte offsets only: lines and columns are worked out for the few spans that end up in
    /// a finding (see [`crate::locate`]), not for every fact of every file.
    fn span(&self, s: swc_common::Span) -> crate::span::Span {
        let lo = s.lo.0.saturating_sub(self.base);
        let hi = s.hi.0.saturating_sub(self.base);
        crate::span::Span::unlocated(lo, hi)
    }

    /// Bound inside a function (a parameter or a local), not at module level.
    fn is_local(&self, name: &Atom) -> bool {
        self.scopes.is_local(name)
    }

    fn lookup(&self, name: &Atom) -> Option<&Binding> {
        self.scopes.get(name)
    }

    fn lookup_mut(&mut self, name: &Atom) -> Option<&mut Binding> {
        self.scopes.get_mut(name)
    }

    fn bind(&mut self, name: &Atom, b: Binding) {
        self.scopes.bind(name, b);
    }

    fn bind_pat(&mut self, pat: &Pat, b: Binding) {
        match pat {
            Pat::Ident(i) => self.bind(&i.id.sym, b),
            Pat::Array(a) => {
                for p in a.elems.iter().flatten() {
                    self.bind_pat(p, Binding::Opaque);
                }
            }
            Pat::Object(o) => {
                for p in &o.props {
                    match p {
                        ObjectPatProp::KeyValue(kv) => self.bind_pat(&kv.value, Binding::Opaque),
                        ObjectPatProp::Assign(a) => self.bind(&a.key.id.sym, Binding::Opaque),
                        ObjectPatProp::Rest(r) => self.bind_pat(&r.arg, Binding::Opaque),
                    }
                }
            }
            Pat::Rest(r) => self.bind_pat(&r.arg, b),
            Pat::Assign(a) => self.bind_pat(&a.left, b),
            _ => {}
        }
    }

    fn current_function(&self) -> Option<FnName> {
        self.frames.iter().rev().find_map(|f| f.name.clone())
    }

    fn frame_mut(&mut self) -> &mut FnFrame {
        self.frames
            .last_mut()
            .unwrap_or_else(|| unreachable!("the module frame is never popped"))
    }

    /// Inside a `catch` clause of the current function: an error path.
    fn in_catch(&self) -> bool {
        self.frames.last().is_some_and(|f| f.catch_depth > 0)
    }

    fn current_loops(&self) -> Vec<LoopInfo> {
        self.frames
            .last()
            .map(|f| f.loops.clone())
            .unwrap_or_default()
    }

    /// Binds module-level constants before the walk, so functions declared above a constant
    /// still see it (a `const` is initialised before any exported function can run).
    fn prepass(&mut self, module: &Module) {
        for item in &module.body {
            let decl = match item {
                ModuleItem::Stmt(Stmt::Decl(d)) => d,
                ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(e)) => &e.decl,
                ModuleItem::ModuleDecl(ModuleDecl::Import(imp)) => {
                    self.record_import(imp);
                    continue;
                }
                _ => continue,
            };
            if let Decl::Var(v) = decl {
                for d in &v.decls {
                    if let (Pat::Ident(id), Some(init)) = (&d.name, &d.init) {
                        self.note_table_fn(&id.id.sym, init);
                        if v.kind == VarDeclKind::Const {
                            if let Some(b) = self.const_binding(init, true) {
                                self.bind(&id.id.sym, b);
                            }
                        }
                    }
                }
            }
        }
    }

    fn record_import(&mut self, imp: &ImportDecl) {
        let source = wtf8_name(&imp.src.value);
        for s in &imp.specifiers {
            let (local, imported) = match s {
                ImportSpecifier::Named(n) => {
                    let imported = match &n.imported {
                        Some(ModuleExportName::Ident(i)) => i.sym.clone(),
                        Some(ModuleExportName::Str(s)) => wtf8_name(&s.value),
                        None => n.local.sym.clone(),
                    };
                    (n.local.sym.clone(), Imported::Named(imported))
                }
                ImportSpecifier::Default(d) => (d.local.sym.clone(), Imported::Default),
                ImportSpecifier::Namespace(n) => (n.local.sym.clone(), Imported::Namespace),
            };
            if source.starts_with("drizzle-orm") {
                if let Imported::Named(orig) = &imported {
                    if orig != &local {
                        if let Some(f) = self.table_fn(orig) {
                            self.table_fns.insert(local.to_string(), f);
                        }
                        if is_operator(orig) {
                            self.bind(&local, Binding::Operator(orig.clone()));
                        }
                    }
                }
            }
            self.facts.imports.push(Import {
                local,
                source: source.clone(),
                imported,
            });
        }
    }

    /// `const createTable = pgTableCreator((name) => `app_${name}`)`, `const s = pgSchema('x')`.
    fn note_table_fn(&mut self, name: &str, init: &Expr) {
        let Expr::Call(call) = unwrap(init) else {
            return;
        };
        let Some(callee) = callee_ident(call) else {
            return;
        };
        match self.table_fn(callee) {
            Some(TableFn::MakeCreator(d)) => {
                let template = call.args.first().and_then(|a| creator_template(&a.expr));
                self.table_fns
                    .insert(name.to_string(), TableFn::Creator(d, template));
            }
            Some(TableFn::MakeSchema(d)) => {
                let schema = call
                    .args
                    .first()
                    .and_then(|a| str_value(&a.expr))
                    .unwrap_or_default();
                self.table_fns
                    .insert(name.to_string(), TableFn::Schema(d, schema));
            }
            _ => {}
        }
    }

    /// `alias(T, 'name')`: T's instance under the alias name (the binding's table expression
    /// when the name is not a constant string, which still keeps the instance apart).
    fn alias_expr(&self, call: &CallExpr) -> Option<TableExpr> {
        let table = call.args.first().and_then(|a| self.table_expr(&a.expr))?;
        let name = call
            .args
            .get(1)
            .and_then(|a| str_name(&a.expr))
            .unwrap_or_else(|| Name::from(format!("alias@{}", call.span.lo.0)));
        Some(TableExpr::Alias(name, Box::new(table)))
    }

    /// What a `const` initialiser binds its name to.
    fn const_binding(&mut self, init: &Expr, module_level: bool) -> Option<Binding> {
        let e = unwrap(init);
        if predicate::is_constant_string(self, e) {
            return Some(Binding::Str);
        }
        if predicate::is_constant_map(self, e) {
            return Some(Binding::StrMap);
        }
        match e {
            Expr::Call(c) if callee_ident(c) == Some("alias") => {
                Some(Binding::Alias(self.alias_expr(c)?))
            }
            Expr::Ident(_) | Expr::Member(_) if !module_level => match self.table_expr(e) {
                Some(t) => Some(Binding::Alias(t)),
                None => Some(Binding::Opaque),
            },
            Expr::Array(a) => {
                let elems = a
                    .elems
                    .iter()
                    .flatten()
                    .flat_map(|el| {
                        if el.spread.is_some() {
                            self.spread_preds(&el.expr)
                        } else {
                            vec![self.pred(&el.expr)]
                        }
                    })
                    .collect();
                Some(Binding::Array {
                    elems,
                    depth: self.cond_depth,
                })
            }
            // Tables, relations and clients are resolved by name when linking.
            Expr::Call(c)
                if callee_ident(c).is_some_and(|n| {
                    self.table_fn(n).is_some()
                        || matches!(n, "relations" | "defineRelations" | "drizzle")
                }) || is_schema_table_call(c) =>
            {
                if module_level {
                    None
                } else {
                    Some(Binding::Opaque)
                }
            }
            _ => {
                if looks_like_predicate(e) {
                    let p = self.pred(e);
                    if !matches!(p, RawPred::Unknown { .. }) {
                        return Some(Binding::Pred(p));
                    }
                }
                if module_level {
                    None
                } else {
                    Some(Binding::Opaque)
                }
            }
        }
    }

    fn enter_function(
        &mut self,
        params: &[&Pat],
        name_hint: Option<String>,
        span: swc_common::Span,
    ) {
        let mode = std::mem::replace(&mut self.next_fn, CallbackMode::Fresh(None));
        let (name, loops, record) = match mode {
            CallbackMode::Fresh(n) => {
                let name = name_hint.or(n).map(FnName::from);
                let record = name.is_some();
                (name, vec![], record)
            }
            CallbackMode::Inherit => (None, self.current_loops(), false),
            CallbackMode::Loop(l) => {
                let mut loops = self.current_loops();
                loops.push(l);
                (None, loops, false)
            }
        };
        // Parameter names are kept for a named function only (a helper the linker may inline).
        let mut names = vec![];
        self.scopes.push();
        for p in params {
            if record {
                let ident = match p {
                    Pat::Assign(a) => &*a.left,
                    p => p,
                };
                if let Pat::Ident(i) = ident {
                    names.push(i.id.sym.clone());
                }
            }
            self.bind_pat(p, Binding::Param);
            // `column: 'name' | 'created_at'`: the type allows only constants.
            if let Some(name) = predicate::literal_typed_param(p) {
                self.bind(name, Binding::Str);
            }
        }
        self.frames.push(FnFrame {
            name,
            loops,
            returns: Some(vec![]),
            params: names,
            span,
            record,
            catch_depth: 0,
        });
    }

    /// The span of the function the walk is in, `None` at module level.
    fn function_span(&self) -> Option<crate::span::Span> {
        match self.frames.as_slice() {
            [_, .., f] => Some(self.span(f.span)),
            _ => None,
        }
    }

    fn leave_function(&mut self) {
        self.scopes.pop();
        let Some(frame) = self.frames.pop() else {
            return;
        };
        if !frame.record {
            return;
        }
        let returns = frame.returns.and_then(|r| match r.len() {
            0 => None,
            1 => r.into_iter().next().map(Box::new),
            _ => Some(Box::new(RawPred::Or(r))),
        });
        if let Some(name) = frame.name {
            self.facts.functions.push(FunctionDef {
                name,
                params: frame.params,
                returns,
                span: self.span(frame.span),
            });
        }
    }

    fn note_return(&mut self, arg: Option<&Expr>) {
        // Only a named function's returns are kept, and only while every one was a predicate.
        if !self
            .frames
            .last()
            .is_some_and(|f| f.record && f.returns.is_some())
        {
            return;
        }
        let p = match arg {
            Some(e) if looks_like_predicate(unwrap(e)) => self.pred(e),
            _ => RawPred::Unknown {
                why: String::new(),
                mentions: vec![],
            },
        };
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        if matches!(p, RawPred::Unknown { .. }) {
            frame.returns = None;
        } else if let Some(r) = frame.returns.as_mut() {
            r.push(p);
        }
    }

    /// A class member's name, `Class.member`.
    fn qualified(&self, key: Option<String>) -> Option<String> {
        key.map(|k| match &self.class_name {
            Some(c) => format!("{c}.{k}"),
            None => k,
        })
    }

    /// An object literal's method: `object.method` directly in a module-level `const`.
    fn member_name(&self, key: &PropName) -> Option<String> {
        if self.frames.len() == 1 {
            self.qualified(prop_name(key))
        } else {
            prop_name(key)
        }
    }

    /// Notes that `value` (a call, not awaited) is stored rather than run where it is written.
    fn keep(&mut self, value: &Expr) {
        self.kept = match unwrap(value) {
            call @ Expr::Call(_) => Some(call.span()),
            _ => None,
        };
    }

    fn with_cond<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        self.cond_depth += 1;
        let r = f(self);
        self.cond_depth -= 1;
        r
    }

    fn visit_loop_body(&mut self, info: LoopInfo, f: impl FnOnce(&mut Self)) {
        if let Some(frame) = self.frames.last_mut() {
            frame.loops.push(info);
        }
        self.with_cond(f);
        if let Some(frame) = self.frames.last_mut() {
            frame.loops.pop();
        }
    }

    fn loop_info(
        &self,
        kind: &'static str,
        span: swc_common::Span,
        is_await: bool,
        over: Option<&Expr>,
    ) -> LoopInfo {
        let literal_len = over.and_then(|e| match unwrap(e) {
            Expr::Array(a) if a.elems.iter().flatten().all(|el| el.spread.is_none()) => {
                Some(a.elems.len())
            }
            _ => None,
        });
        LoopInfo {
            kind,
            span: self.span(span),
            is_await,
            literal_len,
        }
    }
}

impl Visit for Extractor {
    // Types hold no queries: annotations, interfaces, aliases and generic arguments are a large
    // part of a TypeScript AST, and walking them was pure cost.
    fn visit_ts_type(&mut self, _: &TsType) {}
    fn visit_ts_type_ann(&mut self, _: &TsTypeAnn) {}
    fn visit_ts_interface_decl(&mut self, _: &TsInterfaceDecl) {}
    fn visit_ts_type_alias_decl(&mut self, _: &TsTypeAliasDecl) {}
    fn visit_ts_type_param_decl(&mut self, _: &TsTypeParamDecl) {}
    fn visit_ts_type_param_instantiation(&mut self, _: &TsTypeParamInstantiation) {}

    fn visit_module_item(&mut self, item: &ModuleItem) {
        match item {
            ModuleItem::ModuleDecl(decl) => self.module_decl(decl),
            ModuleItem::Stmt(Stmt::Decl(Decl::Var(v))) if self.frames.len() == 1 => {
                self.module_var_decl(v, false);
            }
            _ => {}
        }
        item.visit_children_with(self);
    }

    fn visit_expr(&mut self, e: &Expr) {
        // Deeply nested input must not overflow the stack. Asking for the stack left costs a
        // fifth of a plain walk, so it is asked every eighth level, with a red zone that holds
        // eight levels of even a debug build's frames.
        self.expr_depth += 1;
        let visit = |x: &mut Self| match e {
            Expr::Call(_) => x.call_chain(e),
            Expr::Member(_) => x.member_chain(e),
            Expr::Assign(a) => x.assign(a),
            _ => e.visit_children_with(x),
        };
        if self.expr_depth % 8 == 0 {
            stacker::maybe_grow(1024 * 1024, 8 * 1024 * 1024, || visit(self));
        } else {
            visit(self);
        }
        self.expr_depth -= 1;
    }

    fn visit_var_decl(&mut self, v: &VarDecl) {
        for d in &v.decls {
            let name = match &d.name {
                Pat::Ident(i) => Some(i.id.sym.as_str()),
                _ => None,
            };
            if let Some(init) = &d.init {
                // Only a function's name is kept, so only a function's is built.
                let is_fn = matches!(unwrap(init), Expr::Arrow(_) | Expr::Fn(_));
                let qualified = name.filter(|_| is_fn).map(|n| match &self.class_name {
                    Some(c) if self.frames.len() == 1 => format!("{c}.{n}"),
                    _ => n.to_owned(),
                });
                self.next_fn = CallbackMode::Fresh(qualified);
                self.keep(init);
                // `export const users = { async get(id) {..} }`: methods are named `users.get`.
                let object = matches!(unwrap(init), Expr::Object(_)) && self.frames.len() == 1;
                let prev = match (object, name) {
                    (true, Some(n)) => Some(self.class_name.replace(n.to_owned())),
                    _ => None,
                };
                let outer = self.result_of.take();
                self.result_of = result_binding(&d.name).map(|n| (awaited(init).span(), n.clone()));
                self.visit_expr(init);
                self.result_of = outer;
                if let Some(prev) = prev {
                    self.class_name = prev;
                }
                self.next_fn = CallbackMode::Fresh(None);
            }
            // Module-level bindings were made by the prepass; locals bind after their initialiser.
            if self.frames.len() > 1 {
                let b = match &d.init {
                    // A destructuring pattern binds each of its names as opaque (`bind_pat`):
                    // what the initialiser is does not matter.
                    _ if !matches!(d.name, Pat::Ident(_)) => Binding::Opaque,
                    Some(init) if v.kind == VarDeclKind::Const => {
                        self.const_binding(init, false).unwrap_or(Binding::Opaque)
                    }
                    Some(init) if v.kind == VarDeclKind::Let => {
                        let p = if looks_like_predicate(unwrap(init)) {
                            self.pred(init)
                        } else {
                            RawPred::Undefined
                        };
                        match (unwrap(init), p) {
                            (Expr::Array(_), _) => {
                                self.const_binding(init, false).unwrap_or(Binding::Opaque)
                            }
                            (_, p @ RawPred::Unknown { .. }) => {
                                let _ = p;
                                Binding::Opaque
                            }
                            (e, p) if looks_like_predicate(e) => Binding::Pred(p),
                            _ => Binding::Opaque,
                        }
                    }
                    None if v.kind == VarDeclKind::Let => Binding::Pred(RawPred::Undefined),
                    _ => Binding::Opaque,
                };
                self.bind_pat(&d.name, b);
            }
        }
    }

    fn visit_fn_decl(&mut self, f: &FnDecl) {
        if self.frames.len() > 1 {
            self.bind(&f.ident.sym, Binding::Opaque);
        }
        self.next_fn = CallbackMode::Fresh(Some(f.ident.sym.as_str().to_owned()));
        f.function.visit_with(self);
    }

    fn visit_function(&mut self, f: &Function) {
        let params: Vec<&Pat> = f.params.iter().map(|p| &p.pat).collect();
        self.enter_function(&params, None, f.span);
        if let Some(body) = &f.body {
            body.visit_with(self);
        }
        self.leave_function();
    }

    fn visit_arrow_expr(&mut self, a: &ArrowExpr) {
        let params: Vec<&Pat> = a.params.iter().collect();
        self.enter_function(&params, None, a.span);
        match &*a.body {
            ArrowFunctionBody::FunctionBody(b) => b.visit_with(self),
            ArrowFunctionBody::Expr(e) => {
                self.note_return(Some(e));
                self.visit_expr(e);
            }
        }
        self.leave_function();
    }

    fn visit_class_decl(&mut self, c: &ClassDecl) {
        let prev = self.class_name.replace(c.ident.sym.as_str().to_owned());
        c.class.visit_with(self);
        self.class_name = prev;
    }

    fn visit_class_method(&mut self, m: &ClassMethod) {
        let name = self.qualified(prop_name(&m.key));
        self.next_fn = CallbackMode::Fresh(name);
        m.function.visit_with(self);
    }

    fn visit_class_prop(&mut self, p: &ClassProp) {
        if let Some(v) = &p.value {
            let name = self.qualified(prop_name(&p.key));
            self.next_fn = CallbackMode::Fresh(name);
            self.visit_expr(v);
            self.next_fn = CallbackMode::Fresh(None);
        }
    }

    fn visit_method_prop(&mut self, m: &MethodProp) {
        self.next_fn = CallbackMode::Fresh(self.member_name(&m.key));
        m.function.visit_with(self);
    }

    fn visit_key_value_prop(&mut self, kv: &KeyValueProp) {
        if matches!(unwrap(&kv.value), Expr::Arrow(_) | Expr::Fn(_))
            && matches!(self.next_fn, CallbackMode::Fresh(None))
        {
            self.next_fn = CallbackMode::Fresh(self.member_name(&kv.key));
        }
        self.visit_expr(&kv.value);
    }

    fn visit_return_stmt(&mut self, r: &ReturnStmt) {
        self.note_return(r.arg.as_deref());
        r.visit_children_with(self);
    }

    fn visit_if_stmt(&mut self, s: &IfStmt) {
        self.visit_expr(&s.test);
        self.with_cond(|x| {
            s.cons.visit_with(x);
            if let Some(alt) = &s.alt {
                alt.visit_with(x);
            }
        });
    }

    fn visit_cond_expr(&mut self, c: &CondExpr) {
        self.visit_expr(&c.test);
        self.with_cond(|x| {
            x.visit_expr(&c.cons);
            x.visit_expr(&c.alt);
        });
    }

    fn visit_bin_expr(&mut self, b: &BinExpr) {
        self.visit_expr(&b.left);
        if matches!(
            b.op,
            BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing
        ) {
            self.with_cond(|x| x.visit_expr(&b.right));
        } else {
            self.visit_expr(&b.right);
        }
    }

    fn visit_switch_case(&mut self, c: &SwitchCase) {
        self.with_cond(|x| c.visit_children_with(x));
    }

    fn visit_catch_clause(&mut self, c: &CatchClause) {
        self.frame_mut().catch_depth += 1;
        self.with_cond(|x| c.visit_children_with(x));
        self.frame_mut().catch_depth -= 1;
    }

    fn visit_for_stmt(&mut self, s: &ForStmt) {
        if let Some(init) = &s.init {
            init.visit_with(self);
        }
        let info = self.loop_info("for", head_span(s.span, s.body.span()), false, None);
        self.visit_loop_body(info, |x| {
            if let Some(t) = &s.test {
                x.visit_expr(t);
            }
            if let Some(u) = &s.update {
                x.visit_expr(u);
            }
            s.body.visit_with(x);
        });
    }

    fn visit_for_of_stmt(&mut self, s: &ForOfStmt) {
        self.visit_expr(&s.right);
        if let ForHead::VarDecl(v) = &s.left {
            for d in &v.decls {
                self.bind_pat(&d.name, Binding::Opaque);
            }
        }
        let info = self.loop_info(
            "for-of",
            head_span(s.span, s.body.span()),
            s.is_await,
            Some(&s.right),
        );
        self.visit_loop_body(info, |x| s.body.visit_with(x));
    }

    fn visit_for_in_stmt(&mut self, s: &ForInStmt) {
        self.visit_expr(&s.right);
        if let ForHead::VarDecl(v) = &s.left {
            for d in &v.decls {
                self.bind_pat(&d.name, Binding::Opaque);
            }
        }
        let info = self.loop_info("for-in", head_span(s.span, s.body.span()), false, None);
        self.visit_loop_body(info, |x| s.body.visit_with(x));
    }

    fn visit_while_stmt(&mut self, s: &WhileStmt) {
        let info = self.loop_info("while", head_span(s.span, s.body.span()), false, None);
        self.visit_loop_body(info, |x| {
            x.visit_expr(&s.test);
            s.body.visit_with(x);
        });
    }

    fn visit_do_while_stmt(&mut self, s: &DoWhileStmt) {
        let info = self.loop_info("do-while", head_span(s.span, s.body.span()), false, None);
        self.visit_loop_body(info, |x| {
            s.body.visit_with(x);
            x.visit_expr(&s.test);
        });
    }
}

impl Extractor {
    fn module_decl(&mut self, decl: &ModuleDecl) {
        match decl {
            ModuleDecl::ExportDecl(e) => match &e.decl {
                Decl::Var(v) => {
                    self.module_var_decl(v, true);
                }
                Decl::Fn(f) => self.export_local(&f.ident.sym, &f.ident.sym),
                Decl::Class(c) => self.export_local(&c.ident.sym, &c.ident.sym),
                _ => {}
            },
            ModuleDecl::ExportNamed(n) => {
                let source = n.src.as_ref().map(|s| wtf8_name(&s.value));
                for s in &n.specifiers {
                    match (s, &source) {
                        (ExportSpecifier::Named(named), _) => {
                            let orig = export_name(&named.orig);
                            let exported = named
                                .exported
                                .as_ref()
                                .map(export_name)
                                .unwrap_or_else(|| orig.clone());
                            match &source {
                                Some(src) => self.facts.exports.push(Export::Reexport {
                                    exported,
                                    imported: orig,
                                    source: src.clone(),
                                }),
                                None => self.export_local(&exported, &orig),
                            }
                        }
                        (ExportSpecifier::Namespace(ns), Some(src)) => {
                            self.facts.exports.push(Export::StarAs {
                                exported: export_name(&ns.name),
                                source: src.clone(),
                            })
                        }
                        _ => {}
                    }
                }
            }
            ModuleDecl::ExportAll(all) => {
                self.facts.exports.push(Export::Star {
                    source: wtf8_name(&all.src.value),
                });
            }
            ModuleDecl::ExportDefaultExpr(d) => {
                if let Expr::Ident(i) = unwrap(&d.expr) {
                    self.export_local(&swc_atoms::atom!("default"), &i.sym);
                }
            }
            ModuleDecl::ExportDefaultDecl(d) => {
                if let DefaultDecl::Fn(f) = &d.decl {
                    if let Some(i) = &f.ident {
                        self.export_local(&swc_atoms::atom!("default"), &i.sym);
                    }
                }
            }
            _ => {}
        }
    }

    fn export_local(&mut self, exported: &Name, local: &Name) {
        self.facts.exports.push(Export::Local {
            exported: exported.clone(),
            local: local.clone(),
        });
    }

    fn module_var_decl(&mut self, v: &VarDecl, exported: bool) {
        for d in &v.decls {
            let Pat::Ident(id) = &d.name else { continue };
            if exported {
                self.export_local(&id.id.sym, &id.id.sym);
            }
            let Some(init) = &d.init else { continue };
            self.module_const(&id.id.sym, init);
        }
    }

    /// Module-level `const name = init`: tables, shared columns, relations, aliases, clients.
    fn module_const(&mut self, name: &str, init: &Expr) {
        let e = unwrap(init);
        match e {
            Expr::Call(call) => {
                if let Some(t) = self.table_def(name, call) {
                    self.facts.tables.push(t);
                } else if let Some(r) = self.relations_def(call) {
                    self.facts.relations.extend(r);
                } else if callee_ident(call) == Some("alias") {
                    if let Some(t) = self.alias_expr(call) {
                        self.facts.aliases.push((name.to_string(), t));
                    }
                }
            }
            Expr::Object(o) => {
                let columns = self.columns_of(o, None, true);
                if !columns.is_empty() {
                    self.facts.column_groups.push(ColumnGroup {
                        binding: name.to_string(),
                        columns,
                    });
                }
            }
            Expr::Ident(_) | Expr::Member(_) => {
                if let Some(t) = self.table_expr(e) {
                    self.facts.aliases.push((name.to_string(), t));
                }
            }
            _ => {}
        }
    }
}

/// `text` with every run of whitespace made one space and the ends trimmed, cut after about
/// 2,000 bytes: the code a fingerprint hashes. ASCII text (nearly all code) is done on bytes,
/// copying a word at a time; the rest goes through `split_whitespace`, which it equals.
pub(crate) fn normalize_code(text: &str) -> String {
    const LIMIT: usize = 2000;
    if !text.is_ascii() {
        let mut out = String::with_capacity(text.len().min(512));
        for word in text.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
            if out.len() > LIMIT {
                break;
            }
        }
        return out;
    }
    // What `char::is_whitespace` accepts below 128.
    let space = |b: u8| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ');
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len().min(512));
    let mut i = 0;
    while out.len() <= LIMIT {
        while i < b.len() && space(b[i]) {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        let start = i;
        while i < b.len() && !space(b[i]) {
            i += 1;
        }
        if !out.is_empty() {
            out.push(b' ');
        }
        out.extend_from_slice(&b[start..i]);
    }
    String::from_utf8(out).unwrap_or_default()
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

pub(crate) fn callee_ident(c: &CallExpr) -> Option<&str> {
    match &c.callee {
        Callee::Expr(e) => match unwrap(e) {
            Expr::Ident(i) => Some(&i.sym),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn wtf8(a: &swc_atoms::Wtf8Atom) -> String {
    a.to_atom_lossy().to_string()
}

/// `row` in `const row = ..` and `const [row] = ..`: the local a query's result lands in.
fn result_binding(p: &Pat) -> Option<&Atom> {
    match p {
        Pat::Ident(i) => Some(&i.id.sym),
        Pat::Array(a) => match a.elems.first() {
            Some(Some(Pat::Ident(i))) => Some(&i.id.sym),
            _ => None,
        },
        _ => None,
    }
}

/// The expression under `await`, parentheses and type assertions.
fn awaited(e: &Expr) -> &Expr {
    match unwrap(e) {
        Expr::Await(a) => awaited(&a.arg),
        other => other,
    }
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

pub(crate) fn str_value(e: &Expr) -> Option<String> {
    match unwrap(e) {
        Expr::Lit(Lit::Str(s)) => Some(wtf8(&s.value)),
        Expr::Tpl(t) if t.exprs.is_empty() => t.quasis.first().map(|q| q.raw.as_str().to_owned()),
        _ => None,
    }
}

pub(crate) fn prop_name(p: &PropName) -> Option<String> {
    match p {
        PropName::Ident(i) => Some(i.sym.as_str().to_owned()),
        PropName::Str(s) => Some(wtf8(&s.value)),
        PropName::Num(n) => Some(n.value.to_string()),
        _ => None,
    }
}

pub(crate) fn member_prop(p: &MemberProp) -> Option<Name> {
    match p {
        MemberProp::Ident(i) => Some(i.sym.clone()),
        MemberProp::Computed(c) => str_name(&c.expr),
        _ => None,
    }
}

/// Whether a property is `name` (`x.name` or `x['name']`), without making a [`Name`] of it.
pub(crate) fn member_prop_is(p: &MemberProp, name: &str) -> bool {
    match p {
        MemberProp::Ident(i) => &*i.sym == name,
        MemberProp::Computed(c) => str_value(&c.expr).is_some_and(|s| s == name),
        _ => false,
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

fn export_name(n: &ModuleExportName) -> Name {
    match n {
        ModuleExportName::Ident(i) => i.sym.clone(),
        ModuleExportName::Str(s) => wtf8_name(&s.value),
    }
}

/// The loop's head: from its keyword to the start of its body.
fn head_span(stmt: swc_common::Span, body: swc_common::Span) -> swc_common::Span {
    let hi = if body.lo > stmt.lo { body.lo } else { stmt.hi };
    swc_common::Span::new(stmt.lo, hi)
}

/// `(name) => `prefix_${name}`` as (prefix, suffix).
fn creator_template(e: &Expr) -> Option<(String, String)> {
    let Expr::Arrow(a) = unwrap(e) else {
        return None;
    };
    let ArrowFunctionBody::Expr(body) = &*a.body else {
        return None;
    };
    let Expr::Tpl(t) = unwrap(body) else {
        return None;
    };
    if t.exprs.len() != 1 || t.quasis.len() != 2 {
        return None;
    }
    Some((
        t.quasis[0].raw.as_str().to_owned(),
        t.quasis[1].raw.as_str().to_owned(),
    ))
}

/// `billing.table('x', ..)` on a `pgSchema(..)` object.
fn is_schema_table_call(c: &CallExpr) -> bool {
    match &c.callee {
        Callee::Expr(e) => {
            matches!(unwrap(e), Expr::Member(m) if member_prop_is(&m.prop, "table"))
        }
        _ => false,
    }
}

/// A cheap test before reading an expression as a predicate.
fn looks_like_predicate(e: &Expr) -> bool {
    match unwrap(e) {
        Expr::Call(c) => match &c.callee {
            Callee::Expr(callee) => match unwrap(callee) {
                Expr::Ident(_) => true,
                Expr::Member(m) => matches!(unwrap(&m.obj), Expr::Ident(_) | Expr::This(_)),
                _ => false,
            },
            _ => false,
        },
        Expr::TaggedTpl(t) => matches!(unwrap(&t.tag), Expr::Ident(i) if &*i.sym == "sql"),
        Expr::Cond(c) => looks_like_predicate(&c.cons) || looks_like_predicate(&c.alt),
        Expr::Bin(b) => {
            matches!(
                b.op,
                BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing
            ) && (looks_like_predicate(&b.left) || looks_like_predicate(&b.right))
        }
        Expr::Ident(i) => &*i.sym == "undefined",
        _ => false,
    }
}

use swc_common::Spanned;

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The byte path of `normalize_code` gives what `split_whitespace` gives, at the length
    /// cut too; non-ASCII whitespace (a no-break space) takes the other path.
    #[test]
    fn normalized_code_equals_split_whitespace() {
        let long = "db.select() ".repeat(400);
        for text in [
            "",
            "   ",
            "db\n  .select()\t.from(t)\r\n",
            "a\x0bb\x0cc",
            " lead and trail ",
            long.as_str(),
            "x\u{a0}y  z",
        ] {
            let mut want = String::new();
            for w in text.split_whitespace() {
                if !want.is_empty() {
                    want.push(' ');
                }
                want.push_str(w);
                if want.len() > 2000 {
                    break;
                }
            }
            assert_eq!(super::normalize_code(text), want, "{text:?}");
        }
    }

    /// (start offset, subquery) of every query site, in file order.
    fn sites(src: &str) -> Vec<(u32, bool)> {
        let facts = crate::parse::parse_and_extract(Path::new("x.ts"), src).facts;
        let mut out: Vec<(u32, bool)> = facts
            .queries
            .iter()
            .map(|q| (q.span.lo, q.subquery))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_chain_inside_another_chain_is_a_subquery() {
        let src = "export async function f(id: string) {\n\
            await db.update(posts).set({ authorId: db.select({ id: users.id }).from(users).limit(1) }).where(eq(posts.id, id));\n\
            await db.select().from(users).limit(1);\n\
        }\n";
        let found = sites(src);
        let nested: Vec<bool> = found.iter().map(|&(_, s)| s).collect();
        // The select inside `set(..)` is nested in the update's chain; the last select stands
        // alone, and so does the update.
        assert_eq!(nested, vec![false, true, false], "{found:?}");
    }
}
