import { sql, type Transaction } from 'kysely';
import type { Database } from '../tables.js';
import type { Dialect } from '../types.js';

// Ids per statement: far below SQLite's (32,766) and PostgreSQL's (65,535) bound-parameter limits.
const CHUNK = 500;

/**
 * Deletes what deleted runs leave in other tables, inside the caller's transaction, after their `runs` rows:
 * their item index rows (migration 0006), output items, fixed log selections and row segments, each one set-based
 * statement per table and chunk of runs. Migration 0009 removed the index's delete triggers, which did
 * this per deleted item (10^6 rounds of three deletes on SQLite; a copy of every deleted item in a
 * transition table on PostgreSQL): this is now the one path that deletes output items.
 */
export async function deleteRunRows(tx: Transaction<Database>, dialect: Dialect, runIds: string[]): Promise<void> {
  for (let i = 0; i < runIds.length; i += CHUNK) {
    const ids = runIds.slice(i, i + CHUNK);
    // The full-text rows are keyed by item rowid, which item_facets keeps: they go first.
    if (dialect === 'sqlite') {
      await sql`delete from item_text where rowid in (select item_rowid from item_facets where run_id in (${sql.join(ids)}))`.execute(tx);
    }
    await tx.deleteFrom('item_scores').where('run_id', 'in', ids).execute();
    await tx.deleteFrom('item_facets').where('run_id', 'in', ids).execute();
    await tx.deleteFrom('output_items').where('run_id', 'in', ids).execute();
    await tx.deleteFrom('run_logs').where('run_id', 'in', ids).execute();
    await tx.deleteFrom('run_segments').where('run_id', 'in', ids).execute();
  }
}
