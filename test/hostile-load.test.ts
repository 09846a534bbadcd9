// One request must never freeze the server, and no upstream may hold a run forever: hostile item-schema
// patterns, text_similarity on huge strings (in a run and through the graders API), an upstream that drips.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, { toFile } from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../src/fake-upstream/index.js';
import { startTestServer, waitFor, waitForRun, type TestServer } from './harness.js';
import { wordText as text } from '../src/bench/word-text.js';

let fake: FakeUpstream;
let server: TestServer;
let client: OpenAI;
beforeAll(async () => {
  fake = await startFakeUpstream();
  server = await startTestServer({ OPENAI_BASE_URL: fake.url, EVALD_TIMEOUT_MS: '500' });
  client = server.client;
});
afterAll(async () => { await server.close(); await fake.close(); });


/**
 * Asks /health every 100 ms for `ms` while something else runs; returns the slowest answer's latency. The
 * bound the tests put on it is generous (a loaded, shared machine): before these fixes, the work in question
 * held the event loop for 10 s to hours.
 */
async function slowestHealth(ms: number): Promise<number> {
  let slowest = 0;
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const started = performance.now();
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    slowest = Math.max(slowest, performance.now() - started);
    await new Promise((r) => setTimeout(r, 100));
  }
  return slowest;
}

const BIG = 200_000;

const similarityEval = (metric: string) => client.evals.create({
  name: `huge-${metric}`,
  data_source_config: { type: 'custom', item_schema: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } } },
  testing_criteria: [{ type: 'text_similarity', name: 'sim', input: '{{ item.a }}', reference: '{{ item.b }}', evaluation_metric: metric as 'fuzzy_match', pass_threshold: 0.5 }],
});

describe('a request never freezes the server', () => {
  it('answers /health while a run fuzzy-matches two 200,000-character strings', async () => {
    const ev = await similarityEval('fuzzy_match');
    const run = await client.evals.runs.create(ev.id, {
      data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { a: text(BIG, 1), b: text(BIG, 2) } }] } },
    });
    await waitFor(async () => ((await client.evals.runs.retrieve(run.id, { eval_id: ev.id })).status === 'in_progress' ? true : undefined), 20_000, 'the run to start');
    expect(await slowestHealth(2000)).toBeLessThan(1000);
    // The item takes seconds more; cancelling ends its computation.
    await client.evals.runs.cancel(run.id, { eval_id: ev.id });
    expect((await waitForRun(client, ev.id, run.id)).status).toBe('canceled');
  });

  it('answers /health while the graders API fuzzy-matches two 200,000-character strings, and stops when the client leaves', async () => {
    const controller = new AbortController();
    const pending = fetch(`${server.url}/v1/fine_tuning/alpha/graders/run`, {
      method: 'POST', signal: controller.signal, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x' },
      body: JSON.stringify({
        grader: { type: 'text_similarity', name: 'sim', input: '{{ sample.output_text }}', reference: '{{ item.b }}', evaluation_metric: 'fuzzy_match' },
        model_sample: text(BIG, 3), item: { b: text(BIG, 4) },
      }),
    }).then(() => 'answered', (e: unknown) => e);
    expect(await slowestHealth(2000)).toBeLessThan(1000);
    controller.abort();
    expect(await pending).toMatchObject({ name: 'AbortError' });
    // The abandoned computation (10 s or more) was stopped: the next off-thread call does not queue behind it.
    const started = performance.now();
    const next = await client.fineTuning.alpha.graders.run({
      grader: { type: 'text_similarity', name: 'sim', input: '{{ sample.output_text }}', reference: text(3000, 5), evaluation_metric: 'fuzzy_match' },
      model_sample: text(3000, 5),
    });
    expect(next.reward).toBe(1);
    expect(performance.now() - started).toBeLessThan(8000);
  });

  it('errors an item over the size limit with a clear code, in a run and through the graders API', async () => {
    const ev = await similarityEval('rouge_l');
    const run = await client.evals.runs.create(ev.id, {
      data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { a: 'x'.repeat(BIG + 1), b: 'short' } }, { item: { a: 'a b', b: 'a b' } }] } },
    });
    const done = await waitForRun(client, ev.id, run.id);
    expect(done.result_counts).toEqual({ total: 2, passed: 1, failed: 0, errored: 1 });
    const items = (await client.evals.runs.outputItems.list(run.id, { eval_id: ev.id })).data;
    const errored = items.find((i) => i.datasource_item_id === 0)!;
    expect(errored.sample.error).toMatchObject({ code: 'text_similarity_input_too_large', message: expect.stringContaining('at most 200000') });

    const answer = await client.fineTuning.alpha.graders.run({
      grader: { type: 'text_similarity', name: 'sim', input: '{{ sample.output_text }}', reference: 'short', evaluation_metric: 'bleu' },
      model_sample: 'x'.repeat(BIG + 1),
    });
    expect(answer.reward).toBe(0);
    expect(answer.metadata.errors).toMatchObject({ other_error: true, other_error_details: expect.stringMatching(/^text_similarity_input_too_large: .*at most 200000/) });
  });

  it('matches a catastrophic-backtracking item_schema pattern in linear time, at run create and in the engine', async () => {
    const ev = await client.evals.create({
      name: 'redos',
      data_source_config: { type: 'custom', item_schema: { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } } },
      testing_criteria: [{ type: 'string_check', name: 'x', input: '{{ item.s }}', reference: 'a', operation: 'eq' }],
    });
    // 40 a's and a '!': V8's backtracking engine needs ~2^40 steps to say no.
    const hostile = `${'a'.repeat(40)}!`;
    const refused = await client.evals.runs.create(ev.id, {
      data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { s: hostile } }] } },
    }).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('must match pattern');

    const file = await client.files.create({ file: await toFile(Buffer.from(`${JSON.stringify({ item: { s: hostile } })}\n{"item":{"s":"aaa"}}\n`), 'rows.jsonl'), purpose: 'evals' });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_id', id: file.id } } });
    expect(await slowestHealth(300)).toBeLessThan(1000);
    const done = await waitForRun(client, ev.id, run.id);
    expect(done.result_counts).toEqual({ total: 2, passed: 0, failed: 1, errored: 1 });
  });

  it('refuses at eval create a pattern that only a backtracking engine can run, naming the field', async () => {
    const refused = await client.evals.create({
      name: 'lookahead',
      data_source_config: { type: 'custom', item_schema: { type: 'object', properties: { s: { type: 'string', pattern: '^(?=a)a' } } } },
      testing_criteria: [{ type: 'string_check', name: 'x', input: '{{ item.s }}', reference: 'a', operation: 'eq' }],
    }).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    const error = (refused as InstanceType<typeof OpenAI.BadRequestError>).error as { param: string; message: string };
    expect(error.param).toBe('data_source_config.item_schema');
    expect(error.message).toMatch(/RE2.*no lookahead/);
  });
});

