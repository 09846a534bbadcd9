import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../src/fake-upstream/index.js';
import { createServer } from 'node:net';
import { runEvald, startTestServer, tempDir, type TestServer } from './harness.js';

// The README's examples, run as written against a real server whose default upstream is the fake one.
// The only change made to them: the server's address (the README's 127.0.0.1:8080 is this test's random port).
const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));
const only = (lang: string, marker?: string) => {
  const found = blocks.filter((b) => b.lang === lang && (!marker || b.code.includes(marker)));
  expect(found, `one \`\`\`${lang} block${marker ? ` with '${marker}'` : ''} in the README`).toHaveLength(1);
  return found[0]!.code;
};

// The Python SDK as test/python-sdk.test.ts finds it: EVALD_PYTHON_SDK, or a venv made from the machine's
// local wheel mirror (PyPI is out of reach here); without either, the Python example is reported skipped.
const MIRROR = '/opt/pypi/files';
const VENV = join(root, 'node_modules', '.cache', 'evald-pysdk-readme');
const givenPython = process.env.EVALD_PYTHON_SDK;
const sharedVenv = join(root, 'node_modules', '.cache', 'evald-pysdk', 'bin', 'python');
const canInstall = existsSync('/usr/bin/python3') && existsSync(MIRROR) && readdirSync(MIRROR).some((f) => f.startsWith('openai-'));
const pythonAvailable = Boolean(givenPython) || existsSync(sharedVenv) || canInstall;

let fake: FakeUpstream;
let server: TestServer;
const tmp = tempDir('evald-readme-');
const local = (code: string) => code.replaceAll('http://127.0.0.1:8080/v1', `${server.url}/v1`);
// No EVALD_API_KEY: the server is in open local mode, and the examples must work so.
const exampleEnv = () => { const e = { ...process.env }; delete e.EVALD_API_KEY; return e; };

beforeAll(async () => {
  fake = await startFakeUpstream({ latencyMs: 1 });
  // The webhooks example runs its receiver on this machine, which the operator must allow.
  server = await startTestServer({ OPENAI_BASE_URL: fake.url, EVALD_WEBHOOK_ALLOW_PRIVATE: '1' });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await fake?.close();
  tmp.remove();
});

describe('the README examples', () => {
  it('TypeScript: creates an eval and a run, waits for it, and prints its items', async () => {
    // Inside node_modules so that `import OpenAI from 'openai'` resolves to this repository's SDK.
    const dir = join(root, 'node_modules', '.cache', 'evald-readme');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `example-${process.pid}.mts`);
    writeFileSync(file, local(only('ts', "name: 'capitals'")));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: root, env: exampleEnv(), timeout: 60_000 });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^completed \{.*total: 1/);
    // The fake upstream echoes the prompt, so the exact check fails: what matters is that items are printed.
    expect(lines[1]).toBe('0 fail Capital of France? One word.');
  }, 90_000);

  it('TypeScript: logs a call through the gateway, lists it, and runs evals over the logs', async () => {
    const dir = join(root, 'node_modules', '.cache', 'evald-readme');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `logs-example-${process.pid}.mts`);
    writeFileSync(file, local(only('ts', 'stored_completions')));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: root, env: exampleEnv(), timeout: 60_000 });
    expect(stdout.trim().split('\n')).toEqual([expect.stringMatching(/^chatcmpl-/)]);
  }, 90_000);

  (pythonAvailable ? it : it.skip)(`Python: uploads the documented rows.jsonl, runs it and prints the result${pythonAvailable ? '' : ' (skipped: no Python openai SDK here)'}`, async () => {
    let python = givenPython ?? (existsSync(sharedVenv) ? sharedVenv : join(VENV, 'bin', 'python'));
    if (!existsSync(python)) {
      await run('/usr/bin/python3', ['-m', 'venv', VENV]);
      await run(join(VENV, 'bin', 'pip'), ['install', '-q', '--no-index', '--find-links', MIRROR, 'openai'], { timeout: 170_000 });
      python = join(VENV, 'bin', 'python');
    }
    writeFileSync(join(tmp.dir, 'rows.jsonl'), only('jsonl', '"item"'));
    writeFileSync(join(tmp.dir, 'example.py'), local(only('python', 'client.evals.create')));
    const { stdout } = await run(python, ['example.py'], { cwd: tmp.dir, env: exampleEnv(), timeout: 60_000 });
    expect(stdout).toContain("completed 1 of 2 passed");
  }, 240_000);

  it('evald run: the eval file shown is examples/capitals.yaml, and it runs to a summary and gate verdict', async () => {
    expect(only('yaml', 'runs:')).toBe(readFileSync(join(root, 'examples', 'capitals.yaml'), 'utf8'));
    const shown = only('sh', 'evald run examples/capitals.yaml');
    expect(shown).toContain('npx evald export');
    const result = await runEvald(['run', 'examples/capitals.yaml', '--output', join(tmp.dir, 'results.md')], { EVALD_BASE_URL: `${server.url}/v1` });
    expect(result.stdout).toMatch(/^gpt-4o-mini +gpt-4o-mini +completed +3 /m);
    expect(result.stdout).toMatch(/^gpt-4\.1-mini +gpt-4\.1-mini +completed +3 /m);
    // The fake upstream echoes the prompt, which is not the city: the gate fails, and the exit code says so.
    expect(result.stdout).toContain('gate pass rate 0.0%, needs ≥ 90.0%: FAILED');
    expect(result.code).toBe(1);
    expect(readFileSync(join(tmp.dir, 'results.md'), 'utf8')).toContain('## evald: capitals');
  }, 120_000);

  it('webhooks: creates an endpoint, its receiver verifies the test event with the SDK, and rotates the secret', async () => {
    const dir = join(root, 'node_modules', '.cache', 'evald-readme');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `webhooks-${process.pid}.mts`);
    // The receiver's port 9000 may be taken on a shared machine: the example runs on a free one.
    const port = String(await freePort());
    writeFileSync(file, local(only('ts', 'client.webhooks.create')).replaceAll('9000', port));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: root, env: exampleEnv(), timeout: 60_000 });
    expect(stdout).toMatch(/^run finished: evalrun_[0-9a-f]{32}$/m);
    expect(stdout).toMatch(/status_code: 200/);
    const [endpoint] = (await server.client.webhooks.list()).data;
    expect(endpoint).toMatchObject({ name: 'local', url: `http://127.0.0.1:${port}/hook` });
    expect(endpoint!.updated_at).toBeGreaterThanOrEqual(endpoint!.created_at);
  }, 90_000);
});

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
});
