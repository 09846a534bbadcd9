import { Pool } from 'undici';
import { classifyNetworkError, classifyStatus, redactor } from './classify.js';
import { ProviderError, type Provider, type ProviderSettings } from './provider.js';

/**
 * An OpenAI-compatible upstream reached over one keep-alive undici Pool with a socket per allowed
 * concurrent call. The per-call timeout is undici's headers/body timeout: a non-streaming completion sends
 * its headers only when the answer is ready, so this bounds the whole call without a timer of our own.
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

  constructor(settings: ProviderSettings) {
    this.name = settings.name;
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
      connections: settings.maxConcurrency,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      connectTimeout: Math.min(10_000, settings.timeoutMs),
    });
  }

  async post<T>(path: string, body: unknown, signal: AbortSignal): Promise<T> {
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const response = await this.#pool.request({
        method: 'POST',
        path: `${this.#pathPrefix}${path}${this.#query}`,
        headers: this.#headers,
        body: JSON.stringify(body),
        signal,
      });
      status = response.statusCode;
      headers = response.headers;
      text = await response.body.text();
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw classifyNetworkError(this.name, this.timeoutMs, err, this.#redact);
    }
    if (status < 200 || status >= 300) throw classifyStatus(this.name, status, headers, text, this.#redact);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ProviderError('fatal', 'invalid_response', `provider ${this.name}: HTTP ${status} with a body that is not JSON`, status);
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
