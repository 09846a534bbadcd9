import { describe, expect, it } from 'vitest';
import type { StoreUnderTest } from '../store.contract.js';
import { aKey, aProject, T0 } from './factories.contract.js';

const withoutHash = <T extends { key_hash: string }>({ key_hash: _, ...rest }: T) => rest;

/** API keys: found by hash while active, revoked by id or shown prefix, counted across projects. */
export function keysContract(t: StoreUnderTest): void {
  describe('keys', () => {
    it('finds an active key by its hash and hands out the record without the hash', async () => {
      const key = aKey(aProject(), { name: 'nightly evals' });
      await t.store.keys.insert(key);
      const found = await t.store.keys.findActiveByHash(key.key_hash);
      expect(found).toEqual(withoutHash(key));
      expect(found).not.toHaveProperty('key_hash');
      expect(await t.store.keys.findActiveByHash('0'.repeat(64))).toBeUndefined();
    });

    it('refuses a second key with the same hash', async () => {
      const key = aKey(aProject());
      await t.store.keys.insert(key);
      await expect(t.store.keys.insert({ ...aKey(aProject()), key_hash: key.key_hash })).rejects.toThrow();
    });

    it('lists every key by creation time, revoked ones included', async () => {
      const late = aKey('proj_b', { created_at: T0 + 60, name: null });
      const early = aKey('proj_a', { created_at: T0 });
      await t.store.keys.insert(late);
      await t.store.keys.insert(early);
      await t.store.keys.revoke(early.id, T0 + 90);
      expect(await t.store.keys.list()).toEqual([{ ...withoutHash(early), revoked_at: T0 + 90 }, withoutHash(late)]);
    });

    it('revokes by id: the key stops working, stays listed with revoked_at, and is not revoked twice', async () => {
      const project = aProject();
      const [kept, revoked] = [aKey(project), aKey(project)];
      await t.store.keys.insert(kept);
      await t.store.keys.insert(revoked);
      expect(await t.store.keys.countActive()).toBe(2);

      expect(await t.store.keys.revoke(revoked.id, T0 + 5)).toBe(1);
      expect(await t.store.keys.findActiveByHash(revoked.key_hash)).toBeUndefined();
      expect(await t.store.keys.findActiveByHash(kept.key_hash)).toEqual(withoutHash(kept));
      expect(await t.store.keys.countActive()).toBe(1);
      expect((await t.store.keys.list()).find((k) => k.id === revoked.id)?.revoked_at).toBe(T0 + 5);

      expect(await t.store.keys.revoke(revoked.id, T0 + 9)).toBe(0);
      expect((await t.store.keys.list()).find((k) => k.id === revoked.id)?.revoked_at).toBe(T0 + 5);
      expect(await t.store.keys.revoke('key_unknown', T0 + 9)).toBe(0);
    });

    it('revokes by the prefix shown at creation, only the key that has it', async () => {
      const [a, b] = [aKey(aProject()), aKey(aProject())];
      await t.store.keys.insert(a);
      await t.store.keys.insert(b);
      expect(await t.store.keys.revoke(b.prefix, T0 + 1)).toBe(1);
      expect(await t.store.keys.findActiveByHash(b.key_hash)).toBeUndefined();
      expect(await t.store.keys.findActiveByHash(a.key_hash)).toBeDefined();
    });

    it('counts active keys across projects as a number', async () => {
      expect(await t.store.keys.countActive()).toBe(0);
      for (const project of ['proj_a', 'proj_a', 'proj_b']) await t.store.keys.insert(aKey(project));
      const n = await t.store.keys.countActive();
      expect(n).toBe(3);
      expect(typeof n).toBe('number');
    });
  });
}
