//! `--changed-since` must be invisible in a pre-push hook: on a generated repository of 2,000
//! service files and 40 schema files, compare a full check with a check of one changed file
//! (which still parses every file for the schema model), and time the git queries alone.

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use drizzle_guard::changed::ChangedFiles;
use drizzle_guard::config::Config;
use drizzle_guard::engine::{self, Options};
use std::path::Path;
use std::time::Instant;
use support::write;

const SCHEMA_FILES: usize = 40;
const TABLES_PER_FILE: usize = 5;
const SERVICE_FILES: usize = 2_000;

/// A repository of realistic Drizzle code, committed, with one service file then modified.
fn repository(root: &Path) {
    let mut index = String::new();
    for s in 0..SCHEMA_FILES {
        let mut src =
            "import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';\n"
                .to_string();
        for t in 0..TABLES_PER_FILE {
            let name = format!("t{s}_{t}");
            src.push_str(&format!(
                "\nexport const {name} = pgTable('{name}', {{
  id: uuid('id').primaryKey(),
  organizationId: uuid('organization_id').notNull(),
  name: text('name').notNull(),
  deletedAt: timestamp('deleted_at'),
}}, (t) => [index('{name}_org').on(t.organizationId)]);
"
            ));
        }
        write(root, &format!("src/db/schema/s{s}.ts"), &src);
        index.push_str(&format!("export * from './s{s}';\n"));
    }
    write(root, "src/db/schema/index.ts", &index);
    write(
        root,
        "src/db/index.ts",
        "import { drizzle } from 'drizzle-orm/node-postgres';\nimport * as schema from './schema';\nexport const db = drizzle(process.env.DATABASE_URL!, { schema });\n",
    );
    for i in 0..SERVICE_FILES {
        let name = format!("t{}_{}", i % SCHEMA_FILES, i % TABLES_PER_FILE);
        let mut src = format!(
            "import {{ and, eq, isNull }} from 'drizzle-orm';\nimport {{ db }} from '../../db/index';\nimport {{ {name} }} from '../../db/schema';\n"
        );
        for q in 0..5 {
            src.push_str(&format!(
                "\nexport async function get{q}(orgId: string, id: string) {{
  const rows = await db.select().from({name}).where(and(eq({name}.organizationId, orgId), eq({name}.id, id), isNull({name}.deletedAt))).limit(10);
  for (const r of rows) {{
    console.log(r.name);
  }}
  return rows;
}}
"
            ));
        }
        write(root, &format!("src/services/m{}/svc{i}.ts", i / 100), &src);
    }
    let git = |args: &[&str]| support::git::git(root, args);
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "generated"]);
    let touched = root.join("src/services/m0/svc7.ts");
    let mut text = std::fs::read_to_string(&touched).unwrap();
    text.push_str("// touched\n");
    std::fs::write(touched, text).unwrap();
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    repository(&root);
    let config = Config::default();
    let opts = Options {
        paths: vec![root.clone()],
        root: root.clone(),
        threads: None,
    };
    let run = |changed: Option<&ChangedFiles>| {
        let project = engine::load_changed(&opts, &config, changed).unwrap();
        engine::check(&project, &config, Instant::now())
    };
    let changed = ChangedFiles::since(&root, "HEAD").unwrap();
    assert_eq!(run(Some(&changed)).files_checked, 1);
    assert_eq!(run(None).files_checked, SERVICE_FILES + SCHEMA_FILES + 2);

    let mut g = c.benchmark_group("changed_since");
    g.sample_size(10);
    g.bench_function("git_queries", |b| {
        b.iter(|| ChangedFiles::since(&root, "HEAD").unwrap())
    });
    g.bench_function("full_check", |b| b.iter(|| run(None)));
    g.bench_function("one_changed_file", |b| {
        b.iter(|| {
            let changed = ChangedFiles::since(&root, "HEAD").unwrap();
            run(Some(&changed))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
