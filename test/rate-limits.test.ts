import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../src/fake-upstream/index.js';
import { startTestServer, waitForRun, type TestServer } from './harness.js';

// Every item costs a sampling call and a score_model judge call against the one budget of the provider.
// `minute` enforces 1,200 RPM and 150,000 TPM as OpenAI does (a minute's bucket, refilled continuously):
// 700 items make 1,400 calls, 200 past the full bucket, so the run must wait for the limit about 10 s.
// `quantised` enforces 1,200 RPM and 60,000 TPM in one-second quanta (20 requests, 1,000 tokens a second),
// as OpenAI may, so that a client that knows nothing has to learn the limit from the headers at once.
let minute: FakeUpstream;
let quantised: FakeUpstream;
beforeAll(async () => {
  minute = await startFakeUpstream({ latencyMs: 20, rpm: 1200, tpm: 150_000 });
  quantised = await startFakeUpstream({ latencyMs: 20, rpm: 1200, tpm: 60_000, rateWindowMs: 1000 });
});
afterAll(async () => { await minute.close(); await quantised.close(); });

let server: TestServer | undefined;
afterEach(async () => { await server?.close(); server = undefined; });

async function judgedRun(s: TestServer, items: number) {
  const ev = await s.client.evals.create({
    name: 'limited',
    data_source_config: { type: 'custom', item_schema: { type: 'object', properties: { q: { type: 'string' } } }, include_sample_schema: true },
    testing_criteria: [{
      type: 'score_model', name: 'judge', model: 'gpt-4o-mini',
      input: [{ role: 'user', content: '[[fake:score=0.8]] Rate {{ sample.output_text }}' }],
    }],
  });
  const run = await s.client.evals.runs.create(ev.id, {
    data_source: {
      type: 'completions', model: 'gpt-4o-mini',
      input_messages: { type: 'template', template: [{ role: 'user', content: 'Say {{ item.q }}' }] },
      sampling_params: { max_completion_tokens: 16 },
      source: { type: 'file_content', content: Array.from({ length: items }, (_, i) => ({ item: { q: `word ${i}` } })) },
    },
  });
  return waitForRun(s.client, ev.id, run.id, 120_000);
}

describe('provider rate limits', () => {
  it('keeps a judged run under a configured RPM/TPM: fewer than 1% of calls are answered 429', async () => {
    server = await startTestServer({ OPENAI_BASE_URL: minute.url, EVALD_RPM: '1200', EVALD_TPM: '150000', EVALD_CONCURRENCY: '32' });
    const started = performance.now();
    const done = await judgedRun(server, 700);
    expect(done.status).toBe('completed');
    expect(done.result_counts).toMatchObject({ total: 700, errored: 0 });
    const calls = minute.stats.requests;
    expect(calls).toBeGreaterThanOrEqual(1400);
    expect((minute.stats.byStatus['429'] ?? 0) / calls).toBeLessThan(0.01);
    // The 200 calls past the bucket came at the limit's pace, not at once.
    expect(performance.now() - started).toBeGreaterThan(9_000);
  });

  it('learns the limits from the upstream headers when none is configured', async () => {
    server = await startTestServer({ OPENAI_BASE_URL: quantised.url, EVALD_CONCURRENCY: '32' });
    const done = await judgedRun(server, 120);
    expect(done.status).toBe('completed');
    expect(done.result_counts).toMatchObject({ total: 120, errored: 0 });
    const calls = quantised.stats.requests;
    expect((quantised.stats.byStatus['429'] ?? 0) / calls).toBeLessThan(0.01);
  });
});

describe('gateway calls and the rate budget', () => {
  it('admits gateway calls by the same budget as runs: past a drained bucket they wait for the limit', async () => {
    const plain = await startFakeUpstream({ latencyMs: 5 });
    try {
      server = await startTestServer({ OPENAI_BASE_URL: plain.url, EVALD_RPM: '30' });
      const ask = (i: number) => server!.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi ${i}` }] });
      const started = performance.now();
      await Promise.all(Array.from({ length: 30 }, (_, i) => ask(i)));
      const drained = performance.now() - started;
      // The bucket held 30 requests and refills one every 2 s: three more need 6 s, less what came back
      // while the first 30 were answered.
      await Promise.all(Array.from({ length: 3 }, (_, i) => ask(30 + i)));
      expect(performance.now() - started).toBeGreaterThan(6_000 - 200);
      expect(drained).toBeLessThan(6_000);
      expect(plain.stats.requests).toBe(33);
    } finally {
      await plain.close();
    }
  });
});
