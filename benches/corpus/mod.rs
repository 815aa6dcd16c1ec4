//! A generator of realistic multi-tenant Drizzle applications, deterministic from a seed.
//!
//! It lives here, outside the library, and is pulled in with `#[path]` by the benches, the tests
//! and `examples/corpus.rs`: it is test tooling, so it must not grow the library's public API or
//! its compile time, and a module included by path needs no feature flag or extra crate.
//!
//! The generated app has the shape of a real one: a schema split over domain folders with
//! `export *` barrels and a shared `timestamps` column group, services that use the select
//! builder, relational `db.query` queries, joins, loops, helper predicates and condition arrays,
//! and tRPC-style routers that query through `ctx.db`. Roughly one query in ten has a deliberate
//! mistake (a missing tenant or soft-delete filter), so the rules have something to report.
//! That backend alone ([`Mix::Backend`]) is nine files in ten running queries; [`Mix::WholeApp`]
//! surrounds it with the React components, hooks, client utilities and types that make up most
//! of a real app, in the proportion measured on public ones.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

/// One generated file: a `/`-separated path relative to the app root, and its text.
pub struct File {
    pub path: String,
    pub text: String,
}

/// splitmix64: tiny, good enough, and the same on every platform.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// True with probability 1/n.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const DOMAINS: &[&str] = &[
    "billing",
    "projects",
    "support",
    "content",
    "analytics",
    "identity",
    "inventory",
    "messaging",
];

const ENTITIES: &[&str] = &[
    "invoice",
    "task",
    "comment",
    "document",
    "ticket",
    "label",
    "attachment",
    "event",
    "report",
    "channel",
    "asset",
    "survey",
    "milestone",
    "webhook",
    "contract",
];

const STATUSES: &[&str] = &["active", "paused", "archived", "draft", "done"];

struct Table {
    /// The export name, also the relational `db.query` key.
    binding: String,
    sql: String,
    domain: &'static str,
    tenant: bool,
    soft_delete: bool,
    /// Index of a table defined earlier that this one references through `parentId`.
    parent: Option<usize>,
}

impl Table {
    fn file(&self) -> String {
        format!("src/db/schema/{}/{}.ts", self.domain, self.binding)
    }
}

fn camel(entity: &str, i: usize) -> String {
    format!("{entity}s{i}")
}

/// What the generated tree holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mix {
    /// The database side alone: schema, services and routers, nine files in ten running
    /// queries. A stress case: real apps are mostly code that never touches the database.
    Backend,
    /// A whole app: the backend above as one file in eight (public multi-tenant Drizzle apps
    /// measured 3% to 13% of files with a query: Zero 3%, unkey 6%, saas-starter 10%,
    /// openstatus 13%), the rest React components, hooks, client utilities and types.
    WholeApp,
}

impl Mix {
    pub fn parse(name: &str) -> Option<Mix> {
        match name {
            "backend" => Some(Mix::Backend),
            "app" => Some(Mix::WholeApp),
            _ => None,
        }
    }
}

/// Generates the backend of an app of about `files` files (never fewer than 16).
pub fn generate(files: usize, seed: u64) -> Vec<File> {
    generate_mix(files, seed, Mix::Backend)
}

