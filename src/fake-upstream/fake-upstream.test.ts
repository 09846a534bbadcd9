import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from './index.js';

let fake: FakeUpstream;
let client: OpenAI;
beforeAll(async () => {
  fake = await startFakeUpstream();
  client = new OpenAI({ baseURL: fake.url, apiKey: 'sk-fake-test', maxRetries: 0 });
});
afterAll(() => fake.close());
afterEach(() => fake.stats.reset());

const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
};

describe('fake upstream through the official SDK', () => {
  it('answers chat completions in the real shape, echoing the last user message', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'Hello there [[fake:cached=3]]' }],
    });
    expect(completion).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there', refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number), prompt_tokens_details: { cached_tokens: 3 } },
    });
    expect(fake.stats.authorizations).toEqual(['Bearer sk-fake-test']);
  });

  it('answers with audio when modalities ask for it, refusing audio output without `audio`', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-audio-preview', modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' },
      messages: [{ role: 'user', content: 'Say yes [[fake:reply=Yes.]]' }],
    });
    const message = completion.choices[0]!.message;
    expect(message.content).toBeNull();
    expect(message.audio).toMatchObject({ id: expect.stringMatching(/^audio_/), transcript: 'Yes.', expires_at: expect.any(Number) });
    expect(Buffer.from(message.audio!.data, 'base64').subarray(0, 4).toString()).toBe('RIFF');
    const missing = await post('/chat/completions', { model: 'gpt-4o-audio-preview', modalities: ['audio'], messages: [{ role: 'user', content: 'x' }] });
    expect(missing).toMatchObject({ status: 400, body: { error: { param: 'audio' } } });
  });

  it('answers /responses with hosted tool call items when a directive asks', async () => {
    const response = await client.responses.create({ model: 'gpt-4.1', input: 'look it up [[fake:hosted=web_search_call(evald)]] [[fake:hosted=mcp_call:lookup({"q":1})]]' });
    expect(response.output.map((o) => o.type)).toEqual(['web_search_call', 'mcp_call', 'message']);
    expect(response.output[0]).toMatchObject({ id: expect.stringMatching(/^ws_/), status: 'completed', action: { type: 'search', query: 'evald' } });
    expect(response.output[1]).toMatchObject({ server_label: 'fake', name: 'lookup', arguments: '{"q":1}' });
  });

  it('answers responses with output items the SDK folds into output_text', async () => {
    const response = await client.responses.create({ model: 'gpt-4.1', instructions: 'be nice', input: 'Say hi' });
    expect(response.output_text).toBe('Say hi');
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'gpt-4.1-2024-07-18', usage: { input_tokens_details: { cached_tokens: 0 } } });
  });

  it('serves embeddings in the SDK default base64 encoding and as floats', async () => {
    const viaSdk = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha beta', 'alpha gamma'] });
    expect(viaSdk.data).toHaveLength(2);
    expect(viaSdk.data[0]!.embedding).toHaveLength(1536);
    const floats = await post('/embeddings', { model: 'text-embedding-3-small', input: 'alpha beta', encoding_format: 'float' });
    expect(floats.body.data[0].embedding[0]).toBeCloseTo(viaSdk.data[0]!.embedding[0]!, 5);
  });

  it('raises the SDK error types for injected faults', async () => {
    const limited = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: '[[fake:429x1;retry-after-ms=250]]' }] }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after-ms')).toBe('250');
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded');
    const broken = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: '[[fake:500x1]]' }] }).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(OpenAI.InternalServerError);
    const dropped = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: '[[fake:dropx1]]' }] }).catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(fake.stats.byStatus).toMatchObject({ 429: 1, 500: 1, drop: 1 });
  });

  it('serves only the models it is given, answering 404 model_not_found for any other', async () => {
    const strict = await startFakeUpstream({ models: ['gpt-4o-mini'] });
    try {
      const sdk = new OpenAI({ baseURL: strict.url, apiKey: 'sk-fake-test', maxRetries: 0 });
      const ok = await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(ok.choices[0]!.message.content).toBe('hi');
      const unknown = await sdk.chat.completions.create({ model: 'gpt-4o-minii', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
      expect((unknown as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
      expect((unknown as Error).message).toContain('The model `gpt-4o-minii` does not exist');
      const embedded = await sdk.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }).catch((e: unknown) => e);
      expect(embedded).toBeInstanceOf(OpenAI.NotFoundError);
    } finally {
      await strict.close();
    }
  });
});

