//! Merges every file's facts into one project: the schema model, and each query with its table
//! references resolved (import → export → definition, `export *` barrels, tsconfig `paths`,
//! and a unique-name fallback for imports from workspace packages).
//!
//! One module per job, each using only those listed before it: `model` (the data the rules
//! read), `modules` (module specifiers to files, and the path helpers), `packages` (workspace
//! packages by name, for `@acme/db`), `tsconfig` (the `paths` aliases in force), `resolve` (what a name stands for), `inline` (conditions, with helper
//! calls inlined), `middleware` (the tRPC middlewares a procedure runs), `schema` (the tables) and `query` (the queries). This file runs them in
//! order. What `--changed-since` then checks is decided in the `changed` module, which reads the
//! linked project; nothing here reads it.

mod auto_imports;
mod body_reads;
mod fragment;
mod inline;
mod middleware;
mod model;
mod modules;
mod named_refs;
pub mod origins;
mod packages;
mod paths;
mod query;
mod raw;
mod raw_cond;
mod raw_text;
mod resolve;
mod schema;
mod tsconfig;

pub(crate) use inline::MAX_INLINE;
pub use model::{
    Column, ConditionParts, ForeignKey, LinkedJoin, LinkedQuery, LinkedWith, Project, Relation,
    Table, TenantScope, Through, Unit, Unmatched,
};
pub(crate) use paths::{normalize, strip_ts_ext};
pub use query::UnresolvedQuery;
pub use resolve::UntabledQuery;

use crate::config::Config;
use crate::ids::{FileId, PerFile};
use model::HashMap;
use rayon::prelude::*;
use std::path::PathBuf;

impl Project {
    pub fn link(root: PathBuf, units: Vec<Unit>, config: &Config) -> Project {
        let mut starts = Vec::with_capacity(units.len() + 1);
        starts.push(0);
        for u in &units {
            starts.push(starts[starts.len() - 1] + modules::source_count(u));
        }
        let mut modules = modules::ModuleIndex::new(&units);
        modules.packages = packages::Packages::find(&root, modules.dirs());
        let tsconfig = tsconfig::TsconfigCache::default();
        let targets = modules.resolve_all(&|dir| tsconfig.for_dir(dir), &units);
        let units = PerFile::from(units);
        let callers = units.iter().map(|_| Default::default()).collect();
        let mut p = Project {
            by_binding: units.iter().map(|_| HashMap::default()).collect(),
            root,
            units,
            tables: vec![],
            queries: PerFile::default(),
            stars: PerFile::default(),
            targets,
            target_starts: starts,
            by_name: HashMap::default(),
            input_params: Default::default(),
            importers: Default::default(),
            callers,
            checked_inputs: Default::default(),
            raw_names: Default::default(),
            fk_joins: config.tenant.joins == crate::config::TenantJoins::Fk,
            auto_imports: Default::default(),
            system_paths: system_paths(config),
        };
        p.auto_imports =
            auto_imports::AutoImports::find(&p.units.iter().map(|u| &*u.rel).collect());
        p.stars = p.star_exports();
        p.settle_exit_calls();
        p.read_body_helpers();
        p.build_tables(config);
        // Every file's queries, checked or not: a checked file's loop may call a function of an
        // unchanged one (`n-plus-one`), and a checked row may come from any of them.
        // Raw statements first: what their text says is written into their sites.
        let raw: Vec<Vec<raw::RawRead>> = (0..p.units.len())
            .into_par_iter()
            .map(|f| p.read_raw_statements(FileId(f)))
            .collect();
        let mut raw_queries: Vec<Vec<LinkedQuery>> = Vec::with_capacity(raw.len());
        for (f, reads) in raw.into_iter().enumerate() {
            let mut linked = vec![];
            for r in reads {
                let site = &mut p.units[FileId(f)].facts.queries[r.site];
                r.apply(site);
                linked.extend(r.queries);
            }
            raw_queries.push(linked);
        }
        let queries: Vec<Vec<_>> = (0..p.units.len())
            .into_par_iter()
            .map(|f| p.link_queries(FileId(f)))
            .zip(raw_queries)
            .map(|(mut q, raw)| {
                if !raw.is_empty() {
                    q.extend(raw);
                    q.sort_by_key(|q| q.site);
                }
                q
            })
            .collect();
        p.queries = PerFile::from(queries);
        p.checked_inputs = p.checked_inputs();
        p.input_params = p.follow_input();
        p
    }
}

/// `tenant.systemPaths` as one matcher (the loader has checked every glob).
fn system_paths(config: &Config) -> globset::GlobSet {
    let mut globs = globset::GlobSetBuilder::new();
    for g in &config.tenant.system_paths {
        if let Ok(g) = globset::Glob::new(g) {
            globs.add(g);
        }
    }
    globs.build().unwrap_or_else(|_| globset::GlobSet::empty())
}
