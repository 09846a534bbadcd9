import { describe, expect, it } from 'vitest';
import type { StoreUnderTest } from '../store.contract.js';
import { aClaimedRun, aGradedItem, T0, T0_MS } from './factories.contract.js';

const LEASE = 30_000;

/** One run, many workers: its rows in segments that workers claim one at a time under a lease. */
export function segmentsContract(t: StoreUnderTest): void {
  describe('run segments', () => {
    it('splits a run once, and hands each segment to one worker at a time, in order', async () => {
      const { run } = await aClaimedRun(t.store, 'lead');
      await t.store.runs.planSegments(run.id, 2500, 1000);
      await t.store.runs.planSegments(run.id, 9999, 10); // a resumed run keeps its segments
      expect(await t.store.runs.segmentsLeft(run.id)).toBe(3);
      const now = T0_MS + 1000;
      const a = await t.store.runs.claimSegment(run.id, 'lead', LEASE, now);
      const b = await t.store.runs.claimSegment(null, 'helper', LEASE, now);
      const c = await t.store.runs.claimSegment(null, 'helper', LEASE, now, []);
      expect([a, b, c]).toEqual([
        { runId: run.id, seq: 0, first: 0, end: 1000 },
        { runId: run.id, seq: 1, first: 1000, end: 2000 },
        { runId: run.id, seq: 2, first: 2000, end: 2500 },
      ]);
      expect(await t.store.runs.claimSegment(run.id, 'other', LEASE, now)).toBeUndefined();
      // A worker looking for a run to help with skips the runs it is already executing.
      await t.store.runs.releaseSegments(run.id, 'helper');
      expect(await t.store.runs.claimSegment(null, 'helper', LEASE, now, [run.id])).toBeUndefined();
    });

    it('plans one open-ended segment when the row count is unknown', async () => {
      const { run } = await aClaimedRun(t.store, 'lead');
      await t.store.runs.planSegments(run.id, null, 1000);
      const s = await t.store.runs.claimSegment(run.id, 'lead', LEASE, T0_MS);
      expect(s).toMatchObject({ seq: 0, first: 0 });
      expect(s!.end).toBeGreaterThan(2 ** 30);
    });

    it('gives a lapsed segment to another worker, and a renewed one to nobody', async () => {
      const { run } = await aClaimedRun(t.store, 'lead');
      await t.store.runs.planSegments(run.id, 100, 50);
      await t.store.runs.claimSegment(run.id, 'helper', LEASE, T0_MS);
      await t.store.runs.claimSegment(run.id, 'lead', LEASE, T0_MS);
      expect(await t.store.runs.renewSegments(run.id, 'lead', T0_MS + 3 * LEASE)).toBe('in_progress');
      // The helper stopped renewing (killed): its segment goes to the lead once the lease lapses.
      expect(await t.store.runs.claimSegment(run.id, 'lead', LEASE, T0_MS + LEASE - 1)).toBeUndefined();
      expect(await t.store.runs.claimSegment(run.id, 'lead', LEASE, T0_MS + LEASE + 1)).toMatchObject({ seq: 0 });
      expect(await t.store.runs.finishSegment(run.id, 0, 'helper')).toBe(false);
      expect(await t.store.runs.finishSegment(run.id, 0, 'lead')).toBe(true);
      expect(await t.store.runs.segmentsLeft(run.id)).toBe(1);
      expect(await t.store.runs.finishSegment(run.id, 1, 'lead')).toBe(true);
      expect(await t.store.runs.segmentsLeft(run.id)).toBe(0);
      expect(await t.store.runs.claimSegment(null, 'helper', LEASE, T0_MS + 5 * LEASE)).toBeUndefined();
    });

    it('lets a helper commit while it holds a segment, and records which worker made each item', async () => {
      const { run } = await aClaimedRun(t.store, 'lead');
      await t.store.runs.planSegments(run.id, 4, 2);
      await t.store.runs.claimSegment(run.id, 'helper', LEASE, T0_MS);
      expect(await t.store.runs.commitBatch(run.id, 'helper', [aGradedItem(run, 0)], T0 + 1, 'segment')).toBe(true);
      // Not the run's lead, and holding no segment: refused either way.
      expect(await t.store.runs.commitBatch(run.id, 'helper', [aGradedItem(run, 1)], T0 + 1, 'run')).toBe(false);
      expect(await t.store.runs.commitBatch(run.id, 'stranger', [aGradedItem(run, 1)], T0 + 1, 'segment')).toBe(false);
      expect(await t.store.runs.commitBatch(run.id, 'lead', [aGradedItem(run, 2)], T0 + 1)).toBe(true);
      expect((await t.store.runs.byId(run.id))!.counts.total).toBe(2);
      const workers = await t.store.db.selectFrom('output_items').select(['datasource_item_id', 'worker'])
        .where('run_id', '=', run.id).orderBy('datasource_item_id').execute();
      expect(workers.map((w) => [Number(w.datasource_item_id), w.worker])).toEqual([[0, 'helper'], [2, 'lead']]);
      expect(await t.store.runs.doneRows(run.id, 1, 3)).toEqual(new Set([2]));
    });

    it('hands out no segment of a run that is not in progress, and forgets them when it ends', async () => {
      const { evalRecord: e, run } = await aClaimedRun(t.store, 'lead');
      await t.store.runs.planSegments(run.id, 10, 5);
      await t.store.runs.cancel(e.project, e.id, run.id, T0 + 2);
      expect(await t.store.runs.claimSegment(null, 'helper', LEASE, T0_MS)).toBeUndefined();
      expect(await t.store.runs.segmentsLeft(run.id)).toBe(0);

      const second = await aClaimedRun(t.store, 'lead');
      await t.store.runs.planSegments(second.run.id, 10, 5);
      expect(await t.store.runs.finish(second.run.id, 'lead', 'completed', null, T0 + 3)).toBe(true);
      expect(await t.store.runs.segmentsLeft(second.run.id)).toBe(0);

      const third = await aClaimedRun(t.store, 'lead');
      await t.store.runs.planSegments(third.run.id, 10, 5);
      await t.store.evals.delete(third.evalRecord.project, third.evalRecord.id);
      expect(await t.store.runs.claimSegment(null, 'helper', LEASE, T0_MS)).toBeUndefined();
      await t.store.runs.purgeDeleted();
      expect(await t.store.runs.segmentsLeft(third.run.id)).toBe(0);
    });
  });
}
