import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../src/fake-upstream/index.js';
import { simpleEval, startTestServer, tempDir, waitFor, waitForRun, type TestServer } from './harness.js';

let fake: FakeUpstream;
let server: TestServer;
let client: OpenAI;
const tmp = tempDir();

beforeAll(async () => {
  fake = await startFakeUpstream({ latencyMs: 5, retryAfterMs: 20 });
  // "offline-*" models go to a provider nobody listens on: calls to it must error items, not the run.
  const config = join(tmp.dir, 'providers.yaml');
  writeFileSync(config, 'providers:\n  - name: offline\n    base_url: http://127.0.0.1:9/v1\n    api_key_env: OFFLINE_KEY\n    models: ["offline-*"]\n    timeout_ms: 2000\n');
  server = await startTestServer({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'sk-upstream-secret', EVALD_CONFIG: config, OFFLINE_KEY: 'sk-offline-secret' });
  client = server.client;
});
afterAll(async () => { await server.close(); await fake.close(); tmp.remove(); });

const finished = (evalId: string, runId: string, ms = 60_000) => waitForRun(client, evalId, runId, ms);

const itemsOf = async (evalId: string, runId: string) => {
  const out = [];
  for await (const item of client.evals.runs.outputItems.list(runId, { eval_id: evalId, limit: 100 })) out.push(item);
  return out.sort((a, b) => a.datasource_item_id - b.datasource_item_id);
};

const content = (items: Array<Record<string, unknown>>) => ({ type: 'file_content' as const, content: items.map((item) => ({ item })) });

