import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import OpenAI from 'openai';
import { simpleEval, startTestServer, waitForRun, type TestServer } from './harness.js';

let server: TestServer;
let client: OpenAI;
let listener: Server;
let connections = 0;
beforeAll(async () => {
  process.env.EVALD_TEST_SECRET = 'hunter2';
  server = await startTestServer({ EVALD_PYTHON_TIMEOUT_S: '3', EVALD_PYTHON_MEMORY_MB: '512' });
  client = server.client;
  listener = createServer((s) => { connections++; s.destroy(); });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
});
afterAll(async () => { await server.close(); listener.close(); });

const finished = (evalId: string, runId: string, ms = 60_000) => waitForRun(client, evalId, runId, ms);

const py = (name: string, source: string, pass_threshold?: number) => ({ type: 'python' as const, name, source, ...(pass_threshold === undefined ? {} : { pass_threshold }) });

describe('python grader inside runs', () => {
  it('scores with sample and item, passing at pass_threshold (default 0.5)', async () => {
    const ev = await client.evals.create({
      ...simpleEval('python'),
      testing_criteria: [
        py('match', 'def grade(sample, item):\n    return 1.0 if sample["output_text"] == item["expected"] else 0.25\n'),
        py('json', 'import json\ndef grade(sample, item):\n    return sample["output_json"]["n"] / 10\n', 0.7),
      ],
    });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: [
      { item: { expected: '{"n": 8}' }, sample: { output_text: '{"n": 8}' } },
      { item: { expected: 'x' }, sample: { output_text: '{"n": 5}' } },
    ] } } });
    const done = await finished(ev.id, run.id);
    expect(done.result_counts).toEqual({ total: 2, passed: 1, failed: 1, errored: 0 });
    const items = (await client.evals.runs.outputItems.list(run.id, { eval_id: ev.id })).data.sort((a, b) => a.datasource_item_id - b.datasource_item_id);
    expect(items[0]!.results.map((r) => [r.score, r.passed])).toEqual([[1, true], [0.8, true]]);
    expect(items[1]!.results.map((r) => [r.score, r.passed])).toEqual([[0.25, false], [0.5, false]]);
  });

  it('gives hostile graders nothing, errors them, and keeps the server and the other items healthy', async () => {
    const port = (listener.address() as { port: number }).port;
    const attacks: Record<string, string> = {
      passwd: 'def grade(s, i):\n    return 1.0 if "root:" in open("/etc/passwd").read() else 0.0\n',
      database: `def grade(s, i):\n    return 1.0 if open(${JSON.stringify(server.env.EVALD_DB)}, "rb").read(16) else 0.0\n`,
      environ: 'import os\ndef grade(s, i):\n    return 1.0 if "hunter2" in str(os.environ) or "OPENAI_API_KEY" in os.environ else 0.0\n',
      proc: 'import os\ndef grade(s, i):\n    return 1.0 if len([p for p in os.listdir("/proc") if p.isdigit()]) > 1 else 0.0\n',
      network: `import socket\ndef grade(s, i):\n    socket.create_connection(("127.0.0.1", ${port}), timeout=1)\n    return 1.0\n`,
      write: 'def grade(s, i):\n    open("/usr/evald-pwned", "w").write("x")\n    return 1.0\n',
      loop: 'def grade(s, i):\n    while True:\n        pass\n',
      memory: 'def grade(s, i):\n    x = bytearray(20 * 1024**3)\n    return 1.0\n',
      forkbomb: 'import os\ndef grade(s, i):\n    while True:\n        os.fork()\n',
      raises: 'def grade(s, i):\n    raise ValueError("nope")\n',
      string: 'def grade(s, i):\n    return "1.0"\n',
      // (a syntax error is refused when the eval is stored: test/fidelity.test.ts)
    };
    for (const [name, source] of Object.entries(attacks)) {
      const ev = await client.evals.create({ ...simpleEval(name), testing_criteria: [py(name, source)] });
      const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { expected: 'a' }, sample: { output_text: 'a' } }] } } });
      const done = await finished(ev.id, run.id).catch((e) => { throw new Error(`${name}: ${e.message}`); });
      expect({ name, status: done.status, passed: done.result_counts.passed }).toEqual({ name, status: 'completed', passed: 0 });
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    }
    expect(connections).toBe(0);
    const ok = await client.evals.create({ ...simpleEval('after'), testing_criteria: [py('ok', 'def grade(s, i):\n    return 1\n')] });
    const run = await client.evals.runs.create(ok.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { expected: 'a' }, sample: { output_text: 'a' } }] } } });
    expect((await finished(ok.id, run.id)).result_counts.passed).toBe(1);
  }, 120_000);

  it('errors the item with the Python error message', async () => {
    const ev = await client.evals.create({ ...simpleEval('traceback'), testing_criteria: [py('boom', 'def grade(sample, item):\n    return 1 / 0\n')] });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { expected: 'a' }, sample: { output_text: 'a' } }] } } });
    const done = await finished(ev.id, run.id);
    expect(done.result_counts.errored).toBe(1);
    const [item] = (await client.evals.runs.outputItems.list(run.id, { eval_id: ev.id })).data;
    expect(item!.sample.error!.message).toMatch(/ZeroDivisionError/);
  });
});

