import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, { toFile } from 'openai';
import { simpleEval, startTestServer, waitFor, waitForRun, type TestServer } from './harness.js';

let server: TestServer;
let client: OpenAI;
beforeAll(async () => { server = await startTestServer(); client = server.client; });
afterAll(async () => { await server.close(); });

const finished = (evalId: string, runId: string, ms = 30_000) => waitForRun(client, evalId, runId, ms);

const allItems = async (evalId: string, runId: string, query: Record<string, unknown> = {}) => {
  const out = [];
  for await (const item of client.evals.runs.outputItems.list(runId, { eval_id: evalId, limit: 100, ...query })) out.push(item);
  return out;
};

const rows = [
  { item: { question: 'capital of France?', expected: 'Paris' }, sample: { output_text: 'Paris' } },
  { item: { question: '2+2?', expected: '4' }, sample: { choices: [{ index: 0, message: { role: 'assistant', content: '5' }, finish_reason: 'stop' }] } },
  { item: { question: 'color of sky?', expected: 'blue' }, sample: { output_text: 'blue' } },
];

describe('jsonl runs', () => {
  it('grades inline rows: queued at 201, then completed with counts, items and per-criterion results', async () => {
    const ev = await client.evals.create(simpleEval('inline'));
    const { data: run, response } = await client.evals.runs.create(ev.id, {
      name: 'first', metadata: { k: 'v' },
      data_source: { type: 'jsonl', source: { type: 'file_content', content: rows } },
    }).withResponse();
    expect(response.status).toBe(201);
    expect(run).toMatchObject({
      object: 'eval.run', eval_id: ev.id, name: 'first', status: 'queued', metadata: { k: 'v' }, error: null,
      result_counts: { total: 0, passed: 0, failed: 0, errored: 0 }, per_model_usage: [], per_testing_criteria_results: [],
      data_source: { type: 'jsonl', source: { type: 'file_content', content: rows } },
    });
    expect(run.id).toMatch(/^evalrun_[0-9a-f]{32}$/);
    expect(run.report_url).toBe(`${server.url}/evals/${ev.id}?run_id=${run.id}`);

    const done = await finished(ev.id, run.id);
    expect(done.status).toBe('completed');
    expect(done.result_counts).toEqual({ total: 3, passed: 2, failed: 1, errored: 0 });
    const criterionId = (ev.testing_criteria[0] as unknown as { id: string }).id;
    expect(done.per_testing_criteria_results).toEqual([{ testing_criteria: criterionId, passed: 2, failed: 1 }]);

    const items = await allItems(ev.id, run.id);
    expect(items.map((i) => i.datasource_item_id).sort()).toEqual([0, 1, 2]);
    const second = items.find((i) => i.datasource_item_id === 1)!;
    expect(second).toMatchObject({
      object: 'eval.run.output_item', run_id: run.id, eval_id: ev.id, status: 'fail', datasource_item: rows[1]!.item,
      results: [{ name: criterionId, type: 'string-check-grader', score: 0, passed: false }],
    });
    expect(second.id).toMatch(/^outputitem_[0-9a-f]{32}$/);
    expect(second.sample).toMatchObject({ output: [{ role: 'assistant', content: '5' }], error: null, finish_reason: 'stop' });
    expect(await client.evals.runs.outputItems.retrieve(second.id, { eval_id: ev.id, run_id: run.id })).toEqual(second);

    expect((await allItems(ev.id, run.id, { status: 'pass' })).map((i) => i.datasource_item_id).sort()).toEqual([0, 2]);
    expect((await allItems(ev.id, run.id, { status: 'fail' })).map((i) => i.datasource_item_id)).toEqual([1]);
    const desc = await client.evals.runs.outputItems.list(run.id, { eval_id: ev.id, order: 'desc', limit: 2 });
    expect(desc.data).toHaveLength(2);
    expect(desc.has_more).toBe(true);
    expect(desc.data[0]!.id > desc.data[1]!.id).toBe(true);
  });

  it('reads rows from an uploaded file, skipping blank lines; a row off the schema errors that item', async () => {
    const ev = await client.evals.create(simpleEval('file'));
    const lines = [JSON.stringify(rows[0]), '', JSON.stringify(rows[2]), JSON.stringify({ item: { expected: 7 }, sample: { output_text: '7' } }), JSON.stringify({ nope: 1 })];
    const file = await client.files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'rows.jsonl'), purpose: 'evals' });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_id', id: file.id } } });
    const done = await finished(ev.id, run.id);
    expect(done.status).toBe('completed');
    expect(done.result_counts).toEqual({ total: 4, passed: 2, failed: 0, errored: 2 });
    const items = await allItems(ev.id, run.id);
    const bad = items.find((i) => i.datasource_item_id === 2)!;
    expect((bad.sample as any).error).toMatchObject({ code: 'item_schema_mismatch' });
    expect((bad.sample as any).error.message).toMatch(/line 4/);
    expect((items.find((i) => i.datasource_item_id === 3)!.sample as any).error.message).toMatch(/line 5/);
  });

  it('fails the run, naming the line, when a file line is not JSON', async () => {
    const ev = await client.evals.create(simpleEval('broken'));
    const body = `${JSON.stringify(rows[0])}\n{"item": oops}\n${JSON.stringify(rows[2])}\n`;
    const file = await client.files.create({ file: await toFile(Buffer.from(body), 'broken.jsonl'), purpose: 'evals' });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_id', id: file.id } } });
    const done = await finished(ev.id, run.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'invalid_jsonl' });
    expect(done.error!.message).toMatch(/line 2/);
  });

  it('errors an item whose template names a missing variable, never passing it', async () => {
    const ev = await client.evals.create({ ...simpleEval('typo'), testing_criteria: [{ type: 'string_check', name: 'typo', input: '{{ sample.output_txt }}', reference: '{{ item.expected }}', operation: 'ne' }] });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: [rows[0]!] } } });
    const done = await finished(ev.id, run.id);
    expect(done.result_counts).toEqual({ total: 1, passed: 0, failed: 0, errored: 1 });
    const [item] = await allItems(ev.id, run.id);
    expect(item!.status).toBe('fail');
    expect((item!.sample as any).error.message).toMatch(/sample\.output_txt/);
  });

  it('grades text_similarity inside a run', async () => {
    const ev = await client.evals.create({
      ...simpleEval('sim'),
      testing_criteria: [{ type: 'text_similarity', name: 'fuzzy', input: '{{ sample.output_text }}', reference: '{{ item.expected }}', evaluation_metric: 'fuzzy_match', pass_threshold: 0.8 }],
    });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: [
      { item: { expected: 'The Eiffel Tower' }, sample: { output_text: 'the eiffel tower' } },
      { item: { expected: 'The Eiffel Tower' }, sample: { output_text: 'Big Ben' } },
    ] } } });
    const done = await finished(ev.id, run.id);
    expect(done.result_counts).toMatchObject({ passed: 1, failed: 1 });
    const items = await allItems(ev.id, run.id);
    expect((items.find((i) => i.datasource_item_id === 0)!.results[0] as any).score).toBe(1);
  });
});

