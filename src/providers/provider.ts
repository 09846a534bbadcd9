import type { Failure, FailureKind } from '../engine/limiter.js';
import type { ForwardRequest, ForwardSink } from './forward.js';

/** A resolved provider entry (see config.ts); `apiKey` stays inside the provider once constructed. */
export interface ProviderSettings {
  name: string;
  baseUrl: string;
  apiKey: string | undefined;
  /** Globs (picomatch, `*` also matches `/`) of the model names this provider serves. */
  models: string[];
  maxConcurrency: number;
  timeoutMs: number;
  embeddingModel: string | undefined;
  /** Requests / tokens per minute this provider allows (undefined: unknown, learned from its headers). */
  rpm?: number | undefined;
  tpm?: number | undefined;
  /** The environment variable the key was read from (OPENAI_API_KEY, a provider's api_key_env), if any. */
  keyVariable?: string | undefined;
}

/** What a provider reports besides the answer: every response's headers (rate-limit state lives there). */
export interface ProviderHooks {
  onHeaders?: (headers: Record<string, string | string[] | undefined>) => void;
}

/** A provider as messages and logs may name it: never its key, only whether it has one and where from. */
export interface ProviderInfo {
  name: string;
  baseUrl: string;
  hasKey: boolean;
  keyVariable: string | undefined;
}

/** The public description of a settings entry. */
export const providerInfo = (s: ProviderSettings): ProviderInfo =>
  ({ name: s.name, baseUrl: s.baseUrl.replace(/\/+$/, ''), hasKey: s.apiKey !== undefined, keyVariable: s.keyVariable });

/**
 * One OpenAI-compatible upstream. It turns a request body into one HTTP call and classifies what went
 * wrong; it never retries or waits: retries, backoff and concurrency live once, in the engine's Limiter.
 */
export interface Provider {
  readonly name: string;
  /** Base URL including the API prefix, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl: string;
  readonly maxConcurrency: number;
  readonly timeoutMs: number;
  /** Model name to send when this provider serves embeddings (overrides what a grader asked for). */
  readonly embeddingModel: string | undefined;
  /**
   * POSTs JSON to `baseUrl + path`; resolves with the parsed 2xx body, rejects with a ProviderError.
   * `onHeaders` gets this call's response headers (else the provider's own hook does).
   */
  post<T>(path: string, body: unknown, signal: AbortSignal, onHeaders?: ProviderHooks['onHeaders']): Promise<T>;
  /** Pipes a gateway call's bytes up and the answer's back through `sink` (providers over HTTP only). */
  forward?(request: ForwardRequest, sink: ForwardSink, signal: AbortSignal): void;
  close(): Promise<void>;
}

/**
 * A classified upstream failure. Its message names the provider and never contains an API key (providers
 * redact before constructing it), so it can go straight into an item's `error.message` or a log line.
 */
export class ProviderError extends Error implements Failure {
  attempts?: number;

  constructor(
    readonly kind: FailureKind,
    /** Becomes the item's `error.code`, e.g. `rate_limit_exceeded`, `timeout`, `provider_unreachable`. */
    readonly code: string,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** Whether a value is a ProviderError. */
export const isProviderError = (err: unknown): err is ProviderError => err instanceof ProviderError;
