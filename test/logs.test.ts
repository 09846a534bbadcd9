import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../src/fake-upstream/index.js';
import { openSqlite } from '../src/storage/index.js';
import { startTestServer, waitFor, type TestServer } from './harness.js';

let fake: FakeUpstream;
let server: TestServer;
let alpha: OpenAI;
let beta: OpenAI;
const ids: string[] = [];

const all = async <T>(page: AsyncIterable<T>) => { const out: T[] = []; for await (const x of page) out.push(x); return out; };

beforeAll(async () => {
  fake = await startFakeUpstream();
  server = await startTestServer({ OPENAI_BASE_URL: fake.url });
  alpha = server.clientWith((await server.services.keys.create('alpha', null)).key);
  beta = server.clientWith((await server.services.keys.create('beta', null)).key);
  for (let i = 0; i < 7; i++) {
    const c = await alpha.chat.completions.create({
      model: i < 5 ? 'gpt-4o-mini' : 'gpt-4.1', store: true, user: `user-${i % 2}`,
      metadata: { topic: i % 2 ? 'odd' : 'even', n: String(i) },
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: `question ${i}` }],
    });
    ids.push(c.id);
  }
  await alpha.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'not stored' }] });
  await waitFor(async () => ((await alpha.chat.completions.list({ limit: 100 })).data.length === 7 ? true : undefined), 10_000, 'logs');
});
afterAll(async () => { await server.close(); await fake.close(); });

describe('stored chat completions', () => {
  it('lists only stored completions, oldest first, in pages', async () => {
    const first = await alpha.chat.completions.list({ limit: 3 });
    expect(first.data.map((c) => c.id)).toEqual(ids.slice(0, 3));
    expect(first.has_more).toBe(true);
    expect((await all(alpha.chat.completions.list({ limit: 2 }))).map((c) => c.id)).toEqual(ids);
    const desc = await alpha.chat.completions.list({ order: 'desc', limit: 2 });
    expect(desc.data.map((c) => c.id)).toEqual([ids[6], ids[5]]);
  });

  it('filters by metadata and by model (asked for or answered)', async () => {
    const odd = await all(alpha.chat.completions.list({ metadata: { topic: 'odd' } }));
    expect(odd.map((c) => c.id)).toEqual([ids[1], ids[3], ids[5]]);
    const both = await all(alpha.chat.completions.list({ metadata: { topic: 'odd', n: '3' } }));
    expect(both.map((c) => c.id)).toEqual([ids[3]]);
    expect((await all(alpha.chat.completions.list({ model: 'gpt-4.1' }))).map((c) => c.id)).toEqual(ids.slice(5));
    expect((await all(alpha.chat.completions.list({ model: 'gpt-4o-mini-2024-07-18' }))).length).toBe(5);
    expect((await all(alpha.chat.completions.list({ model: 'gpt-4.1', metadata: { topic: 'even' } }))).map((c) => c.id)).toEqual([ids[6]]);
  });

  it('retrieves a completion with its request fields, updates its metadata, lists its messages', async () => {
    const c = await alpha.chat.completions.retrieve(ids[2]!);
    expect(c).toMatchObject({ id: ids[2], object: 'chat.completion', metadata: { topic: 'even', n: '2' }, input_user: 'user-0' });
    expect(c.choices[0]!.message.content).toBe('question 2');
    const updated = await alpha.chat.completions.update(ids[2]!, { metadata: { topic: 'moved' } });
    expect(updated.metadata).toEqual({ topic: 'moved' });
    expect((await all(alpha.chat.completions.list({ metadata: { topic: 'moved' } }))).map((x) => x.id)).toEqual([ids[2]]);
    expect((await all(alpha.chat.completions.list({ metadata: { topic: 'even' } }))).map((x) => x.id)).not.toContain(ids[2]);
    const messages = await all(alpha.chat.completions.messages.list(ids[2]!));
    expect(messages).toEqual([
      { id: `${ids[2]}-0`, role: 'system', content: 'Be brief.', name: null, content_parts: null },
      { id: `${ids[2]}-1`, role: 'user', content: 'question 2', name: null, content_parts: null },
    ]);
    const page = await alpha.chat.completions.messages.list(ids[2]!, { limit: 1, order: 'desc' });
    expect(page.data.map((m) => m.role)).toEqual(['user']);
  });

  it('keeps projects apart and deletes', async () => {
    expect((await beta.chat.completions.list()).data).toEqual([]);
    await expect(beta.chat.completions.retrieve(ids[0]!)).rejects.toMatchObject({ status: 404 });
    await expect(beta.chat.completions.delete(ids[0]!)).rejects.toMatchObject({ status: 404 });
    expect(await alpha.chat.completions.delete(ids[0]!)).toEqual({ object: 'chat.completion.deleted', id: ids[0], deleted: true });
    await expect(alpha.chat.completions.retrieve(ids[0]!)).rejects.toMatchObject({ status: 404, error: { param: 'completion_id' } });
  });

  it('refuses an update without metadata, naming the field', async () => {
    await expect(alpha.chat.completions.update(ids[1]!, {} as never)).rejects.toMatchObject({ status: 400, error: { param: 'metadata' } });
  });
});