describe('run errors', () => {
  it('names the offending row, file and field in param', async () => {
    const ev = await client.evals.create(simpleEval('errors'));
    const cases: Array<[unknown, string]> = [
      [{ data_source: { type: 'jsonl', source: { type: 'file_content', content: [rows[0], { item: { expected: 3 } }] } } }, 'data_source.source.content[1].item'],
      [{ data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ sample: {} }] } } }, 'data_source.source.content[0].item'],
      [{ data_source: { type: 'jsonl', source: { type: 'file_id', id: 'file-doesnotexist' } } }, 'data_source.source.id'],
      [{ data_source: { type: 'jsonl', source: { type: 'url', url: 'x' } } }, 'data_source.source.type'],
      [{ data_source: { type: 'csv' } }, 'data_source.type'],
      [{}, 'data_source'],
      [{ data_source: { type: 'completions', source: { type: 'file_content', content: [rows[0]] }, input_messages: { type: 'template', template: [{ role: 'user', content: 'hi' }] } } }, 'data_source.model'],
      [{ data_source: { type: 'completions', source: { type: 'stored_completions' }, model: 'gpt-4o' } }, 'data_source.input_messages'],
      [{ data_source: { type: 'completions', model: 'm', source: { type: 'file_content', content: [rows[0]] }, input_messages: { type: 'item_reference', item_reference: 'sample.x' } } }, 'data_source.input_messages.item_reference'],
    ];
    for (const [body, param] of cases) {
      const err = await client.evals.runs.create(ev.id, body as never).catch((e) => e);
      expect({ param, cls: err?.constructor?.name }).toEqual({ param, cls: 'BadRequestError' });
      expect(err.param).toBe(param);
    }
  });

  it('404s for unknown evals, runs and items', async () => {
    const ev = await client.evals.create(simpleEval('404'));
    await expect(client.evals.runs.create('eval_nope', { data_source: { type: 'jsonl', source: { type: 'file_content', content: [] } } })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.evals.runs.retrieve('evalrun_nope', { eval_id: ev.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.evals.runs.cancel('evalrun_nope', { eval_id: ev.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.evals.runs.delete('evalrun_nope', { eval_id: ev.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.evals.runs.outputItems.list('evalrun_nope', { eval_id: ev.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.evals.runs.outputItems.retrieve('outputitem_nope', { eval_id: ev.id, run_id: 'evalrun_nope' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('run lifecycle', () => {
  const bigRows = (n: number) => Array.from({ length: n }, (_, i) => ({ item: { expected: `answer ${i % 7}` }, sample: { output_text: `answer ${i % 5}` } }));

  it('lists runs with status filter and pagination', async () => {
    const ev = await client.evals.create(simpleEval('list-runs'));
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: [rows[0]!] } } })).id);
    for (const id of ids) await finished(ev.id, id);
    const all = [];
    for await (const r of client.evals.runs.list(ev.id, { limit: 2 })) all.push(r.id);
    expect(all).toEqual(ids);
    expect((await client.evals.runs.list(ev.id, { status: 'completed' })).data).toHaveLength(3);
    expect((await client.evals.runs.list(ev.id, { status: 'queued' })).data).toHaveLength(0);
    expect((await client.evals.runs.list(ev.id, { order: 'desc' })).data.map((r) => r.id)).toEqual([...ids].reverse());
  });

  it('cancels promptly, keeps what was done, and accepts /cancel as an alias', async () => {
    const ev = await client.evals.create({ ...simpleEval('cancel'), testing_criteria: [{ type: 'text_similarity', name: 'm', input: '{{sample.output_text}} {{sample.output_text}} {{sample.output_text}}', reference: '{{item.expected}} and more words here', evaluation_metric: 'meteor', pass_threshold: 0.5 }] });
    const file = await client.files.create({ file: await toFile(Buffer.from(bigRows(200_000).map((r) => JSON.stringify(r)).join('\n')), 'big.jsonl'), purpose: 'evals' });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_id', id: file.id } } });
    await waitFor(async () => ((await client.evals.runs.retrieve(run.id, { eval_id: ev.id })).result_counts.total > 0 ? true : undefined));
    const canceled = await client.evals.runs.cancel(run.id, { eval_id: ev.id });
    expect(canceled.status).toBe('canceled');
    const at = (await client.evals.runs.retrieve(run.id, { eval_id: ev.id })).result_counts.total;
    await new Promise((r) => setTimeout(r, 1500));
    const later = await client.evals.runs.retrieve(run.id, { eval_id: ev.id });
    expect(later.status).toBe('canceled');
    expect(later.result_counts.total).toBeLessThan(200_000);
    expect(later.result_counts.total).toBeGreaterThanOrEqual(at);
    const page = await client.evals.runs.outputItems.list(run.id, { eval_id: ev.id, limit: 5 });
    expect(page.data.length).toBeGreaterThan(0);
    // Cancelling again is harmless; the alias path works.
    const again = await fetch(`${server.url}/v1/evals/${ev.id}/runs/${run.id}/cancel`, { method: 'POST' }).then((r) => r.json());
    expect(again.status).toBe('canceled');
  });

  it('deletes a run while it executes, and an eval with its runs', async () => {
    const ev = await client.evals.create(simpleEval('delete'));
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: bigRows(100_000) } } });
    await waitFor(async () => ((await client.evals.runs.retrieve(run.id, { eval_id: ev.id })).status === 'in_progress' ? true : undefined));
    expect(await client.evals.runs.delete(run.id, { eval_id: ev.id })).toEqual({ object: 'eval.run.deleted', deleted: true, run_id: run.id });
    await expect(client.evals.runs.retrieve(run.id, { eval_id: ev.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await new Promise((r) => setTimeout(r, 500));
    const res = await fetch(`${server.url}/v1/evals/${ev.id}/runs/${run.id}/output_items`);
    expect(res.status).toBe(404);

    const run2 = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: bigRows(100_000) } } });
    await waitFor(async () => ((await client.evals.runs.retrieve(run2.id, { eval_id: ev.id })).status === 'in_progress' ? true : undefined));
    await client.evals.delete(ev.id);
    await expect(client.evals.runs.retrieve(run2.id, { eval_id: ev.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    // The items go in the background, a slice at a time (RunPurger), and all of them go.
    const left = async () => Number((await server.store.db.selectFrom('output_items').select((eb) => eb.fn.countAll().as('n')).where('eval_id', '=', ev.id).executeTakeFirstOrThrow()).n);
    const purged = async () => !(await server.store.runs.deletedRuns()).some((id) => id === run.id || id === run2.id);
    await waitFor(async () => ((await purged()) ? true : undefined), 20_000, 'the deleted runs purged');
    expect(await left()).toBe(0);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  }, 120_000); // two runs of 100,000 inline rows: 15-40 s on a loaded machine
});
