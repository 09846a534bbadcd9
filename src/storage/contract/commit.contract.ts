import { describe, expect, it } from 'vitest';
import type { StoreUnderTest } from '../store.contract.js';
import type { GradedItem, RunRecord } from '../types.js';
import { aClaimedRun, aGradedItem, anEval, aProject, aRun, MODEL, T0 } from './factories.contract.js';

const itemCount = async (t: StoreUnderTest, runId: string) =>
  (await t.store.db.selectFrom('output_items').select('id').where('run_id', '=', runId).execute()).length;

/** commitBatch and doneRows: output items land with their tallies, once, and only under a live lease. */
export function commitContract(t: StoreUnderTest): void {
  describe('commitBatch', () => {
    it('writes the items and adds them to counts, per-criterion results and per-model usage', async () => {
      const { evalRecord: e, run } = await aClaimedRun(t.store);
      const batch = [aGradedItem(run, 0, 'passed'), aGradedItem(run, 1, 'failed'), aGradedItem(run, 2, 'errored')];
      expect(await t.store.runs.commitBatch(run.id, 'worker-a', batch, T0 + 30)).toBe(true);
      const after = await t.store.runs.get(e.project, e.id, run.id);
      expect(after).toMatchObject({ status: 'in_progress', updated_at: T0 + 30, counts: { total: 3, passed: 1, failed: 1, errored: 1 } });
      expect(after!.per_criteria).toEqual({ 'exact-label-0f3a': { passed: 2, failed: 1 }, 'polite-9c21': { passed: 1, failed: 2 } });
      expect(after!.per_model_usage).toEqual({
        [MODEL]: { invocation_count: 3, prompt_tokens: 40 + 41 + 42, completion_tokens: 9, total_tokens: 43 + 44 + 45, cached_tokens: 16 },
        'gpt-4.1-nano': { invocation_count: 3, prompt_tokens: 60, completion_tokens: 3, total_tokens: 63, cached_tokens: 0 },
      });
      const items = await t.store.items.list(e.project, e.id, run.id, { order: 'asc', limit: 10 });
      expect(items.rows).toEqual(batch.map((b) => b.record));
    });

    it('adds a second batch to the first', async () => {
      const { run } = await aClaimedRun(t.store);
      await t.store.runs.commitBatch(run.id, 'worker-a', [aGradedItem(run, 0), aGradedItem(run, 1)], T0 + 1);
      await t.store.runs.commitBatch(run.id, 'worker-a', [aGradedItem(run, 2, 'failed')], T0 + 2);
      const after = await t.store.runs.byId(run.id);
      expect(after!.counts).toEqual({ total: 3, passed: 2, failed: 1, errored: 0 });
      expect(after!.per_criteria!['exact-label-0f3a']).toEqual({ passed: 2, failed: 1 });
      expect(after!.per_model_usage![MODEL]!.invocation_count).toBe(3);
    });

    it('writes and counts a batch bigger than one INSERT statement takes', async () => {
      const { run } = await aClaimedRun(t.store);
      const batch = Array.from({ length: 1203 }, (_, i) => aGradedItem(run, i, i % 3 === 0 ? 'failed' : 'passed'));
      expect(await t.store.runs.commitBatch(run.id, 'worker-a', batch, T0 + 1)).toBe(true);
      expect((await t.store.runs.byId(run.id))!.counts).toEqual({ total: 1203, passed: 802, failed: 401, errored: 0 });
      expect((await t.store.runs.doneRows(run.id)).size).toBe(1203);
    });

    it('skips rows already written (a resumed run) without writing or counting them twice', async () => {
      const { evalRecord: e, run } = await aClaimedRun(t.store);
      const first = [aGradedItem(run, 0), aGradedItem(run, 1, 'failed')];
      await t.store.runs.commitBatch(run.id, 'worker-a', first, T0 + 1);
      // A resumed run grades the rows again under new output item ids; the very same records may come twice too.
      const again = [aGradedItem(run, 1, 'passed'), aGradedItem(run, 2, 'errored'), first[0]!];
      expect(await t.store.runs.commitBatch(run.id, 'worker-a', again, T0 + 2)).toBe(true);
      const after = await t.store.runs.byId(run.id);
      expect(after!.counts).toEqual({ total: 3, passed: 1, failed: 1, errored: 1 });
      expect(after!.per_model_usage![MODEL]!.invocation_count).toBe(3);
      const items = await t.store.items.list(e.project, e.id, run.id, { order: 'asc', limit: 10 });
      expect(items.rows.map((r) => [r.datasource_item_id, r.status])).toEqual([[0, 'pass'], [1, 'fail'], [2, 'fail']]);
    });

    it('counts a row once when one batch carries it twice', async () => {
      const { run } = await aClaimedRun(t.store);
      expect(await t.store.runs.commitBatch(run.id, 'worker-a', [aGradedItem(run, 4), aGradedItem(run, 4, 'failed')], T0 + 1)).toBe(true);
      expect((await t.store.runs.byId(run.id))!.counts).toEqual({ total: 1, passed: 1, failed: 0, errored: 0 });
      expect(await itemCount(t, run.id)).toBe(1);
    });

    it('counts a row once when a batch carries it in two of its INSERT statements', async () => {
      const { evalRecord: e, run } = await aClaimedRun(t.store);
      // 341 rows go as statements of 256, 64, 16, 4 and 1 rows; the last is row 3 again, graded differently.
      const batch = Array.from({ length: 340 }, (_, i) => aGradedItem(run, i, 'passed'));
      batch.push(aGradedItem(run, 3, 'failed'));
      expect(await t.store.runs.commitBatch(run.id, 'worker-a', batch, T0 + 1)).toBe(true);
      expect((await t.store.runs.byId(run.id))!.counts).toEqual({ total: 340, passed: 340, failed: 0, errored: 0 });
      expect(await itemCount(t, run.id)).toBe(340);
      const page = await t.store.items.list(e.project, e.id, run.id, { order: 'asc', limit: 100, status: 'fail' });
      expect(page.rows).toEqual([]);
    });

    it('writes nothing of a batch that fails part way, and keeps working after', async () => {
      const { run: other } = await aClaimedRun(t.store, 'worker-b');
      const taken = aGradedItem(other, 0);
      await t.store.runs.commitBatch(other.id, 'worker-b', [taken], T0 + 1);
      const { run } = await aClaimedRun(t.store, 'worker-a');
      // 600 rows go as statements of 256, 256, 64, 16, 4 and 4 rows: the first two succeed, the third hits
      // another run's item id.
      const batch = Array.from({ length: 600 }, (_, i) => aGradedItem(run, i));
      batch[550] = { ...batch[550]!, record: { ...batch[550]!.record, id: taken.record.id } };
      await expect(t.store.runs.commitBatch(run.id, 'worker-a', batch, T0 + 2)).rejects.toThrow();
      expect(await t.store.runs.doneRows(run.id)).toEqual(new Set());
      expect((await t.store.runs.byId(run.id))!.counts.total).toBe(0);
      expect(await t.store.runs.commitBatch(run.id, 'worker-a', [aGradedItem(run, 0)], T0 + 3)).toBe(true);
      expect(await t.store.runs.doneRows(run.id)).toEqual(new Set([0]));
    });

    type Happening = (t: StoreUnderTest, run: RunRecord) => Promise<unknown>;
    const refusals: Array<[string, Happening]> = [
      ['the run was canceled', (t, r) => t.store.runs.cancel(r.project, r.eval_id, r.id, T0 + 5)],
      ['the run was deleted', (t, r) => t.store.runs.delete(r.project, r.eval_id, r.id)],
      ['its lease lapsed and went to another worker', (t, r) => t.store.runs.claim('worker-b', 60_000, r.lease_expires_at! + 1)],
      ['the run was released', (t, r) => t.store.runs.release(r.id, 'worker-a')],
      ['the run already finished', (t, r) => t.store.runs.finish(r.id, 'worker-a', 'completed', null, T0 + 5)],
    ];
    for (const [why, happen] of refusals) {
      it(`refuses a batch, writing nothing, once ${why}`, async () => {
        const { run } = await aClaimedRun(t.store);
        await t.store.runs.commitBatch(run.id, 'worker-a', [aGradedItem(run, 0)], T0 + 1);
        await happen(t, run);
        const before = await t.store.runs.byId(run.id);
        expect(await t.store.runs.commitBatch(run.id, 'worker-a', [aGradedItem(run, 1), aGradedItem(run, 2)], T0 + 9)).toBe(false);
        expect(await t.store.runs.byId(run.id)).toEqual(before);
        // Only the item written before: a deleted run's stays until its purge, which takes it too.
        expect(await t.store.runs.doneRows(run.id)).toEqual(new Set([0]));
        await t.store.runs.purgeDeleted();
        expect(await t.store.runs.doneRows(run.id)).toEqual(new Set(before ? [0] : []));
      });
    }

    it('refuses a batch for a run never claimed', async () => {
      const e = anEval(aProject());
      await t.store.evals.insert(e);
      const run = aRun(e);
      await t.store.runs.insert(run);
      expect(await t.store.runs.commitBatch(run.id, 'worker-a', [aGradedItem(run, 0)], T0)).toBe(false);
      expect(await t.store.runs.byId(run.id)).toEqual(run);
      expect(await itemCount(t, run.id)).toBe(0);
    });
  });

  describe('doneRows', () => {
    it('is the set of source rows of this run that have an output item', async () => {
      const { evalRecord: e, run } = await aClaimedRun(t.store);
      const other = aRun(e);
      await t.store.runs.insert(other);
      const otherClaimed = await t.store.runs.claim('worker-b', 60_000, run.lease_expires_at! - 1);
      expect(otherClaimed?.id).toBe(other.id);
      expect(await t.store.runs.doneRows(run.id)).toEqual(new Set());
      const rows: GradedItem[] = [7, 0, 3].map((i) => aGradedItem(run, i));
      await t.store.runs.commitBatch(run.id, 'worker-a', rows, T0 + 1);
      await t.store.runs.commitBatch(other.id, 'worker-b', [aGradedItem(otherClaimed!, 5)], T0 + 1);
      expect(await t.store.runs.doneRows(run.id)).toEqual(new Set([0, 3, 7]));
      expect(await t.store.runs.doneRows(other.id)).toEqual(new Set([5]));
    });
  });
}
