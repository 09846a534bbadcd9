import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/index.js';
import { ProviderError } from '../providers/provider.js';
import { ProviderRouter } from '../providers/registry.js';
import { abortableSleep, Limiter, type RetryPolicy } from './limiter.js';

let fake: FakeUpstream;
const routers: ProviderRouter[] = [];

beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(async () => {
  await fake.close();
});
afterEach(async () => {
  await Promise.all(routers.splice(0).map((r) => r.close()));
  fake.stats.reset();
});

/** A router to the fake; `delays` records every backoff the limiter chose. */
function setup(env: Record<string, string> = {}, retry: Partial<RetryPolicy> = {}, url = fake.url) {
  const delays: number[] = [];
  const router = ProviderRouter.fromEnv(
    { OPENAI_BASE_URL: url, OPENAI_API_KEY: 'sk-limiter-test', ...env },
    { retry: { baseDelayMs: 5, sleep: (ms, signal) => (delays.push(ms), abortableSleep(Math.min(ms, 20), signal)), ...retry } },
  );
  routers.push(router);
  const ask = (prompt: string, signal = new AbortController().signal) =>
    router.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] }, signal);
  return { router, ask, delays };
}

const rejection = async (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e);

describe('Limiter retries (against the fake upstream)', () => {
  it('retries 429s and waits what retry-after-ms says', async () => {
    const { ask, delays } = setup({}, { baseDelayMs: 10_000 });
    const completion = await ask('hello [[fake:429x2;retry-after-ms=7]]');
    expect(completion.choices[0]?.message.content).toBe('hello');
    expect(fake.stats.byStatus['429']).toBe(2);
    expect(delays).toEqual([7, 7]);
  });

  it('honours retry-after in seconds when there is no retry-after-ms', async () => {
    const { ask, delays } = setup();
    await ask('x [[fake:429x1;retry-after=2]]');
    expect(delays).toEqual([2000]);
  });

  it('retries 500s and dropped connections with jittered exponential backoff', async () => {
    const { ask, delays } = setup({}, { baseDelayMs: 8, random: () => 1 });
    const completion = await ask('flaky [[fake:500x2;dropx1]]');
    expect(completion.choices[0]?.message.content).toBe('flaky');
    expect(fake.stats.byStatus['500']).toBe(2);
    expect(fake.stats.byStatus.drop).toBe(1);
    expect(delays).toEqual([8, 16, 32]);
  });

  it('caps every wait at maxDelayMs, whatever the server or the exponent says', async () => {
    const { ask, delays } = setup({}, { baseDelayMs: 1000, maxDelayMs: 25, random: () => 0.999 });
    await ask('slow down [[fake:429x2;retry-after=3600]]');
    await ask('and again [[fake:503x4]]');
    expect(delays).toHaveLength(6);
    expect(Math.max(...delays)).toBeLessThanOrEqual(25);
  });

  it('gives up after maxRetries with the last classified failure', async () => {
    const { ask } = setup({}, { maxRetries: 2 });
    const err = await rejection(ask('never [[fake:500]]'));
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: 'transient', code: 'upstream_server_error', attempts: 3 });
    expect(fake.stats.requests).toBe(3);
  });

  it('does not retry a fatal 4xx', async () => {
    const { ask } = setup();
    const err = await rejection(ask('bad [[fake:400]]'));
    expect(err).toMatchObject({ kind: 'fatal', status: 400 });
    expect(fake.stats.requests).toBe(1);
  });

  it('times a call out after the provider timeout and retries it', async () => {
    const { ask } = setup({ EVALD_TIMEOUT_MS: '150' });
    const completion = await ask('patience [[fake:delay=2000x1]]');
    expect(completion.choices[0]?.message.content).toBe('patience');
    expect(fake.stats.requests).toBe(2);
  });

  it('reports a timeout once the (small) timeout budget is spent', async () => {
    const { ask } = setup({ EVALD_TIMEOUT_MS: '100' }, { maxTimeoutRetries: 1 });
    const err = await rejection(ask('never in time [[fake:delay=2000]]'));
    expect(err).toMatchObject({ kind: 'timeout', code: 'timeout', attempts: 2 });
  });
});

