import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../src/fake-upstream/index.js';
import { captureLog, startTestServer, waitFor, type TestServer } from './harness.js';

let fake: FakeUpstream;
let server: TestServer;
let alpha: OpenAI;
let beta: OpenAI;
let alphaKey: string;

beforeAll(async () => {
  fake = await startFakeUpstream({ streamIntervalMs: 60 });
  server = await startTestServer({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'sk-upstream-secret' });
  alphaKey = (await server.services.keys.create('alpha', null)).key;
  alpha = server.clientWith(alphaKey);
  beta = server.clientWith((await server.services.keys.create('beta', null)).key);
});
afterAll(async () => { await server.close(); await fake.close(); });

const retrieveStored = (client: OpenAI, id: string) =>
  waitFor(() => client.chat.completions.retrieve(id).then((c) => c, () => undefined), 10_000, `stored completion ${id}`);

describe('the gateway', () => {
  it('forwards a chat completion as sent, with the provider key, and returns the upstream answer', async () => {
    const completion = await alpha.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello gateway' }], temperature: 0.3 });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('gpt-4o-mini-2024-07-18');
    expect(completion.choices[0]!.message.content).toBe('hello gateway');
    const sent = fake.stats.recent.at(-1)!;
    expect(sent.body).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello gateway' }], temperature: 0.3 });
    expect(sent.authorization).toBe('Bearer sk-upstream-secret');
    expect(fake.stats.authorizations).not.toContain(`Bearer ${alphaKey}`);
    // Not stored: store defaults to false for chat completions.
    await expect(alpha.chat.completions.retrieve(completion.id)).rejects.toMatchObject({ status: 404 });
  });

  it('passes an upstream 429 through with its retry headers, and a 400 with its envelope', async () => {
    const err = await alpha.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '[[fake:429;retry-after-ms=1234]] x' }] })
      .catch((e: unknown) => e) as InstanceType<typeof OpenAI.APIError>;
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.headers?.get('retry-after-ms')).toBe('1234');
    const bad = await alpha.responses.create({ model: 'gpt-4o-mini', input: 'x', seed: 1 } as never).catch((e: unknown) => e) as InstanceType<typeof OpenAI.APIError>;
    expect(bad.status).toBe(400);
    expect(bad.error).toMatchObject({ param: 'seed', code: 'unknown_parameter' });
    const noModel = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${alphaKey}`, 'content-type': 'application/json' }, body: '{"messages":[]}' });
    expect(noModel.status).toBe(400);
    expect((await noModel.json()).error).toMatchObject({ param: 'model', code: 'missing_required_parameter' });
  });

  it('answers 502 in the error envelope when the provider is unreachable', async () => {
    const down = await startTestServer({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
    try {
      const err = await down.client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e) as InstanceType<typeof OpenAI.APIError>;
      expect(err.status).toBe(502);
      expect(err.error).toMatchObject({ type: 'server_error', code: 'provider_unreachable' });
    } finally {
      await down.close();
    }
  });

  it('streams chat chunks as they arrive and stores the assembled answer', async () => {
    const started = performance.now();
    const stream = await alpha.chat.completions.create({
      model: 'gpt-4o-mini', stream: true, store: true, metadata: { via: 'stream' }, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'a streamed answer of several pieces' }],
    });
    const arrivals: number[] = [];
    let text = '';
    let id = '';
    for await (const chunk of stream) {
      arrivals.push(performance.now() - started);
      id = chunk.id;
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('a streamed answer of several pieces');
    // The fake waits 60 ms between events: the first must have reached us long before the last was sent.
    expect(arrivals.length).toBeGreaterThan(5);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(200);
    const stored = await retrieveStored(alpha, id);
    expect(stored.choices[0]!.message.content).toBe(text);
    expect(stored.metadata).toEqual({ via: 'stream' });
    expect(stored.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('streams response events and keeps the completed response', async () => {
    const stream = await alpha.responses.create({ model: 'gpt-4o-mini', input: 'stream this response', stream: true });
    const types: string[] = [];
    let id = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.completed') id = event.response.id;
    }
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_text.delta');
    const stored = await waitFor(() => alpha.responses.retrieve(id).then((r) => r, () => undefined), 10_000, 'stored response');
    expect(stored.output_text).toBe('stream this response');
  });

  it('serves embeddings and lists models', async () => {
    const e = await alpha.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha beta' });
    expect(e.data[0]!.embedding).toHaveLength(1536);
    const models = await alpha.models.list();
    expect(models.object).toBe('list');
  });

  it('counts calls per project and model in the usage view', async () => {
    await beta.chat.completions.create({ model: 'usage-model', messages: [{ role: 'user', content: 'count me' }] });
    const res = await fetch(`${server.url}/v1/evald/gateway/usage`, { headers: { authorization: `Bearer ${alphaKey}` } });
    const view = await res.json() as { data: Array<{ model: string; requests: number; errors: number; total_tokens: number }> };
    const mini = view.data.find((r) => r.model === 'gpt-4o-mini')!;
    expect(mini.requests).toBeGreaterThanOrEqual(4);
    expect(mini.errors).toBeGreaterThanOrEqual(2);
    expect(mini.total_tokens).toBeGreaterThan(0);
    expect(view.data.find((r) => r.model === 'usage-model')).toBeUndefined();
  });

  it('logs each call once with the status it answered; answers its own errors in the envelope with a request id', async () => {
    const { log, lines } = captureLog('info');
    const own = await startTestServer({ OPENAI_BASE_URL: fake.url }, log);
    try {
      const key = (await own.services.keys.create('gamma', null)).key;
      const post = (path: string, headers: Record<string, string>, body: string) =>
        fetch(`${own.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '[[fake:429]] logged' }] });
      const limited = await post('/v1/chat/completions', { authorization: `Bearer ${key}` }, chat);
      expect(limited.status).toBe(429);
      const unauthenticated = await post('/v1/chat/completions', {}, chat);
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.headers.get('content-type')).toBe('application/json');
      expect(await unauthenticated.json()).toEqual({ error: {
        message: "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.", type: 'invalid_request_error', param: null, code: 'invalid_api_key',
      } });
      // A query holding a NUL is refused as on every other path, naming the parameter.
      const nul = await post('/v1/chat/completions?x=%00', { authorization: `Bearer ${key}` }, chat);
      expect(nul.status).toBe(400);
      expect(((await nul.json()) as { error: { param: string } }).error.param).toBe('x');
      const lineOf = (res: Response) => lines.filter((l) => l.msg === 'request' && l.request_id === res.headers.get('x-request-id'));
      // The upstream's own x-request-id is passed on; evald's is x-evald-request-id.
      expect(limited.headers.get('x-evald-request-id')).toMatch(/^req_/);
      expect(lines.filter((l) => l.msg === 'request' && l.request_id === limited.headers.get('x-evald-request-id'))).toMatchObject([{ method: 'POST', path: '/v1/chat/completions', status: 429 }]);
      expect(lineOf(unauthenticated)).toMatchObject([{ status: 401, code: 'invalid_api_key', param: null }]);
      expect(lineOf(nul)).toMatchObject([{ status: 400, code: 'invalid_value', param: 'x' }]);
    } finally {
      await own.close();
    }
  });
});
