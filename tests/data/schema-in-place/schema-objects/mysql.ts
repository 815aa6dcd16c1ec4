import { index, int, mysqlSchema, varchar } from 'drizzle-orm/mysql-core';

const billing = mysqlSchema('billing');

export const invoices = billing.table(
  'invoices',
  {
    id: int('id').primaryKey(),
    organizationId: varchar('organization_id', { length: 36 }).notNull(),
  },
  (t) => [index('invoices_org_idx').on(t.organizationId)],
);
