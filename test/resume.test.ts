import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import OpenAI, { toFile } from 'openai';
import { simpleEval, spawnServer, tempDir, waitFor } from './harness.js';

const tmp = tempDir();
const env = { EVALD_DB: join(tmp.dir, 'evald.sqlite'), EVALD_LEASE_MS: '1500', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
let child: ChildProcess | undefined;
afterAll(() => { child?.kill('SIGKILL'); tmp.remove(); });

describe('a server killed mid-run', () => {
  it('resumes the run on start without losing or duplicating an output item', async () => {
    let url: string;
    ({ child, url } = await spawnServer(env));
    const client = () => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-local', maxRetries: 0 });
    const ev = await client().evals.create({
      ...simpleEval('resume'),
      testing_criteria: [{ type: 'text_similarity', name: 'meteor', input: '{{sample.output_text}} with several extra words', reference: '{{item.expected}} and a longer reference text', evaluation_metric: 'meteor', pass_threshold: 0.3 }],
    });
    const n = 30_000;
    const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ item: { expected: `row ${i}` }, sample: { output_text: `row ${i % 3 === 0 ? i : 'x'}` } }));
    const file = await client().files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'resume.jsonl'), purpose: 'evals' });
    const run = await client().evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_id', id: file.id } } });
    await waitFor(async () => {
      const r = await client().evals.runs.retrieve(run.id, { eval_id: ev.id });
      return r.result_counts.total >= 500 ? r : undefined;
    }, 60_000, 'some items to be committed');
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));

    ({ child, url } = await spawnServer(env));
    const done = await waitFor(async () => {
      const r = await client().evals.runs.retrieve(run.id, { eval_id: ev.id });
      return r.status === 'completed' ? r : undefined;
    }, 120_000, 'the resumed run to complete');
    expect(done.result_counts.total).toBe(n);
    expect(done.result_counts.passed + done.result_counts.failed + done.result_counts.errored).toBe(n);
    const seen = new Set<number>();
    let count = 0;
    for await (const item of client().evals.runs.outputItems.list(run.id, { eval_id: ev.id, limit: 100 })) {
      seen.add(item.datasource_item_id);
      count++;
    }
    expect(count).toBe(n);
    expect(seen.size).toBe(n);
    const perCriterion = done.per_testing_criteria_results![0]!;
    expect(perCriterion.passed + perCriterion.failed).toBe(n);
  }, 240_000);
});
