import { bigint, singlestoreSchema, varchar } from 'drizzle-orm/singlestore-core';

const analytics = singlestoreSchema('analytics');

export const events = analytics.table('events', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  organizationId: varchar('organization_id', { length: 36 }).notNull(),
});
