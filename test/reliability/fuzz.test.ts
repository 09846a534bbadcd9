import { afterAll, beforeAll, expect, it } from 'vitest';
import { toFile } from 'openai';
import { Agent } from 'undici';
import { checkEval, describeEachBackend, envelopeOf, startOn, type ReliabilityServer } from './backends.js';

/** A small seeded PRNG (mulberry32), so that a failing case can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const deep = (depth: number, leaf: string = '1') => '['.repeat(depth) + leaf + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Values that are wrong somewhere, or hostile everywhere. */
const BAD_VALUES: Array<(r: Rng) => unknown> = [
  () => null, () => 0, () => -1, () => 1e308, () => true, () => '', () => [], () => ({}),
  () => 'a\u0000b', () => '\u0000', () => ({ 'k\u0000': 'v' }), () => 'x'.repeat(70_000),
  () => ({ ['k'.repeat(100_000)]: 'v' }), () => JSON.parse('{"__proto__":"x"}'), () => JSON.parse('{"__proto__":{"type":"multi"}}'),
  () => JSON.parse(deep(2000)), () => JSON.parse(deepObject(300)), (r) => 'é🙂\uD800'.repeat(r.int(50) + 1),
  () => [null, 1, 'a'], () => ({ type: 'nonsense' }), () => '{{ item.missing }}', () => '^(a+)+$'.slice(0, 3),
  (r) => r.next().toString(36), () => -0, () => Number.MAX_SAFE_INTEGER + 2,
];

/** A deep copy of `body` with one value, at a random place, replaced by a bad one. */
function mutate(body: unknown, r: Rng): unknown {
  const copy = JSON.parse(JSON.stringify(body)) as unknown;
  const slots: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => { slots.push({ parent: v, key: i }); walk(x); });
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { slots.push({ parent: v as Record<string, unknown>, key: k }); walk(x); }
  };
  walk(copy);
  if (slots.length === 0 || r.next() < 0.1) return r.pick(BAD_VALUES)(r);
  const slot = r.pick(slots);
  if (r.next() < 0.15 && !Array.isArray(slot.parent)) delete (slot.parent as Record<string, unknown>)[slot.key as string];
  else (slot.parent as Record<string | number, unknown>)[slot.key] = r.pick(BAD_VALUES)(r);
  return copy;
}

/** Raw bodies that are not JSON, or are JSON at its limits. */
const RAW_BODIES = ['{', '{"name":', 'null', '[]', '"x"', '1e999999', '{"a":NaN}', '\u0000', '{"name":"\\u0000"}', deep(100_000),
  deepObject(100_000), '{"metadata":' + deepObject(100_000) + '}', '\uFEFF{}', '{"name":"a"}garbage', 'x'.repeat(5000)];

interface Case { method: string; path: string; body?: string | FormData | undefined; contentType?: string | undefined }

function* cases(r: Rng, ids: { evalId: string; runId: string; fileId: string; itemId: string }, count: number): Generator<Case> {
  const runBody = { data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { expected: 'a' }, sample: { output_text: 'a' } }] } } };
  const sampledRunBody = { name: 'r', metadata: { a: 'b' }, data_source: { type: 'completions', model: 'gpt-4o-mini', source: { type: 'file_id', id: ids.fileId }, input_messages: { type: 'template', template: [{ role: 'user', content: 'x' }] }, sampling_params: { temperature: 1 } } };
  const graderBody = { grader: { type: 'multi', name: 'm', calculate_output: 'a / b', graders: { a: { type: 'string_check', name: 'a', input: 'x', reference: 'x', operation: 'eq' }, b: { type: 'text_similarity', name: 'b', input: 'x', reference: 'y', evaluation_metric: 'bleu' } } }, model_sample: 'x', item: {} };
  const badId = (real: string) => r.pick([real, `${real}%00`, '%00', 'x'.repeat(3000), '%E2%82', '..', 'a%2Fb', encodeURIComponent('é\u0000'), 'eval_' + 'f'.repeat(32), real.toUpperCase()]);
  const badQuery = () => r.pick(['', '?limit=abc', '?limit=-5', '?limit=1e999', '?order=sideways', '?after=%00', `?after=${'z'.repeat(2000)}`, '?status=bogus',
    '?purpose=%00', '?order_by=nope', '?limit=1&limit=2', '?after=a%00b&order=asc', '?status=%00', '?limit=%00']);
  const json = (method: string, path: string, base: unknown): Case => {
    const raw = r.next() < 0.25 ? r.pick(RAW_BODIES) : JSON.stringify(mutate(base, r));
    return { method, path, body: raw, contentType: r.next() < 0.1 ? r.pick(['text/plain', 'application/x-www-form-urlencoded', undefined]) : 'application/json' };
  };
  const generators: Array<() => Case> = [
    () => json('POST', '/evals', checkEval),
    () => json('POST', `/evals/${badId(ids.evalId)}`, { name: 'n', metadata: { a: 'b' } }),
    () => ({ method: 'GET', path: `/evals${badQuery()}` }),
    () => ({ method: r.pick(['GET', 'DELETE']), path: `/evals/${badId('eval_00000000000000000000000000000000')}` }),
    () => json('POST', `/evals/${badId(ids.evalId)}/runs`, r.next() < 0.5 ? runBody : sampledRunBody),
    () => ({ method: 'GET', path: `/evals/${badId(ids.evalId)}/runs${badQuery()}` }),
    () => ({ method: r.pick(['GET', 'POST', 'DELETE']), path: `/evals/${badId(ids.evalId)}/runs/${badId('evalrun_00000000000000000000000000000000')}` }),
    () => ({ method: 'POST', path: `/evals/${badId(ids.evalId)}/runs/${badId(ids.runId)}/cancel`, body: r.pick(['', '{', '{}']), contentType: 'application/json' }),
    () => ({ method: 'GET', path: `/evals/${badId(ids.evalId)}/runs/${badId(ids.runId)}/output_items${badQuery()}` }),
    () => ({ method: 'GET', path: `/evals/${badId(ids.evalId)}/runs/${badId(ids.runId)}/output_items/${badId(ids.itemId)}` }),
    () => ({ method: 'GET', path: `/files${badQuery()}` }),
    () => ({ method: r.pick(['GET', 'DELETE']), path: `/files/${badId('file-000000000000000000000000')}` }),
    () => ({ method: 'GET', path: `/files/${badId(ids.fileId)}/content` }),
    () => {
      const fd = new FormData();
      const purpose = r.pick(['evals', '', 'fun', 'evals\u0000', 'x'.repeat(10_000)]);
      if (r.next() < 0.8) fd.append('purpose', purpose);
      if (r.next() < 0.3) fd.append('expires_after[anchor]', r.pick(['created_at', 'x', '\u0000']));
      if (r.next() < 0.3) fd.append('expires_after[seconds]', r.pick(['10', 'abc', '3600', '-1', '1e99']));
      if (r.next() < 0.8) fd.append(r.pick(['file', 'other']), new Blob([r.pick(['{}\n', '', '\u0000'])]), r.pick(['a.jsonl', 'é\u0000.jsonl', '', 'x'.repeat(2000)]));
      return { method: 'POST', path: '/files', body: fd };
    },
    () => ({ method: 'POST', path: '/files', body: r.pick(['--x\r\n', '', 'garbage']), contentType: r.pick(['multipart/form-data', 'multipart/form-data; boundary=x', 'application/json']) }),
    () => json('POST', '/fine_tuning/alpha/graders/run', graderBody),
    () => json('POST', '/fine_tuning/alpha/graders/validate', { grader: graderBody.grader }),
    () => ({ method: r.pick(['PUT', 'PATCH']), path: r.pick(['/evals', `/files/${ids.fileId}`, '/nowhere']), body: '{}', contentType: 'application/json' }),
  ];
  for (let i = 0; i < count; i++) yield generators[i % generators.length]!();
}

