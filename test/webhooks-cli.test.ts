import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { webhooksCommand } from '../src/cli/commands/webhooks.js';
import { runEvald, startTestServer, type TestServer } from './harness.js';
import { headersOf, startReceiver } from './webhook-receiver.js';

// `evald webhooks …` is a client of a running server (through the SDK): here a real evald in this
// process. The commands run in-process (each spawned CLI costs seconds on a loaded machine), and once
// through the real `evald` binary to cover its dispatch and exit code.
let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let key: string;
beforeAll(async () => {
  server = await startTestServer({ EVALD_WEBHOOK_ALLOW_PRIVATE: '1' });
  key = (await server.services.keys.create('cli')).key;
  receiver = await startReceiver();
});
afterAll(async () => { await receiver.close(); await server.close(); });

const env = () => ({ EVALD_BASE_URL: server.url, EVALD_API_KEY: key });
async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await webhooksCommand(args, env(), (t) => { stdout += t; });
  return { code, stdout };
}

describe('evald webhooks', () => {
  it('adds, lists, tests and removes an endpoint of the key\'s project', async () => {
    const added = await runEvald(['webhooks', 'add', '--url', receiver.url, '--name', 'ci', '--events', 'eval.run.succeeded,eval.run.failed'], env());
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const lines = added.stdout.trim().split('\n');
    const secret = lines.at(-1)!;
    expect(secret).toMatch(/^whsec_/);
    const id = /webhook endpoint (whe_[0-9a-f]{32})/.exec(lines[0]!)![1]!;
    expect((await server.clientWith(key).webhooks.retrieve(id)).event_types).toEqual(['eval.run.succeeded', 'eval.run.failed']);

    const list = await cli('list');
    expect(list.stdout).toContain(id);
    expect(list.stdout).toContain(receiver.url);
    expect(list.stdout).not.toContain(secret);

    const tested = await cli('test', id, '--event', 'eval.run.failed');
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/sample eval.run.failed .* answered 200/);
    const r = receiver.received.at(-1)!;
    expect(await new OpenAI({ apiKey: 'unused' }).webhooks.unwrap(r.body, headersOf(r), secret)).toMatchObject({ type: 'eval.run.failed' });

    const rotated = await cli('rotate', id, '--keep-old');
    const newSecret = rotated.stdout.trim().split('\n').at(-1)!;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(secret);

    const removed = await cli('remove', id);
    expect(removed).toEqual({ code: 0, stdout: `removed webhook endpoint ${id}\n` });
    await expect(server.clientWith(key).webhooks.retrieve(id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect((await cli('list')).stdout).toBe('no webhook endpoints in this project\n');
  }, 60_000);

  it('works on the local store without a server to talk to', async () => {
    const local = { EVALD_DB: server.env.EVALD_DB!, EVALD_API_KEY: key, EVALD_WEBHOOK_ALLOW_PRIVATE: '1' };
    let stdout = '';
    expect(await webhooksCommand(['add', '--url', receiver.url, '--name', 'offline'], local, (t) => { stdout += t; })).toBe(0);
    const id = /webhook endpoint (whe_[0-9a-f]{32})/.exec(stdout)![1]!;
    // Made in the store the running server uses, so it sees it.
    expect((await server.clientWith(key).webhooks.retrieve(id)).name).toBe('offline');
    expect(await webhooksCommand(['remove', id], local, () => {})).toBe(0);
  }, 60_000);

  it('fails a test the receiver refuses, and says what was wrong, naming the field', async () => {
    const refusing = await startReceiver(() => 500);
    try {
      await cli('add', '--url', refusing.url);
      const id = (await server.clientWith(key).webhooks.list()).data[0]!.id;
      expect(await cli('test', id)).toMatchObject({ code: 1, stdout: expect.stringMatching(/sample eval.run.succeeded .* answered 500/) });
    } finally {
      await refusing.close();
    }
    await expect(cli('add', '--url', receiver.url, '--events', 'batch.completed')).rejects.toThrow(/400: .*cannot send 'batch.completed'.*\(param event_types\[0\]\)/);
    await expect(webhooksCommand(['list'], { EVALD_BASE_URL: 'http://127.0.0.1:9', EVALD_API_KEY: key }, () => {})).rejects.toThrow(/cannot reach evald at http:\/\/127.0.0.1:9/);
    await expect(cli('remove')).rejects.toThrow(/needs an endpoint id/);
  }, 60_000);
});
