import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { startFakeUpstream } from '../src/fake-upstream/index.js';
import { createModelLayer, createRunEngine } from '../src/services/index.js';
import { postgresBackend } from '../src/storage/contract/postgres-backend.contract.js';
import { anEval, aProject, aRun } from '../src/storage/contract/factories.contract.js';
import type { Store } from '../src/storage/index.js';
import type { RunEngine } from '../src/engine/run-engine.js';
import { waitFor } from './harness.js';

// One run shared by two engines of this process on one PostgreSQL database (PGlite where no server is
// reachable, which two processes could not share: test/shared-run.test.ts has the two processes). One
// engine freezes mid-run, as a process stopped by SIGSTOP or a partitioned machine would: every call to
// its store hangs, so it renews nothing and commits nothing more.
const backend = await postgresBackend('shared-run-engines.test.ts');
const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close().catch(() => {});
  await backend.dispose();
});

/** A view of `store` whose repositories' calls never answer once frozen. */
function freezable(store: Store): { store: Store; freeze: () => void } {
  let frozen = false;
  const hang = new Promise<never>(() => {});
  const repos = new Map<PropertyKey, unknown>();
  const wrap = (repo: object) => new Proxy(repo, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (...args: unknown[]) => (frozen ? hang : (value as (...a: unknown[]) => unknown).apply(target, args)) : value;
    },
  });
  const view = new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (key === 'db' || typeof value !== 'object' || value === null) return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      if (!repos.has(key)) repos.set(key, wrap(value));
      return repos.get(key);
    },
  });
  return { store: view, freeze: () => { frozen = true; } };
}

describe(`one run, two engines, on ${backend.description}`, () => {
  it('is shared by both, and finished by the one left when the other freezes, with nothing lost or duplicated', async () => {
    const fake = await startFakeUpstream({ latencyMs: 20 });
    const env = { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'sk-fake', EVALD_LEASE_MS: '1500', EVALD_SEGMENT_ROWS: '30', EVALD_CONCURRENCY: '4', EVALD_ITEM_CONCURRENCY: '8' };
    const config = loadConfig(env);
    const log = pino({ level: 'silent' });
    const [storeA, storeB, reader] = [await backend.open(4), await backend.open(4), await backend.open(2)];
    stores.push(storeA, storeB, reader);
    await storeA.migrate();
    const a = freezable(storeA);
    const engines: RunEngine[] = [a.store, storeB].map((s) => createRunEngine(s, config, log, createModelLayer(log, env)));
    try {
      const n = 600;
      const e = anEval(aProject(), {
        created_at: Math.floor(Date.now() / 1000),
        testing_criteria: [{ id: 'exact', type: 'string_check', name: 'exact', input: '{{sample.output_text}}', reference: '{{item.ticket}}', operation: 'eq' }],
      });
      await reader.evals.insert(e);
      const content = Array.from({ length: n }, (_, i) => ({ item: { ticket: `ticket ${i}`, label: 'x' } }));
      const run = aRun(e, {
        created_at: Math.floor(Date.now() / 1000),
        data_source: {
          type: 'completions', model: 'gpt-4o-mini', source: { type: 'file_content', content },
          input_messages: { type: 'template', template: [{ role: 'user', content: '{{item.ticket}}' }] },
        },
      });
      await reader.runs.insert(run);
      engines[0]!.start();
      const byWorker = async () => {
        const rows = await reader.db.selectFrom('output_items').select('worker').select((eb) => eb.fn.countAll().as('n'))
          .where('run_id', '=', run.id).groupBy('worker').execute();
        return new Map(rows.map((r) => [r.worker, Number(r.n)]));
      };
      // The first engine leads; the second joins it (its first poll) and takes segments of its own.
      await waitFor(async () => ((await reader.runs.byId(run.id))?.counts.total ?? 0) > 0 || undefined, 20_000, 'the lead to start');
      engines[1]!.start();
      await waitFor(async () => {
        const by = await byWorker();
        return (by.get(engines[0]!.owner) ?? 0) >= 30 && (by.get(engines[1]!.owner) ?? 0) >= 30 ? true : undefined;
      }, 20_000, 'both engines to make items');
      a.freeze();

      const done = await waitFor(async () => {
        const r = await reader.runs.byId(run.id);
        return r?.status === 'completed' ? r : undefined;
      }, 60_000, 'the other engine to complete the run');
      expect(done.counts).toEqual({ total: n, passed: n, failed: 0, errored: 0 });
      const rows = await reader.db.selectFrom('output_items').select('datasource_item_id').where('run_id', '=', run.id).execute();
      expect(rows).toHaveLength(n);
      expect(new Set(rows.map((r) => Number(r.datasource_item_id))).size).toBe(n);
      const by = await byWorker();
      expect(by.get(engines[0]!.owner)).toBeGreaterThan(0);
      expect(by.get(engines[1]!.owner)).toBeGreaterThan(0);
      expect(await reader.runs.segmentsLeft(run.id)).toBe(0);
    } finally {
      await Promise.race([Promise.all(engines.map((x) => x.stop())), new Promise((r) => setTimeout(r, 2000))]);
      await fake.close();
    }
  }, 90_000);
});
