import { drizzle } from 'drizzle-orm/postgres-js';
import { index, pgTableCreator, timestamp } from 'drizzle-orm/pg-core';

const createTable = pgTableCreator((name) => `acme_${name}`);

const auditColumns = {
  createdAt: timestamp('created_at').defaultNow().notNull(),
  deletedAt: timestamp('deleted_at'),
};

export const workspaces = createTable('workspace', (d) => ({
  id: d.uuid().primaryKey().defaultRandom(),
  name: d.text().notNull(),
}));

export const posts = createTable(
  'post',
  (d) => ({
    id: d.uuid().primaryKey().defaultRandom(),
    workspaceId: d
      .uuid()
      .notNull()
      .references(() => workspaces.id),
    title: d.text().notNull(),
    ...auditColumns,
  }),
  (t) => [index('post_workspace_idx').on(t.workspaceId)],
);

export const db = drizzle(process.env.DATABASE_URL!, { casing: 'snake_case' });
