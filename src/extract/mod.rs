//! Extraction: one walk over a parsed module produces its [`FileFacts`]. With `parse` (which
//! parses) and `kit_config` (which reads `drizzle.config.ts` and `svelte.config.js`), the only code that sees swc types.
//!
//! One job per module, each using only those listed before it:
//! - `ast`: readers of the AST (wrappers, names, string literals, offsets); `names`: the names
//!   Drizzle gives things (operators, table constructors, column builders);
//! - `scope`: what the file's names stand for;
//! - `conditions`: conditions, and the names that hold them;
//! - `relational`: relational queries' options and filters; `schema`: tables, relations;
//!   `columns`: column builder chains; `module_items`: imports, exports, module constants;
//! - `chain`: call chains split into links; `frames`: where the walk is (functions, loops,
//!   `catch` clauses, conditionals); `held`: what locals, parameters and class fields hold
//!   (arrays, instances of classes) and the calls that map a collection;
//! - `query`: recognising queries, driven by one table of the methods that start them;
//!   `calls`: other calls (project functions, `sql.raw`, `casing`);
//! - `visitor`: the walk, which hands each part what it needs as arguments;
//! - `comments`: suppression comments, read apart from the walk.

mod aggregates;
mod ast;
mod calls;
mod chain;
mod client;
mod columns;
mod combine;
pub mod comments;
mod conditions;
mod conflict;
mod constants;
mod frames;
mod held;
mod module_items;
mod names;
mod origins;
mod query;
mod raw;
mod reach;
mod relational;
mod rows;
mod schema;
mod scope;
mod shapes;
mod visitor;
mod zod;

pub(crate) use ast::{callee_ident, member_prop_is, prop_name, str_value, unwrap};
pub use names::{is_aggregate, is_operator};

use crate::facts::{FileFacts, Runs};
use swc_ecma_ast::Module;
use swc_ecma_visit::VisitWith;

/// Extracts the facts of one parsed module. Spans are offsets into the file's text, which swc
/// numbers from `base` (the source file's start position); they are not located yet. Without
/// `full` (a test file that is not checked), only what other files read of a module: its
/// imports, exports and module-level definitions (tables, relations, schemas); no query, call
/// or value of it is looked for, and its origins are not walked (`origins.walked` stays false).
/// `path` is the file's, whose name may say what calls its functions (a SvelteKit route file).
pub fn extract(module: &Module, base: u32, full: bool, path: &std::path::Path) -> FileFacts {
    let mut x = visitor::Extractor::new(base);
    x.prepass(module);
    if !full {
        x.module_items(module);
        return x.facts;
    }
    if client::is_client_module(module) {
        // Browser code: its imports and exports, and the calls its loops make.
        x.module_items(module);
        let mut facts = x.facts;
        client::calls_in_loops(module, ast::Offsets::new(base), &mut facts);
        return facts;
    }
    module.visit_with(&mut x);
    let never = x.never_returning();
    let requests = x.has_request_props();
    let frameworks = x.frameworks;
    let mut facts = x.facts;
    facts.origins.handlers |= requests;
    let kit = origins::kit_route_file(path);
    if origins::worth_walking(module, &facts, kit, path) {
        let handlers = facts.origins.handlers;
        let imported: Vec<_> = facts.imports.iter().map(|i| i.local.clone()).collect();
        let prepared = facts.queries.iter().filter(|q| q.prepared.is_some());
        let known = origins::Known {
            never: &never,
            imported: &imported,
            requests,
            frameworks: origins::Frameworks {
                redwood: origins::redwood_service(path),
                ..frameworks
            },
            prepared: prepared.map(|q| q.span.lo).collect(),
            queries: {
                let mut starts: Vec<u32> = facts.queries.iter().map(|q| q.span.lo).collect();
                starts.sort_unstable();
                starts
            },
        };
        facts.origins = origins::collect(module, ast::Offsets::new(base), kit, known);
        facts.origins.handlers = handlers;
    }
    mark_nested_queries(&mut facts.queries);
    facts
}