/// Generates an app of about `files` files (never fewer than 16) of the given mix.
pub fn generate_mix(files: usize, seed: u64, mix: Mix) -> Vec<File> {
    let total = files.max(16);
    let files = match mix {
        Mix::Backend => total,
        Mix::WholeApp => (total / 8).max(16),
    };
    let mut rng = Rng(seed ^ 0x5eed_0fd1_221e);
    // Fixed files: tsconfig, db/index, trpc, columns, organizations, users, top barrel, and one
    // barrel per domain.
    let domains = DOMAINS.len().min(1 + files / 40);
    let fixed = 7 + domains;
    let rest = files - fixed;
    let n_tables = (rest / 12).max(2);
    let n_routers = (rest - n_tables) / 3;
    let n_services = rest - n_tables - n_routers;

    let mut tables = vec![];
    for i in 0..n_tables {
        let entity = rng.pick(ENTITIES);
        tables.push(Table {
            binding: camel(entity, i),
            sql: format!("{entity}s_{i}"),
            domain: DOMAINS[i % domains],
            tenant: !rng.one_in(8),
            soft_delete: rng.below(2) == 0,
            parent: if i > 0 && !rng.one_in(4) {
                Some(rng.below(i))
            } else {
                None
            },
        });
    }

    let mut out = vec![
        File {
            path: "tsconfig.json".into(),
            text: TSCONFIG.into(),
        },
        File {
            path: "src/db/index.ts".into(),
            text: DB_INDEX.into(),
        },
        File {
            path: "src/routers/trpc.ts".into(),
            text: TRPC.into(),
        },
        File {
            path: "src/db/schema/columns.ts".into(),
            text: COLUMNS.into(),
        },
        File {
            path: "src/db/schema/organizations.ts".into(),
            text: ORGANIZATIONS.into(),
        },
    ];
    let mut top = String::from("// The schema barrel read by drizzle(pool, { schema }).\n");
    top.push_str(
        "export * from './columns';\nexport * from './organizations';\nexport * from './users';\n",
    );
    for d in &DOMAINS[..domains] {
        let _ = writeln!(top, "export * from './{d}';");
        let mut barrel = format!("// The {d} tables.\n");
        for t in tables.iter().filter(|t| t.domain == *d) {
            let _ = writeln!(barrel, "export * from './{}';", t.binding);
        }
        out.push(File {
            path: format!("src/db/schema/{d}/index.ts"),
            text: barrel,
        });
    }
    out.push(File {
        path: "src/db/schema/index.ts".into(),
        text: top,
    });
    // users: a global table every domain references.
    out.push(File {
        path: "src/db/schema/users.ts".into(),
        text: USERS.into(),
    });
    for (i, _) in tables.iter().enumerate() {
        let text = schema_file(&tables, i, &mut rng);
        out.push(File {
            path: tables[i].file(),
            text,
        });
    }
    let kinds = [("services", n_services), ("routers", n_routers)];
    for (kind, count) in kinds {
        for k in 0..count {
            let t = rng.below(tables.len());
            let text = if kind == "services" {
                service_file(&tables, t, &mut rng)
            } else {
                router_file(&tables, t, k, &mut rng)
            };
            let (domain, binding) = (tables[t].domain, &tables[t].binding);
            out.push(File {
                path: format!("src/{kind}/{domain}/{binding}_{k}.ts"),
                text,
            });
        }
    }
    if mix == Mix::WholeApp {
        let routers = n_routers.max(1);
        let mut k = 0;
        while out.len() < total {
            let t = rng.below(tables.len());
            let (domain, binding) = (tables[t].domain, tables[t].binding.clone());
            let (path, text) = match k % 8 {
                0..=3 => (
                    format!("src/components/{domain}/{binding}-view-{k}.tsx"),
                    component_file(&binding, k, rng.below(routers), &mut rng),
                ),
                4 | 5 => (
                    format!("src/lib/{domain}/{binding}-utils-{k}.ts"),
                    util_file(&binding, k, &mut rng),
                ),
                6 => (
                    format!("src/hooks/use-{binding}-{k}.ts"),
                    hook_file(&binding, k, rng.below(routers)),
                ),
                _ => (
                    format!("src/types/{domain}/{binding}-{k}.ts"),
                    types_file(&binding, k),
                ),
            };
            out.push(File { path, text });
            k += 1;
        }
    }
    out
}

