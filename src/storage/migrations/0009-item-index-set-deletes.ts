import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../types.js';

/**
 * Drops the item index's delete triggers of migration 0006. Items are deleted only with their run or eval,
 * and those deletes now remove the index rows by run, one statement per table (repos/run-rows.ts). The
 * triggers did it per deleted item: on SQLite a row trigger ran three deletes for each of a run's 10^6
 * items; on PostgreSQL the statement trigger's transition table copied every deleted item first. Inserts
 * keep their triggers: the engine's batches stay one statement that indexes itself.
 */
export const itemIndexSetDeletes = (dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    if (dialect === 'sqlite') {
      await sql`drop trigger if exists item_index_delete`.execute(db);
    } else {
      await sql`drop trigger if exists item_index_delete on output_items`.execute(db);
      await sql`drop function if exists evald_unindex_items()`.execute(db);
    }
  },
});
