import { describe, expect, it } from 'vitest';
import type { StoreUnderTest } from '../store.contract.js';
import type { GradedItem } from '../types.js';
import { aClaimedRun, aGradedItem, T0 } from './factories.contract.js';

/** Output items: one run's at a time, keyset pages with a status filter, reads scoped by project, eval and run. */
export function itemsContract(t: StoreUnderTest): void {
  describe('output items', () => {
    async function runWithItems() {
      const { evalRecord, run } = await aClaimedRun(t.store);
      const outcomes: GradedItem['outcome'][] = ['passed', 'failed', 'passed', 'errored', 'passed', 'failed', 'passed'];
      const graded = outcomes.map((o, i) => aGradedItem(run, i, o));
      await t.store.runs.commitBatch(run.id, 'worker-a', graded.slice(0, 4), T0 + 1);
      await t.store.runs.commitBatch(run.id, 'worker-a', graded.slice(4), T0 + 2);
      return { evalRecord, run, items: graded.map((g) => g.record) };
    }

    it('pages one run’s items by id in both directions', async () => {
      const { evalRecord: e, run, items } = await runWithItems();
      const scope = [e.project, e.id, run.id] as const;
      const asc = await t.store.items.list(...scope, { order: 'asc', limit: 3 });
      expect(asc).toEqual({ rows: items.slice(0, 3), hasMore: true });
      const next = await t.store.items.list(...scope, { order: 'asc', limit: 3, after: items[2]!.id });
      expect(next).toEqual({ rows: items.slice(3, 6), hasMore: true });
      const last = await t.store.items.list(...scope, { order: 'asc', limit: 3, after: items[5]!.id });
      expect(last).toEqual({ rows: items.slice(6), hasMore: false });
      const desc = await t.store.items.list(...scope, { order: 'desc', limit: 4, after: items[5]!.id });
      expect(desc).toEqual({ rows: items.slice(1, 5).reverse(), hasMore: true });
    });

    it('filters by status, paging within the filter', async () => {
      const { evalRecord: e, run, items } = await runWithItems();
      const failing = items.filter((i) => i.status === 'fail');
      const page1 = await t.store.items.list(e.project, e.id, run.id, { order: 'asc', limit: 2, status: 'fail' });
      expect(page1).toEqual({ rows: failing.slice(0, 2), hasMore: true });
      const page2 = await t.store.items.list(e.project, e.id, run.id, { order: 'asc', limit: 2, status: 'fail', after: failing[1]!.id });
      expect(page2).toEqual({ rows: failing.slice(2), hasMore: false });
      const passing = await t.store.items.list(e.project, e.id, run.id, { order: 'desc', limit: 10, status: 'pass' });
      expect(passing.rows.map((r) => r.datasource_item_id)).toEqual([6, 4, 2, 0]);
    });

    it('scans one run in row order after a row, scoped by project, eval and run', async () => {
      const { evalRecord: e, run, items } = await runWithItems();
      const scope = [e.project, e.id, run.id] as const;
      expect(await t.store.items.scan(...scope, -1, 3)).toEqual(items.slice(0, 3));
      expect(await t.store.items.scan(...scope, 2, 10)).toEqual(items.slice(3));
      expect(await t.store.items.scan(...scope, 6, 10)).toEqual([]);
      expect(await t.store.items.scan('proj_other', e.id, run.id, -1, 10)).toEqual([]);
      expect(await t.store.items.scan(e.project, 'eval_other', run.id, -1, 10)).toEqual([]);
    });

    it('lists nothing of another run, eval or project', async () => {
      const { evalRecord: e, run } = await runWithItems();
      const page = { order: 'asc', limit: 10 } as const;
      expect((await t.store.items.list('proj_other', e.id, run.id, page)).rows).toEqual([]);
      expect((await t.store.items.list(e.project, 'eval_other', run.id, page)).rows).toEqual([]);
      expect((await t.store.items.list(e.project, e.id, 'evalrun_other', page)).rows).toEqual([]);
    });

    it('gets one item, JSON intact, only through its own project, eval and run', async () => {
      const { evalRecord: e, run, items } = await runWithItems();
      const item = items[3]!;
      const got = await t.store.items.get(e.project, e.id, run.id, item.id);
      expect(got).toEqual(item);
      expect(got!.sample).toMatchObject({ error: { code: 'grader_error' } });
      expect(await t.store.items.get('proj_other', e.id, run.id, item.id)).toBeUndefined();
      expect(await t.store.items.get(e.project, 'eval_other', run.id, item.id)).toBeUndefined();
      expect(await t.store.items.get(e.project, e.id, 'evalrun_other', item.id)).toBeUndefined();
      expect(await t.store.items.get(e.project, e.id, run.id, 'outputitem_missing')).toBeUndefined();
    });
  });
}