/// A React component: props, state, memoised derived lists, a tRPC query and mutation, event
/// handlers, a table rendered with `.map(..)`: no database access of its own.
fn component_file(b: &str, k: usize, router: usize, rng: &mut Rng) -> String {
    let name = format!("View{k}");
    let columns = ["name", "status", "owner", "updatedAt", "priority", "tags"];
    let shown: Vec<&str> = columns.iter().copied().filter(|_| !rng.one_in(3)).collect();
    let mut s = format!(
        "'use client';\n\n\
         import {{ useCallback, useEffect, useMemo, useState }} from 'react';\n\
         import {{ api }} from '@/trpc/react';\n\
         import {{ formatDate, pluralize, truncate }} from '@/lib/format';\n\
         import {{ Button, Dialog, Input, Table }} from '@/components/ui';\n\
         import type {{ Row{k} }} from '@/types/rows';\n\n\
         type Props = {{\n  title: string;\n  initialFilter?: string;\n  pageSize?: number;\n  onSelect?: (id: string) => void;\n}};\n\n\
         const STATUS_LABELS: Record<string, string> = {{\n  active: 'Active',\n  paused: 'Paused',\n  archived: 'Archived',\n}};\n\n\
         export function {name}({{ title, initialFilter = '', pageSize = 25, onSelect }}: Props) {{\n\
         \x20 const [filter, setFilter] = useState(initialFilter);\n\
         \x20 const [selected, setSelected] = useState<string[]>([]);\n\
         \x20 const [open, setOpen] = useState(false);\n\
         \x20 const list = api.{b}{router}.list.useQuery({{ limit: pageSize }});\n\
         \x20 const setStatus = api.{b}{router}.setStatus.useMutation({{\n\
         \x20   onSuccess: () => list.refetch(),\n  }});\n\n\
         \x20 const rows = useMemo(() => {{\n\
         \x20   const all = (list.data ?? []) as Row{k}[];\n\
         \x20   const needle = filter.trim().toLowerCase();\n\
         \x20   return all\n      .filter((r) => !needle || r.name.toLowerCase().includes(needle))\n\
         \x20     .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());\n  }}, [list.data, filter]);\n\n\
         \x20 useEffect(() => {{\n    if (selected.length > 0 && rows.length === 0) setSelected([]);\n  }}, [rows, selected]);\n\n\
         \x20 const toggle = useCallback((id: string) => {{\n\
         \x20   setSelected((prev) => (prev.includes(id) ? prev.filter((x) => x !== id) : [...prev, id]));\n\
         \x20   onSelect?.(id);\n  }}, [onSelect]);\n\n\
         \x20 const archiveSelected = async () => {{\n\
         \x20   await Promise.all(selected.map((id) => setStatus.mutateAsync({{ id, status: 'archived' }})));\n\
         \x20   setOpen(false);\n  }};\n\n\
         \x20 if (list.isLoading) return <p className=\"muted\">Loading {{title}}…</p>;\n\
         \x20 if (list.error) return <p role=\"alert\">{{list.error.message}}</p>;\n\n\
         \x20 return (\n    <section aria-label={{title}}>\n\
         \x20     <header className=\"flex items-center justify-between\">\n\
         \x20       <h2>{{title}} ({{pluralize(rows.length, 'item')}})</h2>\n\
         \x20       <Input value={{filter}} placeholder=\"Filter…\" onChange={{(e) => setFilter(e.target.value)}} />\n\
         \x20       <Button disabled={{selected.length === 0}} onClick={{() => setOpen(true)}}>Archive</Button>\n\
         \x20     </header>\n      <Table>\n        <thead>\n          <tr>\n"
    );
    for c in &shown {
        let _ = writeln!(s, "            <th scope=\"col\">{c}</th>");
    }
    s.push_str("          </tr>\n        </thead>\n        <tbody>\n          {rows.map((row) => (\n            <tr key={row.id} onClick={() => toggle(row.id)} data-selected={selected.includes(row.id)}>\n");
    for c in &shown {
        let cell = match *c {
            "updatedAt" => "formatDate(row.updatedAt)".to_string(),
            "status" => "STATUS_LABELS[row.status] ?? row.status".to_string(),
            "tags" => "row.tags.map((t) => truncate(t, 12)).join(', ')".to_string(),
            other => format!("row.{other}"),
        };
        let _ = writeln!(s, "              <td>{{{cell}}}</td>");
    }
    s.push_str(
        "            </tr>\n          ))}\n        </tbody>\n      </Table>\n\
         \x20     <Dialog open={open} onOpenChange={setOpen} title=\"Archive the selected rows?\">\n\
         \x20       <Button onClick={archiveSelected}>Archive {selected.length}</Button>\n\
         \x20     </Dialog>\n    </section>\n  );\n}\n",
    );
    s
}

