import { describe, expect, it } from 'vitest';
import type { StoreUnderTest } from '../store.contract.js';
import { aClaimedRun, aGradedItem, anEval, aProject, aRun, T0, T0_MS } from './factories.contract.js';

const LEASE = 30_000;

/** The engine's side of runs: claim under a lease, renew it, finish or release, reclaim when it lapses. */
export function leasesContract(t: StoreUnderTest): void {
  describe('run leases', () => {
    it('claims the oldest claimable run first and starts its tallies', async () => {
      const e = anEval(aProject());
      await t.store.evals.insert(e);
      const newer = aRun(e, { created_at: T0 + 10 });
      const older = aRun(e, { created_at: T0 + 5 });
      const done = aRun(e, { created_at: T0, status: 'completed' });
      const canceled = aRun(e, { created_at: T0, status: 'canceled' });
      for (const r of [newer, older, done, canceled]) await t.store.runs.insert(r);

      const claimed = await t.store.runs.claim('worker-a', LEASE, T0_MS + 20_500);
      const started = {
        ...older, status: 'in_progress', lease_owner: 'worker-a', lease_expires_at: T0_MS + 20_500 + LEASE,
        updated_at: T0 + 20, per_criteria: {}, per_model_usage: {},
      };
      expect(claimed).toEqual(started);
      expect(await t.store.runs.byId(older.id)).toEqual(started);
      expect((await t.store.runs.claim('worker-b', LEASE, T0_MS + 21_000))?.id).toBe(newer.id);
      expect(await t.store.runs.claim('worker-c', LEASE, T0_MS + 22_000)).toBeUndefined();
    });

    it('breaks a created_at tie by id', async () => {
      const e = anEval(aProject());
      await t.store.evals.insert(e);
      const [first, second] = [aRun(e), aRun(e)];
      await t.store.runs.insert(second);
      await t.store.runs.insert(first);
      expect((await t.store.runs.claim('w', LEASE, T0_MS))?.id).toBe(first.id);
    });

    it('never hands a run under a live lease to anyone, its owner included', async () => {
      const { run } = await aClaimedRun(t.store, 'worker-a');
      expect(await t.store.runs.claim('worker-b', LEASE, run.lease_expires_at! - 1)).toBeUndefined();
      expect(await t.store.runs.claim('worker-a', LEASE, run.lease_expires_at! - 1)).toBeUndefined();
    });

    it('hands a run whose lease expired to another worker, keeping what was tallied', async () => {
      const { run } = await aClaimedRun(t.store, 'worker-a');
      await t.store.runs.commitBatch(run.id, 'worker-a', [aGradedItem(run, 0), aGradedItem(run, 1, 'failed')], T0 + 1);
      const later = run.lease_expires_at! + 1;
      const reclaimed = await t.store.runs.claim('worker-b', LEASE, later);
      expect(reclaimed).toMatchObject({ id: run.id, status: 'in_progress', lease_owner: 'worker-b', lease_expires_at: later + LEASE });
      expect(reclaimed!.counts).toEqual({ total: 2, passed: 1, failed: 1, errored: 0 });
      expect(reclaimed!.per_criteria).toEqual({ 'exact-label-0f3a': { passed: 1, failed: 1 }, 'polite-9c21': { passed: 1, failed: 1 } });
      expect(await t.store.runs.doneRows(run.id)).toEqual(new Set([0, 1]));
    });

    it('renews only its owner’s lease, and tells the owner when the run was canceled or deleted', async () => {
      const { evalRecord: e, run } = await aClaimedRun(t.store, 'worker-a');
      const until = run.lease_expires_at! + LEASE;
      expect(await t.store.runs.renewLease(run.id, 'worker-a', until)).toBe('in_progress');
      expect((await t.store.runs.byId(run.id))!.lease_expires_at).toBe(until);
      expect(await t.store.runs.claim('worker-b', LEASE, until - 1)).toBeUndefined();

      expect(await t.store.runs.renewLease(run.id, 'worker-b', until + LEASE)).toBeUndefined();
      expect((await t.store.runs.byId(run.id))!.lease_expires_at).toBe(until);

      await t.store.runs.cancel(e.project, e.id, run.id, T0 + 5);
      expect(await t.store.runs.renewLease(run.id, 'worker-a', until + LEASE)).toBe('canceled');
      await t.store.runs.delete(e.project, e.id, run.id);
      expect(await t.store.runs.renewLease(run.id, 'worker-a', until + LEASE)).toBeUndefined();
    });

    it('reports a lost lease to the worker that lost it', async () => {
      const { run } = await aClaimedRun(t.store, 'worker-a');
      await t.store.runs.claim('worker-b', LEASE, run.lease_expires_at! + 1);
      expect(await t.store.runs.renewLease(run.id, 'worker-a', run.lease_expires_at! + LEASE)).toBeUndefined();
      expect((await t.store.runs.byId(run.id))!.lease_owner).toBe('worker-b');
    });

    it('finishes a run only for its owner and only while it is in progress', async () => {
      const { evalRecord: e, run } = await aClaimedRun(t.store, 'worker-a');
      expect(await t.store.runs.finish(run.id, 'worker-b', 'completed', null, T0 + 9)).toBe(false);
      expect(await t.store.runs.byId(run.id)).toEqual(run);

      expect(await t.store.runs.finish(run.id, 'worker-a', 'completed', null, T0 + 10)).toBe(true);
      const finished = await t.store.runs.get(e.project, e.id, run.id);
      expect(finished).toEqual({ ...run, status: 'completed', updated_at: T0 + 10, lease_owner: null, lease_expires_at: null });
      expect(await t.store.runs.finish(run.id, 'worker-a', 'failed', { code: 'x', message: 'late' }, T0 + 11)).toBe(false);
      expect(await t.store.runs.claim('worker-b', LEASE, run.lease_expires_at! + 1)).toBeUndefined();
    });

    it('records a failure with its error, and refuses to finish a canceled run', async () => {
      const { evalRecord: e, run } = await aClaimedRun(t.store, 'worker-a');
      const error = { code: 'invalid_file', message: 'Line 7 of file-abc is not valid JSON' };
      expect(await t.store.runs.finish(run.id, 'worker-a', 'failed', error, T0 + 10)).toBe(true);
      expect(await t.store.runs.byId(run.id)).toMatchObject({ status: 'failed', error });

      const second = aRun(e);
      await t.store.runs.insert(second);
      await t.store.runs.claim('worker-a', LEASE, T0_MS);
      await t.store.runs.cancel(e.project, e.id, second.id, T0 + 20);
      expect(await t.store.runs.finish(second.id, 'worker-a', 'completed', null, T0 + 21)).toBe(false);
      expect(await t.store.runs.byId(second.id)).toMatchObject({ status: 'canceled', error: null });
    });

    it('releases a lease for anyone to resume at once, and ignores a release by someone else', async () => {
      const { run } = await aClaimedRun(t.store, 'worker-a');
      await t.store.runs.release(run.id, 'worker-b');
      expect((await t.store.runs.byId(run.id))!.lease_owner).toBe('worker-a');

      await t.store.runs.release(run.id, 'worker-a');
      expect(await t.store.runs.byId(run.id)).toEqual({ ...run, lease_owner: null, lease_expires_at: null });
      const resumed = await t.store.runs.claim('worker-b', LEASE, T0_MS + 1);
      expect(resumed).toMatchObject({ id: run.id, status: 'in_progress', lease_owner: 'worker-b' });
    });
  });
}