describe('completions runs against an OpenAI-compatible upstream', () => {
  it('samples with a template, records the sample, and grades sample.output_text', async () => {
    const ev = await client.evals.create(simpleEval('completions'));
    const run = await client.evals.runs.create(ev.id, {
      data_source: {
        type: 'completions', model: 'gpt-4o-mini',
        input_messages: { type: 'template', template: [
          { role: 'system', content: 'Answer with the expected word.' },
          { role: 'user', content: '[[fake:reply={{ item.expected }}]] {{ item.question }}' },
        ] },
        sampling_params: { temperature: 0.2, top_p: 0.9, seed: 7, max_completion_tokens: 100 },
        source: content([{ question: 'Capital of France?', expected: 'Paris' }, { question: 'Largest ocean?', expected: 'Pacific' }]),
      },
    });
    expect(run.model).toBe('gpt-4o-mini');
    expect(run.name).toBe('gpt-4o-mini');
    expect((run.data_source as any).input_messages.template[1]).toEqual({ type: 'message', role: 'user', content: { type: 'input_text', text: '[[fake:reply={{ item.expected }}]] {{ item.question }}' } });
    const done = await finished(ev.id, run.id);
    expect(done.status).toBe('completed');
    expect(done.result_counts).toEqual({ total: 2, passed: 2, failed: 0, errored: 0 });
    const [first] = await itemsOf(ev.id, run.id);
    expect(first!.sample).toMatchObject({
      input: [{ role: 'system', content: 'Answer with the expected word.' }, { role: 'user', content: expect.stringContaining('Capital of France?') }],
      output: [{ role: 'assistant', content: 'Paris' }],
      finish_reason: 'stop', error: null, temperature: 0.2, top_p: 0.9, seed: 7, max_completion_tokens: 100,
    });
    expect((first!.sample as any).model).toMatch(/^gpt-4o-mini/);
    expect(first!.sample.usage.total_tokens).toBeGreaterThan(0);
    expect(fake.stats.authorizations).toContain('Bearer sk-upstream-secret');
    const usage = done.per_model_usage!;
    expect(usage).toHaveLength(1);
    expect(usage[0]!.invocation_count).toBe(2);
    expect(usage[0]!.total_tokens).toBe((await itemsOf(ev.id, run.id)).reduce((n, i) => n + i.sample.usage.total_tokens, 0));
  });

  it('takes messages from the item with item_reference, and grades tool calls and JSON output', async () => {
    const ev = await client.evals.create({
      ...simpleEval('tools'),
      testing_criteria: [
        { type: 'string_check', name: 'tool', input: '{{ sample.output_tools[0].function.name }}', reference: 'get_weather', operation: 'eq' },
        { type: 'string_check', name: 'args', input: '{{ sample.output_tools[0].function.arguments }}', reference: 'Paris', operation: 'like' },
      ],
    });
    const run = await client.evals.runs.create(ev.id, {
      data_source: {
        type: 'completions', model: 'gpt-4o-mini',
        input_messages: { type: 'item_reference', item_reference: 'item.messages' },
        sampling_params: { tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }] },
        source: content([{ expected: 'x', messages: [{ role: 'user', content: 'Weather? [[fake:tool=get_weather({"city":"Paris"})]]' }] }]),
      },
    });
    const done = await finished(ev.id, run.id);
    expect(done.result_counts).toEqual({ total: 1, passed: 1, failed: 0, errored: 0 });

    const jsonEval = await client.evals.create({
      ...simpleEval('json'),
      testing_criteria: [{ type: 'string_check', name: 'city', input: '{{ sample.output_json.city }}', reference: 'Paris', operation: 'eq' }],
    });
    const jsonRun = await client.evals.runs.create(jsonEval.id, {
      data_source: {
        type: 'completions', model: 'gpt-4o-mini',
        input_messages: { type: 'template', template: [{ role: 'user', content: '[[fake:json={"city":"Paris"}]] Where?' }] },
        sampling_params: { response_format: { type: 'json_schema', json_schema: { name: 'city', schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } } },
        source: content([{ expected: 'Paris' }]),
      },
    });
    const jsonDone = await finished(jsonEval.id, jsonRun.id);
    expect(jsonDone.result_counts.passed).toBe(1);
  });

  it('samples through /responses too', async () => {
    const ev = await client.evals.create(simpleEval('responses'));
    const run = await client.evals.runs.create(ev.id, {
      data_source: {
        type: 'responses', model: 'gpt-4.1-mini',
        input_messages: { type: 'template', template: [{ role: 'user', content: '[[fake:reply={{item.expected}}]] hi' }] },
        source: content([{ expected: 'Lisbon' }, { expected: 'Oslo' }]),
      },
    });
    const done = await finished(ev.id, run.id);
    expect(done.result_counts).toEqual({ total: 2, passed: 2, failed: 0, errored: 0 });
    expect(fake.stats.byPath['/v1/responses']).toBeGreaterThanOrEqual(2);
  });

  it('retries 429s and 500s and dropped connections, then succeeds', async () => {
    const ev = await client.evals.create(simpleEval('retries'));
    const before = { ...fake.stats.byStatus };
    const run = await client.evals.runs.create(ev.id, {
      data_source: {
        type: 'completions', model: 'gpt-4o-mini',
        input_messages: { type: 'template', template: [{ role: 'user', content: '[[fake:{{item.faults}}]] [[fake:reply=ok]]' }] },
        source: content([{ expected: 'ok', faults: '429x2' }, { expected: 'ok', faults: '500x2' }, { expected: 'ok', faults: 'dropx1' }, { expected: 'ok', faults: '429x1;503x1' }]),
      },
    });
    const done = await finished(ev.id, run.id);
    expect(done.result_counts).toEqual({ total: 4, passed: 4, failed: 0, errored: 0 });
    expect((fake.stats.byStatus['429'] ?? 0) - (before['429'] ?? 0)).toBeGreaterThanOrEqual(3);
    expect((fake.stats.byStatus['500'] ?? 0) - (before['500'] ?? 0)).toBeGreaterThanOrEqual(2);
  });

  it('errors an item whose call finally fails while the run completes, and fails a run its provider cannot serve', async () => {
    const ev = await client.evals.create(simpleEval('failing'));
    const run = await client.evals.runs.create(ev.id, {
      data_source: {
        type: 'completions', model: 'gpt-4o-mini',
        input_messages: { type: 'template', template: [{ role: 'user', content: '[[fake:{{item.faults}}]] [[fake:reply=ok]]' }] },
        source: content([{ expected: 'ok', faults: '400' }, { expected: 'ok', faults: 'delay=1' }]),
      },
    });
    const done = await finished(ev.id, run.id);
    expect(done.status).toBe('completed');
    expect(done.result_counts).toEqual({ total: 2, passed: 1, failed: 0, errored: 1 });
    const [bad] = await itemsOf(ev.id, run.id);
    expect(bad!.sample.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });

    const offline = await client.evals.runs.create(ev.id, {
      data_source: {
        type: 'completions', model: 'offline-llama',
        input_messages: { type: 'template', template: [{ role: 'user', content: 'hi' }] },
        source: content([{ expected: 'x' }]),
      },
    });
    // Its only call was unreachable after retries: a cause that dooms every item, so the run fails with
    // it (test/fail-loudly.test.ts has the rule); the item keeps its own error.
    const offlineDone = await finished(ev.id, offline.id, 120_000);
    expect(offlineDone.status).toBe('failed');
    expect(offlineDone.error).toMatchObject({ code: 'provider_unreachable', message: expect.stringContaining('Provider "offline" (http://127.0.0.1:9/v1)') });
    expect(offlineDone.result_counts.errored).toBe(1);
    const [item] = await itemsOf(ev.id, offline.id);
    expect(JSON.stringify(item!.sample.error)).not.toContain('sk-offline-secret');
  }, 150_000);

  it('cancels during sampling, aborting calls in flight', async () => {
    const ev = await client.evals.create(simpleEval('cancel-sampling'));
    const rows = Array.from({ length: 200 }, (_, i) => ({ expected: 'ok', n: i }));
    const run = await client.evals.runs.create(ev.id, {
      data_source: {
        type: 'completions', model: 'gpt-4o-mini',
        input_messages: { type: 'template', template: [{ role: 'user', content: '[[fake:delay=1500;reply=ok]] {{item.n}}' }] },
        source: content(rows),
      },
    });
    await waitFor(async () => {
      if (fake.stats.inFlight > 0) return true;
      const now = await client.evals.runs.retrieve(run.id, { eval_id: ev.id });
      if (now.status !== 'queued' && now.status !== 'in_progress') {
        const [first] = await itemsOf(ev.id, run.id);
        throw new Error(`run ended before a call was in flight: ${JSON.stringify({ status: now.status, counts: now.result_counts, first: first?.sample, results: first?.results })}`);
      }
      return undefined;
    }, 20_000, `a call in flight (fake: ${JSON.stringify(fake.stats.byStatus)})`);
    await client.evals.runs.cancel(run.id, { eval_id: ev.id });
    await waitFor(async () => (fake.stats.inFlight === 0 ? true : undefined), 1000, 'calls in flight to be aborted');
    const after = await client.evals.runs.retrieve(run.id, { eval_id: ev.id });
    expect(after.status).toBe('canceled');
    expect(after.result_counts.total).toBeLessThan(200);
  });
});

