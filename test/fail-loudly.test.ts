import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../src/fake-upstream/index.js';
import { AGREEING_FAILURES } from '../src/engine/fail-fast.js';
import { captureLog, simpleEval, startTestServer, tempDir, waitFor, waitForRun, type TestServer } from './harness.js';

// A run whose every call is refused for a reason that will not change stops after AGREEING_FAILURES
// agreeing calls and fails, saying which provider, which base URL and which variable holds its key.
// One server, its engine in its own thread (so its log lines come through the relay), three providers:
// the default upstream with a wrong key (401 for any model), "good" with the right key but only
// gpt-4o-mini (404 for others), and "offline", where nobody listens.
let fake: FakeUpstream;
let server: TestServer;
let client: OpenAI;
let lines: Array<Record<string, any>>;
const tmp = tempDir();
beforeAll(async () => {
  fake = await startFakeUpstream({ apiKey: 'sk-right-key', models: ['gpt-4o-mini'] });
  const config = join(tmp.dir, 'providers.yaml');
  writeFileSync(config, [
    'providers:',
    `  - { name: good, base_url: "${fake.url}", api_key_env: GOOD_KEY, models: ["gpt-*"] }`,
    '  - { name: offline, base_url: "http://127.0.0.1:9/v1", api_key_env: OFFLINE_KEY, models: ["offline-*"] }',
  ].join('\n'));
  const captured = captureLog();
  lines = captured.lines;
  server = await startTestServer({
    EVALD_ENGINE_THREAD: '1', OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'sk-wrong-key',
    EVALD_CONFIG: config, GOOD_KEY: 'sk-right-key', OFFLINE_KEY: 'sk-offline-key',
  }, captured.log);
  client = server.client;
}, 120_000);
afterAll(async () => { await server.close(); await fake.close(); tmp.remove(); });

const ROWS = 200;
const sampled = (model: string, rows = ROWS, prompt = '{{ item.question }}') => ({
  type: 'completions' as const, model,
  input_messages: { type: 'template' as const, template: [{ role: 'user' as const, content: prompt }] },
  source: { type: 'file_content' as const, content: Array.from({ length: rows }, (_, i) => ({ item: { question: `q${i}`, expected: `q${i}`, n: i } })) },
});

