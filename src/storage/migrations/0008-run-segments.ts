import { type Kysely, type Migration } from 'kysely';

/**
 * One run, many workers. `run_segments` splits a started run's rows into ranges that any worker claims
 * one at a time under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so every worker with room helps
 * with a big run; rows are deleted when the run ends. `output_items.worker` records which worker made
 * each item (the API does not show it).
 */
export const runSegments = (): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('run_segments')
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('first_row', 'bigint', (c) => c.notNull())
      .addColumn('end_row', 'bigint', (c) => c.notNull())
      .addColumn('owner', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('run_segments_pk', ['run_id', 'seq'])
      .execute();
    await db.schema.alterTable('output_items').addColumn('worker', 'text').execute();
  },
});