/// Client-side helpers: formatting, validation and grouping, loops and all, no queries.
fn util_file(b: &str, k: usize, rng: &mut Rng) -> String {
    let limit = 10 + rng.below(90);
    format!(
        "import {{ z }} from 'zod';\n\n\
         export const {b}Form{k} = z.object({{\n  name: z.string().min(1).max({limit}),\n  status: z.enum(['active', 'paused', 'archived']),\n  tags: z.array(z.string()).max(8).default([]),\n}});\n\n\
         export type {b}Input{k} = z.infer<typeof {b}Form{k}>;\n\n\
         /** Groups rows by a key, keeping their order. */\n\
         export function groupBy{k}<T, K extends string>(rows: T[], key: (row: T) => K): Record<K, T[]> {{\n\
         \x20 const out = {{}} as Record<K, T[]>;\n\
         \x20 for (const row of rows) {{\n    const k = key(row);\n    (out[k] ??= []).push(row);\n  }}\n  return out;\n}}\n\n\
         export function slugify{k}(text: string): string {{\n\
         \x20 return text\n    .normalize('NFKD')\n    .replace(/[\\u0300-\\u036f]/g, '')\n    .toLowerCase()\n\
         \x20   .replace(/[^a-z0-9]+/g, '-')\n    .replace(/^-+|-+$/g, '')\n    .slice(0, {limit});\n}}\n\n\
         export function summarize{k}(rows: {{ status: string; updatedAt: Date }}[]) {{\n\
         \x20 const counts = new Map<string, number>();\n  let latest = 0;\n\
         \x20 rows.forEach((r) => {{\n    counts.set(r.status, (counts.get(r.status) ?? 0) + 1);\n    latest = Math.max(latest, r.updatedAt.getTime());\n  }});\n\
         \x20 return {{\n    total: rows.length,\n    byStatus: Object.fromEntries(counts),\n    latest: latest ? new Date(latest) : null,\n  }};\n}}\n\n\
         export const describe{k} = (n: number) =>\n  n === 0 ? 'none' : n === 1 ? 'one {b} row' : `${{n}} {b} rows`;\n"
    )
}

/// A data hook over the tRPC client.
fn hook_file(b: &str, k: usize, router: usize) -> String {
    format!(
        "import {{ useMemo }} from 'react';\n\
         import {{ api }} from '@/trpc/react';\n\
         import {{ summarize{k} }} from '@/lib/summary';\n\n\
         export function use{b}{k}(pageSize = 50) {{\n\
         \x20 const query = api.{b}{router}.list.useQuery({{ limit: pageSize }}, {{ staleTime: 30_000 }});\n\
         \x20 const summary = useMemo(() => summarize{k}(query.data ?? []), [query.data]);\n\
         \x20 return {{ ...query, summary, isEmpty: !query.isLoading && summary.total === 0 }};\n}}\n"
    )
}

/// Shared types.
fn types_file(b: &str, k: usize) -> String {
    format!(
        "export type Status{k} = 'active' | 'paused' | 'archived';\n\n\
         export interface Row{k} {{\n  id: string;\n  name: string;\n  status: Status{k};\n  owner: string;\n  priority: number;\n  tags: string[];\n  updatedAt: Date;\n}}\n\n\
         export interface {b}Page{k} {{\n  rows: Row{k}[];\n  nextCursor: string | null;\n}}\n"
    )
}

