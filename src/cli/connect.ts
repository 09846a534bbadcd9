import type OpenAI from 'openai';
import { UsageError } from './command.js';

/** A client of an evald server: the one named, or one this process runs for the duration of the command. */
export interface Connection {
  client: OpenAI;
  /** Where the client points, for messages. */
  baseUrl: string;
  /** True when the server runs in this process (its runs stop with it). */
  inProcess: boolean;
  close(): Promise<void>;
}

/** The options every client command takes, for parseArgs. */
export const CONNECTION_OPTIONS = { 'base-url': { type: 'string' } } as const;

export const CONNECTION_USAGE = `Server:
  --base-url URL   the evald server (or EVALD_BASE_URL), e.g. http://127.0.0.1:8080/v1; the key is EVALD_API_KEY.
                   Without one, a server runs in this process on the local store (EVALD_DB or DATABASE_URL),
                   with the model providers of the environment (OPENAI_BASE_URL, OPENAI_API_KEY, EVALD_CONFIG).
`;

/** A base URL given as an origin gets `/v1`; one with a path is taken as it is. */
export function apiBase(url: string): string {
  let parsed: URL;
  try { parsed = new URL(url); } catch { throw new UsageError(`--base-url '${url}' is not a URL`); }
  const path = parsed.pathname.replace(/\/+$/, '');
  return `${parsed.origin}${path === '' ? '/v1' : path}`;
}

/** Connects to `--base-url` / EVALD_BASE_URL, or starts evald in this process on the local store. */
export async function connect(baseUrlOption: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Connection> {
  const { default: OpenAI } = await import('openai');
  const apiKey = env.EVALD_API_KEY;
  const given = baseUrlOption ?? env.EVALD_BASE_URL;
  if (given) {
    const baseUrl = apiBase(given);
    return { client: new OpenAI({ baseURL: baseUrl, apiKey: apiKey ?? 'evald-open-local-mode', maxRetries: 2 }), baseUrl, inProcess: false, close: async () => {} };
  }
  const [{ startServer }, { pino, destination }] = await Promise.all([import('../server.js'), import('pino')]);
  // The server's own log goes to stderr (stdout may be an export piped elsewhere), warnings only unless
  // EVALD_LOG_LEVEL says otherwise; it listens on loopback only, on a free port.
  const logger = pino({ level: env.EVALD_LOG_LEVEL ?? 'error', base: { service: 'evald' } }, destination(2));
  const server = await startServer({ ...env, PORT: '0', HOST: '127.0.0.1' }, logger);
  if (!apiKey && !(await server.services.keys.isOpenMode())) {
    await server.close();
    throw new UsageError('the local store has API keys: set EVALD_API_KEY to one (its project holds the objects you will see)', false);
  }
  const baseUrl = `${server.url}/v1`;
  return {
    client: new OpenAI({ baseURL: baseUrl, apiKey: apiKey ?? 'evald-open-local-mode', maxRetries: 0 }),
    baseUrl,
    inProcess: true,
    close: () => server.close(),
  };
}