describe('model graders', () => {
  const graded = async (criteria: any[], items: Array<Record<string, unknown>>) => {
    const ev = await client.evals.create({ ...simpleEval('graders'), testing_criteria: criteria });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: content(items) } } as never);
    return { ev, done: await finished(ev.id, run.id), items: await itemsOf(ev.id, run.id) };
  };
  const rows = (answers: string[]) => answers.map((a) => ({ item: { expected: a }, sample: { output_text: a } }));

  it('label_model: passes when the chosen label is a passing label; refusal and junk error the item', async () => {
    const ev = await client.evals.create({
      ...simpleEval('label'),
      testing_criteria: [{ type: 'label_model', name: 'sentiment', model: 'gpt-4o-mini', labels: ['good', 'bad'], passing_labels: ['good'],
        input: [{ role: 'system', content: 'Classify.' }, { role: 'user', content: '{{ sample.output_text }}' }] }],
    });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: rows(['[[fake:label=good]]', '[[fake:label=bad]]', '[[fake:refuse]]', '[[fake:reply=not json]]']) } } });
    const done = await finished(ev.id, run.id);
    expect(done.result_counts).toEqual({ total: 4, passed: 1, failed: 1, errored: 2 });
    const items = await itemsOf(ev.id, run.id);
    expect(items[0]!.results[0]).toMatchObject({ type: 'label-model-grader', score: 1, passed: true });
    expect((items[0]!.results[0] as any).sample.output[0].content).toContain('good');
    expect(items[2]!.sample.error!.code).toBe('model_grader_refusal');
    expect(items[3]!.sample.error!.code).toBe('model_grader_parse_error');
    expect(done.per_model_usage![0]!.invocation_count).toBe(4);
  });

  it('score_model: clamps to range and passes at the threshold', async () => {
    const ev = await client.evals.create({
      ...simpleEval('score'),
      testing_criteria: [{ type: 'score_model', name: 'quality', model: 'gpt-4o-mini', range: [0, 1], pass_threshold: 0.6,
        input: [{ role: 'user', content: 'Score: {{ sample.output_text }}' }] }],
    });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: rows(['[[fake:score=0.7]]', '[[fake:score=0.2]]', '[[fake:json={"steps":[],"result":7}]]']) } } });
    const done = await finished(ev.id, run.id);
    expect(done.result_counts).toEqual({ total: 3, passed: 2, failed: 1, errored: 0 });
    const items = await itemsOf(ev.id, run.id);
    expect(items.map((i) => (i.results[0] as any).score)).toEqual([0.7, 0.2, 1]);
  });

  it('text_similarity cosine uses embeddings', async () => {
    const ev = await client.evals.create({
      ...simpleEval('cosine'),
      testing_criteria: [{ type: 'text_similarity', name: 'cos', input: '{{ sample.output_text }}', reference: '{{ item.expected }}', evaluation_metric: 'cosine', pass_threshold: 0.99 }],
    });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: [
      { item: { expected: 'the quick brown fox' }, sample: { output_text: 'the quick brown fox' } },
      { item: { expected: 'the quick brown fox' }, sample: { output_text: 'a slow green turtle' } },
    ] } } });
    const done = await finished(ev.id, run.id);
    expect(done.result_counts).toMatchObject({ passed: 1, failed: 1 });
    const items = await itemsOf(ev.id, run.id);
    expect((items[0]!.results[0] as any).score).toBeCloseTo(1, 6);
    expect(done.per_model_usage!.map((u) => u.model_name)).toEqual([expect.stringContaining('text-embedding-3-large')]);
  });
});