/// Marks every query whose chain lies inside another query's chain
/// (`db.update(t).set({ n: db.select().. })`) as running in that query: once per file, by sorting
/// spans, rather than by comparing every pair in the rules that ask.
fn mark_nested_queries(queries: &mut [crate::facts::QuerySite]) {
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
            let q = &mut queries[i];
            // A subquery stays one; anything else runs as part of the outer query.
            q.runs = match q.runs {
                Runs::InFunction(h) | Runs::OnError(h) => Runs::InQuery(h),
                runs @ (Runs::Subquery(_) | Runs::InQuery(_)) => runs,
            };
        }
        reach = reach.max(Some(s.1));
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

#[cfg(test)]
mod tests {
    use crate::facts::LoopKind;
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

    /// A test file that is not checked is read for what other files take from it alone: its
    /// tables, imports and exports, not its queries, functions or values.
    #[test]
    fn a_module_read_in_part_keeps_its_definitions_only() {
        let src = "import { pgTable, uuid } from 'drizzle-orm/pg-core';\n\
            import { db } from './db';\n\
            export const seeded = pgTable('seeded', { id: uuid('id').primaryKey() });\n\
            export async function wipe() { return db.delete(seeded); }\n";
        let module = crate::parse::parse_module(Path::new("x.test.ts"), src).unwrap();
        let part = super::extract(&module, 1, false, Path::new("x.test.ts"));
        assert_eq!(part.tables.len(), 1);
        assert_eq!(part.imports.len(), 3);
        assert!(!part.exports.is_empty());
        assert!(part.queries.is_empty() && part.functions.is_empty());
        assert!(!part.origins.walked);
        let whole = super::extract(&module, 1, true, Path::new("x.test.ts"));
        assert_eq!(whole.tables.len(), 1);
        assert_eq!(whole.queries.len(), 1);
        assert_eq!(whole.functions.len(), 1);
        assert!(whole.origins.walked);
    }

    /// (start offset, part of another query) of every query site, in file order.
    fn sites(src: &str) -> Vec<(u32, bool)> {
        let facts = crate::parse::parse_and_extract(Path::new("x.ts"), src).facts;
        let mut out: Vec<(u32, bool)> = facts
            .queries
            .iter()
            .map(|q| (q.span.lo, !q.runs.is_own_work()))
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

    /// Functions are named by the code that holds them, passed down as they are entered: a
    /// declaration, a variable, a class member, a module-level object's member. Callbacks are
    /// not named, and carry the loops they run in.
    #[test]
    fn functions_are_named_by_what_holds_them() {
        let src = "export function declared() {}\n\
            export const assigned = async () => {};\n\
            export const repo = { get() {}, list: async () => {} };\n\
            class Service {\n\
              method() {}\n\
              prop = () => {};\n\
              wrapped = wrap(() => {});\n\
              table = { a: () => {} };\n\
            }\n\
            export async function run(ids: string[]) {\n\
              const local = () => {};\n\
              ids.map(async (id) => { await db.select().from(users); });\n\
              for (const id of ids) { await db.transaction(async (tx) => { await tx.select().from(users); }); }\n\
              return { inner: () => {} };\n\
            }\n";
        let facts = crate::parse::parse_and_extract(Path::new("x.ts"), src).facts;
        let mut names: Vec<&str> = facts.functions.iter().map(|f| &*f.name).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "Service.a",
                "Service.method",
                "Service.prop",
                "assigned",
                "declared",
                "inner",
                "local",
                "repo.get",
                "repo.list",
                "run"
            ]
        );
        let loops: Vec<Vec<LoopKind>> = facts
            .queries
            .iter()
            .map(|q| q.loops.iter().map(|l| l.kind).collect())
            .collect();
        assert_eq!(
            loops,
            [vec![LoopKind::Method("map")], vec![LoopKind::ForOf]]
        );
        assert!(facts
            .queries
            .iter()
            .all(|q| q.function.as_deref() == Some("run")));
    }
}
