import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';
import type { StoreUnderTest } from '../store.contract.js';
import type { PageRequest } from '../types.js';
import { aClaimedRun, aGradedItem, anEval, aProject, aRun, T0 } from './factories.contract.js';

type Order = PageRequest['order'];
type OrderBy = 'created_at' | 'updated_at';

/** Follows `after` cursors page by page; returns the ids in the order served and each page's hasMore. */
async function pageThrough(store: Store, project: string, orderBy: OrderBy, order: Order, limit: number) {
  const ids: string[] = [];
  const hasMore: boolean[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 50; guard++) {
    const page = await store.evals.list(project, { orderBy, order, limit, after });
    ids.push(...page.rows.map((r) => r.id));
    hasMore.push(page.hasMore);
    if (!page.hasMore) return { ids, hasMore };
    after = page.rows.at(-1)!.id;
  }
  throw new Error('pagination did not end');
}

/** Evals: one project's at a time, keyset pages, metadata replaced whole, deletes that take runs along. */
export function evalsContract(t: StoreUnderTest): void {
  describe('evals', () => {
    it('returns an inserted eval as it was given, JSON and numbers intact', async () => {
      const e = anEval(aProject());
      await t.store.evals.insert(e);
      const got = await t.store.evals.get(e.project, e.id);
      expect(got).toEqual(e);
      expect(typeof got!.created_at).toBe('number');
      const bare = anEval(e.project, { metadata: null });
      await t.store.evals.insert(bare);
      expect((await t.store.evals.get(e.project, bare.id))!.metadata).toBeNull();
    });

    it('keeps projects apart', async () => {
      const e = anEval('proj_a');
      await t.store.evals.insert(e);
      await t.store.evals.insert(anEval('proj_b'));
      expect(await t.store.evals.get('proj_b', e.id)).toBeUndefined();
      expect((await t.store.evals.list('proj_b', { orderBy: 'created_at', order: 'asc', limit: 10 })).rows.map((r) => r.project)).toEqual(['proj_b']);
      expect(await t.store.evals.update('proj_b', e.id, { name: 'hijacked' }, T0 + 9)).toBeUndefined();
      expect(await t.store.evals.delete('proj_b', e.id)).toBe(false);
      expect(await t.store.evals.get('proj_a', e.id)).toEqual(e);
    });

    it('pages by id in both directions with has_more only while rows remain', async () => {
      const project = aProject();
      const evals = [0, 1, 2, 3, 4].map((i) => anEval(project, { created_at: T0 + i }));
      for (const e of [...evals].reverse()) await t.store.evals.insert(e);
      const ids = evals.map((e) => e.id);
      expect(await pageThrough(t.store, project, 'created_at', 'asc', 2)).toEqual({ ids, hasMore: [true, true, false] });
      expect(await pageThrough(t.store, project, 'created_at', 'desc', 2)).toEqual({ ids: [...ids].reverse(), hasMore: [true, true, false] });
      // A page that ends exactly at the last row says so.
      expect((await t.store.evals.list(project, { orderBy: 'created_at', order: 'asc', limit: 5 })).hasMore).toBe(false);
      expect((await t.store.evals.list(project, { orderBy: 'created_at', order: 'asc', limit: 4 })).hasMore).toBe(true);
    });

    it('pages by updated_at, ties broken by id, without skipping or repeating a row', async () => {
      const project = aProject();
      const at = [T0 + 300, T0 + 100, T0 + 200, T0 + 200, T0 + 200, T0 + 100];
      const evals = at.map((u) => anEval(project, { updated_at: u }));
      for (const e of evals) await t.store.evals.insert(e);
      const expected = [...evals].sort((a, b) => a.updated_at - b.updated_at || (a.id < b.id ? -1 : 1)).map((e) => e.id);
      for (const limit of [1, 2, 4]) {
        expect((await pageThrough(t.store, project, 'updated_at', 'asc', limit)).ids).toEqual(expected);
        expect((await pageThrough(t.store, project, 'updated_at', 'desc', limit)).ids).toEqual([...expected].reverse());
      }
    });

    it('reads an unknown cursor as documented: a position by id, the beginning by updated_at', async () => {
      const project = aProject();
      const evals = [0, 1, 2, 3].map((i) => anEval(project, { created_at: T0 + i, updated_at: T0 + 10 - i }));
      for (const e of evals) await t.store.evals.insert(e);
      await t.store.evals.delete(project, evals[1]!.id);
      const byId = await t.store.evals.list(project, { orderBy: 'created_at', order: 'asc', limit: 10, after: evals[1]!.id });
      expect(byId.rows.map((r) => r.id)).toEqual([evals[2]!.id, evals[3]!.id]);
      const byUpdate = await t.store.evals.list(project, { orderBy: 'updated_at', order: 'asc', limit: 10, after: evals[1]!.id });
      expect(byUpdate.rows.map((r) => r.id)).toEqual([evals[3]!.id, evals[2]!.id, evals[0]!.id]);
    });

    it('updates the name, replaces metadata whole, clears it with null, and moves updated_at', async () => {
      const e = anEval(aProject(), { metadata: { team: 'support', tier: 'gold' } });
      await t.store.evals.insert(e);
      const renamed = await t.store.evals.update(e.project, e.id, { name: 'Triage v2' }, T0 + 60);
      expect(renamed).toEqual({ ...e, name: 'Triage v2', updated_at: T0 + 60 });
      const replaced = await t.store.evals.update(e.project, e.id, { metadata: { tier: 'silver' } }, T0 + 120);
      expect(replaced).toEqual({ ...e, name: 'Triage v2', metadata: { tier: 'silver' }, updated_at: T0 + 120 });
      expect(await t.store.evals.get(e.project, e.id)).toEqual(replaced);
      expect((await t.store.evals.update(e.project, e.id, { metadata: null }, T0 + 180))!.metadata).toBeNull();
      expect(await t.store.evals.update(e.project, 'eval_missing', { name: 'x' }, T0)).toBeUndefined();
    });

    it('deletes an eval with its runs and their output items, and nothing of another eval', async () => {
      const { evalRecord, run } = await aClaimedRun(t.store);
      await t.store.runs.insert(aRun(evalRecord));
      expect(await t.store.runs.commitBatch(run.id, 'worker-a', [aGradedItem(run, 0), aGradedItem(run, 1)], T0 + 2)).toBe(true);
      const other = anEval(evalRecord.project);
      await t.store.evals.insert(other);
      const otherRun = aRun(other);
      await t.store.runs.insert(otherRun);

      expect(await t.store.evals.delete(evalRecord.project, evalRecord.id)).toBe(true);
      expect(await t.store.evals.get(evalRecord.project, evalRecord.id)).toBeUndefined();
      expect(await t.store.runs.byId(run.id)).toBeUndefined();
      expect((await t.store.runs.list(evalRecord.project, evalRecord.id, { order: 'asc', limit: 10 })).rows).toEqual([]);
      await t.store.runs.purgeDeleted();
      expect(await t.store.db.selectFrom('output_items').select('id').where('eval_id', '=', evalRecord.id).execute()).toEqual([]);
      expect(await t.store.runs.get(other.project, other.id, otherRun.id)).toEqual(otherRun);
      expect(await t.store.evals.delete(evalRecord.project, evalRecord.id)).toBe(false);
    });
  });
}