describe('stored responses', () => {
  it('retrieves a response, lists its input items, and deletes it', async () => {
    const r = await alpha.responses.create({ model: 'gpt-4o-mini', instructions: 'Be kind.', input: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'second' }], metadata: { app: 'x' } });
    const stored = await waitFor(() => alpha.responses.retrieve(r.id).then((x) => x, () => undefined), 10_000, 'stored response');
    expect(stored).toMatchObject({ id: r.id, instructions: 'Be kind.', metadata: { app: 'x' } });
    const items = await all(alpha.responses.inputItems.list(r.id));
    expect(items.map((i) => (i as { role: string }).role)).toEqual(['user', 'assistant', 'user']);
    expect(items[0]).toMatchObject({ type: 'message', content: [{ type: 'input_text', text: 'second' }] });
    const asc = await alpha.responses.inputItems.list(r.id, { order: 'asc', limit: 1 });
    expect(asc.data[0]).toMatchObject({ content: [{ type: 'input_text', text: 'first' }] });
    expect(asc.has_more).toBe(true);
    await expect(beta.responses.retrieve(r.id)).rejects.toMatchObject({ status: 404 });
    await alpha.responses.delete(r.id);
    await expect(alpha.responses.retrieve(r.id)).rejects.toMatchObject({ status: 404 });
  });

  it('does not keep a response sent with store: false', async () => {
    const r = await alpha.responses.create({ model: 'gpt-4o-mini', input: 'forget me', store: false });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(alpha.responses.retrieve(r.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe('GET /v1/evald/logs (evald extension)', () => {
  const list = async (key: string, query: string) => {
    const res = await fetch(`${server.url}/v1/evald/logs?${query}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: await res.json() as { data: Array<{ id: string; object: string; metadata: Record<string, string> }>; has_more: boolean; error?: { param: string } } };
  };
  let key: string;
  beforeAll(async () => {
    key = (await server.services.keys.create('gamma', null)).key;
    const gamma = server.clientWith(key);
    for (let i = 0; i < 3; i++) {
      await gamma.chat.completions.create({ model: 'gpt-4o-mini', store: true, metadata: { batch: i < 2 ? 'a' : 'b' }, messages: [{ role: 'user', content: `c${i}` }] });
    }
    await gamma.responses.create({ model: 'gpt-4.1', input: 'a response', metadata: { batch: 'a' } });
    await waitFor(async () => ((await list(key, 'kind=response')).body.data.length === 1 ? true : undefined), 10_000, 'stored response');
  });

  it('lists chat completions newest first, and responses, with a run source’s filters', async () => {
    const now = Math.floor(Date.now() / 1000);
    const chats = (await list(key, 'limit=2')).body;
    expect(chats.data.map((c) => c.object)).toEqual(['chat.completion', 'chat.completion']);
    expect(chats.data[0]!.metadata).toEqual({ batch: 'b' });
    expect(chats.has_more).toBe(true);
    expect((await list(key, 'metadata[batch]=a')).body.data.map((c) => c.metadata.batch)).toEqual(['a', 'a']);
    expect((await list(key, `created_after=${now - 600}&created_before=${now + 600}`)).body.data).toHaveLength(3);
    expect((await list(key, `created_after=${now + 600}`)).body.data).toEqual([]);
    expect((await list(key, `created_before=${now - 600}`)).body.data).toEqual([]);
    const responses = (await list(key, 'kind=response&metadata[batch]=a&model=gpt-4.1')).body.data;
    expect(responses).toHaveLength(1);
    expect(responses[0]!.id).toMatch(/^resp_/);
    expect((await list(key, 'kind=response&model=gpt-4o-mini')).body.data).toEqual([]);
  });

  it('refuses a bad kind or bound, naming it', async () => {
    expect(await list(key, 'kind=log')).toMatchObject({ status: 400, body: { error: { param: 'kind' } } });
    expect(await list(key, 'created_after=yesterday')).toMatchObject({ status: 400, body: { error: { param: 'created_after' } } });
  });
});

describe('log writes (batched a few milliseconds after the call)', () => {
  it('finds a stored call right after its answer, without waiting', async () => {
    const calls = await Promise.all(Array.from({ length: 20 }, (_, i) => alpha.chat.completions.create({
      model: 'gpt-4o-mini', store: true, metadata: { batch: 'read-after' }, messages: [{ role: 'user', content: `right away ${i}` }],
    })));
    // No waitFor: a read waits for the logs queued before it.
    expect((await alpha.chat.completions.retrieve(calls[7]!.id)).id).toBe(calls[7]!.id);
    const listed = await all(alpha.chat.completions.list({ metadata: { batch: 'read-after' } }));
    expect(listed.map((c) => c.id).sort()).toEqual(calls.map((c) => c.id).sort());
    const response = await alpha.responses.create({ model: 'gpt-4o-mini', input: 'kept at once' });
    expect((await alpha.responses.retrieve(response.id)).id).toBe(response.id);
  });

  it('writes every queued log before a graceful shutdown ends', async () => {
    const own = await startTestServer({ OPENAI_BASE_URL: fake.url });
    const client = own.client;
    const calls = await Promise.all(Array.from({ length: 50 }, (_, i) => client.chat.completions.create({
      model: 'gpt-4o-mini', store: true, messages: [{ role: 'user', content: `before shutdown ${i}` }],
    })));
    await own.close();
    const store = openSqlite(own.env.EVALD_DB!);
    try {
      const page = await store.logs.list('default', { kind: 'chat.completion' }, { limit: 100, order: 'asc' }, 0);
      expect(page.rows.map((r) => r.id).sort()).toEqual(calls.map((c) => c.id).sort());
    } finally {
      await store.close();
    }
  });
});
