import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { pino, type Logger } from 'pino';
import { startServer, type RunningServer } from '../src/server.js';

/** A throwaway folder, removed by the returned cleanup. */
export function tempDir(prefix = 'evald-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestServer extends RunningServer {
  client: OpenAI;
  /** A client with another bearer. */
  clientWith(apiKey: string): OpenAI;
  env: Record<string, string>;
}

/**
 * Starts a real evald (HTTP on a free port, a real SQLite file unless DATABASE_URL is given) in this
 * process, logging to `log` (silent by default), with the engine in this thread unless `env` says otherwise.
 */
export async function startTestServer(env: Record<string, string> = {}, log: Logger = pino({ level: 'silent' })): Promise<TestServer> {
  const { dir } = tempDir();
  // The engine runs in this thread unless a test asks for its own thread (EVALD_ENGINE_THREAD: '1'): from
  // source, the thread compiles the engine again through tsx, which on a loaded machine takes longer than
  // a test's first run may wait. test/engine-thread.test.ts and test/fail-loudly.test.ts use the thread;
  // servers spawned as processes (spawnServer) have it by default, as in production.
  const fullEnv: Record<string, string> = {
    PORT: '0', EVALD_DB: join(dir, 'evald.sqlite'), EVALD_LOG_LEVEL: 'silent', OPENAI_API_KEY: 'sk-test-upstream',
    OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', EVALD_LEASE_MS: '3000', EVALD_ENGINE_THREAD: '0', ...env,
  };
  const server = await startServer(fullEnv, log);
  const clientWith = (apiKey: string) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });
  return { ...server, env: fullEnv, client: clientWith('sk-anything'), clientWith };
}

/** A logger that keeps every line it is given, parsed, for tests that check what evald logs. */
export function captureLog(level = 'info'): { log: Logger; lines: Array<Record<string, any>> } {
  const lines: Array<Record<string, any>> = [];
  const log = pino({ level }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, any>); } });
  return { log, lines };
}

/** Polls `check` until it returns a value that is not undefined, or fails after `ms`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, ms = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls a run until it is completed, failed or canceled, and returns it. */
export function waitForRun(client: OpenAI, evalId: string, runId: string, ms = 30_000) {
  return waitFor(async () => {
    const run = await client.evals.runs.retrieve(runId, { eval_id: evalId });
    return ['completed', 'failed', 'canceled'].includes(run.status) ? run : undefined;
  }, ms, `run ${runId} to finish`);
}

/** Runs `evald` as a child process (through tsx), for restarts, kill -9 and the CLI. */
export function spawnEvald(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, EVALD_LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `evald ARGS` to completion; resolves with its exit code and output. */
export function runEvald(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnEvald(args, env);
    let stdout = '', stderr = '';
    child.stdout!.on('data', (d) => { stdout += d; });
    child.stderr!.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `evald serve` as a child on a free port and resolves once /health answers. */
export async function spawnServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = String(await freePort());
  const child = spawnEvald(['serve'], { ...env, PORT: port });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`evald exited with ${child.exitCode}`);
    return fetch(`${url}/health`).then((r) => (r.ok ? true : undefined), () => undefined);
  }, 30_000, 'evald to start');
  return { child, url };
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A minimal valid eval body, with string_check over item.expected and sample.output_text. */
export const simpleEval = (name = 'qa') => ({
  name,
  data_source_config: {
    type: 'custom' as const,
    item_schema: { type: 'object', properties: { question: { type: 'string' }, expected: { type: 'string' } }, required: ['expected'] },
    include_sample_schema: true,
  },
  testing_criteria: [{
    type: 'string_check' as const, name: 'exact', input: '{{ sample.output_text }}', reference: '{{ item.expected }}', operation: 'eq' as const,
  }],
});
