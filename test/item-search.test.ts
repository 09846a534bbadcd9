import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleEval, startTestServer, waitForRun, type TestServer } from './harness.js';

// evald's item_search / score_histograms / progress / whoami extensions over HTTP, as the dashboard calls them.
let server: TestServer;
let evalId: string;
let runId: string;
const get = async (path: string, key = 'sk-anything') => {
  const res = await fetch(`${server.url}/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: await res.json() as any };
};
const rowsOf = (body: { data: Array<{ datasource_item_id: number }> }) => body.data.map((i) => i.datasource_item_id);

beforeAll(async () => {
  server = await startTestServer();
  const ev = await server.client.evals.create(simpleEval('search'));
  evalId = ev.id;
  const content = [
    { item: { question: 'capital of France', expected: 'Paris' }, sample: { output_text: 'Paris' } },
    { item: { question: 'capital of Spain', expected: 'Madrid' }, sample: { output_text: 'Barcelona' } },
    { item: { question: 'capital of Italy', expected: 'Rome' }, sample: { other: 'Rome' } },
    { item: { question: 'capital of Peru', expected: 'Lima' }, sample: { output_text: 'Lima' } },
  ];
  const run = await server.client.evals.runs.create(evalId, { data_source: { type: 'jsonl', source: { type: 'file_content', content } } });
  runId = run.id;
  await waitForRun(server.client, evalId, runId);
});
afterAll(async () => { await server?.close(); });

describe('item_search', () => {
  const base = () => `/evals/${evalId}/runs/${runId}`;

  it('lists in row order and keeps errored items (a missing sample.output_text) apart from failed', async () => {
    expect(rowsOf((await get(`${base()}/item_search`)).body)).toEqual([0, 1, 2, 3]);
    expect(rowsOf((await get(`${base()}/item_search?status=failed`)).body)).toEqual([1]);
    expect(rowsOf((await get(`${base()}/item_search?status=errored`)).body)).toEqual([2]);
    const page = (await get(`${base()}/item_search?limit=2`)).body;
    expect(page).toMatchObject({ object: 'list', has_more: true });
    expect(page.data[0]).toMatchObject({ object: 'eval.run.output_item', run_id: runId, datasource_item_id: 0 });
    expect(rowsOf((await get(`${base()}/item_search?limit=2&after=${page.last_id}`)).body)).toEqual([2, 3]);
  });

  it('searches words of the input and output, and filters and sorts by a criterion', async () => {
    expect(rowsOf((await get(`${base()}/item_search?q=barcelona`)).body)).toEqual([1]);
    expect(rowsOf((await get(`${base()}/item_search?q=capital%20peru`)).body)).toEqual([3]);
    // A criterion is named as output items' results name it (its id).
    const exact = (await get(`${base()}/item_search?limit=1`)).body.data[0].results[0].name;
    expect(exact).toMatch(/^exact/);
    expect(rowsOf((await get(`${base()}/item_search?criterion=${exact}&criterion_passed=true`)).body)).toEqual([0, 3]);
    expect(rowsOf((await get(`${base()}/item_search?sort=score&score_criterion=${exact}`)).body)).toEqual([1, 0, 3]);
    expect(rowsOf((await get(`${base()}/item_search?sort=score&score_criterion=${exact}&order=desc&status=passed`)).body)).toEqual([3, 0]);
  });

  it('refuses bad parameters with the field in param, and hides other projects’ runs', async () => {
    const bad = await get(`${base()}/item_search?status=broken`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('status');
    const sort = await get(`${base()}/item_search?sort=score`);
    expect(sort.body.error).toMatchObject({ param: 'score_criterion', code: 'missing_required_parameter' });
    const missing = await get(`/evals/${evalId}/runs/evalrun_nope/item_search`);
    expect(missing.status).toBe(404);
  });

  it('reports histograms, progress against the source’s rows and the key’s project', async () => {
    const h = (await get(`${base()}/score_histograms?bins=2`)).body;
    expect(h).toMatchObject({ object: 'list', errored_excluded: 1 });
    expect(h.data[0]).toMatchObject({ testing_criteria: expect.stringContaining('exact'), count: 3, passed: 2, mean: 2 / 3, min: 0, max: 1 });
    expect(h.data[0].bins.map((b: { count: number }) => b.count)).toEqual([1, 2]);
    expect((await get(`${base()}/score_histograms?bins=0`)).body.error.param).toBe('bins');
    const p = (await get(`${base()}/progress`)).body;
    expect(p).toMatchObject({ object: 'eval.run.progress', status: 'completed', total_rows: 4, done: 4, not_run: 0, errored: 1, eta_seconds: null });
    expect((await get('/evald/whoami')).body).toEqual({ object: 'evald.whoami', project: 'default', open_mode: true });
  });
});
