import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../types.js';

/**
 * The item index of migration 0006, made fast at 10^6 items per run.
 *
 * Deletes: the per-item delete triggers are dropped. Items are deleted only with their run or eval, and
 * those deletes remove the index rows by run, one statement per table (repos/run-rows.ts). The triggers did
 * it per deleted item: on SQLite three deletes for each of a run's 10^6 items; on PostgreSQL the statement
 * trigger's transition table first copied every deleted item.
 *
 * SQLite's full text: its rows were keyed by the item's rowid, so a search found matches of every run in
 * insertion order and had to join each to its run and sort by row (a word in 0.1% of a 10^6-item run: 1,000
 * matches looked up, or worse, every row probed; seconds). They are now keyed by (run, row), the run's
 * rowid in the high 32 bits and the row in the low 32 (`item_facets.item_rowid` holds the key), with the
 * item's state in a second column: one run's matches are one rowid range that FTS5 walks in row order, in
 * either direction, and stops after a page; a state filter is an AND inside the same walk. Keys are made
 * and compared in SQL only (they pass 2^53, past what a JavaScript number holds exactly). Like output items'
 * rowids before, runs' rowids hold as long as nobody runs VACUUM, which evald never does.
 */
export const itemIndexSetDeletes = (dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    if (dialect === 'postgres') {
      await sql`drop trigger if exists item_index_delete on output_items`.execute(db);
      await sql`drop function if exists evald_unindex_items()`.execute(db);
      return;
    }
    await sql`drop trigger if exists item_index_delete`.execute(db);
    await sql`drop trigger if exists item_index_insert`.execute(db);
    await sql`drop table if exists item_text`.execute(db);
    await sql`create virtual table item_text using fts5(body, state, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`.execute(db);
    // Index rows of items whose run is gone could not be keyed; nothing reads them.
    await sql`delete from item_scores where run_id not in (select id from runs)`.execute(db);
    await sql`delete from item_facets where run_id not in (select id from runs)`.execute(db);
    await sql`update item_facets set item_rowid = ${KEY('item_facets.run_id', 'item_facets.row')}`.execute(db);
    await sql`create trigger item_index_insert after insert on output_items begin
      insert or ignore into item_facets (run_id, row, item_id, state, item_rowid) values (new.run_id, new.datasource_item_id, new.id, ${STATE('new')}, ${KEY('new.run_id', 'new.datasource_item_id')});
      insert or ignore into item_scores (run_id, row, criterion, score, passed) ${SCORES('new')};
      insert into item_text (rowid, body, state) select f.item_rowid, ${TEXT('new')}, f.state from item_facets f where f.run_id = new.run_id and f.row = new.datasource_item_id;
    end`.execute(db);
    await sql`insert into item_text (rowid, body, state) select f.item_rowid, ${TEXT('o')}, f.state
      from item_facets f join output_items o on o.run_id = f.run_id and o.datasource_item_id = f.row`.execute(db);
  },
});

/** The full-text key of a run's row: the run's rowid above, the row (< 2^32) below. */
const KEY = (runId: string, row: string) => sql.raw(`(((select r.rowid from runs r where r.id = ${runId}) << 32) | ${row})`);

// As migration 0006: the item's state, its criterion results, and its searchable text.
const SKIP = `'role', 'model', 'finish_reason', 'type', 'code', 'id', 'seed'`;
const STATE = (item: string) => sql.raw(`case when json_extract(${item}.sample, '$.error') is not null then 'errored' when ${item}.status = 'pass' then 'passed' else 'failed' end`);
const TEXT = (item: string) => sql.raw(`(select group_concat(value, ' ') from (
    select value from json_tree(${item}.datasource_item) where type = 'text'
    union all select value from json_tree(${item}.sample) where type = 'text' and key not in (${SKIP})))`);
const SCORES = (item: string) => sql.raw(`select ${item}.run_id, ${item}.datasource_item_id, json_extract(r.value, '$.name'),
    case when json_type(r.value, '$.score') in ('integer', 'real') then json_extract(r.value, '$.score') end,
    case when json_extract(r.value, '$.passed') then 1 else 0 end
  from json_each(${item}.results) r
  where json_extract(${item}.sample, '$.error') is null and json_type(r.value, '$.name') = 'text'`);
