import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletions } from './chat.js';
import { faultFor, parseDirectives, type Directives } from './directives.js';
import { embeddings } from './embeddings.js';
import { BadRequest, isObject, type Endpoint } from './endpoint.js';
import { chargedTokens, formatDuration, RateWindow } from './rate-window.js';
import { responses } from './responses.js';
import { newId } from './text.js';
import { sendStream } from './stream.js';
import { StoredLogs } from './stored.js';

/** How the fake behaves; every field is optional. */
export interface FakeUpstreamOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Fixed latency of every answered request, plus a uniform random 0..jitterMs. */
  latencyMs?: number;
  jitterMs?: number;
  /** Probability per request of an injected 429 / 500 / dropped connection. */
  rate429?: number;
  rate500?: number;
  rateDrop?: number;
  /** `retry-after-ms` sent with injected 429s (default 100; `retry-after` is its ceiling in seconds). */
  retryAfterMs?: number;
  /** When set, any other bearer gets a 401 (the default accepts any key, or none). */
  apiKey?: string;
  /** When set, the only models served: any other gets OpenAI's 404 `model_not_found` (default: any model). */
  models?: string[];
  /** Seed of the fault dice, so a run with rates is reproducible. */
  seed?: number;
  /** Gap between the events of a streamed answer (default 0: sent back to back). */
  streamIntervalMs?: number;
  /** How many recent requests `stats.recent` keeps (default 200). */
  keepRecent?: number;
  /** Requests / tokens per minute, enforced as OpenAI does (see rate-window.ts); unlimited when unset. */
  rpm?: number;
  tpm?: number;
  /** The window those limits are enforced over (default 60,000 ms; shorter models OpenAI's quantised limits). */
  rateWindowMs?: number;
}

/** What the fake saw; live counters, reset with `reset()`. */
export interface FakeUpstreamStats {
  requests: number;
  /** Tokens charged against `tpm` by the requests it admitted (counted only when limits are set). */
  chargedTokens: number;
  /** Responses by status code, plus `drop` for connections destroyed without a response. */
  byStatus: Record<string, number>;
  byPath: Record<string, number>;
  inFlight: number;
  maxInFlight: number;
  /** Distinct Authorization header values received (`''` when a request had none). */
  authorizations: string[];
  /** The most recent requests, oldest first. */
  recent: Array<{ path: string; body: unknown; authorization: string }>;
  reset(): void;
}

/** A running fake upstream. */
export interface FakeUpstream {
  /** Base URL including `/v1`, ready for OPENAI_BASE_URL. */
  url: string;
  port: number;
  stats: FakeUpstreamStats;
  /** The calls kept with `store`, served back by the stored-completions / responses GET endpoints. */
  stored: StoredLogs;
  close(): Promise<void>;
}

const ENDPOINTS: Record<string, Endpoint> = {
  '/v1/chat/completions': chatCompletions,
  '/v1/responses': responses,
  '/v1/embeddings': embeddings,
};

const ERROR_TYPES: Record<number, [type: string, code: string | null, message: string]> = {
  401: ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided'],
  403: ['invalid_request_error', 'unsupported_country_region_territory', 'Country, region, or territory not supported.'],
  404: ['invalid_request_error', 'model_not_found', 'The model does not exist or you do not have access to it.'],
  429: ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests. Please try again later.'],
  500: ['server_error', null, 'The server had an error while processing your request. Sorry about that!'],
  503: ['server_error', null, 'The engine is currently overloaded, please try again later.'],
};

