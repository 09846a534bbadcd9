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

    it('deletes a run and its output items only', async () => {
      const { evalRecord: e, run } = await aClaimedRun(t.store);
      await t.store.runs.commitBatch(run.id, 'worker-a', [aGradedItem(run, 0), aGradedItem(run, 1, 'failed')], T0 + 1);
      const kept = aRun(e);
      await t.store.runs.insert(kept);

      expect(await t.store.runs.delete('proj_other', e.id, run.id)).toBe(false);
      expect(await t.store.runs.delete(e.project, e.id, run.id)).toBe(true);
      expect(await t.store.runs.get(e.project, e.id, run.id)).toBeUndefined();
      expect((await t.store.items.list(e.project, e.id, run.id, { order: 'asc', limit: 10 })).rows).toEqual([]);
      expect(await t.store.runs.doneRows(run.id)).toEqual(new Set());
      expect(await t.store.runs.get(e.project, e.id, kept.id)).toEqual(kept);
      expect(await t.store.runs.delete(e.project, e.id, run.id)).toBe(false);
    });
  });
}
