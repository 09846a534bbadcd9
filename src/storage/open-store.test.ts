import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, storeIsShareable } from './index.js';
import { aKey, aProject } from './contract/factories.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'evald-open-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openStore', () => {
  it('opens the SQLite file EVALD_DB when DATABASE_URL is unset or empty', async () => {
    const store = await openStore({ DATABASE_URL: '', EVALD_DB: join(dir, 'sqlite', 'evald.sqlite') });
    expect([store.dialect, store.description]).toEqual(['sqlite', `sqlite:${join(dir, 'sqlite', 'evald.sqlite')}`]);
    expect(await store.keys.countActive()).toBe(0);
    await store.close();
  });

  it('opens an in-memory PGlite for pglite://, migrated, speaking the postgres dialect', async () => {
    const store = await openStore({ DATABASE_URL: 'pglite://' });
    expect([store.dialect, store.description]).toEqual(['postgres', 'pglite:memory']);
    expect(await store.keys.countActive()).toBe(0);
    await store.close();
  });

  it('keeps a PGlite directory (pglite:///path) across a close and a reopen', async () => {
    const pgdir = join(dir, 'pglite');
    const key = aKey(aProject());
    const first = await openStore({ DATABASE_URL: `pglite://${pgdir}` });
    expect(first.description).toBe(`pglite:${pgdir}`);
    await first.keys.insert(key);
    await first.close();
    expect(readdirSync(pgdir)).toContain('PG_VERSION');

    const second = await openStore({ DATABASE_URL: `pglite://${pgdir}` });
    expect(await second.keys.findActiveByHash(key.key_hash)).toMatchObject({ id: key.id, project: key.project });
    await second.close();
  });

  it('refuses a DATABASE_URL it does not know rather than quietly using SQLite', async () => {
    await expect(openStore({ DATABASE_URL: 'mysql://root@localhost/evald', EVALD_DB: join(dir, 'never.sqlite') }))
      .rejects.toThrow(/DATABASE_URL must start with postgres:\/\/, postgresql:\/\/ or pglite:\/\//);
    expect(readdirSync(dir)).not.toContain('never.sqlite');
  });
});

describe('storeIsShareable', () => {
  it('is true where a second connection sees the same data: a SQLite file, PostgreSQL', () => {
    expect(storeIsShareable({})).toBe(true);
    expect(storeIsShareable({ EVALD_DB: '/tmp/x.sqlite', DATABASE_URL: '' })).toBe(true);
    expect(storeIsShareable({ DATABASE_URL: 'postgres://127.0.0.1/evald' })).toBe(true);
    expect(storeIsShareable({ DATABASE_URL: 'postgresql://127.0.0.1/evald' })).toBe(true);
  });
  it('is false for SQLite :memory: and PGlite, which live inside their connection', () => {
    expect(storeIsShareable({ EVALD_DB: ':memory:' })).toBe(false);
    expect(storeIsShareable({ DATABASE_URL: 'pglite://' })).toBe(false);
    expect(storeIsShareable({ DATABASE_URL: 'pglite:///tmp/pg' })).toBe(false);
  });
});
