import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../src/fake-upstream/index.js';
import { startTestServer, waitForRun, type TestServer } from './harness.js';

// The fake enforces 1,200 RPM and 60,000 TPM in one-second quanta (20 requests and 1,000 tokens a second),
// as OpenAI may; every item costs a sampling call and a score_model judge call against that one budget.
const LIMITS = { rpm: 1200, tpm: 60_000, rateWindowMs: 1000 };
const ITEMS = 120;

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream({ latencyMs: 20, ...LIMITS });
});
afterAll(async () => { await fake.close(); });

let server: TestServer | undefined;
afterEach(async () => { await server?.close(); server = undefined; });

async function judgedRun(s: TestServer) {
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
      source: { type: 'file_content', content: Array.from({ length: ITEMS }, (_, i) => ({ item: { q: `word ${i}` } })) },
    },
  });
  return waitForRun(s.client, ev.id, run.id, 120_000);
}

describe('provider rate limits', () => {
  it('keeps a judged run under a configured RPM/TPM: fewer than 1% of calls are answered 429', async () => {
    fake.stats.reset();
    server = await startTestServer({ OPENAI_BASE_URL: fake.url, EVALD_RPM: '1200', EVALD_TPM: '60000', EVALD_CONCURRENCY: '32' });
    const done = await judgedRun(server);
    expect(done.status).toBe('completed');
    expect(done.result_counts).toMatchObject({ total: ITEMS, errored: 0 });
    const calls = fake.stats.requests;
    expect(calls).toBeGreaterThanOrEqual(ITEMS * 2);
    expect((fake.stats.byStatus['429'] ?? 0) / calls).toBeLessThan(0.01);
  });

  it('learns the limits from the upstream headers when none is configured', async () => {
    fake.stats.reset();
    server = await startTestServer({ OPENAI_BASE_URL: fake.url, EVALD_CONCURRENCY: '32' });
    const done = await judgedRun(server);
    expect(done.status).toBe('completed');
    expect(done.result_counts).toMatchObject({ total: ITEMS, errored: 0 });
    const calls = fake.stats.requests;
    expect((fake.stats.byStatus['429'] ?? 0) / calls).toBeLessThan(0.01);
  });
});
