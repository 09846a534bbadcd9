import { afterEach, expect, it } from 'vitest';
import { pino } from 'pino';
import { KeysService } from '../../src/services/keys.js';
import { openStore } from '../../src/storage/index.js';
import { postgresBackend } from '../../src/storage/contract/postgres-backend.contract.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { tempDir } from '../harness.js';
import { describeEachBackend, envelopeOf } from './backends.js';

describeEachBackend('open local mode is decided safely', (backend) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A store location for this backend, and a server on it listening on HOST. */
  async function location(): Promise<Record<string, string>> {
    if (backend === 'sqlite') {
      const tmp = tempDir('evald-open-mode-');
      cleanups.push(tmp.remove);
      return { EVALD_DB: `${tmp.dir}/evald.sqlite` };
    }
    const pg = await postgresBackend('open-mode.test.ts');
    // PGlite in memory cannot be shared between a key-making store and a server: a directory can.
    if (pg.kind === 'pglite') {
      await pg.dispose();
      const tmp = tempDir('evald-open-mode-pglite-');
      cleanups.push(tmp.remove);
      return { DATABASE_URL: `pglite://${tmp.dir}/db` };
    }
    cleanups.push(() => pg.dispose());
    return { DATABASE_URL: pg.serverUrl };
  }
  async function serve(env: Record<string, string>, host: string): Promise<RunningServer> {
    const server = await startServer({ ...env, PORT: '0', HOST: host, EVALD_WORKER: '0', OPENAI_API_KEY: 'sk-x' }, pino({ level: 'silent' }));
    cleanups.push(() => server.close());
    return server;
  }
  async function makeKey(env: Record<string, string>): Promise<string> {
    const store = await openStore(env);
    try {
      return (await new KeysService(store).create('alpha')).key;
    } finally {
      await store.close();
    }
  }
  const status = async (server: RunningServer, bearer: string) => {
    const res = await fetch(`http://127.0.0.1:${server.port}/v1/evals`, { headers: { authorization: `Bearer ${bearer}` } });
    const envelope = res.status === 401 ? await envelopeOf(res) : (await res.body?.cancel(), null);
    if (res.status === 401) expect(envelope).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
    return res.status;
  };

  it('never falls back to accepting any bearer once the last key is revoked, on a server bound beyond loopback', async () => {
    const env = await location();
    const key = await makeKey(env);
    const server = await serve(env, '0.0.0.0');
    expect(server.url).toContain('0.0.0.0');
    expect(await status(server, key)).toBe(200);
    expect(await status(server, 'sk-stranger')).toBe(401);
    await server.services.keys.revoke(key.slice(0, 14));
    // The open-mode answer is cached for a second; wait it out so a stale cache cannot pass for the fix.
    await new Promise((r) => setTimeout(r, 1100));
    expect(await status(server, 'sk-stranger')).toBe(401);
    expect(await status(server, key)).toBe(401);
  });

  it('refuses open mode on a non-loopback address even if every key row were removed by hand', async () => {
    const env = await location();
    await makeKey(env);
    const server = await serve(env, '0.0.0.0');
    await server.store.db.deleteFrom('api_keys').execute();
    await new Promise((r) => setTimeout(r, 1100));
    expect(await status(server, 'sk-stranger')).toBe(401);
  });

  it('starts open on loopback only, and closes for good once a key exists, even after it is revoked', async () => {
    const env = await location();
    const server = await serve(env, '0.0.0.0');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect(await status(server, 'sk-anything')).toBe(200);
    const key = await server.services.keys.create('alpha');
    expect(await status(server, 'sk-anything')).toBe(401);
    await server.services.keys.revoke(key.id);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await status(server, 'sk-anything')).toBe(401);
  });
});