/// Writes `generate(files, seed)` under `dir` (which must exist or be creatable).
pub fn write(dir: &Path, files: usize, seed: u64) -> std::io::Result<usize> {
    write_mix(dir, files, seed, Mix::Backend)
}

/// Writes `generate_mix(files, seed, mix)` under `dir`.
pub fn write_mix(dir: &Path, files: usize, seed: u64, mix: Mix) -> std::io::Result<usize> {
    let all = generate_mix(files, seed, mix);
    for f in &all {
        let p = dir.join(&f.path);
        std::fs::create_dir_all(p.parent().unwrap())?;
        std::fs::write(p, &f.text)?;
    }
    Ok(all.len())
}

fn schema_file(tables: &[Table], i: usize, rng: &mut Rng) -> String {
    let t = &tables[i];
    let b = &t.binding;
    let mut s = format!(
        "// {b}: part of the {} domain.\nimport {{ relations }} from 'drizzle-orm';\n",
        t.domain
    );
    s.push_str(
        "import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';\n",
    );
    if t.soft_delete {
        s.push_str("import { timestamps } from '../columns';\n");
    }
    s.push_str(
        "import { organizations } from '../organizations';\nimport { users } from '../users';\n",
    );
    if let Some(p) = t.parent {
        let p = &tables[p];
        if p.domain == t.domain {
            let _ = writeln!(s, "import {{ {} }} from './{}';", p.binding, p.binding);
        } else {
            let _ = writeln!(s, "import {{ {} }} from '../{}';", p.binding, p.domain);
        }
    }
    let _ = write!(
        s,
        "\nexport const {b} = pgTable(\n  '{}',\n  {{\n    id: uuid('id').primaryKey().defaultRandom(),\n",
        t.sql
    );
    if t.tenant {
        s.push_str("    organizationId: uuid('organization_id')\n      .notNull()\n      .references(() => organizations.id, { onDelete: 'cascade' }),\n");
    }
    if let Some(p) = t.parent {
        let _ = writeln!(
            s,
            "    parentId: uuid('parent_id').references(() => {}.id),",
            tables[p].binding
        );
    }
    s.push_str("    ownerId: uuid('owner_id').references(() => users.id),\n");
    s.push_str("    name: text('name').notNull(),\n    slug: text('slug').notNull(),\n");
    let _ = writeln!(
        s,
        "    status: text('status', {{ enum: ['{}', '{}'] }}).notNull().default('{}'),",
        STATUSES[0],
        STATUSES[1 + rng.below(4)],
        STATUSES[0]
    );
    for k in 0..rng.below(5) {
        match k % 3 {
            0 => {
                let _ = writeln!(
                    s,
                    "    score{k}: integer('score_{k}').notNull().default(0),"
                );
            }
            1 => {
                let _ = writeln!(
                    s,
                    "    flag{k}: boolean('flag_{k}').notNull().default(false),"
                );
            }
            _ => {
                let _ = writeln!(s, "    note{k}: text('note_{k}'),");
            }
        }
    }
    if t.soft_delete {
        s.push_str("    ...timestamps,\n");
    } else {
        s.push_str("    createdAt: timestamp('created_at').notNull().defaultNow(),\n");
    }
    s.push_str("  },\n  (t) => [\n");
    if t.tenant {
        let _ = writeln!(
            s,
            "    index('{0}_org_idx').on(t.organizationId, t.status),\n    uniqueIndex('{0}_org_slug_idx').on(t.organizationId, t.slug),",
            t.sql
        );
    } else {
        let _ = writeln!(s, "    uniqueIndex('{}_slug_idx').on(t.slug),", t.sql);
    }
    let _ = writeln!(
        s,
        "    index('{}_owner_idx').on(t.ownerId),\n  ],\n);\n",
        t.sql
    );
    let _ = writeln!(
        s,
        "export const {b}Relations = relations({b}, ({{ one }}) => ({{"
    );
    if t.tenant {
        let _ = writeln!(
            s,
            "  organization: one(organizations, {{ fields: [{b}.organizationId], references: [organizations.id] }}),"
        );
    }
    let _ = writeln!(
        s,
        "  owner: one(users, {{ fields: [{b}.ownerId], references: [users.id] }}),"
    );
    if let Some(p) = t.parent {
        let p = &tables[p].binding;
        let _ = writeln!(
            s,
            "  parent: one({p}, {{ fields: [{b}.parentId], references: [{p}.id] }}),"
        );
    }
    s.push_str("}));\n\n");
    let ty = {
        let mut c = b.chars();
        let first = c.next().unwrap().to_ascii_uppercase();
        format!("{first}{}", c.as_str())
    };
    let _ = writeln!(
        s,
        "export type {ty} = typeof {b}.$inferSelect;\nexport type New{ty} = typeof {b}.$inferInsert;"
    );
    s
}

