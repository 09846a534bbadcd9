/**
 * The fake's requests- and tokens-per-minute limits, enforced as OpenAI enforces its own: one bucket per
 * resource holding a minute's allowance, refilled continuously, a request charged one request and its
 * tokens (prompt tokens plus the larger of the answer and its `max_*tokens` cap) when it arrives. A
 * request larger than the whole bucket goes when the bucket is full. Every
 * answer carries the `x-ratelimit-*` headers OpenAI sends; a request that does not fit is answered 429,
 * with the resource it exceeded and how long until it would fit.
 */
export interface RateWindowOptions {
  rpm?: number | undefined;
  tpm?: number | undefined;
  /**
   * The window the limits are enforced over (default a minute). OpenAI may enforce a per-minute limit in
   * shorter quanta (60,000 RPM as 1,000 per second): a window of 1000 holds a second's share, no more.
   */
  windowMs?: number | undefined;
}

/** What a limited fake says of one request: its headers, and whether it is refused. */
export interface RateVerdict {
  headers: Record<string, string>;
  exceeded?: { resource: 'requests' | 'tokens'; limit: number; used: number; requested: number; retryAfterMs: number };
}

const MINUTE_MS = 60_000;

/** `6m0s`, `1.5s`, `20ms`: the duration format of OpenAI's reset headers. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const minutes = Math.floor(ms / MINUTE_MS);
  const seconds = Math.round((ms - minutes * MINUTE_MS) / 100) / 10;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/** The tokens a request counts: prompt tokens plus the larger of the answer and its cap. */
export function chargedTokens(body: Record<string, unknown>, usage: { prompt: number; completion: number }): number {
  const cap = [body.max_completion_tokens, body.max_tokens, body.max_output_tokens].find((v): v is number => typeof v === 'number' && v > 0) ?? 0;
  return usage.prompt + Math.max(usage.completion, cap);
}

/** A fake's rate limits over time; `check` charges a request if it fits. */
export class RateWindow {
  readonly #rpm: number | undefined;
  readonly #tpm: number | undefined;
  // Bucket sizes: a window's share of each limit.
  readonly #maxRequests: number;
  readonly #maxTokens: number;
  #requests: number;
  #tokens: number;
  #at = performance.now();

  constructor(options: RateWindowOptions) {
    this.#rpm = options.rpm;
    this.#tpm = options.tpm;
    const share = Math.min(MINUTE_MS, options.windowMs ?? MINUTE_MS) / MINUTE_MS;
    this.#maxRequests = Math.max(1, (this.#rpm ?? 0) * share);
    this.#maxTokens = Math.max(1, (this.#tpm ?? 0) * share);
    this.#requests = this.#maxRequests;
    this.#tokens = this.#maxTokens;
  }

  get enabled(): boolean {
    return this.#rpm !== undefined || this.#tpm !== undefined;
  }

  /** Charges one request of `tokens` if both buckets hold enough; otherwise refuses it and charges nothing. */
  check(tokens: number): RateVerdict {
    this.#refill();
    const rpm = this.#rpm;
    const tpm = this.#tpm;
    let exceeded: RateVerdict['exceeded'];
    if (rpm !== undefined && this.#requests < 1) {
      exceeded = { resource: 'requests', limit: rpm, used: Math.ceil(this.#maxRequests - this.#requests), requested: 1, retryAfterMs: ((1 - this.#requests) * MINUTE_MS) / rpm };
    } else if (tpm !== undefined && this.#tokens < Math.min(tokens, this.#maxTokens)) {
      const short = Math.min(tokens, this.#maxTokens) - this.#tokens;
      exceeded = { resource: 'tokens', limit: tpm, used: Math.ceil(this.#maxTokens - this.#tokens), requested: tokens, retryAfterMs: (short * MINUTE_MS) / tpm };
    } else {
      if (rpm !== undefined) this.#requests -= 1;
      if (tpm !== undefined) this.#tokens -= tokens;
    }
    return { headers: this.#headers(), ...(exceeded ? { exceeded } : {}) };
  }

  #refill(): void {
    const now = performance.now();
    const elapsed = now - this.#at;
    this.#at = now;
    if (this.#rpm !== undefined) this.#requests = Math.min(this.#maxRequests, this.#requests + (elapsed * this.#rpm) / MINUTE_MS);
    if (this.#tpm !== undefined) this.#tokens = Math.min(this.#maxTokens, this.#tokens + (elapsed * this.#tpm) / MINUTE_MS);
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.#rpm !== undefined) {
      headers['x-ratelimit-limit-requests'] = String(this.#rpm);
      headers['x-ratelimit-remaining-requests'] = String(Math.max(0, Math.floor(this.#requests)));
      headers['x-ratelimit-reset-requests'] = formatDuration(((this.#maxRequests - this.#requests) * MINUTE_MS) / this.#rpm);
    }
    if (this.#tpm !== undefined) {
      headers['x-ratelimit-limit-tokens'] = String(this.#tpm);
      headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, Math.floor(this.#tokens)));
      headers['x-ratelimit-reset-tokens'] = formatDuration(((this.#maxTokens - this.#tokens) * MINUTE_MS) / this.#tpm);
    }
    return headers;
  }
}
