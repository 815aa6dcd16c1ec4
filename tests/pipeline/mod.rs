//! The whole pipeline on one file in memory plus a small fixed schema: shared by the seeded
//! mutation test (`tests/mutation.rs`) and the cargo-fuzz target (`fuzz/`), which include this
//! file by path.

#![allow(dead_code)]

use drizzle_guard::config::Config;
use drizzle_guard::emit::{self, human::HumanOptions};
use drizzle_guard::engine;
use drizzle_guard::link::Project;
use std::path::Path;
use std::sync::OnceLock;

/// A schema with a tenant-scoped soft-delete table, a relation and a shared column group, so
/// mutated queries can resolve tables and exercise every rule.
pub const SCHEMA: &str = r#"import { relations } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const timestamps = { createdAt: timestamp('created_at').notNull(), deletedAt: timestamp('deleted_at') };

export const organizations = pgTable('organizations', { id: uuid('id').primaryKey(), name: text('name') });

export const projects = pgTable('projects', {
  id: uuid('id').primaryKey(),
  organizationId: uuid('organization_id').notNull().references(() => organizations.id),
  name: text('name').notNull(),
  ...timestamps,
}, (t) => [index('projects_org_idx').on(t.organizationId)]);

export const tasks = pgTable('tasks', (t) => ({
  id: t.uuid().primaryKey(),
  organizationId: t.uuid('organization_id').notNull(),
  projectId: t.uuid('project_id').references(() => projects.id),
  deletedAt: t.timestamp('deleted_at'),
}));

export const projectsRelations = relations(projects, ({ one, many }) => ({
  organization: one(organizations, { fields: [projects.organizationId], references: [organizations.id] }),
  tasks: many(tasks),
}));
"#;

/// Checks `input` as `src/input.ts` next to [`SCHEMA`], renders every output format, and
/// returns the JSON document. Panics if any file came back as an `internal-error`: a caught
/// panic is still a bug, and this is where the fuzzer and the mutation test must see it.
pub fn run(input: &[u8]) -> String {
    // On a worker of the checker's own pool, with its stack size, as in a real run; one pool
    // for every input (starting a thread per input would dominate the fuzzer's time).
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| engine::pool(Some(1)).unwrap())
        .install(|| run_here(input))
}

fn run_here(input: &[u8]) -> String {
    let root = Path::new("/drizzle-guard-fuzz");
    let units = vec![
        engine::unit_from_bytes(
            root,
            &root.join("src/schema.ts"),
            SCHEMA.as_bytes().to_vec(),
        ),
        engine::unit_from_bytes(root, &root.join("src/input.ts"), input.to_vec()),
    ];
    let config = Config::default();
    let project = Project::link(root.to_path_buf(), units, &config);
    let report = engine::check(&project, &config, std::time::Instant::now());
    if let Some(d) = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "internal-error")
    {
        panic!("internal error on {}: {}", d.file, d.message);
    }
    for color in [false, true] {
        let text = emit::human::render(
            &report,
            &HumanOptions {
                color,
                timing: false,
            },
        );
        assert!(text.contains("drizzle-guard: checked 2 files"));
    }
    emit::json::render(&report)
}