describe('Limiter concurrency', () => {
  it('never has more calls in flight than the provider allows', async () => {
    const slow = await startFakeUpstream({ latencyMs: 20, jitterMs: 10 });
    try {
      const { ask } = setup({ EVALD_CONCURRENCY: '4' }, {}, slow.url);
      await Promise.all(Array.from({ length: 40 }, (_, i) => ask(`q${i}`)));
      expect(slow.stats.requests).toBe(40);
      expect(slow.stats.maxInFlight).toBeLessThanOrEqual(4);
      expect(slow.stats.maxInFlight).toBeGreaterThan(1);
    } finally {
      await slow.close();
    }
  });

  it('halves its bound on 429s, then grows back after successes', async () => {
    const slow = await startFakeUpstream({ latencyMs: 40 });
    try {
      const { router, ask } = setup({ EVALD_CONCURRENCY: '8' }, { maxRetries: 0 }, slow.url);
      const limiter = router.limiterFor('gpt-4o-mini');
      // A burst of 8 concurrent 429s halves the bound once (8 → 4), not eight times.
      await Promise.allSettled(Array.from({ length: 8 }, (_, i) => ask(`burst ${i} [[fake:429]]`)));
      expect(limiter.limit).toBe(4);

      slow.stats.reset();
      await Promise.all(Array.from({ length: 12 }, (_, i) => ask(`after ${i}`)));
      expect(slow.stats.maxInFlight).toBeLessThanOrEqual(6);

      for (let round = 0; round < 6; round += 1) await Promise.all(Array.from({ length: 16 }, (_, i) => ask(`recover ${round} ${i}`)));
      expect(limiter.limit).toBe(8);
      slow.stats.reset();
      await Promise.all(Array.from({ length: 32 }, (_, i) => ask(`full ${i}`)));
      expect(slow.stats.maxInFlight).toBe(8);
    } finally {
      await slow.close();
    }
  });
});

describe('Limiter cancellation', () => {
  it('aborts a call in flight promptly with the signal reason', async () => {
    const { ask } = setup();
    const controller = new AbortController();
    const started = Date.now();
    const pending = rejection(ask('hang [[fake:delay=10000]]', controller.signal));
    setTimeout(() => controller.abort(new Error('run canceled')), 50);
    const err = await pending;
    expect((err as Error).message).toBe('run canceled');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('aborts queued calls and backoff waits promptly', async () => {
    const { ask } = setup({ EVALD_CONCURRENCY: '1' }, { sleep: abortableSleep });
    const controller = new AbortController();
    const started = Date.now();
    const calls = [
      rejection(ask('hold the slot [[fake:delay=10000]]', controller.signal)),
      rejection(ask('queued', controller.signal)),
      rejection(ask('backing off [[fake:429;retry-after-ms=10000]]', controller.signal)),
    ];
    setTimeout(() => controller.abort(new Error('stop')), 50);
    const errors = await Promise.all(calls);
    expect(errors.map((e) => (e as Error).message)).toEqual(['stop', 'stop', 'stop']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('rejects at once when the signal is already aborted, without calling upstream', async () => {
    const { ask } = setup();
    const err = await rejection(ask('never sent', AbortSignal.abort(new Error('already'))));
    expect((err as Error).message).toBe('already');
    expect(fake.stats.requests).toBe(0);
  });

  it('lets the remaining work proceed after one caller aborts its queued call', async () => {
    const limiter = new Limiter(1);
    const release: Array<() => void> = [];
    const hold = () => new Promise<string>((resolve) => release.push(() => resolve('done')));
    const first = limiter.run(hold, new AbortController().signal);
    const controller = new AbortController();
    const aborted = rejection(limiter.run(hold, controller.signal));
    const third = limiter.run(async () => 'third', new AbortController().signal);
    controller.abort(new Error('gone'));
    expect(((await aborted) as Error).message).toBe('gone');
    release[0]!();
    expect(await first).toBe('done');
    expect(await third).toBe('third');
    expect(limiter.active).toBe(0);
    expect(limiter.queued).toBe(0);
  });
});

describe('Limiter.resize', () => {
  it('lowers the bound at once and raises it at once when no rate limit had lowered it', async () => {
    const limiter = new Limiter(16);
    limiter.resize(8);
    expect([limiter.max, limiter.limit]).toEqual([8, 8]);
    const never = new AbortController().signal;
    const held: Array<() => void> = [];
    const calls = Array.from({ length: 12 }, () => limiter.run(() => new Promise<void>((r) => held.push(r)), never));
    await new Promise((r) => setImmediate(r));
    expect([limiter.active, limiter.queued]).toEqual([8, 4]);
    limiter.resize(16);
    await new Promise((r) => setImmediate(r));
    expect([limiter.active, limiter.queued]).toEqual([12, 0]);
    for (const release of held) release();
    await Promise.all(calls);
  });
});
