import { Pool, type Dispatcher } from 'undici';
import { classifyNetworkError, classifyStatus, redactor } from './classify.js';
import { ForwardCall, type ForwardRequest, type ForwardSink } from './forward.js';
import { ProviderError, type Provider, type ProviderHooks, type ProviderSettings } from './provider.js';

type ResponseHeaders = Record<string, string | string[] | undefined>;

/** No upstream answer we ask for comes near this; a larger body is cut off and the call fails. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * An OpenAI-compatible upstream reached over one keep-alive undici Pool. The per-call timeout is a deadline
 * for the whole answer, headers and body: undici's headers and body timeouts alone reset on every chunk, so
 * an upstream that drips its answer a byte at a time would hold the call (and the run) forever.
 *
 * Calls go through undici's `dispatch` with a small handler that gathers the body into one buffer, rather
 * than `request()`, whose body stream and promise machinery cost more per call than the call itself needs
 * (every answer is read whole and parsed as JSON).
 */
export class HttpProvider implements Provider {
  readonly name: string;
  readonly baseUrl: string;
  readonly maxConcurrency: number;
  readonly timeoutMs: number;
  readonly embeddingModel: string | undefined;
  // Private fields: the key must not show up in util.inspect / JSON.stringify of a provider in a log line.
  readonly #pool: Pool;
  readonly #headers: Record<string, string>;
  readonly #pathPrefix: string;
  readonly #query: string;
  readonly #redact: (text: string) => string;
  readonly #onHeaders: ProviderHooks['onHeaders'];
  // Calls in flight per abort signal. A run shares one signal across all its calls, so one listener per
  // signal aborts them all; a listener per call would make EventTarget's linear lists grow with concurrency.
  readonly #calls = new WeakMap<AbortSignal, Set<{ abort(reason: unknown): void }>>();

  constructor(settings: ProviderSettings, hooks: ProviderHooks = {}) {
    this.name = settings.name;
    this.#onHeaders = hooks.onHeaders;
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
    this.maxConcurrency = settings.maxConcurrency;
    this.timeoutMs = settings.timeoutMs;
    this.embeddingModel = settings.embeddingModel;
    const url = new URL(this.baseUrl);
    this.#pathPrefix = url.pathname.replace(/\/+$/, '');
    this.#query = url.search;
    this.#redact = redactor([settings.apiKey]);
    this.#headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'evald',
      ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
    };
    this.#pool = new Pool(url.origin, {
      // The limiter bounds calls in flight to maxConcurrency; the pool may hold twice as many sockets.
      // undici reuses a socket only a full event-loop turn after its answer (a guard against servers
      // that close a keep-alive socket they promised to keep), so with exactly one socket per slot the
      // next call of every answer in a burst would wait for that turn: spare sockets let it go at once.
      connections: settings.maxConcurrency * 2,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      connectTimeout: Math.min(10_000, settings.timeoutMs),
    });
  }

  post<T>(path: string, body: unknown, signal: AbortSignal, onHeaders = this.#onHeaders): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const call = new Call(signal, (error, status, headers, text) => {
        clearTimeout(deadline);
        this.#calls.get(signal)?.delete(call);
        if (status !== 0) onHeaders?.(headers);
        if (error !== null) {
          reject(signal.aborted ? signal.reason : classifyNetworkError(this.name, this.timeoutMs, error, this.#redact));
        } else if (status < 200 || status >= 300) {
          reject(classifyStatus(this.name, status, headers, text, this.#redact));
        } else {
          try {
            resolve(JSON.parse(text) as T);
          } catch {
            reject(new ProviderError('fatal', 'invalid_response', `provider ${this.name}: HTTP ${status} with a body that is not JSON`, status));
          }
        }
      });
      const deadline = setTimeout(() => call.abort(new DeadlineError(this.timeoutMs)), this.timeoutMs);
      this.#track(signal, call);
      this.#pool.dispatch({
        method: 'POST',
        path: `${this.#pathPrefix}${path}${this.#query}`,
        headers: this.#headers,
        body: JSON.stringify(body),
      }, call);
    });
  }

  /**
   * Pipes one gateway call: the client's bytes go up as they are (with this provider's key instead of the
   * client's), the answer comes back chunk by chunk through `sink`. No retries: the client sees the upstream
   * status and retry headers and retries as it would against OpenAI.
   */
  forward(request: ForwardRequest, sink: ForwardSink, signal: AbortSignal): void {
    const classified: ForwardSink = {
      onHeaders: (status, headers, resume) => sink.onHeaders(status, headers, resume),
      onData: (chunk) => sink.onData(chunk),
      onEnd: () => sink.onEnd(),
      onError: (e) => sink.onError(signal.aborted ? e : classifyNetworkError(this.name, this.timeoutMs, e, this.#redact)),
    };
    const call = new ForwardCall(classified, signal, () => this.#calls.get(signal)?.delete(call));
    if (signal.aborted) return call.abort(signal.reason);
    this.#track(signal, call);
    // identity: the answer's bytes are passed on and, when logged, read; a compressed one would be neither.
    const headers: Record<string, string> = { ...this.#headers, accept: request.accept ?? 'application/json', 'accept-encoding': 'identity' };
    if (!request.body) delete headers['content-type'];
    this.#pool.dispatch({
      method: request.method,
      path: `${this.#pathPrefix}${request.path}${this.#query}`,
      headers,
      body: request.body,
    }, call);
  }

  #track(signal: AbortSignal, call: { abort(reason: unknown): void }): void {
    let calls = this.#calls.get(signal);
    if (!calls) {
      const set = new Set<Call>();
      calls = set;
      this.#calls.set(signal, set);
      signal.addEventListener('abort', () => {
        for (const c of set) c.abort(signal.reason);
        set.clear();
      }, { once: true });
    }
    calls.add(call);
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}

/** The per-call deadline passed: classified as a timeout like undici's own (see classify.ts). */
class DeadlineError extends Error {
  readonly code = 'EVALD_DEADLINE';
  constructor(ms: number) {
    super(`no complete answer within ${ms} ms`);
  }
}

type Done = (error: unknown, status: number, headers: ResponseHeaders, text: string) => void;

/** One upstream call as an undici dispatch handler: collects the answer, reports once through `done`. */
class Call implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | null = null;
  #status = 0;
  #headers: ResponseHeaders = {};
  #chunks: Buffer[] = [];
  #bytes = 0;
  #finished = false;

  constructor(readonly signal: AbortSignal, readonly done: Done) {}

  abort(reason: unknown): void {
    if (this.#controller) this.#controller.abort(reason instanceof Error ? reason : new Error(String(reason)));
    else this.#finish(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.signal.aborted) controller.abort(this.signal.reason instanceof Error ? this.signal.reason : new Error(String(this.signal.reason)));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[]>): void {
    // 1xx informational answers come before the real one.
    if (statusCode < 200) return;
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#bytes += chunk.length;
    if (this.#bytes > MAX_RESPONSE_BYTES) {
      controller.abort(new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`));
      return;
    }
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    const chunks = this.#chunks;
    const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
    this.#chunks = [];
    if (this.#finished) return;
    this.#finished = true;
    this.done(null, this.#status, this.#headers, text);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#finish(error);
  }

  #finish(error: unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#chunks = [];
    this.done(error ?? new Error('aborted'), 0, {}, '');
  }
}
