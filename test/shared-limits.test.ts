import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Fleet, shareBudgetsThrough } from '../src/services/fleet.js';
import { startFakeUpstream } from '../src/fake-upstream/index.js';
import { ProviderRouter } from '../src/providers/index.js';
import { postgresBackend } from '../src/storage/contract/postgres-backend.contract.js';

// Two "machines" on one PostgreSQL database (two pools; PGlite where no server is reachable), each with its
// own router configured for the provider's whole limit, as every worker of a fleet is. Only the shared
// bucket keeps them from sending twice the limit together.
const backend = await postgresBackend('shared-limits.test.ts');
const machines = [await backend.open(4), await backend.open(4)];
await machines[0]!.migrate();
afterAll(async () => {
  for (const m of machines) await m.close();
  await backend.dispose();
});

const RPM = 1200;
const CALLS_EACH = 700;

describe(`two processes sharing one provider limit on ${backend.description}`, () => {
  it('together stay under the limit (fewer than 1% of calls 429) and run close to it', async () => {
    const fake = await startFakeUpstream({ latencyMs: 5, rpm: RPM });
    const settings = { baseUrl: fake.url, apiKey: 'sk-x', maxConcurrency: 16, timeoutMs: 10_000, embeddingModel: undefined, rpm: RPM };
    const routers = machines.map((store) => {
      const router = new ProviderRouter({ providers: [], defaultProvider: { name: 'default', models: ['**'], ...settings }, embeddingModel: undefined });
      shareBudgetsThrough(router, store);
      return router;
    });
    const signal = new AbortController().signal;
    const started = performance.now();
    const answers = await Promise.all(routers.flatMap((router, m) => Array.from({ length: CALLS_EACH }, (_, i) =>
      router.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `m${m} call ${i}` }], max_completion_tokens: 5 }, signal))));
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(routers.map((r) => r.close()));
    await fake.close();

    expect(answers).toHaveLength(2 * CALLS_EACH);
    const refused = fake.stats.byStatus['429'] ?? 0;
    expect(refused / fake.stats.requests).toBeLessThan(0.01);
    // A minute's worth goes at once (the bucket starts full), the rest at 20 a second: about 10 s at best.
    const floor = ((2 * CALLS_EACH - RPM) * 60) / RPM;
    console.log(`[shared-limits] ${2 * CALLS_EACH} calls in ${seconds.toFixed(2)} s (floor ${floor.toFixed(1)} s), ${refused} answered 429`);
    expect(seconds).toBeGreaterThan(floor * 0.9);
  }, 60_000);
});

describe(`processes splitting one provider's concurrency on ${backend.description}`, () => {
  it('gives each of N live processes 1/N of it, and the whole back when the others leave', async () => {
    const settings = { name: 'default', models: ['**'], baseUrl: 'http://127.0.0.1:9/v1', apiKey: undefined, maxConcurrency: 16, timeoutMs: 1000, embeddingModel: undefined };
    const routers = machines.map(() => new ProviderRouter({ providers: [], defaultProvider: settings, embeddingModel: undefined }));
    const fleets = machines.map((store, i) => new Fleet(store, routers[i]!, `machine-${i}`, pino({ level: 'silent' })));
    await fleets[0]!.start();
    await fleets[1]!.start();
    // The first joined alone; its next beat (within a second) sees the second.
    await new Promise((r) => setTimeout(r, 1300));
    expect(routers.map((r) => r.limiterFor('gpt-4o').max)).toEqual([8, 8]);
    await fleets[1]!.stop();
    await new Promise((r) => setTimeout(r, 1300));
    expect(routers[0]!.limiterFor('gpt-4o').max).toBe(16);
    await fleets[0]!.stop();
    await Promise.all(routers.map((r) => r.close()));
  });
});