describe('graders API', () => {
  it('runs each grader type on one sample', async () => {
    const sc = await client.fineTuning.alpha.graders.run({ grader: { type: 'string_check', name: 'n', input: '{{sample.output_text}}', reference: '{{item.a}}', operation: 'eq' }, model_sample: 'yes', item: { a: 'yes' } });
    expect(sc.reward).toBe(1);
    expect(sc.metadata.type).toBe('string_check');
    expect(Object.values(sc.metadata.errors).filter((v) => v === true)).toEqual([]);
    const sim = await client.fineTuning.alpha.graders.run({ grader: { type: 'text_similarity', name: 's', input: '{{sample.output_text}}', reference: 'hello world', evaluation_metric: 'rouge_1' }, model_sample: 'hello world' });
    expect(sim.reward).toBeCloseTo(1);
    const python = await client.fineTuning.alpha.graders.run({ grader: { type: 'python', name: 'p', source: 'def grade(sample, item):\n    return sample["output_json"]["x"] * 2\n' }, model_sample: '{"x": 0.25}' });
    expect(python.reward).toBe(0.5);
    const multi = await client.fineTuning.alpha.graders.run({
      grader: { type: 'multi', name: 'm', calculate_output: '0.5 * exact + 0.5 * sim', graders: {
        exact: { type: 'string_check', name: 'e', input: '{{sample.output_text}}', reference: 'hello', operation: 'eq' },
        sim: { type: 'text_similarity', name: 's', input: '{{sample.output_text}}', reference: 'hello there', evaluation_metric: 'rouge_1' },
      } } as never,
      model_sample: 'hello',
    });
    expect(multi.reward).toBeCloseTo(0.5 + 0.5 * (2 / 3), 6);
    expect(multi.sub_rewards).toMatchObject({ exact: 1 });
  });

  it('reports grader failures in metadata.errors', async () => {
    const missing = await client.fineTuning.alpha.graders.run({ grader: { type: 'string_check', name: 'n', input: '{{item.nope}}', reference: 'x', operation: 'eq' }, model_sample: 'x' });
    expect(missing.reward).toBe(0);
    expect(missing.metadata.errors.invalid_variable_error).toBe(true);
    const crash = await client.fineTuning.alpha.graders.run({ grader: { type: 'python', name: 'p', source: 'def grade(s, i):\n    raise KeyError("k")\n' }, model_sample: 'x' });
    expect(crash.metadata.errors.python_grader_runtime_error).toBe(true);
    expect(crash.metadata.errors.python_grader_runtime_error_details).toMatch(/KeyError/);
  });

  it('validates graders, naming the bad field', async () => {
    const ok = await client.fineTuning.alpha.graders.validate({ grader: { type: 'string_check', name: 'n', input: 'a', reference: 'b', operation: 'ilike' } });
    expect(ok.grader).toMatchObject({ type: 'string_check', operation: 'ilike' });
    const bad = await client.fineTuning.alpha.graders.validate({ grader: { type: 'label_model' } as never }).catch((e) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad.param).toBe('grader.type');
    const formula = await client.fineTuning.alpha.graders.validate({ grader: { type: 'multi', name: 'm', calculate_output: 'a + zz', graders: { a: { type: 'string_check', name: 'a', input: 'a', reference: 'b', operation: 'eq' } } } as never }).catch((e) => e);
    expect(formula.param).toBe('grader.calculate_output');
  });
});
