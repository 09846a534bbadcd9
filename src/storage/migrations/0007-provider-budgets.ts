import { type Kysely, type Migration } from 'kysely';

/**
 * What processes sharing one database share of each provider: its rate budget's levels (one row per
 * provider, refilled by whoever takes from it) and who is alive to split its concurrency with.
 */
export const providerBudgets = (): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('provider_budgets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('requests', 'double precision', (c) => c.notNull())
      .addColumn('tokens', 'double precision', (c) => c.notNull())
      .addColumn('updated_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createTable('workers')
      .addColumn('owner', 'text', (c) => c.primaryKey())
      .addColumn('seen_ms', 'bigint', (c) => c.notNull())
      .execute();
  },
});
