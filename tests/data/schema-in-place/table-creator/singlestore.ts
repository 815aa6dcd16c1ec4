import { bigint, singlestoreTableCreator } from 'drizzle-orm/singlestore-core';

const storeTable = singlestoreTableCreator((name) => `ss_${name}`);

export const metrics = storeTable('metrics', (d) => ({
  id: bigint('id', { mode: 'number' }).primaryKey(),
  workspaceId: d.varchar({ length: 36 }).notNull(),
}));
