import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../types.js';

/**
 * The dashboard's item index (evald's own, behind the item_search and score_histograms extensions):
 * - `item_facets`: one row per output item, its state with errored apart from failed, keyed by source row;
 * - `item_scores`: one row per graded criterion of an item that did not error, for sorting by score,
 *   filtering by a criterion's pass and histograms, each an index range instead of parsing every item;
 * - full text of the item's text values and the sample's input, output and error: an FTS5 table on SQLite,
 *   a GIN index over a tsvector expression on PostgreSQL.
 * Triggers on `output_items` keep them in step, inside the batch's own transaction, so the engine's hand-
 * written insert does not change and no reader ever sees an item without its index rows. `runs` gets the
 * number of rows its source holds and when it started, both set by the engine when the run starts.
 */
export const itemIndex = (dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('runs').addColumn('source_rows', 'bigint').execute();
    await db.schema.alterTable('runs').addColumn('started_at', 'bigint').execute();

    let facets = db.schema.createTable('item_facets')
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('row', 'bigint', (c) => c.notNull())
      .addColumn('item_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('item_facets_pk', ['run_id', 'row']);
    // SQLite's full-text rows are keyed by the item's rowid (see below).
    if (dialect === 'sqlite') facets = facets.addColumn('item_rowid', 'integer', (c) => c.notNull());
    await facets.execute();
    await db.schema.createIndex('item_facets_state').on('item_facets').columns(['run_id', 'state', 'row']).execute();

    await db.schema.createTable('item_scores')
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('row', 'bigint', (c) => c.notNull())
      .addColumn('criterion', 'text', (c) => c.notNull())
      .addColumn('score', 'double precision')
      .addColumn('passed', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('item_scores_pk', ['run_id', 'row', 'criterion'])
      .execute();
    await db.schema.createIndex('item_scores_score').on('item_scores').columns(['run_id', 'criterion', 'score', 'row']).execute();
    await db.schema.createIndex('item_scores_passed').on('item_scores').columns(['run_id', 'criterion', 'passed', 'row']).execute();

    if (dialect === 'sqlite') await sqliteIndex(db);
    else await postgresIndex(db);
  },
});

// Sample fields that are labels, not text anyone searches for (searching "user" should not match every item).
const SKIP = `'role', 'model', 'finish_reason', 'type', 'code', 'id', 'seed'`;

const STATE = (item: string) => sql.raw(`case when json_extract(${item}.sample, '$.error') is not null then 'errored' when ${item}.status = 'pass' then 'passed' else 'failed' end`);

async function sqliteIndex(db: Kysely<unknown>): Promise<void> {
  // Contentless (the text is in output_items already) with deletes allowed (SQLite 3.43+). Its rowid is the
  // output item's rowid: output_items has no INTEGER PRIMARY KEY, so a VACUUM could renumber them, and
  // evald never runs one.
  await sql`create virtual table item_text using fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`.execute(db);
  const text = (item: string) => sql.raw(`(select group_concat(value, ' ') from (
      select value from json_tree(${item}.datasource_item) where type = 'text'
      union all select value from json_tree(${item}.sample) where type = 'text' and key not in (${SKIP})))`);
  const scores = (item: string, from = '') => sql.raw(`select ${item}.run_id, ${item}.datasource_item_id, json_extract(r.value, '$.name'),
      case when json_type(r.value, '$.score') in ('integer', 'real') then json_extract(r.value, '$.score') end,
      case when json_extract(r.value, '$.passed') then 1 else 0 end
    from ${from}json_each(${item}.results) r
    where json_extract(${item}.sample, '$.error') is null and json_type(r.value, '$.name') = 'text'`);
  await sql`create trigger item_index_insert after insert on output_items begin
    insert or ignore into item_facets (run_id, row, item_id, state, item_rowid) values (new.run_id, new.datasource_item_id, new.id, ${STATE('new')}, new.rowid);
    insert or ignore into item_scores (run_id, row, criterion, score, passed) ${scores('new')};
    insert into item_text (rowid, body) values (new.rowid, ${text('new')});
  end`.execute(db);
  await sql`create trigger item_index_delete after delete on output_items begin
    delete from item_facets where run_id = old.run_id and row = old.datasource_item_id;
    delete from item_scores where run_id = old.run_id and row = old.datasource_item_id;
    delete from item_text where rowid = old.rowid;
  end`.execute(db);
  // Items written before this migration.
  await sql`insert or ignore into item_facets (run_id, row, item_id, state, item_rowid) select o.run_id, o.datasource_item_id, o.id, ${STATE('o')}, o.rowid from output_items o`.execute(db);
  await sql`insert or ignore into item_scores (run_id, row, criterion, score, passed) ${scores('o', 'output_items o, ')}`.execute(db);
  await sql`insert into item_text (rowid, body) select o.rowid, ${text('o')} from output_items o`.execute(db);
}