const COUNT = 500;

describeEachBackend('fuzzing every endpoint', (backend) => {
  let server: ReliabilityServer;
  let ids: { evalId: string; runId: string; fileId: string; itemId: string };
  beforeAll(async () => {
    server = await startOn(backend, 'fuzz.test.ts', { EVALD_WORKER: '1' });
    const file = await server.client.files.create({ file: await toFile(Buffer.from('{"item":{"expected":"a"},"sample":{"output_text":"a"}}\n'), 'a.jsonl'), purpose: 'evals' });
    const ev = await server.client.evals.create(checkEval);
    const run = await server.client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_id', id: file.id } } });
    ids = { evalId: ev.id, runId: run.id, fileId: file.id, itemId: 'outputitem_00000000000000000000000000000000' };
  });
  afterAll(async () => { await server?.dispose(); });

  it(`answers ${COUNT} generated malformed requests with no 5xx and an OpenAI envelope on every 4xx, and stays healthy`, async () => {
    const seed = Number(process.env.EVALD_FUZZ_SEED ?? 20261202);
    const r = prng(seed);
    const failures: string[] = [];
    const oneShot = new Agent({ pipelining: 0 });

    const statuses = new Map<number, number>();
    const all = [...cases(r, ids, COUNT)];
    // Eight in flight at once: concurrency is part of the input (several bad requests at the same time).
    let next = 0;
    const worker = async () => {
      for (let n = next++; n < all.length; n = next++) {
        const c = all[n]!;
        const headers: Record<string, string> = {};
        if (c.contentType && !(c.body instanceof FormData)) headers['content-type'] = c.contentType;
        const what = `#${n} ${c.method} ${c.path.slice(0, 120)} ${typeof c.body === 'string' ? c.body.slice(0, 120) : c.body ? '(form)' : ''}`;
        // A connection of its own per request (no keep-alive): a request the server closes is then this one.
        const res = await server.api(c.path, { method: c.method, body: c.body, headers, dispatcher: oneShot } as RequestInit).catch((e: Error) => e);
        if (res instanceof Error) { failures.push(`no answer (${res.message}: ${String((res.cause as Error | undefined)?.message)}): ${what}`); continue; }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) failures.push(`${res.status} ${what}: ${(await res.text()).slice(0, 300)}`);
        else if (res.status >= 400) { if (!(await envelopeOf(res))) failures.push(`${res.status} without the error envelope: ${what}`); }
        else await res.body?.cancel();
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await oneShot.close();

    if (failures.length) console.log(failures.join('\n'));
    expect(failures, `seed ${seed}; statuses ${JSON.stringify([...statuses])}`).toEqual([]);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const ev = await server.client.evals.create(checkEval);
    expect((await server.client.evals.retrieve(ev.id)).name).toBe('reliability');
    // A few seconds alone; the machine the suite shares can make it many times that.
  }, 180_000);
});
