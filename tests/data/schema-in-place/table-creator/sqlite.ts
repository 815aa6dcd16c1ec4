import { index, sqliteTableCreator, text } from 'drizzle-orm/sqlite-core';

const liteTable = sqliteTableCreator((name) => `${name}_v2`);

export const notes = liteTable(
  'notes',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
  },
  (t) => [index('notes_ws_idx').on(t.workspaceId)],
);
