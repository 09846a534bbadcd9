import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../src/fake-upstream/index.js';
import { runEvald, startTestServer, tempDir } from './harness.js';

// The fake upstream keeps what it is sent with `store` and serves it back as OpenAI's stored-completions
// API: the CLI imports from it as it would from api.openai.com.
const tmp = tempDir();
const env = { EVALD_DB: join(tmp.dir, 'evald.sqlite'), OPENAI_API_KEY: 'sk-source' };
let fake: FakeUpstream;
let upstream: OpenAI;
const chatIds: string[] = [];
const responseIds: string[] = [];

beforeAll(async () => {
  fake = await startFakeUpstream();
  upstream = new OpenAI({ baseURL: fake.url, apiKey: 'sk-source' });
  for (let i = 0; i < 5; i++) {
    const c = await upstream.chat.completions.create({
      model: 'gpt-4o-mini', store: true, user: 'u1', metadata: { app: i < 3 ? 'support' : 'other' },
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: `question ${i}` }],
    });
    chatIds.push(c.id);
  }
  for (const word of ['one', 'two']) responseIds.push((await upstream.responses.create({ model: 'gpt-4o-mini', instructions: 'Echo.', input: word })).id);
});
afterAll(async () => { await fake.close(); tmp.remove(); });

describe('evald logs import', () => {
  it('pulls stored completions from an OpenAI-compatible API, filtered, idempotently', async () => {
    const first = await runEvald(['logs', 'import', '--from', fake.url, '--metadata', 'app=support', '--project', 'imp'], env);
    expect(first.stderr).toContain('3 imported');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`imported 3 log(s), 0 already there, into project 'imp'; last id ${chatIds[2]}`);
    const again = await runEvald(['logs', 'import', '--from', fake.url, '--project', 'imp'], env);
    expect(again.stdout).toContain('imported 2 log(s), 3 already there');
  }, 120_000);

  it('imports a JSONL file of chat.completion objects and responses by id', async () => {
    const file = join(tmp.dir, 'completions.jsonl');
    const line = { id: 'chatcmpl-fromfile', object: 'chat.completion', created: 1_700_000_000, model: 'gpt-4.1', metadata: { app: 'file' },
      messages: [{ role: 'user', content: 'from a file' }], choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] };
    writeFileSync(file, `${JSON.stringify(line)}\n\n`);
    const fromFile = await runEvald(['logs', 'import', file, '--project', 'imp'], env);
    expect(fromFile.stdout).toContain('imported 1 log(s)');
    const ids = join(tmp.dir, 'ids.txt');
    writeFileSync(ids, `${responseIds.join('\n')}\n`);
    const responses = await runEvald(['logs', 'import', '--responses-ids', ids, '--from', fake.url, '--project', 'imp'], env);
    expect(responses.stdout).toContain('imported 2 log(s)');
    const bad = await runEvald(['logs', 'import', '--responses-ids', ids, '--from', fake.url, file], env);
    expect(bad.code).toBe(2);
  }, 120_000);

  it('serves what was imported through the stored-logs API', async () => {
    const server = await startTestServer({ EVALD_DB: env.EVALD_DB });
    try {
      const key = (await server.services.keys.create('imp', null)).key;
      const client = server.clientWith(key);
      const all = [];
      for await (const c of client.chat.completions.list()) all.push(c);
      expect(all.map((c) => c.id).sort()).toEqual([...chatIds, 'chatcmpl-fromfile'].sort());
      const c = await client.chat.completions.retrieve(chatIds[0]!);
      expect(c).toMatchObject({ metadata: { app: 'support' }, input_user: 'u1', choices: [{ message: { content: 'question 0' } }] });
      const messages = await client.chat.completions.messages.list(chatIds[0]!);
      expect(messages.data.map((m) => m.content)).toEqual(['Be brief.', 'question 0']);
      expect((await client.chat.completions.messages.list('chatcmpl-fromfile')).data[0]!.content).toBe('from a file');
      const r = await client.responses.retrieve(responseIds[1]!);
      expect(r.output_text).toBe('two');
      const items = await client.responses.inputItems.list(responseIds[1]!);
      expect(items.data[0]).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'two' }] });
    } finally {
      await server.close();
    }
  });
});