describe('a run whose upstream refuses every call fails loudly', () => {
  it('stops early on 401s and fails naming the provider, its base URL and OPENAI_API_KEY, never the key', async () => {
    const ev = await client.evals.create(simpleEval('refused'));
    const before = fake.stats.requests;
    const run = await client.evals.runs.create(ev.id, { data_source: sampled('any-model') });
    // The first run also waits for the engine thread to start (from source: compiled by tsx).
    const done = await waitForRun(client, ev.id, run.id, 100_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'provider_auth_failed' });
    const message = (done.error as { message: string }).message;
    expect(message).toContain(`Provider "default" (${fake.url})`);
    expect(message).toContain('with HTTP 401');
    expect(message).toContain('Set OPENAI_API_KEY');
    expect(message).not.toContain('sk-wrong-key');
    // Stopped early: far fewer calls and items than rows (the calls already in flight still finish).
    expect(fake.stats.requests - before).toBeLessThan(ROWS / 2);
    expect(done.result_counts.total).toBeLessThan(ROWS / 2);
    expect(done.result_counts.errored).toBe(done.result_counts.total);

    const ended = await waitFor(async () => lines.find((l) => l.run_id === run.id && l.status === 'failed'), 10_000, 'the run\'s last log line');
    expect(ended).toMatchObject({ level: 40, error: { code: 'provider_auth_failed' }, result_counts: done.result_counts });
    expect(ended.msg).toMatch(/^run failed \(provider_auth_failed\) after \d+ items \(0 passed, 0 failed, \d+ errored\) in [\d.]+ s, \d+ items\/s/);
    expect(ended).toHaveProperty('duration_s');
    expect(ended).toHaveProperty('items_per_s');
    const upstream = lines.filter((l) => l.msg?.startsWith('upstream call failed'));
    expect(upstream).toHaveLength(1); // the rest are counted, for a summary line every 10 s
    expect(upstream[0]).toMatchObject({ provider: 'default', base_url: fake.url, status: '401' });
    expect(JSON.stringify(lines)).not.toContain('sk-wrong-key');
  }, 120_000);

  it('fails on an unreachable host once its calls have used their retries', async () => {
    const ev = await client.evals.create(simpleEval('unreachable'));
    const run = await client.evals.runs.create(ev.id, { data_source: sampled('offline-llama') });
    const done = await waitForRun(client, ev.id, run.id, 60_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'provider_unreachable' });
    const message = (done.error as { message: string }).message;
    expect(message).toMatch(/^Provider "offline" \(http:\/\/127\.0\.0\.1:9\/v1\) could not be reached .*ECONNREFUSED/);
    expect(message).toContain('the base_url of provider "offline" in EVALD_CONFIG');
    expect(message).toContain('Its key is read from OFFLINE_KEY.');
    expect(done.result_counts.total).toBeLessThan(ROWS / 2);
  }, 90_000);

  it('fails on a model the provider does not have (404), naming the model', async () => {
    const ev = await client.evals.create(simpleEval('unknown-model'));
    const run = await client.evals.runs.create(ev.id, { data_source: sampled('gpt-4o-minii') });
    const done = await waitForRun(client, ev.id, run.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'model_not_found', message: expect.stringContaining(`Provider "good" (${fake.url}) answered HTTP 404 to 5 model calls in a row for model "gpt-4o-minii"`) });
    expect(done.result_counts.total).toBeLessThan(ROWS / 2);

    // The same server, a model it has: the run completes.
    const ok = await client.evals.runs.create(ev.id, { data_source: sampled('gpt-4o-mini', 20, '[[fake:reply={{ item.expected }}]]') });
    const okDone = await waitForRun(client, ev.id, ok.id);
    expect([okDone.status, okDone.result_counts]).toEqual(['completed', { total: 20, passed: 20, failed: 0, errored: 0 }]);
  });

  it(`fails a run shorter than ${AGREEING_FAILURES} items when every call was refused, and completes one where only some were`, async () => {
    const ev = await client.evals.create(simpleEval('short'));
    const short = await client.evals.runs.create(ev.id, { data_source: sampled('gpt-4o-minii', 2) });
    const shortDone = await waitForRun(client, ev.id, short.id);
    expect([shortDone.status, shortDone.error?.code, shortDone.result_counts.errored]).toEqual(['failed', 'model_not_found', 2]);

    // Two items of twenty refused with 401 (far apart): those items are errored, the run goes on.
    const rows = Array.from({ length: 20 }, (_, i) => ({ item: { expected: 'ok', fault: i % 10 === 0 ? '401' : 'delay=1' } }));
    const some = await client.evals.runs.create(ev.id, { data_source: { ...sampled('gpt-4o-mini', 0, '[[fake:{{ item.fault }}]] [[fake:reply={{ item.expected }}]]'), source: { type: 'file_content', content: rows } } });
    const someDone = await waitForRun(client, ev.id, some.id);
    expect([someDone.status, someDone.error, someDone.result_counts]).toEqual(['completed', null, { total: 20, passed: 18, failed: 0, errored: 2 }]);
  });
});

describe('what evald says at start and on API errors', () => {
  it('warns at start when the default upstream has no key, and logs the code of a 4xx answer', async () => {
    const { log, lines } = captureLog();
    const keyless = await startTestServer({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: '' }, log);
    const client = keyless.client;
    expect(lines.find((l) => l.msg?.includes('has no key'))).toMatchObject({ level: 40, base_url: fake.url, msg: expect.stringContaining('OPENAI_API_KEY is not set') });
    const missing = await client.evals.retrieve('eval_00000000000000000000000000000000').catch((e: unknown) => e);
    expect(missing).toHaveProperty('status', 404);
    const line = await waitFor(async () => lines.find((l) => l.msg === 'request' && l.status === 404), 5000, 'the 404 request line');
    expect(line).toMatchObject({ method: 'GET', code: 'not_found', param: 'eval_id' });
    await keyless.close();
  });
});
