import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { StoreUnderTest } from '../store.contract.js';
import type { GradedItem } from '../types.js';
import { ftsKey } from '../repos/item-search.js';
import { aClaimedRun, aGradedItem, aRun, CRITERIA, T0 } from './factories.contract.js';

/** The item index of migration 0006: kept by the store's inserts and its run and eval deletes, read by item_search. */
export function itemSearchContract(t: StoreUnderTest): void {
  describe('item search index', () => {
    const first = CRITERIA[0]!.name;
    const second = CRITERIA[1]!.name;

    async function runWithItems() {
      const { evalRecord, run } = await aClaimedRun(t.store);
      const outcomes: GradedItem['outcome'][] = ['passed', 'failed', 'passed', 'errored', 'passed', 'failed', 'passed'];
      // Committed out of row order, as concurrent items finish.
      const graded = outcomes.map((o, i) => aGradedItem(run, i, o));
      for (const [i, g] of graded.entries()) (g.record.results as Array<{ score: number }>)[0]!.score = [0.9, 0.1, 0.5, 0, 0.7, 0.2, 0.3][i]!;
      await t.store.runs.commitBatch(run.id, 'worker-a', [graded[5]!, graded[2]!, graded[0]!], T0 + 1);
      await t.store.runs.commitBatch(run.id, 'worker-a', [graded[6]!, graded[1]!, graded[4]!, graded[3]!], T0 + 2);
      return { evalRecord, run, items: graded.map((g) => g.record) };
    }
    const rows = (page: { rows: Array<{ datasource_item_id: number }> }) => page.rows.map((r) => r.datasource_item_id);
    const base = { sort: 'row' as const, order: 'asc' as const, limit: 50 };

    it('lists in row order, pages by item id, and keeps errored apart from failed', async () => {
      const { run, items } = await runWithItems();
      const s = t.store.itemSearch;
      expect(rows(await s.search(run.id, base))).toEqual([0, 1, 2, 3, 4, 5, 6]);
      const page = await s.search(run.id, { ...base, limit: 3 });
      expect(page.hasMore).toBe(true);
      expect(page.rows[0]).toEqual(items[0]);
      expect(rows(await s.search(run.id, { ...base, limit: 3, after: page.rows[2]!.id }))).toEqual([3, 4, 5]);
      expect(rows(await s.search(run.id, { ...base, order: 'desc', limit: 2 }))).toEqual([6, 5]);
      expect(rows(await s.search(run.id, { ...base, state: 'failed' }))).toEqual([1, 5]);
      expect(rows(await s.search(run.id, { ...base, state: 'errored' }))).toEqual([3]);
      expect(await s.counts(run.id)).toEqual({ passed: 4, failed: 2, errored: 1 });
    });

    it('filters by a criterion’s pass and sorts by its score, errored items left out', async () => {
      const { run } = await runWithItems();
      const s = t.store.itemSearch;
      expect(rows(await s.search(run.id, { ...base, criterion: { name: first, passed: false } }))).toEqual([1, 5]);
      expect(rows(await s.search(run.id, { ...base, criterion: { name: second, passed: true } }))).toEqual([0, 2, 4, 6]);
      expect(rows(await s.search(run.id, { ...base, sort: 'score', scoreOf: first }))).toEqual([1, 5, 6, 2, 4, 0]);
      const top = await s.search(run.id, { ...base, sort: 'score', scoreOf: first, order: 'desc', limit: 2 });
      expect(rows(top)).toEqual([0, 4]);
      expect(rows(await s.search(run.id, { ...base, sort: 'score', scoreOf: first, order: 'desc', limit: 2, after: top.rows[1]!.id }))).toEqual([2, 6]);
    });

    it('finds items by words of their input and output, whatever the case, and nothing for no words', async () => {
      const { run } = await runWithItems();
      const s = t.store.itemSearch;
      // Rows 1 and 4 hold "The app crashes when I log in".
      expect(rows(await s.search(run.id, { ...base, q: 'CRASHES log' }))).toEqual([1, 4]);
      expect(rows(await s.search(run.id, { ...base, q: 'crashes', state: 'passed' }))).toEqual([4]);
      // Failed items answered "other".
      expect(rows(await s.search(run.id, { ...base, q: 'other' }))).toEqual([1, 5]);
      expect(rows(await s.search(run.id, { ...base, q: 'upstream returned' }))).toEqual([3]);
      expect(rows(await s.search(run.id, { ...base, q: '"; drop --' }))).toEqual([]);
      expect(rows(await s.search(run.id, { ...base, q: 'nowhere-to-be-found' }))).toEqual([]);
    });

    it('pages a search both ways, with a state, a criterion or a score order, and never matches the state as a word', async () => {
      const { run, items } = await runWithItems();
      const s = t.store.itemSearch;
      // Rows 0, 3 and 6 hold "I was charged twice this month"; row 3 errored.
      const page = await s.search(run.id, { ...base, q: 'charged', limit: 2 });
      expect([rows(page), page.hasMore]).toEqual([[0, 3], true]);
      expect(page.rows[0]).toEqual(items[0]);
      expect(rows(await s.search(run.id, { ...base, q: 'charged', limit: 2, after: items[3]!.id }))).toEqual([6]);
      const down = await s.search(run.id, { ...base, q: 'charged', order: 'desc', limit: 2 });
      expect([rows(down), down.hasMore]).toEqual([[6, 3], true]);
      expect(rows(await s.search(run.id, { ...base, q: 'charged', order: 'desc', after: items[3]!.id }))).toEqual([0]);
      expect(rows(await s.search(run.id, { ...base, q: 'charged', order: 'desc', after: items[0]!.id }))).toEqual([]);
      expect(rows(await s.search(run.id, { ...base, q: 'charged', state: 'errored' }))).toEqual([3]);
      expect(rows(await s.search(run.id, { ...base, q: 'charged', criterion: { name: first, passed: true } }))).toEqual([0, 6]);
      expect(rows(await s.search(run.id, { ...base, q: 'charged', sort: 'score', scoreOf: first, order: 'desc' }))).toEqual([0, 6]);
      for (const word of ['passed', 'failed', 'errored']) expect(rows(await s.search(run.id, { ...base, q: word }))).toEqual([]);
    });

    it('keys the full text by run and row with an INTEGER, the only kind of bound FTS5 seeks to', async () => {
      if (t.store.dialect !== 'sqlite') return;
      const { run } = await runWithItems();
      const key = (await sql<{ kind: string; key: number }>`select typeof(${ftsKey(run.id, 5)}) as kind, ${ftsKey(run.id, 5)} as key`.execute(t.store.db)).rows[0]!;
      const [facet] = await t.store.db.selectFrom('item_facets').select('item_rowid').where('run_id', '=', run.id).where('row', '=', 5).execute();
      expect(key).toEqual({ kind: 'integer', key: Number(facet!.item_rowid) });
    });

    it('summarises each criterion’s scores in bins', async () => {
      const { run } = await runWithItems();
      const [a, b] = await t.store.itemSearch.histograms(run.id, 4);
      expect(a).toMatchObject({ criterion: first, count: 6, passed: 4, min: 0.1, max: 0.9 });
      expect(a!.mean).toBeCloseTo((0.9 + 0.1 + 0.5 + 0.7 + 0.2 + 0.3) / 6);
      // Width 0.2 from 0.1: [0.1,0.3) 0.1 0.2 | [0.3,0.5) 0.3 | [0.5,0.7) 0.5 | [0.7,0.9] 0.7 0.9
      expect(a!.bins).toEqual([2, 1, 1, 2]);
      expect(b).toMatchObject({ criterion: second, count: 6, passed: 4, min: 0, max: 1, bins: [2, 0, 0, 4] });
    });

    /** Index rows left of `runIds`: facets, scores, and on SQLite the full-text rows of `rowids`. */
    async function indexLeft(runIds: string[], rowids: number[]) {
      const db = t.store.db;
      const n = sql<number>`count(*)`.as('n');
      const count = async (q: { executeTakeFirstOrThrow(): Promise<{ n: unknown }> }) => Number((await q.executeTakeFirstOrThrow()).n);
      return {
        item_facets: await count(db.selectFrom('item_facets').select(n).where('run_id', 'in', runIds)),
        item_scores: await count(db.selectFrom('item_scores').select(n).where('run_id', 'in', runIds)),
        item_text: t.store.dialect === 'sqlite' && rowids.length
          ? Number((await sql<{ n: number }>`select count(*) as n from item_text where rowid in (${sql.join(rowids)})`.execute(db)).rows[0]!.n) : 0,
      };
    }
    const itemRowids = async (runId: string) => t.store.dialect !== 'sqlite' ? []
      : (await t.store.db.selectFrom('item_facets').select('item_rowid').where('run_id', '=', runId).execute()).map((r) => Number(r.item_rowid));
    const NONE = { item_facets: 0, item_scores: 0, item_text: 0 };

    it('forgets a deleted run’s items, leaving no index rows, and keeps another run’s', async () => {
      const { evalRecord: e, run } = await runWithItems();
      const { run: other } = await runWithItems();
      const rowids = await itemRowids(run.id);
      expect((await indexLeft([run.id], rowids)).item_facets).toBe(7);
      if (t.store.dialect === 'sqlite') expect((await indexLeft([run.id], rowids)).item_text).toBe(7);
      await t.store.runs.delete(e.project, e.id, run.id);
      expect(await t.store.runs.deletedRuns()).toContain(run.id);
      await t.store.runs.purgeDeleted();
      expect(await t.store.runs.deletedRuns()).not.toContain(run.id);
      expect(rows(await t.store.itemSearch.search(run.id, { ...base, q: 'crashes' }))).toEqual([]);
      expect(await t.store.itemSearch.histograms(run.id, 4)).toEqual([]);
      expect(await t.store.itemSearch.counts(run.id)).toEqual({ passed: 0, failed: 0, errored: 0 });
      expect(await indexLeft([run.id], rowids)).toEqual(NONE);
      expect(await t.store.itemSearch.counts(other.id)).toEqual({ passed: 4, failed: 2, errored: 1 });
      expect(rows(await t.store.itemSearch.search(other.id, { ...base, q: 'crashes' }))).toEqual([1, 4]);
    });

    it('leaves no index rows or log selections of a deleted eval’s runs', async () => {
      const { evalRecord: e, run } = await runWithItems();
      const second = aRun(e);
      await t.store.runs.insert(second);
      await t.store.db.insertInto('run_logs').values([{ run_id: run.id, seq: 0, log_id: 'chatcmpl-1' }, { run_id: second.id, seq: -1, log_id: '0' }]).execute();
      const rowids = await itemRowids(run.id);
      expect(await t.store.evals.delete(e.project, e.id)).toBe(true);
      expect(await t.store.runs.deletedRuns()).toEqual(expect.arrayContaining([run.id, second.id]));
      await t.store.runs.purgeDeleted();
      expect(await indexLeft([run.id, second.id], rowids)).toEqual(NONE);
      expect(await t.store.db.selectFrom('run_logs').select('seq').where('run_id', 'in', [run.id, second.id]).execute()).toEqual([]);
      expect(await t.store.db.selectFrom('output_items').select('id').where('eval_id', '=', e.id).execute()).toEqual([]);
    });

    it('records when a run started and its source’s row count once', async () => {
      const { run } = await runWithItems();
      await t.store.runs.markStarted(run.id, 7, T0 + 5);
      await t.store.runs.markStarted(run.id, 9, T0 + 9);
      expect(await t.store.runs.byId(run.id)).toMatchObject({ source_rows: 7, started_at: T0 + 5 });
    });
  });
}
