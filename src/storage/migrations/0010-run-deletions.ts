import { type Kysely, type Migration } from 'kysely';

/**
 * Deleting a run (or an eval with its runs) removes its `runs` row at once and records its id here; its
 * output items, their index rows and its log selection are then purged a slice at a time (repos/run-rows.ts,
 * engine/run-purger.ts). On SQLite one statement deleting a 10^6-item run held the event loop for ~20 s.
 * A purge cut short (kill -9) resumes from this table with the next engine to look (every second).
 */
export const runDeletions = (): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('run_deletions')
      .addColumn('run_id', 'text', (c) => c.primaryKey())
      .addColumn('deleted_at', 'bigint', (c) => c.notNull())
      .execute();
  },
});
