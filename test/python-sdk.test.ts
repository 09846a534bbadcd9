import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';

// The official Python SDK, installed into a cached venv from the machine's local wheel mirror (PyPI itself
// is out of reach here). Where neither the mirror nor EVALD_PYTHON_SDK (a python with `openai`) exists,
// this file reports itself skipped, with the reason, rather than passing without checking anything.
const run = promisify(execFile);
const MIRROR = '/opt/pypi/files';
const VENV = join(import.meta.dirname, '..', 'node_modules', '.cache', 'evald-pysdk');
const given = process.env.EVALD_PYTHON_SDK;
const canInstall = existsSync('/usr/bin/python3') && existsSync(MIRROR) && readdirSync(MIRROR).some((f) => f.startsWith('openai-'));
const available = Boolean(given) || canInstall;

let server: TestServer;
let python: string;

beforeAll(async () => {
  if (!available) return;
  python = given ?? join(VENV, 'bin', 'python');
  if (!given && !existsSync(python)) {
    await run('/usr/bin/python3', ['-m', 'venv', VENV]);
    await run(join(VENV, 'bin', 'pip'), ['install', '-q', '--no-index', '--find-links', MIRROR, 'openai']);
  }
  server = await startTestServer();
}, 180_000);
afterAll(async () => { await server?.close(); });

const suite = available ? describe : describe.skip;
suite(`the official Python SDK (strict response validation)${available ? '' : `: not installable here (no ${MIRROR} with an openai wheel, no EVALD_PYTHON_SDK)`}`, () => {
  it('creates, reads, lists, runs and deletes through every resource', async () => {
    const { stdout } = await run(python, [join(import.meta.dirname, 'python', 'strict_sdk.py'), `${server.url}/v1`], { timeout: 60_000 });
    expect(stdout).toContain('strict python sdk: ok');
  }, 90_000);
});
