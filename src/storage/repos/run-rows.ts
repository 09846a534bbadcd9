import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../tables.js';
import type { Dialect } from '../types.js';

// Ids per statement: far below SQLite's (32,766) and PostgreSQL's (65,535) bound-parameter limits.
const CHUNK = 500;

/**
 * Records deleted runs for purging, inside the transaction that deleted their `runs` rows (migration 0010).
 * Their output items, index rows, log selections and segments stay until purgeStep removes them; nothing
 * reads them meanwhile, since every read of a run's rows starts from the run.
 */
export async function markDeleted(tx: Transaction<Database>, runIds: string[], now: number): Promise<void> {
  for (let i = 0; i < runIds.length; i += CHUNK) {
    await tx.insertInto('run_deletions').values(runIds.slice(i, i + CHUNK).map((run_id) => ({ run_id, deleted_at: now })))
      .onConflict((oc) => oc.column('run_id').doNothing()).execute();
  }
}

/**
 * Deletes, in one transaction, the next `maxRows` rows (in row order) of a deleted run's output items with
 * their index rows, or once those are gone the next `maxRows` of its log selection, or once that is gone its
 * segments and its deletion record. Returns true when the run is fully purged. Each step is set-based (one
 * statement per table over a range of rows) and bounded, so that on SQLite, where a statement holds the
 * thread, a 10^6-item run is many short steps rather than one ~20 s one. A step repeated (two purgers, or one
 * resumed after a crash) deletes nothing twice and misses nothing.
 */
export async function purgeStep(db: Kysely<Database>, dialect: Dialect, runId: string, maxRows: number): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    // The last of the next `maxRows` keys of the run in `table`, in order; null when none is left.
    const lastOf = async (table: 'output_items' | 'run_logs', column: 'datasource_item_id' | 'seq') => {
      const { rows } = await sql<{ last: unknown }>`select max(${sql.ref(column)}) as last from (select ${sql.ref(column)} from ${sql.table(table)}
        where run_id = ${runId} order by ${sql.ref(column)} limit ${maxRows}) next`.execute(tx);
      const last = rows[0]?.last;
      return last === null || last === undefined ? null : Number(last);
    };
    // Items with their index rows, up to row `last` (every one left when null). The full-text rows are keyed
    // by what item_facets keeps: they go first.
    const deleteItems = async (last: number | null) => {
      const upTo = last === null ? sql`` : sql` and row <= ${last}`;
      if (dialect === 'sqlite') await sql`delete from item_text where rowid in (select item_rowid from item_facets where run_id = ${runId}${upTo})`.execute(tx);
      await sql`delete from item_scores where run_id = ${runId}${upTo}`.execute(tx);
      await sql`delete from item_facets where run_id = ${runId}${upTo}`.execute(tx);
      await sql`delete from output_items where run_id = ${runId}${last === null ? sql`` : sql` and datasource_item_id <= ${last}`}`.execute(tx);
    };
    const items = await lastOf('output_items', 'datasource_item_id');
    if (items !== null) {
      await deleteItems(items);
      return false;
    }
    const logs = await lastOf('run_logs', 'seq');
    if (logs !== null) {
      await tx.deleteFrom('run_logs').where('run_id', '=', runId).where('seq', '<=', logs).execute();
      return false;
    }
    // Index rows are made with their items, so none should be left; any that are go with the rest.
    await deleteItems(null);
    await tx.deleteFrom('run_segments').where('run_id', '=', runId).execute();
    await tx.deleteFrom('run_deletions').where('run_id', '=', runId).execute();
    return true;
  });
}