describe('fake upstream behaviour', () => {
  it('counts fault attempts per prompt: 429x2 then success', async () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'target [[fake:429x2]]' }] };
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await post('/chat/completions', body)).status);
    expect(statuses).toEqual([429, 429, 200]);
    expect((await post('/chat/completions', { ...body, messages: [{ role: 'user', content: 'other prompt' }] })).status).toBe(200);
  });

  it('rejects what the real API rejects', async () => {
    const seed = await post('/responses', { model: 'm', input: 'x', seed: 1 });
    expect(seed).toMatchObject({ status: 400, body: { error: { message: "Unknown parameter: 'seed'.", type: 'invalid_request_error', param: 'seed' } } });
    const role = await post('/chat/completions', { model: 'm', messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'u' } }] }] });
    expect(role.status).toBe(400);
    const assistantInput = await post('/responses', { model: 'm', input: [{ role: 'user', content: [{ type: 'output_text', text: 'x' }] }] });
    expect(assistantInput.status).toBe(400);
    expect((await post('/chat/completions', { messages: [{ role: 'user', content: 'x' }] })).status).toBe(400);
    expect((await post('/responses', { model: 'm', input: 'x', max_output_tokens: 5 })).status).toBe(400);
    expect((await post('/nope', {})).status).toBe(404);
  });

  it('answers structured output with a value that fits the schema, steered by directives', async () => {
    const schema = {
      type: 'object',
      properties: { steps: { type: 'array', items: { type: 'object', properties: { description: { type: 'string' }, conclusion: { type: 'string' } } } }, result: { type: 'number', minimum: 0, maximum: 1 } },
      required: ['steps', 'result'],
    };
    const res = await post('/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'grade [[fake:score=0.7]]' }], response_format: { type: 'json_schema', json_schema: { name: 's', schema } } });
    expect(JSON.parse(res.body.choices[0].message.content)).toEqual({ steps: [{ description: 'fake description', conclusion: 'fake conclusion' }], result: 0.7 });
    const obj = await post('/responses', { model: 'm', input: 'hi', text: { format: { type: 'json_object' } } });
    expect(JSON.parse(obj.body.output[0].content[0].text)).toEqual({ answer: 'hi' });
    const fixed = await post('/chat/completions', { model: 'm', messages: [{ role: 'user', content: '[[fake:json={"a":[1,2]}]]' }], response_format: { type: 'json_object' } });
    expect(JSON.parse(fixed.body.choices[0].message.content)).toEqual({ a: [1, 2] });
  });

  it('replies, refuses and calls tools on request', async () => {
    const reply = await post('/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x [[fake:reply=exactly; this]]' }] });
    expect(reply.body.choices[0].message.content).toBe('exactly; this');
    const refuse = await post('/responses', { model: 'm', input: '[[fake:refuse]]' });
    expect(refuse.body.output[0].content[0]).toEqual({ type: 'refusal', refusal: expect.any(String) });
    const tool = await post('/chat/completions', { model: 'm', messages: [{ role: 'user', content: '[[fake:tool=a({"x":1})]] [[fake:tool=b]]' }] });
    expect(tool.body.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { content: null, tool_calls: [{ type: 'function', function: { name: 'a', arguments: '{"x":1}' } }, { type: 'function', function: { name: 'b', arguments: '{}' } }] },
    });
  });

  it('applies latency and tracks requests in flight', async () => {
    const slow = await startFakeUpstream({ latencyMs: 100 });
    try {
      const started = Date.now();
      await Promise.all(Array.from({ length: 5 }, () => fetch(`${slow.url}/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'e', input: 'x' }) }).then((r) => r.json())));
      expect(Date.now() - started).toBeGreaterThanOrEqual(95);
      expect(slow.stats.maxInFlight).toBe(5);
      expect(slow.stats.inFlight).toBe(0);
    } finally {
      await slow.close();
    }
  });

  it('injects faults by rate, with retry-after headers on 429s', async () => {
    const flaky = await startFakeUpstream({ rate429: 1 });
    try {
      const res = await fetch(`${flaky.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }) });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after-ms')).toBe('100');
      expect(res.headers.get('retry-after')).toBe('1');
    } finally {
      await flaky.close();
    }
  });

  it('rolls the same faults for the same seed', async () => {
    const statuses = async (seed: number) => {
      const flaky = await startFakeUpstream({ rate500: 0.5, seed });
      try {
        const out: number[] = [];
        for (let i = 0; i < 12; i += 1) {
          out.push((await fetch(`${flaky.url}/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'e', input: 'x' }) })).status);
        }
        return out;
      } finally {
        await flaky.close();
      }
    };
    const first = await statuses(42);
    expect(await statuses(42)).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
  });

  it('drips an answer a byte at a time after sending its headers at once', async () => {
    const started = performance.now();
    const res = await fetch(`${fake.url}/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'e', input: 'x [[fake:drip=5]]', dimensions: 2 }) });
    expect(res.status).toBe(200);
    const headersAfter = performance.now() - started;
    const reader = res.body!.getReader();
    const chunks: number[] = [];
    let text = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      chunks.push(r.value.length);
      text += Buffer.from(r.value).toString('utf8');
    }
    const length = Number(res.headers.get('content-length'));
    expect(text.length).toBe(length);
    expect(JSON.parse(text)).toMatchObject({ object: 'list' });
    // One byte per write: many reads, none carrying the whole body, and the body took far longer than the headers.
    expect(chunks.length).toBeGreaterThan(length / 4);
    expect(performance.now() - started).toBeGreaterThan(headersAfter + length * 2);
  });
});