/// The condition a correct query on `t` needs, over the expression `x` naming the table.
fn scope(t: &Table, x: &str, org: &str) -> String {
    match (t.tenant, t.soft_delete) {
        (true, true) => format!("and(eq({x}.organizationId, {org}), isNull({x}.deletedAt))"),
        (true, false) => format!("eq({x}.organizationId, {org})"),
        (false, true) => format!("isNull({x}.deletedAt)"),
        (false, false) => format!("eq({x}.status, 'active')"),
    }
}

/// Like [`scope`], but with a deliberate mistake now and then.
fn maybe_wrong_scope(t: &Table, x: &str, org: &str, rng: &mut Rng) -> String {
    if rng.one_in(10) {
        format!("eq({x}.status, 'active')")
    } else {
        scope(t, x, org)
    }
}

fn service_file(tables: &[Table], ti: usize, rng: &mut Rng) -> String {
    let t = &tables[ti];
    let b = &t.binding;
    let parent = t.parent.map(|p| &tables[p]);
    let mut imports = vec![b.clone()];
    if let Some(p) = parent {
        if p.binding != *b {
            imports.push(p.binding.clone());
        }
    }
    let mut s = format!(
        "// Service for {b}: reads and writes go through the caller's organization.\n\
         import {{ and, asc, desc, eq, inArray, isNull, sql }} from 'drizzle-orm';\n\
         import {{ db, type Transaction }} from '@/db';\n\
         import {{ {} }} from '@/db/schema';\n\n",
        imports.join(", ")
    );
    let helper = format!("scoped{}", b.len() + ti);
    let _ = write!(
        s,
        "/** The rows of {b} the caller may see. */\nexport function {helper}(orgId: string) {{\n  return {};\n}}\n\n",
        scope(t, b, "orgId")
    );
    s.push_str(
        "export interface ListOptions {\n  status?: string;\n  search?: string;\n  cursor?: string;\n  limit?: number;\n}\n\n\
         const cache = new Map<string, { at: number; value: unknown }>();\n\n\
         function cached<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {\n\
         \x20 const hit = cache.get(key);\n\
         \x20 if (hit && Date.now() - hit.at < ttlMs) return Promise.resolve(hit.value as T);\n\
         \x20 return load().then((value) => {\n    cache.set(key, { at: Date.now(), value });\n    return value;\n  });\n}\n\n",
    );
    let n = 4 + rng.below(5);
    for k in 0..n {
        match rng.below(8) {
            0 => {
                let _ = write!(
                    s,
                    "export async function list{k}(orgId: string, opts: ListOptions = {{}}) {{\n\
                     \x20 return db.query.{b}.findMany({{\n\
                     \x20   where: (x, {{ and, eq, isNull }}) => {},\n\
                     \x20   with: {{ owner: {{ columns: {{ id: true, name: true }} }} }},\n\
                     \x20   orderBy: (x) => [desc(x.createdAt)],\n\
                     \x20   limit: Math.min(opts.limit ?? 50, 200),\n  }});\n}}\n\n",
                    maybe_wrong_scope(t, "x", "orgId", rng)
                );
            }
            1 => {
                let _ = write!(
                    s,
                    "export async function get{k}(orgId: string, id: string) {{\n\
                     \x20 return cached(`${{orgId}}:${{id}}`, 30_000, async () => {{\n\
                     \x20   const [row] = await db.select().from({b}).where(and({helper}(orgId), eq({b}.id, id))).limit(1);\n\
                     \x20   return row ?? null;\n  }});\n}}\n\n"
                );
            }
            2 if parent.is_some() => {
                let p = parent.unwrap();
                let pb = &p.binding;
                let alias = if pb == b { "p" } else { pb.as_str() };
                let mut join_scope = scope(p, pb, "orgId");
                if pb == b {
                    // A self-reference: keep it simple, join on the same table's id.
                    join_scope = scope(t, b, "orgId");
                }
                let _ = write!(
                    s,
                    "export async function withParent{k}(orgId: string, status: string) {{\n\
                     \x20 const rows = await db\n    .select({{ id: {b}.id, name: {b}.name, parentName: {pb}.name }})\n\
                     \x20   .from({b})\n    .innerJoin({pb}, eq({b}.parentId, {pb}.id))\n\
                     \x20   .where(and({}, {join_scope}, eq({b}.status, status)))\n\
                     \x20   .orderBy(asc({b}.name))\n    .limit(100);\n\
                     \x20 return rows.map((r) => ({{ ...r, label: `${{r.parentName}} / ${{r.name}}` }}));\n}}\n\n",
                    maybe_wrong_scope(t, b, "orgId", rng)
                );
                let _ = alias;
            }
            3 => {
                let _ = write!(
                    s,
                    "export async function many{k}(orgId: string, ids: string[]) {{\n\
                     \x20 const out = [];\n\
                     \x20 for (const id of ids) {{\n\
                     \x20   const rows = await db.select().from({b}).where(and({}, eq({b}.id, id)));\n\
                     \x20   out.push(...rows);\n  }}\n\
                     \x20 return out.sort((a, b) => a.name.localeCompare(b.name));\n}}\n\n",
                    scope(t, b, "orgId")
                );
            }
            4 => {
                let _ = write!(
                    s,
                    "export async function search{k}(orgId: string, opts: ListOptions) {{\n\
                     \x20 const conds = [{}];\n\
                     \x20 if (opts.status) conds.push(eq({b}.status, opts.status));\n\
                     \x20 if (opts.search) conds.push(sql`${{{b}.name}} ilike ${{'%' + opts.search + '%'}}`);\n\
                     \x20 return db.select().from({b}).where(and(...conds)).limit(opts.limit ?? 25);\n}}\n\n",
                    scope(t, b, "orgId")
                );
            }
            5 => {
                let _ = write!(
                    s,
                    "export async function rename{k}(orgId: string, id: string, name: string) {{\n\
                     \x20 const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');\n\
                     \x20 return db\n    .update({b})\n    .set({{ name, slug }})\n\
                     \x20   .where(and(eq({b}.id, id), {}))\n    .returning();\n}}\n\n",
                    maybe_wrong_scope(t, b, "orgId", rng)
                );
            }
            6 => {
                let _ = write!(
                    s,
                    "export async function count{k}(orgId: string) {{\n\
                     \x20 return db.$count({b}, {});\n}}\n\n",
                    scope(t, b, "orgId")
                );
            }
            _ => {
                let _ = write!(
                    s,
                    "export async function archive{k}(orgId: string, ids: string[]) {{\n\
                     \x20 if (ids.length === 0) return [];\n\
                     \x20 return db.transaction(async (tx: Transaction) => {{\n\
                     \x20   const rows = await tx\n      .update({b})\n      .set({{ status: 'archived' }})\n\
                     \x20     .where(and(inArray({b}.id, ids), {}))\n      .returning({{ id: {b}.id }});\n\
                     \x20   return rows.map((r) => r.id);\n  }});\n}}\n\n",
                    scope(t, b, "orgId")
                );
            }
        }
    }
    s
}