/** A small seeded PRNG (mulberry32) for reproducible fault rates. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Prompt and answer tokens of a chat, responses or embeddings answer the fake built. */
function usageOf(answer: unknown): { prompt: number; completion: number } {
  const usage = (answer as { usage?: Record<string, number> }).usage ?? {};
  return { prompt: usage.prompt_tokens ?? usage.input_tokens ?? 0, completion: usage.completion_tokens ?? usage.output_tokens ?? 0 };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the fake on 127.0.0.1 (see index.ts for what it answers and the directive syntax). */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const random = prng(options.seed ?? 1);
  const keepRecent = options.keepRecent ?? 200;
  const attempts = new Map<string, number>();
  const stored = new StoredLogs();
  const window = new RateWindow({ rpm: options.rpm, tpm: options.tpm, windowMs: options.rateWindowMs });
  const authorizations = new Set<string>();
  const stats: FakeUpstreamStats = {
    requests: 0,
    chargedTokens: 0,
    byStatus: {},
    byPath: {},
    inFlight: 0,
    maxInFlight: 0,
    get authorizations() {
      return [...authorizations];
    },
    recent: [],
    reset() {
      Object.assign(stats, { requests: 0, chargedTokens: 0, byStatus: {}, byPath: {}, maxInFlight: stats.inFlight, recent: [] });
      authorizations.clear();
      attempts.clear();
    },
  };

  const count = (key: string) => (stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1);

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.socket?.destroyed) return;
    count(String(status));
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-request-id': newId('req_'),
      'openai-processing-ms': '1',
      ...headers,
    });
    res.end(text);
  }

  // An upstream that has answered but sends its body a byte at a time: each byte resets an idle timer, so only
  // a deadline for the whole answer ends the call.
  function drip(res: ServerResponse, body: unknown, everyMs: number, headers: Record<string, string> = {}): void {
    count('200');
    const bytes = Buffer.from(JSON.stringify(body));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length, 'x-request-id': newId('req_'), ...headers });
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      res.write(bytes.subarray(sent, sent + 1));
      if (++sent === bytes.length) {
        clearInterval(timer);
        res.end();
      }
    }, Math.max(1, everyMs));
    res.once('close', () => clearInterval(timer));
  }

  function sendError(res: ServerResponse, status: number, message?: string, param: string | null = null, code?: string | null, headers?: Record<string, string>, errorType?: string): void {
    const [type, defaultCode, defaultMessage] = ERROR_TYPES[status] ?? [status >= 500 ? 'server_error' : 'invalid_request_error', null, `HTTP ${status}`];
    send(res, status, { error: { message: message ?? defaultMessage, type: errorType ?? type, param, code: code === undefined ? defaultCode : code } }, headers);
  }

  function retryHeaders(d: Directives): Record<string, string> {
    if (d.retryAfterSeconds !== undefined) return { 'retry-after': String(d.retryAfterSeconds) };
    if (d.retryAfterMs === null) return {};
    const ms = d.retryAfterMs ?? options.retryAfterMs ?? 100;
    return { 'retry-after-ms': String(ms), 'retry-after': String(Math.ceil(ms / 1000)) };
  }

  function randomFault(): number | 'drop' | undefined {
    const r1 = options.rate429 ?? 0;
    const r2 = r1 + (options.rate500 ?? 0);
    const r3 = r2 + (options.rateDrop ?? 0);
    if (r3 <= 0) return undefined;
    const r = random();
    return r < r1 ? 429 : r < r2 ? 500 : r < r3 ? 'drop' : undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Latency counts from the request's arrival: the time this fake spends reading, checking and answering
    // a request is its own, not the upstream's it stands in for, and under a burst of calls it would
    // otherwise add to every answer's latency one request after another.
    const arrived = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    const authorization = req.headers.authorization ?? '';
    stats.requests += 1;
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
    authorizations.add(authorization);
    const text = await readBody(req);

    if (req.method === 'GET' && path === '/v1/models') return send(res, 200, { object: 'list', data: [] });
    const kept = stored.handle(req.method ?? 'GET', req.url ?? '/');
    if (kept) return send(res, kept.status, kept.body);
    const endpoint = ENDPOINTS[path];
    if (req.method !== 'POST' || !endpoint) return sendError(res, 404, `Invalid URL (${req.method} ${path})`, null, null);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return sendError(res, 400, 'We could not parse the JSON body of your request.', null, null);
    }
    stats.recent.push({ path, body, authorization });
    if (stats.recent.length > keepRecent) stats.recent.shift();
    const bearer = authorization.replace(/^Bearer\s+/i, '');
    // The echo is deliberate (the real API masks the middle): it lets tests prove evald redacts keys.
    if (options.apiKey !== undefined && bearer !== options.apiKey) return sendError(res, 401, `Incorrect API key provided: ${bearer}.`);
    if (!isObject(body)) return sendError(res, 400, 'The request body must be a JSON object.');

    let prepared;
    try {
      prepared = endpoint(body);
    } catch (err) {
      if (err instanceof BadRequest) return sendError(res, 400, err.message, err.param, err.code);
      throw err;
    }
    if (options.models && !options.models.includes(prepared.model)) {
      return sendError(res, 404, `The model \`${prepared.model}\` does not exist or you do not have access to it.`);
    }
    const directives = parseDirectives(prepared.promptText);
    let attempt = 1;
    if (directives.faults.length > 0 || directives.delay) {
      const key = `${path}\0${prepared.promptText}`;
      attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
    }
    const fault = faultFor(directives.faults, attempt) ?? randomFault();
    if (fault === 429) return sendError(res, 429, `Rate limit reached for ${prepared.model} (fake). Please try again later.`, null, undefined, retryHeaders(directives));

    let latency = (options.latencyMs ?? 0) + (options.jitterMs ? random() * options.jitterMs : 0);
    if (directives.delay && attempt <= directives.delay.times) latency += directives.delay.ms;
    const answer = fault === undefined ? prepared.respond(directives) : null;
    let rateHeaders: Record<string, string> = {};
    if (window.enabled && answer !== null) {
      const charged = chargedTokens(body, usageOf(answer));
      const verdict = window.check(charged);
      rateHeaders = verdict.headers;
      const over = verdict.exceeded;
      if (!over) stats.chargedTokens += charged;
      if (over) {
        const unit = over.resource === 'requests' ? 'requests per min (RPM)' : 'tokens per min (TPM)';
        const message = `Rate limit reached for ${prepared.model} (fake) on ${unit}: Limit ${over.limit}, Used ${over.used}, Requested ${over.requested}. Please try again in ${formatDuration(over.retryAfterMs)}.`;
        const ms = Math.ceil(over.retryAfterMs);
        return sendError(res, 429, message, null, 'rate_limit_exceeded', { ...rateHeaders, 'retry-after-ms': String(ms), 'retry-after': String(Math.ceil(ms / 1000)) }, over.resource);
      }
    }
    const wait = latency - (performance.now() - arrived);
    if (wait > 0) await sleep(wait);
    if (req.socket.destroyed) return; // the client gave up (timeout or abort)

    if (fault === 'drop') {
      count('drop');
      req.socket.destroy();
      return;
    }
    if (fault === 401) return sendError(res, 401, `Incorrect API key provided: ${bearer}.`);
    if (fault !== undefined) return sendError(res, fault);
    stored.remember(path, body, answer as Record<string, unknown>);
    if (body.stream === true) {
      count('200');
      return sendStream(res, path, body, answer as Record<string, unknown>, { 'x-request-id': newId('req_'), ...rateHeaders }, options.streamIntervalMs ?? 0);
    }
    if (directives.dripMs !== undefined) return drip(res, answer, directives.dripMs, rateHeaders);
    send(res, 200, answer, rateHeaders);
  }

  const server = createServer((req, res) => {
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.once('close', () => {
      stats.inFlight -= 1;
    });
    handle(req, res).catch((err: unknown) => sendError(res, 500, `fake upstream bug: ${String(err)}`));
  });
  // Longer than undici's keep-alive, so the client (not us) closes idle sockets and no request races a close.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/v1`,
    port,
    stats,
    stored,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