/** The tsvector the GIN index holds and item_search matches; the query must repeat it exactly. */
export const PG_ITEM_TEXT = `(to_tsvector('simple'::regconfig, datasource_item::jsonb) || to_tsvector('simple'::regconfig, sample::jsonb - 'model' - 'finish_reason' - 'usage' - 'seed'))`;

async function postgresIndex(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`create index output_items_text on output_items using gin ((${PG_ITEM_TEXT}))`).execute(db);
  const state = `case when coalesce(jsonb_typeof(n.sample::jsonb -> 'error'), 'null') <> 'null' then 'errored' when n.status = 'pass' then 'passed' else 'failed' end`;
  // Statement-level triggers over transition tables: one set-based insert per batch statement.
  await sql.raw(`create function evald_index_items() returns trigger language plpgsql as $$
    begin
      insert into item_facets (run_id, row, item_id, state) select n.run_id, n.datasource_item_id, n.id, ${state} from new_items n
        on conflict do nothing;
      insert into item_scores (run_id, row, criterion, score, passed)
        select n.run_id, n.datasource_item_id, r ->> 'name',
          case when jsonb_typeof(r -> 'score') = 'number' then (r ->> 'score')::double precision end,
          case when r -> 'passed' = 'true'::jsonb then 1 else 0 end
        from new_items n cross join lateral jsonb_array_elements(case when jsonb_typeof(n.results::jsonb) = 'array' then n.results::jsonb else '[]'::jsonb end) r
        where coalesce(jsonb_typeof(n.sample::jsonb -> 'error'), 'null') = 'null' and jsonb_typeof(r -> 'name') = 'string'
        on conflict do nothing;
      return null;
    end $$`).execute(db);
  await sql.raw(`create function evald_unindex_items() returns trigger language plpgsql as $$
    begin
      delete from item_facets f using old_items o where f.run_id = o.run_id and f.row = o.datasource_item_id;
      delete from item_scores s using old_items o where s.run_id = o.run_id and s.row = o.datasource_item_id;
      return null;
    end $$`).execute(db);
  await sql.raw(`create trigger item_index_insert after insert on output_items referencing new table as new_items
    for each statement execute function evald_index_items()`).execute(db);
  await sql.raw(`create trigger item_index_delete after delete on output_items referencing old table as old_items
    for each statement execute function evald_unindex_items()`).execute(db);
  // Items written before this migration: the same insert over the whole table.
  await sql.raw(`insert into item_facets (run_id, row, item_id, state) select n.run_id, n.datasource_item_id, n.id, ${state} from output_items n on conflict do nothing`).execute(db);
  await sql.raw(`insert into item_scores (run_id, row, criterion, score, passed)
    select n.run_id, n.datasource_item_id, r ->> 'name', case when jsonb_typeof(r -> 'score') = 'number' then (r ->> 'score')::double precision end,
      case when r -> 'passed' = 'true'::jsonb then 1 else 0 end
    from output_items n cross join lateral jsonb_array_elements(n.results::jsonb) r
    where coalesce(jsonb_typeof(n.sample::jsonb -> 'error'), 'null') = 'null' and jsonb_typeof(r -> 'name') = 'string' on conflict do nothing`).execute(db);
}
