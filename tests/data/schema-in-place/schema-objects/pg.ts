import { index, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const app = pgSchema('app');

const timestamps = {
  createdAt: timestamp('created_at').defaultNow().notNull(),
  updatedAt: timestamp('updated_at').defaultNow().notNull(),
};

const roleEnum = app.enum('member_role', ['owner', 'admin', 'member']);

export const organizations = app.table('organizations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  ...timestamps,
});

export const members = app.table(
  'members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    userId: uuid('user_id').notNull(),
    role: roleEnum('role').notNull().default('member'),
    ...timestamps,
  },
  (t) => [index('members_org_idx').on(t.organizationId)],
);

export const projects = app.table(
  'projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    name: text('name').notNull(),
    deletedAt: timestamp('deleted_at'),
  },
  (t) => [index('projects_org_idx').on(t.organizationId)],
);

export const audits = app.table(
  'audits',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id').notNull(),
    action: text('action').notNull(),
  },
  (t) => [index('audits_org_idx').on(t.organizationId)],
);
