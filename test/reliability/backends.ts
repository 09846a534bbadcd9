import { join } from 'node:path';
import OpenAI from 'openai';
import { pino, type Logger } from 'pino';
import { describe } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { postgresBackend, type PostgresBackend } from '../../src/storage/contract/postgres-backend.contract.js';
import { tempDir } from '../harness.js';

export type BackendName = 'sqlite' | 'postgres';
export const BACKENDS: BackendName[] = ['sqlite', 'postgres'];

export interface ReliabilityServer extends RunningServer {
  backend: BackendName;
  client: OpenAI;
  /** `fetch` against the server's /v1 with a bearer (the open-mode one unless given). */
  api(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  /** Closes the server and drops its database. */
  dispose(): Promise<void>;
}

/**
 * Starts a real evald on `backend`: a fresh SQLite file, or a fresh database on the machine's PostgreSQL
 * (in-memory PGlite where none is reachable). `label` names the test file in the backend's log line.
 */
export async function startOn(backend: BackendName, label: string, env: Record<string, string> = {}, log?: Logger): Promise<ReliabilityServer> {
  const tmp = tempDir('evald-reliability-');
  let pg: PostgresBackend | null = null;
  const storeEnv: Record<string, string> = backend === 'sqlite'
    ? { EVALD_DB: join(tmp.dir, 'evald.sqlite') }
    : { DATABASE_URL: (pg = await postgresBackend(label)).serverUrl };
  const server = await startServer({
    PORT: '0', EVALD_LOG_LEVEL: 'silent', OPENAI_API_KEY: 'sk-test-upstream', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    EVALD_LEASE_MS: '3000', ...storeEnv, ...env,
  }, log ?? pino({ level: process.env.EVALD_TEST_LOG ?? 'silent' }));
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-anything', maxRetries: 0 });
  return {
    ...server, backend, client,
    api: (path, init = {}) => fetch(`${server.url}/v1${path}`, {
      ...init, headers: { authorization: `Bearer ${init.key ?? 'sk-anything'}`, ...(init.headers as Record<string, string> | undefined) },
    }),
    async dispose() {
      await server.close();
      await pg?.dispose();
      tmp.remove();
    },
  };
}

/** `describe` once per backend. */
export function describeEachBackend(name: string, body: (backend: BackendName) => void): void {
  for (const backend of BACKENDS) describe(`${name} (${backend})`, () => body(backend));
}

/** Asserts nothing: returns the parsed error envelope of a response, or null when it is not one. */
export async function envelopeOf(res: Response): Promise<{ message: string; type: string; param: string | null; code: string | null } | null> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { error?: Record<string, unknown> };
    const e = body.error;
    if (!e || typeof e.message !== 'string' || typeof e.type !== 'string') return null;
    if (!('param' in e) || !('code' in e)) return null;
    return e as never;
  } catch {
    return null;
  }
}

/** An eval whose one criterion compares item.expected with sample.output_text. */
export const checkEval = {
  name: 'reliability',
  data_source_config: {
    type: 'custom' as const,
    item_schema: { type: 'object', properties: { expected: { type: 'string' } } },
    include_sample_schema: true,
  },
  testing_criteria: [{
    type: 'string_check' as const, name: 'exact', input: '{{ sample.output_text }}', reference: '{{ item.expected }}', operation: 'eq' as const,
  }],
};

/** `n` JSONL rows for `checkEval`, each about `pad` bytes longer than it needs to be. */
export function jsonlRows(n: number, pad = 0): string {
  const filler = 'x'.repeat(pad);
  let out = '';
  for (let i = 0; i < n; i++) out += `${JSON.stringify({ item: { expected: `a${i}`, pad: filler }, sample: { output_text: `a${i}` } })}\n`;
  return out;
}
