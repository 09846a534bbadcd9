import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type OpenAI from 'openai';
import { startTestServer, waitForRun, type TestServer } from './harness.js';

// evald's own routes (docs/extensions.md): export and paired comparison, through the SDK's generic get.
let server: TestServer;
let client: OpenAI;
beforeAll(async () => { server = await startTestServer(); client = server.client; });
afterAll(async () => { await server.close(); });

const anEval = () => client.evals.create({
  name: 'paired',
  data_source_config: { type: 'custom', item_schema: { type: 'object', properties: { expected: { type: 'string' } } }, include_sample_schema: true },
  testing_criteria: [
    { type: 'string_check', name: 'exact', input: '{{ sample.output_text }}', reference: '{{ item.expected }}', operation: 'eq' },
    { type: 'string_check', name: 'nocase', input: '{{ sample.output_text }}', reference: '{{ item.expected }}', operation: 'ilike' },
  ],
});

const row = (expected: string, output?: string) => ({ item: { expected }, sample: output === undefined ? {} : { output_text: output } });
// Rows 0..4 in both runs: unchanged pass, regression, fix, unchanged fail, errored (no output_text in base);
// row 5 only in the candidate.
const baseRows = [row('a', 'a'), row('b', 'b'), row('c', 'x'), row('d', 'x'), row('e')];
const candidateRows = [row('a', 'a'), row('b', 'B'), row('c', 'c'), row('d', 'y'), row('e', 'e'), row('f', 'f')];

async function twoRuns() {
  const ev = await anEval();
  const create = (name: string, content: typeof baseRows) =>
    client.evals.runs.create(ev.id, { name, data_source: { type: 'jsonl', source: { type: 'file_content', content } } });
  const base = await create('base', baseRows);
  const candidate = await create('candidate', candidateRows);
  await waitForRun(client, ev.id, base.id);
  await waitForRun(client, ev.id, candidate.id);
  return { ev, base, candidate };
}

const text = async (path: string, query: Record<string, string> = {}) => {
  const response = await client.get(path, { query, __binaryResponse: true } as never).asResponse();
  return { response, body: await response.text() };
};

describe('GET /v1/evals/{eval_id}/compare', () => {
  it('counts pairs by kind and gives per-criterion differences with intervals and McNemar p-values', async () => {
    const { ev, base, candidate } = await twoRuns();
    const cmp = await client.get(`/evals/${ev.id}/compare`, { query: { base_run_id: base.id, candidate_run_id: candidate.id } }) as Record<string, any>;
    expect(cmp).toMatchObject({
      object: 'eval.run.comparison', eval_id: ev.id, base_run_id: base.id, candidate_run_id: candidate.id,
      base_run_status: 'completed', candidate_run_status: 'completed',
      counts: { pairs: 5, regressions: 1, fixes: 1, unchanged: 2, errored: 1, base_only: 0, candidate_only: 1 },
      bootstrap: { resamples: 1000, confidence: 0.95, seed: 0 },
    });
    // Overall: 4 graded pairs, base passes 0 and 1, candidate 0 and 2: same pass rate, one discordant pair each way.
    expect(cmp.overall).toMatchObject({ pairs: 4, base_pass_rate: 0.5, candidate_pass_rate: 0.5, mcnemar: { pass_to_fail: 1, fail_to_pass: 1, p_value: 1 } });
    expect(cmp.overall.pass_rate_difference.estimate).toBe(0);
    const [exact, nocase] = cmp.per_testing_criteria;
    expect(exact).toMatchObject({ name: 'exact', pairs: 4, base_pass_rate: 0.5, candidate_pass_rate: 0.5, base_mean_score: 0.5, candidate_mean_score: 0.5 });
    expect(exact.testing_criteria).toBe((ev.testing_criteria[0] as unknown as { id: string }).id);
    // `B` ilike `b` passes: the case-blind criterion sees a fix and no regression.
    expect(nocase).toMatchObject({ name: 'nocase', base_pass_rate: 0.5, candidate_pass_rate: 0.75, mcnemar: { pass_to_fail: 0, fail_to_pass: 1, p_value: 1 } });
    expect(nocase.mean_score_difference.estimate).toBeCloseTo(0.25, 12);
    expect(nocase.pass_rate_difference.ci_low).toBeLessThanOrEqual(0.25);
    expect(nocase.pass_rate_difference.ci_high).toBeGreaterThanOrEqual(0.25);
    // Seeded: asking again gives the same numbers.
    expect(await client.get(`/evals/${ev.id}/compare`, { query: { base_run_id: base.id, candidate_run_id: candidate.id } })).toEqual(cmp);
  });

  it('pages the pairs of one kind with both output items, and refuses missing or unknown runs', async () => {
    const { ev, base, candidate } = await twoRuns();
    const q = { base_run_id: base.id, candidate_run_id: candidate.id };
    const regressions = await client.get(`/evals/${ev.id}/compare/items`, { query: { ...q, kind: 'regression' } }) as Record<string, any>;
    expect(regressions).toMatchObject({ object: 'list', first_id: '1', last_id: '1', has_more: false });
    expect(regressions.data).toHaveLength(1);
    expect(regressions.data[0]).toMatchObject({
      object: 'eval.run.comparison.item', id: '1', datasource_item_id: 1, kind: 'regression',
      base: { object: 'eval.run.output_item', run_id: base.id, status: 'pass', sample: { output_text: 'b' } },
      candidate: { run_id: candidate.id, status: 'fail', sample: { output_text: 'B' } },
      base_error: null, candidate_error: null,
    });
    const all = await client.get(`/evals/${ev.id}/compare/items`, { query: { ...q, limit: 4 } }) as Record<string, any>;
    expect(all.data.map((p: { kind: string }) => p.kind)).toEqual(['unchanged', 'regression', 'fix', 'unchanged']);
    expect(all.has_more).toBe(true);
    const rest = await client.get(`/evals/${ev.id}/compare/items`, { query: { ...q, limit: 4, after: all.last_id } }) as Record<string, any>;
    expect(rest.data.map((p: { kind: string }) => p.kind)).toEqual(['errored', 'unpaired']);
    expect(rest.data[0].base_error).toMatchObject({ code: expect.any(String) });
    expect(rest.data[1]).toMatchObject({ datasource_item_id: 5, base: null, candidate: { datasource_item_id: 5 } });
    expect(rest.has_more).toBe(false);

    await expect(client.get(`/evals/${ev.id}/compare`, { query: { base_run_id: base.id } })).rejects.toMatchObject({ status: 400, param: 'candidate_run_id' });
    await expect(client.get(`/evals/${ev.id}/compare`, { query: { ...q, base_run_id: 'evalrun_nope' } })).rejects.toMatchObject({ status: 404, param: 'base_run_id' });
    await expect(client.get(`/evals/${ev.id}/compare/items`, { query: { ...q, kind: 'worse' } })).rejects.toMatchObject({ status: 400, param: 'kind' });
    await expect(client.get(`/evals/eval_nope/compare`, { query: q })).rejects.toMatchObject({ status: 404, param: 'eval_id' });
  });
});

