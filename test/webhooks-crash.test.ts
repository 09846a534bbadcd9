import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import OpenAI from 'openai';
import { simpleEval, spawnServer, tempDir, waitForRun } from './harness.js';
import { headersOf, startReceiver } from './webhook-receiver.js';

// evald runs as a child process so it can be killed with SIGKILL while a delivery is in flight: the run's
// event sits in the outbox, claimed but never recorded, and the restarted server must deliver it again
// with the same ids rather than lose it or make a second event.
const tmp = tempDir();
const env = {
  EVALD_DB: join(tmp.dir, 'evald.sqlite'), OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
  EVALD_WEBHOOK_ALLOW_PRIVATE: '1', EVALD_WEBHOOK_TIMEOUT_MS: '1500', EVALD_WEBHOOK_RETRY_MS: '100',
};
let child: ChildProcess | undefined;
const receiver = await startReceiver((n) => (n === 0 ? 'hang' : 200));
afterAll(async () => { child?.kill('SIGKILL'); await receiver.close(); tmp.remove(); });

describe('a server killed between a run\'s end and its webhook delivery', () => {
  it('delivers the event after restart, with exactly one event id', async () => {
    let url: string;
    ({ child, url } = await spawnServer(env));
    const client = () => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-local', maxRetries: 0 });
    const ep = await client().webhooks.create({ name: 'rx', url: receiver.url, event_types: ['eval.run.succeeded'] });
    const ev = await client().evals.create(simpleEval('crash'));
    const run = await client().evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { expected: 'a' }, sample: { output_text: 'a' } }] } } });
    expect((await waitForRun(client(), ev.id, run.id)).status).toBe('completed');

    const [held] = await receiver.waitFor(1);
    expect(held!.status).toBeNull(); // the receiver is still holding it: the attempt has no outcome yet
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));

    ({ child, url } = await spawnServer(env));
    const got = await receiver.waitFor(2, 30_000);
    const events = await Promise.all(got.map((r) => new OpenAI({ apiKey: 'unused' }).webhooks.unwrap(r.body, headersOf(r), ep.signing_secret)));
    expect(events[1]).toMatchObject({ object: 'event', type: 'eval.run.succeeded', data: { id: run.id } });
    expect(got[1]!.status).toBe(200);
    // Nothing more arrives once it was delivered, and everything that arrived was the one event.
    await new Promise((r) => setTimeout(r, 2000));
    expect(new Set(receiver.received.map((r) => JSON.parse(r.body).id))).toEqual(new Set([events[0]!.id]));
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(receiver.received.filter((r) => r.status === 200)).toHaveLength(1);
  }, 120_000);
});
