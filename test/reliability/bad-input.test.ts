import { afterAll, beforeAll, expect, it } from 'vitest';
import { toFile } from 'openai';
import { waitForRun } from '../harness.js';
import { checkEval, describeEachBackend, envelopeOf, startOn, type ReliabilityServer } from './backends.js';

const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describeEachBackend('bad input gets a 4xx, never a 5xx', (backend) => {
  let server: ReliabilityServer;
  let evalId: string;
  beforeAll(async () => {
    server = await startOn(backend, 'bad-input.test.ts');
    evalId = (await server.client.evals.create(checkEval)).id;
  });
  afterAll(async () => { await server?.dispose(); });

  const post = async (path: string, body: string) => {
    const res = await server.api(path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    return { status: res.status, error: await envelopeOf(res) };
  };

  it('refuses JSON nested 100,000 deep in any body, naming where, beyond the documented depth', async () => {
    const deep = nested(100_000);
    const cases: Array<[string, string, string]> = [
      ['/evals', `{"name":"x","metadata":${deep}}`, 'metadata'],
      ['/evals', `{"data_source_config":{"type":"custom","item_schema":${deep}},"testing_criteria":[]}`, 'data_source_config.item_schema'],
      [`/evals/${evalId}/runs`, `{"data_source":{"type":"jsonl","source":{"type":"file_content","content":[{"item":${deep}}]}}}`, 'data_source.source.content[0].item'],
      ['/fine_tuning/alpha/graders/run', `{"grader":{"type":"string_check","name":"g","input":"a","reference":"a","operation":"eq"},"model_sample":"a","item":${deep}}`, 'item'],
      ['/evals', `[${'['.repeat(100_000)}${']'.repeat(100_000)}]`, ''],
    ];
    for (const [path, body, prefix] of cases) {
      const { status, error } = await post(path, body);
      expect(status, path).toBe(400);
      expect(error).toMatchObject({ type: 'invalid_request_error', code: 'nesting_too_deep' });
      expect(error!.param ?? '').toMatch(new RegExp(`^${prefix.replace(/[[\].]/g, '\\$&')}`));
      expect(error!.message).toContain('128');
    }
    // At the documented depth it is accepted (metadata is refused for its type, not its depth).
    expect((await post('/fine_tuning/alpha/graders/run', `{"grader":{"type":"string_check","name":"g","input":"a","reference":"a","operation":"eq"},"model_sample":"a","item":${nested(126)}}`)).status).toBe(200);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('refuses NUL characters in names, models, ids, paths and queries with a 400 that names them', async () => {
    const bodies: Array<[string, unknown, string]> = [
      ['/evals', { ...checkEval, name: 'a\u0000b' }, 'name'],
      [`/evals/${evalId}`, { name: '\u0000' }, 'name'],
      [`/evals/${evalId}/runs`, { name: 'r\u0000', data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: {} }] } } }, 'name'],
      [`/evals/${evalId}/runs`, { data_source: { type: 'jsonl', source: { type: 'file_id', id: 'file-\u0000' } } }, 'data_source.source.id'],
      [`/evals/${evalId}/runs`, { data_source: { type: 'completions', model: 'gpt\u0000', source: { type: 'file_content', content: [{ item: {} }] }, input_messages: { type: 'template', template: [{ role: 'user', content: 'x' }] } } }, 'data_source.model'],
    ];
    for (const [path, body, param] of bodies) {
      const { status, error } = await post(path, JSON.stringify(body));
      expect(status, `${path} ${param}`).toBe(400);
      expect(error?.param).toBe(param);
    }
    const urls: Array<[string, string, string]> = [
      ['GET', '/evals/eval_%00', 'eval_id'], ['DELETE', '/evals/%00', 'eval_id'], ['GET', `/evals/${evalId}/runs/run%00`, 'run_id'],
      ['POST', `/evals/${evalId}/runs/%00/cancel`, 'run_id'], ['GET', `/evals/${evalId}/runs/r/output_items/%00`, 'output_item_id'],
      ['GET', '/files/file-%00', 'file_id'], ['DELETE', '/files/%00', 'file_id'], ['GET', '/files/%00/content', 'file_id'],
      ['GET', '/evals?after=%00', 'after'], ['GET', '/files?purpose=a%00', 'purpose'], ['GET', `/evals/${evalId}/runs?after=x%00`, 'after'],
    ];
    for (const [method, path, param] of urls) {
      const res = await server.api(path, { method });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect((await envelopeOf(res))?.param).toBe(param);
    }
    // Inside JSON values (metadata, rows) a NUL is data: stored and given back.
    const ev = await server.client.evals.create({ ...checkEval, metadata: { note: 'a\u0000b' } });
    expect((await server.client.evals.retrieve(ev.id)).metadata).toEqual({ note: 'a\u0000b' });
    // A raw NUL in a part header is a malformed form; RFC 5987's `filename*=` can still spell one.
    for (const disposition of ['filename="a\u0000.jsonl"', "filename*=utf-8''a%00.jsonl"]) {
      const form = `--b\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nevals\r\n--b\r\nContent-Disposition: form-data; name="file"; ${disposition}\r\n\r\n{}\n\r\n--b--\r\n`;
      const upload = await server.api('/files', { method: 'POST', body: form, headers: { 'content-type': 'multipart/form-data; boundary=b' } });
      expect(upload.status, disposition).toBe(400);
      expect(await envelopeOf(upload)).toMatchObject({ type: 'invalid_request_error' });
    }
    const encoded = `--b\r\nContent-Disposition: form-data; name="file"; filename*=utf-8''a%00.jsonl\r\n\r\n{}\n\r\n--b--\r\n`;
    const upload = await server.api('/files', { method: 'POST', body: encoded, headers: { 'content-type': 'multipart/form-data; boundary=b' } });
    expect((await envelopeOf(upload))?.param).toBe('file');
  });

  it('errors a deeply nested row of an uploaded file, and grades the others', async () => {
    const rows = [
      JSON.stringify({ item: { expected: 'a' }, sample: { output_text: 'a' } }),
      `{"item":{"expected":"b","deep":${nested(100_000)}},"sample":{"output_text":"b"}}`,
      JSON.stringify({ item: { expected: 'c' }, sample: { output_text: 'c' } }),
    ].join('\n');
    const file = await server.client.files.create({ file: await toFile(Buffer.from(rows), 'deep.jsonl'), purpose: 'evals' });
    const run = await server.client.evals.runs.create(evalId, { data_source: { type: 'jsonl', source: { type: 'file_id', id: file.id } } });
    const done = await waitForRun(server.client, evalId, run.id);
    expect(done.status).toBe('completed');
    expect(done.result_counts).toEqual({ total: 3, passed: 2, failed: 0, errored: 1 });
    const items = (await server.client.evals.runs.outputItems.list(run.id, { eval_id: evalId })).data;
    const errored = items.find((i) => i.datasource_item_id === 1)!;
    expect((errored.sample as unknown as { error: { code: string } }).error.code).toBe('row_too_deep');
  });

  it('quotes a bounded prefix of a megabyte key, and refuses a __proto__ metadata key by name', async () => {
    const key = 'k'.repeat(1024 * 1024);
    const res = await post('/evals', JSON.stringify({ ...checkEval, metadata: { [key]: 'v' } }));
    expect(res.status).toBe(400);
    expect(res.error!.message.length).toBeLessThan(1000);
    expect(res.error!.param!.length).toBeLessThan(400);
    expect(res.error!.param).toMatch(/^metadata\.k+…/);
    expect(res.error!.message).toContain('at most 64 characters');
    const proto = await post('/evals', `{"name":"p","metadata":{"__proto__":"x","a":"b"},"data_source_config":{"type":"custom","item_schema":{}},"testing_criteria":[]}`);
    expect(proto).toMatchObject({ status: 400, error: { param: 'metadata.__proto__' } });
    const update = await post(`/evals/${evalId}`, '{"metadata":{"__proto__":"x"}}');
    expect(update).toMatchObject({ status: 400, error: { param: 'metadata.__proto__' } });
  });

  it('says what a multi grader formula that divides by zero gave, and names a bad map entry', async () => {
    const sc = (name: string, reference: string) => ({ type: 'string_check', name, input: 'x', reference, operation: 'eq' });
    const run = await post('/fine_tuning/alpha/graders/run', JSON.stringify({ grader: { type: 'multi', name: 'm', calculate_output: 'a / b', graders: { a: sc('a', 'x'), b: sc('b', 'y') } }, model_sample: 'x' }));
    expect(run.status).toBe(200);
    const body = await (await server.api('/fine_tuning/alpha/graders/run', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grader: { type: 'multi', name: 'm', calculate_output: 'a / b', graders: { a: sc('a', 'x'), b: sc('b', 'y') } }, model_sample: 'x' }) })).json();
    expect(body.reward).toBe(0);
    expect(body.metadata.errors.other_error).toBe(true);
    expect(body.metadata.errors.other_error_details).toMatch(/Infinity.*division by zero/);
    for (const [entry, param] of [[5, 'grader.graders.bad'], [{ name: 'x' }, 'grader.graders.bad.type'], [{ type: 'nope' }, 'grader.graders.bad.type']] as const) {
      const res = await post('/fine_tuning/alpha/graders/validate', JSON.stringify({ grader: { type: 'multi', name: 'm', calculate_output: 'a', graders: { a: sc('a', 'x'), bad: entry } } }));
      expect(res).toMatchObject({ status: 400, error: { param } });
    }
  });
});