describe('GET /v1/evals/{eval_id}/runs/{run_id}/export', () => {
  it('streams every item as JSONL in row order: item, input, output, scores, errors', async () => {
    const { ev, base } = await twoRuns();
    const { response, body } = await text(`/evals/${ev.id}/runs/${base.id}/export`);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${base.id}.jsonl"`);
    const lines = body.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.datasource_item_id)).toEqual([0, 1, 2, 3, 4]);
    expect(lines[2]).toMatchObject({
      status: 'fail', error: null, item: { expected: 'c' }, output_text: 'x',
      scores: { exact: 0, nocase: 0 }, passed: { exact: false, nocase: false },
    });
    expect(lines[2].output_item_id).toMatch(/^outputitem_/);
    expect(lines[4]).toMatchObject({ status: 'fail', error: { code: expect.any(String), message: expect.any(String) }, scores: { exact: null, nocase: null }, passed: { exact: null } });
  });

  it('streams CSV with one score and passed column per criterion, quoted as RFC 4180 says', async () => {
    const { ev, candidate } = await twoRuns();
    const { response, body } = await text(`/evals/${ev.id}/runs/${candidate.id}/export`, { format: 'csv' });
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = body.split('\r\n');
    expect(lines[0]).toBe('datasource_item_id,output_item_id,status,error_code,error_message,item,input,output_text,model,total_tokens,exact score,exact passed,nocase score,nocase passed');
    expect(lines[2]).toMatch(/^1,outputitem_[0-9a-f]+,fail,,,"\{""expected"":""b""\}",\[\],B,,0,0,false,1,true$/);
    expect(lines).toHaveLength(8);
    expect(lines[7]).toBe('');
  });

  it('refuses an unknown format or run before sending anything', async () => {
    const { ev, base } = await twoRuns();
    await expect(client.get(`/evals/${ev.id}/runs/${base.id}/export`, { query: { format: 'xml' } })).rejects.toMatchObject({ status: 400, param: 'format' });
    await expect(client.get(`/evals/${ev.id}/runs/evalrun_nope/export`)).rejects.toMatchObject({ status: 404, param: 'run_id' });
  });
});
