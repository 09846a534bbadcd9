import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, { toFile } from 'openai';
import { simpleEval, startTestServer, waitForRun, type TestServer } from './harness.js';
import { headersOf, startReceiver, type Received } from './webhook-receiver.js';

// A real evald in this process, delivering to receivers on loopback (allowed for tests only), retrying
// after 100 ms instead of 5 s so the backoff test is quick.
let server: TestServer;
let client: OpenAI;
const sdk = new OpenAI({ apiKey: 'unused' });
const ALL = ['eval.run.succeeded', 'eval.run.failed', 'eval.run.canceled'] as const;

beforeAll(async () => {
  server = await startTestServer({ EVALD_WEBHOOK_ALLOW_PRIVATE: '1', EVALD_WEBHOOK_RETRY_MS: '100', EVALD_WEBHOOK_TIMEOUT_MS: '3000' });
  // Other tests make keys for their own projects, which ends open mode: this one has its own key too.
  client = server.clientWith((await server.services.keys.create('main')).key);
});
afterAll(async () => { await server.close(); });

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ item: { expected: `a${i}` }, sample: { output_text: `a${i}` } }));
const jsonlRunIn = (c: OpenAI, evalId: string, n = 3) => c.evals.runs.create(evalId, { data_source: { type: 'jsonl', source: { type: 'file_content', content: rows(n) } } });