describe('the graders API under load', () => {
  it('runs 40 concurrent python grader calls with at most EVALD_PYTHON_WORKERS (2) sandboxes at once, answering every one', async () => {
    const sandboxes = () => {
      // The server runs in this process, so its sandboxes are bwrap children of this process.
      const out = execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
      return out.split('\n').filter((name) => name.trim() === 'bwrap').length;
    };
    let most = 0;
    const watch = setInterval(() => { most = Math.max(most, sandboxes()); }, 25);
    try {
      const calls = Array.from({ length: 40 }, (_, i) => client.fineTuning.alpha.graders.run({
        grader: { type: 'python', name: 'slow', source: `import time\ndef grade(sample, item):\n    time.sleep(0.2)\n    return ${i % 2}` },
        model_sample: 'x',
      }));
      const answers = await Promise.all(calls);
      expect(answers.map((a) => a.reward)).toEqual(Array.from({ length: 40 }, (_, i) => i % 2));
    } finally {
      clearInterval(watch);
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
  }, 120_000);
});

describe('an upstream that drips its answer', () => {
  it('times out on the whole answer (EVALD_TIMEOUT_MS=500), erroring each item instead of holding the run', async () => {
    const ev = await client.evals.create({
      name: 'drip',
      data_source_config: { type: 'custom', item_schema: { type: 'object', properties: { n: { type: 'integer' } } }, include_sample_schema: true },
      testing_criteria: [{ type: 'string_check', name: 'x', input: '{{ sample.output_text }}', reference: 'a', operation: 'eq' }],
    });
    const run = await client.evals.runs.create(ev.id, {
      data_source: {
        type: 'completions', model: 'gpt-4o-mini',
        // One byte every 200 ms: each byte well inside the timeout, the whole answer a minute or more.
        input_messages: { type: 'template', template: [{ role: 'user', content: '[[fake:drip=200]] item {{ item.n }}' }] },
        source: { type: 'file_content', content: Array.from({ length: 20 }, (_, n) => ({ item: { n } })) },
      },
    });
    const done = await waitForRun(client, ev.id, run.id, 60_000);
    expect(done.status).toBe('completed');
    expect(done.result_counts).toEqual({ total: 20, passed: 0, failed: 0, errored: 20 });
    const [first] = (await client.evals.runs.outputItems.list(run.id, { eval_id: ev.id, limit: 1 })).data;
    expect(first!.sample.error).toMatchObject({ code: 'timeout' });
  });
});
