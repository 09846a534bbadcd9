import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSqlite, type Store } from '../storage/index.js';
import { KeysService } from './keys.js';

describe('KeysService.projectOf', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'evald-keys-'));
    store = openSqlite(join(dir, 'keys.sqlite'));
    await store.migrate();
  });

  afterEach(async () => {
    vi.useRealTimers();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a key revoked through the service at once', async () => {
    const keys = new KeysService(store);
    const made = await keys.create('alpha');
    expect(await keys.projectOf(made.key)).toBe('alpha');
    expect(await keys.revoke(made.id)).toBe(1);
    expect(await keys.projectOf(made.key)).toBeUndefined();
  });

  it('accepts a key made through the service at once, even one looked up (and unknown) a moment before', async () => {
    const keys = new KeysService(store);
    expect(await keys.projectOf('sk-evald-not-made-yet')).toBeUndefined();
    const made = await keys.create('beta');
    expect(await keys.projectOf(made.key)).toBe('beta');
  });

  it('refuses a key revoked by another process within a second', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const keys = new KeysService(store);
    const made = await keys.create('gamma');
    expect(await keys.projectOf(made.key)).toBe('gamma');
    // Another process (`evald keys revoke`) writes the store directly; this service is not told.
    await new KeysService(store).revoke(made.id);
    vi.advanceTimersByTime(500);
    expect(await keys.projectOf(made.key)).toBe('gamma');
    vi.advanceTimersByTime(600);
    expect(await keys.projectOf(made.key)).toBeUndefined();
  });
});