fn router_file(tables: &[Table], ti: usize, r: usize, rng: &mut Rng) -> String {
    let t = &tables[ti];
    let b = &t.binding;
    let mut s = format!(
        "// The {b} API.\nimport {{ and, desc, eq, isNull }} from 'drizzle-orm';\n\
         import {{ z }} from 'zod';\nimport {{ {b} }} from '@/db/schema';\n\
         import {{ orgProcedure, router }} from '../trpc';\n\n\
         const listInput = z.object({{\n  status: z.enum(['active', 'archived']).optional(),\n  limit: z.number().int().min(1).max(100).default(20),\n}});\n\n\
         export const router{r} = router({{\n"
    );
    let _ = write!(
        s,
        "  list: orgProcedure.input(listInput).query(({{ ctx, input }}) =>\n\
         \x20   ctx.db.query.{b}.findMany({{\n\
         \x20     where: (x, {{ and, eq, isNull }}) => {},\n\
         \x20     orderBy: (x) => [desc(x.createdAt)],\n      limit: input.limit,\n    }}),\n  ),\n\n",
        maybe_wrong_scope(t, "x", "ctx.orgId", rng)
    );
    let _ = write!(
        s,
        "  byId: orgProcedure.input(z.object({{ id: z.string().uuid() }})).query(async ({{ ctx, input }}) => {{\n\
         \x20   const [row] = await ctx.db\n      .select()\n      .from({b})\n\
         \x20     .where(and(eq({b}.id, input.id), {}));\n\
         \x20   if (!row) return null;\n    return {{ ...row, url: `/{b}/${{row.slug}}` }};\n  }}),\n\n",
        scope(t, b, "ctx.orgId")
    );
    let _ = write!(
        s,
        "  setStatus: orgProcedure\n    .input(z.object({{ id: z.string().uuid(), status: z.string() }}))\n\
         \x20   .mutation(({{ ctx, input }}) =>\n      ctx.db\n        .update({b})\n\
         \x20       .set({{ status: input.status }})\n        .where(and(eq({b}.id, input.id), {}))\n        .returning(),\n    ),\n}});\n",
        maybe_wrong_scope(t, b, "ctx.orgId", rng)
    );
    s
}

