import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { runEvald, simpleEval, spawnServer, tempDir } from './harness.js';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';

// Keys are made with the real CLI against the same SQLite file a real `evald serve` child process uses.
const tmp = tempDir();
const env = { EVALD_DB: join(tmp.dir, 'evald.sqlite'), OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
let child: ChildProcess;
let url: string;
let keyA: string, keyB: string;
const client = (apiKey: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 });

beforeAll(async () => {
  const a = await runEvald(['keys', 'create', '--project', 'alpha', '--name', 'ci'], env);
  const b = await runEvald(['keys', 'create', '--project', 'beta'], env);
  expect(a.code).toBe(0);
  expect(a.stdout).toContain("Objects made in open local mode stay in project 'default'");
  expect(b.stdout).not.toContain('open local mode');
  keyA = a.stdout.trim().split('\n').at(-1)!;
  keyB = b.stdout.trim().split('\n').at(-1)!;
  ({ child, url } = await spawnServer(env));
}, 60_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  tmp.remove();
});

describe('API keys and projects', () => {
  it('prints the key alone on the last line, and lists keys without them', async () => {
    expect(keyA).toMatch(/^sk-evald-[A-Za-z0-9_-]{32}$/);
    const list = await runEvald(['keys', 'list'], env);
    const [header, ...lines] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID +PREFIX +PROJECT +NAME +CREATED +STATUS$/);
    expect(lines.find((l) => l.includes(keyA.slice(0, 14)))).toMatch(/^key_\w+ +sk-evald-\S{5}… +alpha +ci +\d{4}-\d\d-\d\d \d\d:\d\dZ +active$/);
    expect(lines.some((l) => / beta /.test(l))).toBe(true);
    expect(list.stdout).not.toContain(keyA);
  });

  it('refuses a missing or unknown key with 401 once keys exist', async () => {
    const res = await fetch(`${url}/v1/evals`);
    expect(res.status).toBe(401);
    expect((await res.json()).error.type).toBe('invalid_request_error');
    await expect(client('sk-evald-wrong').evals.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('scopes every object to the key\'s project', async () => {
    const ev = await client(keyA).evals.create(simpleEval('alpha-only'));
    await expect(client(keyB).evals.retrieve(ev.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client(keyB).evals.update(ev.id, { name: 'stolen' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client(keyB).evals.delete(ev.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const run = await client(keyA).evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { expected: 'a' }, sample: { output_text: 'a' } }] } } });
    await expect(client(keyB).evals.runs.retrieve(run.id, { eval_id: ev.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client(keyB).evals.runs.list(ev.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const bList: string[] = [];
    for await (const e of client(keyB).evals.list()) bList.push(e.id);
    expect(bList).not.toContain(ev.id);
    expect((await client(keyA).evals.retrieve(ev.id)).name).toBe('alpha-only');
  });

  it('stops accepting a revoked key', async () => {
    const c = await runEvald(['keys', 'create', '--project', 'gamma'], env);
    const key = c.stdout.trim().split('\n').at(-1)!;
    expect((await client(key).evals.list()).data).toEqual([]);
    // The prefix exactly as `keys list` prints it, ellipsis included.
    const listed = (await runEvald(['keys', 'list'], env)).stdout.split('\n').find((l) => l.includes(key.slice(0, 14)))!;
    const printedPrefix = listed.split(/ +/)[1]!;
    expect(printedPrefix).toBe(`${key.slice(0, 14)}…`);
    const revoked = await runEvald(['keys', 'revoke', printedPrefix], env);
    expect(revoked.code).toBe(0);
    expect((await runEvald(['keys', 'list'], env)).stdout.split('\n').find((l) => l.includes(key.slice(0, 14)))).toMatch(/revoked \d{4}-/);
    expect((await runEvald(['keys', 'revoke', printedPrefix], env)).code).toBe(1);
    await expect(client(key).evals.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  }, 120_000);

  it('keeps every object across a restart', async () => {
    const ev = await client(keyA).evals.create({ ...simpleEval('durable'), metadata: { k: 'v' } });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    ({ child, url } = await spawnServer(env));
    expect(await client(keyA).evals.retrieve(ev.id)).toEqual(ev);
  }, 60_000);
});
