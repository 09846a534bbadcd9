import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../src/fake-upstream/index.js';
import { startTestServer, waitFor, waitForRun, type TestServer } from './harness.js';

let fake: FakeUpstream;
let server: TestServer;
let client: OpenAI;

const itemsOf = async (evalId: string, runId: string) => {
  const out = [];
  for await (const item of client.evals.runs.outputItems.list(runId, { eval_id: evalId, limit: 100 })) out.push(item);
  return out.sort((a, b) => a.datasource_item_id - b.datasource_item_id);
};

const criterion = {
  type: 'string_check' as const, name: 'expected', input: '{{ sample.output_text }}', reference: '{{ item.metadata.expected }}', operation: 'eq' as const,
};

beforeAll(async () => {
  fake = await startFakeUpstream();
  server = await startTestServer({ OPENAI_BASE_URL: fake.url });
  client = server.client;
  // Six stored support completions (answers echo the question; four match `expected`), one of another app.
  const answers = ['Paris', 'Rome', 'Madrid', 'Berlin', 'Lisbon', 'Vienna'];
  for (const [i, answer] of answers.entries()) {
    await client.chat.completions.create({
      model: i < 4 ? 'gpt-4o-mini' : 'gpt-4.1', store: true,
      metadata: { app: 'support', expected: i % 3 === 2 ? 'wrong' : answer, shard: String(i % 2) },
      messages: [{ role: 'system', content: 'One word.' }, { role: 'user', content: answer }],
    });
  }
  await client.chat.completions.create({ model: 'gpt-4o-mini', store: true, metadata: { app: 'other', expected: 'x' }, messages: [{ role: 'user', content: 'x' }] });
  for (const [i, word] of ['alpha', 'beta', 'gamma'].entries()) {
    await client.responses.create({ model: 'gpt-4o-mini', instructions: i === 2 ? 'You are a poet.' : 'You are a coding assistant.', input: word, user: `u${i}`, metadata: { app: 'support', expected: word } });
  }
  await waitFor(async () => ((await client.chat.completions.list({ limit: 100 })).data.length === 7 ? true : undefined), 10_000, 'logs stored');
});
afterAll(async () => { await server.close(); await fake.close(); });

describe('runs over stored logs', () => {
  it('grades stored chat completions without calling a model, filtered by eval and source metadata', async () => {
    const ev = await client.evals.create({ name: 'support logs', data_source_config: { type: 'logs', metadata: { app: 'support' } }, testing_criteria: [criterion] });
    const before = fake.stats.requests;
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'completions', source: { type: 'stored_completions', model: 'gpt-4o-mini' } } });
    const done = await waitForRun(client, ev.id, run.id);
    expect(done.status).toBe('completed');
    expect(done.result_counts).toEqual({ total: 4, passed: 3, failed: 1, errored: 0 });
    expect(fake.stats.requests).toBe(before);
    const items = await itemsOf(ev.id, run.id);
    expect(items[0]!.datasource_item).toMatchObject({
      input: [{ role: 'system', content: 'One word.' }, { role: 'user', content: 'Paris' }],
      model: 'gpt-4o-mini-2024-07-18', metadata: { app: 'support', expected: 'Paris', shard: '0' },
    });
    expect(items[0]!.sample).toMatchObject({ output_text: 'Paris', model: 'gpt-4o-mini-2024-07-18', choices: [{ message: { content: 'Paris' } }] });
    const limited = await client.evals.runs.create(ev.id, { data_source: { type: 'completions', source: { type: 'stored_completions', metadata: { shard: '1' }, limit: 2 } } });
    expect((await waitForRun(client, ev.id, limited.id)).result_counts.total).toBe(2);
  });

  it('samples again with item.input as the input messages', async () => {
    const ev = await client.evals.create({ name: 'resample', data_source_config: { type: 'stored_completions', metadata: { app: 'support' } }, testing_criteria: [criterion] });
    fake.stats.reset();
    const run = await client.evals.runs.create(ev.id, { data_source: {
      type: 'completions', model: 'gpt-4.1-mini',
      input_messages: { type: 'item_reference', item_reference: 'item.input' },
      source: { type: 'stored_completions', metadata: { shard: '0' } },
    } });
    const done = await waitForRun(client, ev.id, run.id);
    expect(done.result_counts).toMatchObject({ total: 3, errored: 0 });
    expect(fake.stats.byPath['/v1/chat/completions']).toBe(3);
    expect(fake.stats.recent.map((r) => (r.body as { model: string }).model)).toEqual(['gpt-4.1-mini', 'gpt-4.1-mini', 'gpt-4.1-mini']);
    const items = await itemsOf(ev.id, run.id);
    expect(items[0]!.sample).toMatchObject({ model: expect.stringMatching(/^gpt-4.1-mini-/), output_text: 'Paris' });
  });

  it('grades stored responses selected by instructions, users and metadata', async () => {
    const ev = await client.evals.create({ name: 'responses logs', data_source_config: { type: 'logs', metadata: { app: 'support' } }, testing_criteria: [criterion] });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'responses', source: { type: 'responses', instructions_search: 'coding', users: ['u0', 'u1', 'u2'] } } });
    const done = await waitForRun(client, ev.id, run.id);
    expect(done.result_counts).toEqual({ total: 2, passed: 2, failed: 0, errored: 0 });
    const items = await itemsOf(ev.id, run.id);
    expect(items[0]!.datasource_item).toMatchObject({ input: [{ role: 'system', content: 'You are a coding assistant.' }, { role: 'user', content: 'alpha' }], instructions: 'You are a coding assistant.', user: 'u0' });
  });

  it('refuses a model without input_messages, and re-sampling without a model', async () => {
    const ev = await client.evals.create({ name: 'bad', data_source_config: { type: 'logs' }, testing_criteria: [criterion] });
    await expect(client.evals.runs.create(ev.id, { data_source: { type: 'completions', model: 'm', source: { type: 'stored_completions' } } }))
      .rejects.toMatchObject({ status: 400, error: { param: 'data_source.input_messages' } });
    await expect(client.evals.runs.create(ev.id, { data_source: { type: 'responses', input_messages: { type: 'item_reference', item_reference: 'item.input' }, source: { type: 'responses' } } }))
      .rejects.toMatchObject({ status: 400, error: { param: 'data_source.model' } });
  });
});
