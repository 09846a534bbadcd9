import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import OpenAI from 'openai';
import { startFakeUpstream } from '../src/fake-upstream/index.js';
import { postgresBackend } from '../src/storage/contract/postgres-backend.contract.js';
import type { Store } from '../src/storage/index.js';
import { simpleEval, spawnServer, waitFor } from './harness.js';

// One run shared by two worker processes on one PostgreSQL database, one provider limit between them.
// Two processes need a server both can reach; where no PostgreSQL server is reachable, the same run is
// shared by two engines in one process on PGlite (test/shared-run-pglite.test.ts).
const backend = await postgresBackend('shared-run.test.ts');
const children: ChildProcess[] = [];
let db: Store | undefined;
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await db?.close();
  await backend.dispose();
});

const RPM = 30_000;
const env = (upstream: string) => ({
  DATABASE_URL: backend.serverUrl, OPENAI_BASE_URL: upstream, OPENAI_API_KEY: 'sk-fake',
  EVALD_LEASE_MS: '1500', EVALD_SEGMENT_ROWS: '40', EVALD_CONCURRENCY: '8', EVALD_RPM: String(RPM),
});
const client = (url: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-local', maxRetries: 0 });
const rows = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ item: { question: `${tag} ${i}`, expected: `${tag} ${i}` } }));
const sampled = (n: number, tag: string) => ({
  type: 'completions' as const, model: 'gpt-4o-mini',
  input_messages: { type: 'template' as const, template: [{ role: 'user' as const, content: '{{ item.question }}' }] },
  source: { type: 'file_content' as const, content: rows(n, tag) },
});

/** Output items of a run per worker process id (the `worker` column holds host:pid:random). */
async function itemsByPid(runId: string): Promise<Map<number, number>> {
  db ??= await backend.open(2);
  const found = await db.db.selectFrom('output_items').select(['worker']).select((eb) => eb.fn.countAll().as('n'))
    .where('run_id', '=', runId).groupBy('worker').execute();
  return new Map(found.map((r) => [Number(String(r.worker).split(':')[1]), Number(r.n)]));
}

describe.runIf(backend.kind === 'postgres')(`one run, two worker processes, on ${backend.description}`, () => {
  it('is shared by both; a worker killed mid-run loses and duplicates nothing; a cancel stops both within a second', async () => {
    const fake = await startFakeUpstream({ latencyMs: 40, rpm: RPM });
    try {
      const a = await spawnServer(env(fake.url));
      const b = await spawnServer(env(fake.url));
      children.push(a.child, b.child);
      const ev = await client(a.url).evals.create(simpleEval('shared'));
      const n = 1200;
      const run = await client(a.url).evals.runs.create(ev.id, { data_source: sampled(n, 'row') });

      // Both processes make items of the one run, then the one leading it dies.
      await waitFor(async () => {
        const by = await itemsByPid(run.id);
        return (by.get(a.child.pid!) ?? 0) >= 40 && (by.get(b.child.pid!) ?? 0) >= 40 ? by : undefined;
      }, 30_000, 'both workers to make items');
      a.child.kill('SIGKILL');
      await new Promise((r) => a.child.once('exit', r));

      const done = await waitFor(async () => {
        const r = await client(b.url).evals.runs.retrieve(run.id, { eval_id: ev.id });
        return r.status === 'completed' ? r : undefined;
      }, 60_000, 'the surviving worker to complete the run');
      expect(done.result_counts).toEqual({ total: n, passed: n, failed: 0, errored: 0 });
      const ids = new Set<number>();
      let listed = 0;
      for await (const item of client(b.url).evals.runs.outputItems.list(run.id, { eval_id: ev.id, limit: 100 })) {
        ids.add(item.datasource_item_id);
        listed += 1;
        expect(item).not.toHaveProperty('worker');
      }
      expect(listed).toBe(n);
      expect(ids.size).toBe(n);
      const by = await itemsByPid(run.id);
      expect([...by.values()].reduce((x, y) => x + y, 0)).toBe(n);
      expect(by.get(a.child.pid!)).toBeGreaterThan(0);
      expect(by.get(b.child.pid!)).toBeGreaterThan(by.get(a.child.pid!)!);
      // The shared limit held: almost no call was refused.
      expect((fake.stats.byStatus['429'] ?? 0) / fake.stats.requests).toBeLessThan(0.01);

      // A cancel reaches both workers of a shared run within a second.
      const c = await spawnServer(env(fake.url));
      children.push(c.child);
      const big = await client(c.url).evals.runs.create(ev.id, { data_source: sampled(20_000, 'big') });
      await waitFor(async () => {
        const by2 = await itemsByPid(big.id);
        return (by2.get(b.child.pid!) ?? 0) > 0 && (by2.get(c.child.pid!) ?? 0) > 0 ? true : undefined;
      }, 30_000, 'both workers to make items of the second run');
      await client(b.url).evals.runs.cancel(big.id, { eval_id: ev.id });
      const canceledAt = performance.now();
      await new Promise((r) => setTimeout(r, 1200));
      const calls = fake.stats.requests;
      const committed = (await client(b.url).evals.runs.retrieve(big.id, { eval_id: ev.id })).result_counts.total;
      await new Promise((r) => setTimeout(r, 1500));
      expect(fake.stats.requests).toBe(calls);
      const after = await client(c.url).evals.runs.retrieve(big.id, { eval_id: ev.id });
      expect(after.status).toBe('canceled');
      expect(after.result_counts.total).toBe(committed);
      expect(committed).toBeLessThan(20_000);
      expect(performance.now() - canceledAt).toBeLessThan(10_000);
    } finally {
      await fake.close();
    }
  }, 120_000);
});
