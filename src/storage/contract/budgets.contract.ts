import { describe, expect, it } from 'vitest';
import type { StoreUnderTest } from '../store.contract.js';
import { T0_MS } from './factories.contract.js';

/** Shared rate budgets: a token bucket per provider that takers drain and time refills; live workers. */
export function budgetsContract(t: StoreUnderTest): void {
  describe('provider budgets', () => {
    it("starts a bucket full, grants no more than it holds, and refills it at the limit's rate", async () => {
      const limits = { rpm: 60, tpm: 6000 };
      expect(await t.store.budgets.take('p', limits, { requests: 50, tokens: 1000 }, T0_MS)).toEqual({ requests: 50, tokens: 1000 });
      expect(await t.store.budgets.take('p', limits, { requests: 50, tokens: 1000 }, T0_MS)).toEqual({ requests: 10, tokens: 1000 });
      expect(await t.store.budgets.take('p', limits, { requests: 1, tokens: 0 }, T0_MS)).toEqual({ requests: 0, tokens: 0 });
      // 60 a minute is one a second: 2.5 s bring back two whole requests (the half stays for later).
      expect(await t.store.budgets.take('p', limits, { requests: 5, tokens: 0 }, T0_MS + 2500)).toEqual({ requests: 2, tokens: 0 });
      expect(await t.store.budgets.take('p', limits, { requests: 5, tokens: 0 }, T0_MS + 3000)).toEqual({ requests: 1, tokens: 0 });
      // Never more than a minute's worth, however long the bucket sat unused.
      expect(await t.store.budgets.take('p', limits, { requests: 500, tokens: 50_000 }, T0_MS + 3_600_000)).toEqual({ requests: 60, tokens: 6000 });
    });

    it('keeps providers apart and grants freely on a resource without a limit', async () => {
      await t.store.budgets.take('a', { rpm: 10 }, { requests: 10, tokens: 0 }, T0_MS);
      expect(await t.store.budgets.take('b', { rpm: 10 }, { requests: 3, tokens: 0 }, T0_MS)).toEqual({ requests: 3, tokens: 0 });
      expect(await t.store.budgets.take('a', { rpm: 10 }, { requests: 1, tokens: 99_999 }, T0_MS)).toEqual({ requests: 0, tokens: 99_999 });
    });

    it('grants concurrent takers no more than the bucket holds between them', async () => {
      const grants = await Promise.all(Array.from({ length: 10 }, () => t.store.budgets.take('c', { rpm: 25 }, { requests: 4, tokens: 0 }, T0_MS)));
      expect(grants.reduce((n, g) => n + g.requests, 0)).toBe(25);
    });

    it('counts the workers seen lately, and forgets one that leaves', async () => {
      expect(await t.store.budgets.beat('w1', T0_MS, T0_MS - 5000)).toBe(1);
      expect(await t.store.budgets.beat('w2', T0_MS + 100, T0_MS - 4900)).toBe(2);
      // w1 last beat at T0: ten seconds on, only w2 (beating now) is alive.
      expect(await t.store.budgets.beat('w2', T0_MS + 10_000, T0_MS + 5000)).toBe(1);
      await t.store.budgets.leave('w2');
      expect(await t.store.budgets.beat('w3', T0_MS + 10_000, T0_MS + 5000)).toBe(1);
    });
  });
}
