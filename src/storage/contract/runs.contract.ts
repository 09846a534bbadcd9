import { describe, expect, it } from 'vitest';
import type { StoreUnderTest } from '../store.contract.js';
import { aClaimedRun, aGradedItem, anEval, aProject, aRun, T0 } from './factories.contract.js';

/** Runs as the API sees them: scoped reads, pages with a status filter, cancel and delete. */
export function runsContract(t: StoreUnderTest): void {
  describe('runs', () => {
    it('returns an inserted run as it was given, scoped by project and eval; byId ignores the scope', async () => {
      const e = anEval(aProject());
      await t.store.evals.insert(e);
      const run = aRun(e, { metadata: null, model: null });
      await t.store.runs.insert(run);
      const got = await t.store.runs.get(e.project, e.id, run.id);
      expect(got).toEqual(run);
      expect(got!.per_criteria).toBeNull();
      expect(await t.store.runs.get('proj_other', e.id, run.id)).toBeUndefined();
      expect(await t.store.runs.get(e.project, 'eval_other', run.id)).toBeUndefined();
      expect(await t.store.runs.byId(run.id)).toEqual(run);
      expect(await t.store.runs.byId('evalrun_missing')).toBeUndefined();
    });

    it('lists one eval’s runs by id both ways, paged, filtered by status', async () => {
      const e = anEval(aProject());
      await t.store.evals.insert(e);
      const other = anEval(e.project);
      await t.store.evals.insert(other);
      await t.store.runs.insert(aRun(other));
      const statuses = ['completed', 'queued', 'failed', 'completed', 'canceled', 'completed'];
      const runs = statuses.map((status, i) => aRun(e, { status, created_at: T0 + i }));
      for (const r of runs) await t.store.runs.insert(r);

      const first = await t.store.runs.list(e.project, e.id, { order: 'asc', limit: 4 });
      expect(first.rows.map((r) => r.id)).toEqual(runs.slice(0, 4).map((r) => r.id));
      expect(first.hasMore).toBe(true);
      const second = await t.store.runs.list(e.project, e.id, { order: 'asc', limit: 4, after: runs[3]!.id });
      expect(second).toEqual({ rows: runs.slice(4), hasMore: false });

      const completed = runs.filter((r) => r.status === 'completed').reverse();
      const page1 = await t.store.runs.list(e.project, e.id, { order: 'desc', limit: 2, status: 'completed' });
      expect(page1).toEqual({ rows: completed.slice(0, 2), hasMore: true });
      const page2 = await t.store.runs.list(e.project, e.id, { order: 'desc', limit: 2, status: 'completed', after: completed[1]!.id });
      expect(page2).toEqual({ rows: completed.slice(2), hasMore: false });
      expect((await t.store.runs.list('proj_other', e.id, { order: 'asc', limit: 10 })).rows).toEqual([]);
    });

    it('cancels a queued or running run, and leaves a finished one as it was', async () => {
      const { evalRecord: e, run: running } = await aClaimedRun(t.store);
      const queued = aRun(e);
      const completed = aRun(e, { status: 'completed' });
      const failed = aRun(e, { status: 'failed', error: { code: 'invalid_file', message: 'line 3 is not JSON' } });
      for (const r of [queued, completed, failed]) await t.store.runs.insert(r);

      expect(await t.store.runs.cancel(e.project, e.id, queued.id, T0 + 50)).toEqual({ ...queued, status: 'canceled', updated_at: T0 + 50 });
      const canceled = await t.store.runs.cancel(e.project, e.id, running.id, T0 + 51);
      expect(canceled).toMatchObject({ status: 'canceled', updated_at: T0 + 51 });
      expect(await t.store.runs.cancel(e.project, e.id, completed.id, T0 + 52)).toEqual(completed);
      expect(await t.store.runs.cancel(e.project, e.id, failed.id, T0 + 53)).toEqual(failed);
      expect(await t.store.runs.cancel(e.project, e.id, 'evalrun_missing', T0)).toBeUndefined();
      expect(await t.store.runs.cancel('proj_other', e.id, completed.id, T0)).toBeUndefined();
    });

    it('purges a deleted run a bounded step at a time: its items with their index rows, then its log selection, then its record', async () => {
      const { evalRecord: e, run } = await aClaimedRun(t.store);
      const { run: other } = await aClaimedRun(t.store);
      const graded = Array.from({ length: 25 }, (_, i) => aGradedItem(run, i, i % 4 === 0 ? 'failed' : 'passed'));
      // Out of row order, as concurrent items finish.
      await t.store.runs.commitBatch(run.id, 'worker-a', graded.slice(10), T0 + 1);
      await t.store.runs.commitBatch(run.id, 'worker-a', graded.slice(0, 10), T0 + 2);
      await t.store.runs.commitBatch(other.id, 'worker-a', [aGradedItem(other, 0)], T0 + 2);
      await t.store.db.insertInto('run_logs').values(Array.from({ length: 12 }, (_, seq) => ({ run_id: run.id, seq, log_id: `chatcmpl-${seq}` }))).execute();
      const left = async (table: 'output_items' | 'item_facets' | 'item_scores' | 'run_logs', runId = run.id) =>
        Number((await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('run_id', '=', runId).executeTakeFirstOrThrow()).n);
      const scoresPerItem = (await left('item_scores')) / 25;

      expect(await t.store.runs.delete(e.project, e.id, run.id)).toBe(true);
      expect(await left('output_items')).toBe(25);
      expect(await t.store.runs.purgeStep(run.id, 10)).toBe(false);
      // Rows 0-9 went, with exactly their index rows.
      expect(await left('output_items')).toBe(15);
      expect(await left('item_facets')).toBe(15);
      expect(await left('item_scores')).toBe(15 * scoresPerItem);
      expect((await t.store.runs.doneRows(run.id, 0, 10)).size).toBe(0);
      expect((await t.store.runs.doneRows(run.id, 10, 25)).size).toBe(15);
      expect(await t.store.runs.purgeStep(run.id, 10)).toBe(false);
      expect(await t.store.runs.purgeStep(run.id, 10)).toBe(false);
      expect(await left('output_items')).toBe(0);
      expect(await left('run_logs')).toBe(12);
      expect(await t.store.runs.purgeStep(run.id, 10)).toBe(false);
      expect(await left('run_logs')).toBe(2);
      expect(await t.store.runs.deletedRuns()).toContain(run.id);
      expect(await t.store.runs.purgeStep(run.id, 10)).toBe(false);
      expect(await t.store.runs.purgeStep(run.id, 10)).toBe(true);
      expect(await t.store.runs.deletedRuns()).not.toContain(run.id);
      expect([await left('item_facets'), await left('item_scores'), await left('run_logs')]).toEqual([0, 0, 0]);
      // A step repeated after the end (a second purger) finds nothing; the other run keeps its item.
      expect(await t.store.runs.purgeStep(run.id, 10)).toBe(true);
      expect(await left('output_items', other.id)).toBe(1);
      expect(await left('item_facets', other.id)).toBe(1);
    });

    it('deletes a run and its output items only', async () => {
      const { evalRecord: e, run } = await aClaimedRun(t.store);
      await t.store.runs.commitBatch(run.id, 'worker-a', [aGradedItem(run, 0), aGradedItem(run, 1, 'failed')], T0 + 1);
      const kept = aRun(e);
      await t.store.runs.insert(kept);

      expect(await t.store.runs.delete('proj_other', e.id, run.id)).toBe(false);
      expect(await t.store.runs.delete(e.project, e.id, run.id)).toBe(true);
      expect(await t.store.runs.get(e.project, e.id, run.id)).toBeUndefined();
      await t.store.runs.purgeDeleted();
      expect((await t.store.items.list(e.project, e.id, run.id, { order: 'asc', limit: 10 })).rows).toEqual([]);
      expect(await t.store.runs.doneRows(run.id)).toEqual(new Set());
      expect(await t.store.runs.get(e.project, e.id, kept.id)).toEqual(kept);
      expect(await t.store.runs.delete(e.project, e.id, run.id)).toBe(false);
    });
  });
}
