import { index, int, mysqlTableCreator, varchar } from 'drizzle-orm/mysql-core';

const myTable = mysqlTableCreator((name) => `my_${name}`);

export const orders = myTable(
  'orders',
  {
    id: int('id').primaryKey(),
    workspaceId: varchar('workspace_id', { length: 36 }).notNull(),
  },
  (t) => [index('orders_ws_idx').on(t.workspaceId)],
);