describe('webhook endpoints through the SDK', () => {
  it('creates, reads, lists, updates and deletes endpoints as the SDK types them', async () => {
    const created = await client.webhooks.create({ name: 'ci', url: 'https://hooks.example.com/evald', event_types: ['eval.run.succeeded', 'eval.run.failed'] });
    expect(Object.keys(created).sort()).toEqual(['created_at', 'event_types', 'id', 'name', 'object', 'signing_secret', 'signing_secret_hint', 'updated_at', 'url']);
    expect(created).toMatchObject({ object: 'webhook_endpoint', name: 'ci', url: 'https://hooks.example.com/evald', event_types: ['eval.run.succeeded', 'eval.run.failed'] });
    expect(created.id).toMatch(/^whe_[0-9a-f]{32}$/);
    expect(created.signing_secret).toMatch(/^whsec_[A-Za-z0-9+/=]{44}$/);
    expect(created.signing_secret_hint).toBe(`whsec_…${created.signing_secret.slice(-4)}`);
    expect(created.updated_at).toBe(created.created_at);

    const { signing_secret: _secret, ...shown } = created;
    const got = await client.webhooks.retrieve(created.id);
    expect(got).toEqual(shown);
    expect(JSON.stringify(await client.webhooks.list())).not.toContain(created.signing_secret);

    const unchanged = await client.webhooks.update(created.id, { name: 'ci' });
    expect(unchanged).toEqual(shown);
    const updated = await client.webhooks.update(created.id, { name: 'nightly', event_types: ['eval.run.canceled'] });
    expect(updated).toMatchObject({ id: created.id, name: 'nightly', url: created.url, event_types: ['eval.run.canceled'] });
    expect(updated.updated_at).toBeGreaterThanOrEqual(created.updated_at!);

    expect(await client.webhooks.delete(created.id)).toEqual({ object: 'webhook_endpoint.deleted', id: created.id, deleted: true });
    await expect(client.webhooks.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.webhooks.delete(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('pages the list newest first with the list envelope', async () => {
    const project = await server.services.keys.create('paging');
    const c = server.clientWith(project.key);
    const raw = async (query: string) => (await fetch(`${server.url}/v1/webhook_endpoints${query}`, { headers: { authorization: `Bearer ${project.key}` } })).json();
    const empty = await raw('');
    expect(empty).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await c.webhooks.create({ name: `e${i}`, url: `https://hooks.example.com/${i}`, event_types: ['eval.run.failed'] })).id);
    const page = await raw('?limit=2');
    expect(page.data.map((e: { id: string }) => e.id)).toEqual([ids[4], ids[3]]);
    expect(page).toMatchObject({ object: 'list', first_id: ids[4], last_id: ids[3], has_more: true });
    expect(Object.keys(page).sort()).toEqual(['data', 'first_id', 'has_more', 'last_id', 'object']);
    const all: string[] = [];
    for await (const e of c.webhooks.list({ limit: 2 })) all.push(e.id);
    expect(all).toEqual([...ids].reverse());
  });

  it('lists the event types evald emits', async () => {
    expect(await client.webhooks.eventTypes.list()).toEqual({ object: 'list', data: [...ALL] });
  });

  it('refuses event types evald cannot emit and URLs it will not call, naming the field', async () => {
    const refused = async (body: object, param: string) => {
      const e = await client.webhooks.create(body as never).then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(OpenAI.BadRequestError);
      expect((e as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(param);
      return (e as Error).message;
    };
    expect(await refused({ name: 'x', url: 'https://h.example.com', event_types: ['eval.run.succeeded', 'batch.completed'] }, 'event_types[1]')).toMatch(/cannot send 'batch.completed'/);
    await refused({ name: 'x', url: 'https://h.example.com', event_types: [] }, 'event_types');
    await refused({ name: 'x', url: 'ftp://h.example.com/in', event_types: ['eval.run.failed'] }, 'url');
    await refused({ name: '', url: 'https://h.example.com', event_types: ['eval.run.failed'] }, 'name');
    await refused({ name: 'x', event_types: ['eval.run.failed'] }, 'url');
    const ep = await client.webhooks.create({ name: 'x', url: 'https://h.example.com', event_types: ['eval.run.failed'] });
    await expect(client.webhooks.update(ep.id, { url: 'gopher://h.example.com' })).rejects.toMatchObject({ status: 400, param: 'url' });
    await expect(client.webhooks.test(ep.id, { event_type: 'response.completed' })).rejects.toMatchObject({ status: 400, param: 'event_type' });
    await client.webhooks.delete(ep.id);
  });

  it('refuses loopback and private destinations unless the operator allows them', async () => {
    const strict = await startTestServer({ EVALD_WEBHOOK_TIMEOUT_MS: '3000' });
    const receiver = await startReceiver();
    try {
      for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://[::1]/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest/meta-data']) {
        await expect(strict.client.webhooks.create({ name: 'x', url, event_types: ['eval.run.failed'] }), url).rejects.toMatchObject({ status: 400, param: 'url' });
      }
      // A test delivery to an endpoint stored while private addresses were allowed is still refused.
      await strict.store.webhooks.insert({ id: 'whe_legacy', project: 'default', name: 'old', url: receiver.url, event_types: ['eval.run.failed'],
        secret: 'whsec_AAAA', previous_secret: null, previous_secret_expires_at: null, created_at: 1, updated_at: 1 });
      await expect(strict.client.webhooks.test('whe_legacy', { event_type: 'eval.run.failed' })).rejects.toMatchObject({ status: 400, code: 'webhook_delivery_failed' });
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
      await strict.close();
    }
  });

  it('keeps endpoints to their project', async () => {
    const a = server.clientWith((await server.services.keys.create('proj-a')).key);
    const b = server.clientWith((await server.services.keys.create('proj-b')).key);
    const ep = await a.webhooks.create({ name: 'a', url: 'https://h.example.com/a', event_types: ['eval.run.failed'] });
    await expect(b.webhooks.retrieve(ep.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(b.webhooks.update(ep.id, { name: 'stolen' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(b.webhooks.rotateSecret(ep.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(b.webhooks.test(ep.id, { event_type: 'eval.run.failed' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(b.webhooks.delete(ep.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect((await b.webhooks.list()).data.map((e) => e.id)).not.toContain(ep.id);
    expect((await a.webhooks.retrieve(ep.id)).name).toBe('a');
  });
});

describe('webhook deliveries', () => {
  it('sends each final status as OpenAI does, verified by webhooks.unwrap, only to the run\'s project', async () => {
    const receiver = await startReceiver();
    const other = await startReceiver();
    const keyA = (await server.services.keys.create('deliver-a')).key;
    const a = server.clientWith(keyA);
    const b = server.clientWith((await server.services.keys.create('deliver-b')).key);
    try {
      const ep = await a.webhooks.create({ name: 'rx', url: receiver.url, event_types: [...ALL] });
      await b.webhooks.create({ name: 'other', url: other.url, event_types: [...ALL] });
      const ev = await a.evals.create(simpleEval('hooks'));

      const ok = await a.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: rows(3) } } });
      expect((await waitForRun(a, ev.id, ok.id)).status).toBe('completed');
      const bad = await a.files.create({ file: await toFile(Buffer.from('{"item":{"expected":"x"}}\nnot json\n'), 'bad.jsonl'), purpose: 'evals' });
      const failed = await a.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_id', id: bad.id } } });
      expect((await waitForRun(a, ev.id, failed.id)).status).toBe('failed');

      const got = await receiver.waitFor(2);
      const events = await Promise.all(got.map((r) => sdk.webhooks.unwrap(r.body, headersOf(r), ep.signing_secret)));
      const byRun = Object.fromEntries(events.map((e) => [(e.data as { id: string }).id, e]));
      expect(byRun[ok.id]).toMatchObject({ object: 'event', type: 'eval.run.succeeded', data: { id: ok.id } });
      expect(byRun[failed.id]).toMatchObject({ object: 'event', type: 'eval.run.failed', data: { id: failed.id } });
      for (const [i, e] of events.entries()) {
        expect(Object.keys(e)).toEqual(['object', 'id', 'type', 'created_at', 'data']);
        expect(e.id).toMatch(/^evt_[0-9a-f]{32}$/);
        expect(got[i]!.headers['webhook-id']).toMatch(/^wh_[0-9a-f]{32}$/);
        expect(got[i]!.headers['content-type']).toBe('application/json');
        expect(Math.abs(e.created_at - Date.now() / 1000)).toBeLessThan(60);
      }
      expect(other.received).toHaveLength(0);
    } finally {
      await receiver.close();
      await other.close();
    }
  });

  it('sends eval.run.canceled for a canceled run, and nothing to endpoints not subscribed', async () => {
    const receiver = await startReceiver();
    const quiet = await startReceiver();
    try {
      const project = (await server.services.keys.create('cancel')).key;
      const c = server.clientWith(project);
      const ep = await c.webhooks.create({ name: 'rx', url: receiver.url, event_types: ['eval.run.canceled'] });
      await c.webhooks.create({ name: 'quiet', url: quiet.url, event_types: ['eval.run.succeeded'] });
      const ev = await c.evals.create(simpleEval('cancel-hook'));
      // Cancelled while queued or running, whichever the engine reached: both are final through cancel.
      const run = await c.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: rows(20_000) } } });
      expect((await c.evals.runs.cancel(run.id, { eval_id: ev.id })).status).toBe('canceled');
      const [r] = await receiver.waitFor(1);
      expect(await sdk.webhooks.unwrap(r!.body, headersOf(r!), ep.signing_secret)).toMatchObject({ type: 'eval.run.canceled', data: { id: run.id } });
      await c.evals.runs.cancel(run.id, { eval_id: ev.id }); // a second cancel changes nothing, and sends nothing
      await new Promise((res) => setTimeout(res, 1200));
      expect(receiver.received).toHaveLength(1);
      expect(quiet.received).toHaveLength(0);
    } finally {
      await receiver.close();
      await quiet.close();
    }
  });

  it('retries a failing receiver with backoff, keeping the event and webhook ids, until it answers 2xx', async () => {
    const receiver = await startReceiver((n) => (n < 3 ? 500 : 200));
    try {
      const c = server.clientWith((await server.services.keys.create('retry')).key);
      const ep = await c.webhooks.create({ name: 'flaky', url: receiver.url, event_types: ['eval.run.succeeded'] });
      const ev = await c.evals.create(simpleEval('retry'));
      const run = await c.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: rows(2) } } });
      const got = await receiver.waitFor(4);
      expect(got.map((r) => r.status)).toEqual([500, 500, 500, 200]);
      const events = await Promise.all(got.map((r) => sdk.webhooks.unwrap(r.body, headersOf(r), ep.signing_secret)));
      expect(new Set(events.map((e) => e.id)).size).toBe(1);
      expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
      expect(events[3]).toMatchObject({ type: 'eval.run.succeeded', data: { id: run.id } });
      // The waits grow: at least 100 ms, 200 ms, 400 ms (plus jitter and the dispatcher's poll).
      const gaps = got.slice(1).map((r, i) => r.at - got[i]!.at);
      expect(gaps[0]).toBeGreaterThanOrEqual(95);
      expect(gaps[1]).toBeGreaterThanOrEqual(195);
      expect(gaps[2]).toBeGreaterThanOrEqual(395);
      const [row] = await server.store.webhooks.deliveries({ eventId: events[0]!.id });
      expect(row).toMatchObject({ status: 'delivered', attempts: 4, last_status_code: 200, endpoint_id: ep.id });
      await new Promise((res) => setTimeout(res, 800));
      expect(receiver.received).toHaveLength(4);
    } finally {
      await receiver.close();
    }
  });

  it('lets runs finish at full pace while their receiver hangs', async () => {
    const receiver = await startReceiver(() => 'hang');
    try {
      const c = server.clientWith((await server.services.keys.create('dead-endpoint')).key);
      await c.webhooks.create({ name: 'dead', url: receiver.url, event_types: ['eval.run.succeeded'] });
      const ev = await c.evals.create(simpleEval('dead'));
      const runs = await Promise.all(Array.from({ length: 6 }, () => jsonlRunIn(c, ev.id)));
      for (const run of runs) expect((await waitForRun(c, ev.id, run.id)).status).toBe('completed');
      await receiver.waitFor(2);
      // At most two attempts are held open for one endpoint at a time, the rest wait their turn in the outbox.
      expect(receiver.open.max).toBe(2);
      const again = await jsonlRunIn(c, ev.id);
      expect((await waitForRun(c, ev.id, again.id, 10_000)).status).toBe('completed');
    } finally {
      await receiver.close();
    }
  });

  it('signs with the old and the new secret for 24 h after a rotation that keeps the old one', async () => {
    const receiver = await startReceiver();
    try {
      const c = server.clientWith((await server.services.keys.create('rotate')).key);
      const ep = await c.webhooks.create({ name: 'rx', url: receiver.url, event_types: ['eval.run.succeeded'] });
      const ev = await c.evals.create(simpleEval('rotate'));
      const kept = await c.webhooks.rotateSecret(ep.id, { keep_old_secret_active_for_24_hours: true });
      expect(kept.signing_secret).not.toBe(ep.signing_secret);
      expect(kept.signing_secret_hint).toBe(`whsec_…${kept.signing_secret.slice(-4)}`);
      expect((await c.webhooks.retrieve(ep.id)).signing_secret_hint).toBe(kept.signing_secret_hint);

      await c.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: rows(1) } } });
      const [first] = await receiver.waitFor(1);
      await expect(sdk.webhooks.unwrap(first!.body, headersOf(first!), kept.signing_secret)).resolves.toBeTruthy();
      await expect(sdk.webhooks.unwrap(first!.body, headersOf(first!), ep.signing_secret)).resolves.toBeTruthy();

      const replaced = await c.webhooks.rotateSecret(ep.id);
      await c.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: rows(1) } } });
      const second = (await receiver.waitFor(2))[1]!;
      await expect(sdk.webhooks.unwrap(second.body, headersOf(second), replaced.signing_secret)).resolves.toBeTruthy();
      for (const old of [kept.signing_secret, ep.signing_secret]) {
        await expect(sdk.webhooks.unwrap(second.body, headersOf(second), old)).rejects.toThrow(/signature/);
      }
    } finally {
      await receiver.close();
    }
  });

  it('test sends a sample event of the asked type and reports the receiver\'s status', async () => {
    let answer = 200;
    const receiver = await startReceiver(() => answer);
    try {
      const ep = await client.webhooks.create({ name: 'rx', url: receiver.url, event_types: ['eval.run.succeeded'] });
      for (const type of ALL) {
        const result = await client.webhooks.test(ep.id, { event_type: type });
        expect(result).toEqual({ object: 'webhook_endpoint.test', webhook_endpoint_id: ep.id, event_type: type, status_code: 200, success: true });
        const r = receiver.received.at(-1) as Received;
        expect(await sdk.webhooks.unwrap(r.body, headersOf(r), ep.signing_secret)).toMatchObject({ object: 'event', type, data: { id: expect.stringMatching(/^evalrun_/) } });
      }
      answer = 503;
      expect((await client.webhooks.test(ep.id, { event_type: 'eval.run.failed' })).status_code).toBe(503);
      expect(receiver.received).toHaveLength(4);
      // A test is sent once and not kept: nothing is retried afterwards.
      await new Promise((res) => setTimeout(res, 600));
      expect(receiver.received).toHaveLength(4);
      await receiver.close();
      await expect(client.webhooks.test(ep.id, { event_type: 'eval.run.failed' })).rejects.toMatchObject({ status: 400, code: 'webhook_delivery_failed' });
    } finally {
      await receiver.close().catch(() => {});
    }
  });
});