const TSCONFIG: &str = r#"{
  "compilerOptions": {
    "target": "ES2022",
    "module": "ESNext",
    "moduleResolution": "Bundler",
    "strict": true,
    "paths": { "@/*": ["./src/*"] }
  },
  "include": ["src"]
}
"#;

const DB_INDEX: &str = "import { drizzle } from 'drizzle-orm/node-postgres';
import { Pool } from 'pg';
import * as schema from './schema';

export const pool = new Pool({ connectionString: process.env.DATABASE_URL });
export const db = drizzle(pool, { schema });

export type Database = typeof db;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
";

const TRPC: &str = "// tRPC setup: the request context and the organization-scoped procedure.
import { initTRPC, TRPCError } from '@trpc/server';
import { db } from '@/db';

export type Session = { userId: string; activeOrgId: string | null };

export function createContext(opts: { session: Session | null }) {
  return { db, session: opts.session };
}

const t = initTRPC.context<ReturnType<typeof createContext>>().create();

export const router = t.router;

export const orgProcedure = t.procedure.use(({ ctx, next }) => {
  const orgId = ctx.session?.activeOrgId;
  if (!ctx.session || !orgId) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next({ ctx: { ...ctx, orgId, userId: ctx.session.userId } });
});
";

const COLUMNS: &str = "import { timestamp } from 'drizzle-orm/pg-core';

/** Tables that spread these are soft-deleted. */
export const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  deletedAt: timestamp('deleted_at'),
};
";

const ORGANIZATIONS: &str = "import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  createdAt: timestamp('created_at').notNull().defaultNow(),
});
";

const USERS: &str = "import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  avatarUrl: text('avatar_url'),
  createdAt: timestamp('created_at').notNull().defaultNow(),
});
";
