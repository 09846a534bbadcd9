/** A provider's per-minute limits; either may be unknown (then only what the upstream says applies). */
export interface RateLimits {
  rpm?: number | undefined;
  tpm?: number | undefined;
}

type Headers = Record<string, string | string[] | undefined>;

const MINUTE_MS = 60_000;
const PROBE_MS = 1000;

/** What one admitted call took from the budget, handed back to `settle` with what it really used. */
export interface Ticket {
  tokens: number;
}

interface Waiter {
  tokens: number;
  resolve: (ticket: Ticket) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const number = (raw: string | undefined): number | undefined => {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
};

/** OpenAI's reset durations: `1s`, `6m0s`, `20ms`, `1h2m3.5s`; undefined when unparseable. */
export function parseResetDuration(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const value = Number(m[1]);
    total += m[2] === 'h' ? value * 3_600_000 : m[2] === 'm' ? value * 60_000 : m[2] === 's' ? value * 1000 : value;
    matched = re.lastIndex;
  }
  return matched === text.length ? total : undefined;
}

/**
 * A token bucket per resource (requests, tokens), refilled continuously to its per-minute limit as OpenAI
 * replenishes its own. A call is admitted, in arrival order, once one request and its estimated tokens fit;
 * `settle` corrects the estimate by the usage the answer reports. What the upstream says overrides what
 * the budget assumed: `x-ratelimit-limit-*` sets a limit the configuration left unknown,
 * `x-ratelimit-remaining-*` lowers a level that was too optimistic (another client shares the key), and a
 * 429's wait hint pauses every admission, not just the call that got it.
 *
 * With neither a configured limit nor headers, every call after the first is admitted at once: the
 * limiter's adaptive concurrency is then the only brake, as before.
 */
export class RateBudget {
  #rpm: number | undefined;
  #tpm: number | undefined;
  readonly #configured: RateLimits;
  #requests: number;
  #tokens: number;
  #refilledAt: number;
  #pausedUntil = 0;
  #inFlight = 0;
  // Until the first answer, a provider whose limits are unknown gets one call at a time: that answer's
  // headers may say the limits, and a first burst of a whole concurrency's calls would already exceed them.
  // A first call slower than PROBE_MS (a long reasoning answer) ends the probe, so it never holds a run.
  #probing: boolean;
  #probeTimer: NodeJS.Timeout | undefined;
  #queue: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #now: () => number;

  constructor(limits: RateLimits = {}, options: { now?: () => number } = {}) {
    this.#configured = { rpm: limits.rpm, tpm: limits.tpm };
    this.#rpm = limits.rpm;
    this.#tpm = limits.tpm;
    this.#now = options.now ?? (() => performance.now());
    this.#requests = this.#rpm ?? 0;
    this.#tokens = this.#tpm ?? 0;
    this.#refilledAt = this.#now();
    this.#probing = limits.rpm === undefined && limits.tpm === undefined;
  }

  /** Whether calls must be admitted (a limit is known, or the first answer is still awaited). */
  get gating(): boolean {
    return this.#probing || this.limited;
  }

  /** Whether any limit is known (configured or learned from headers). */
  get limited(): boolean {
    return this.#rpm !== undefined || this.#tpm !== undefined;
  }

  /** The limits in force (configured, else learned). */
  get limits(): RateLimits {
    return { rpm: this.#rpm, tpm: this.#tpm };
  }

  /** Current levels after refill (for tests and metrics). */
  get levels(): { requests: number; tokens: number } {
    this.#refill();
    return { requests: this.#requests, tokens: this.#tokens };
  }

  /** Calls waiting for budget. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Resolves when one request and `tokens` fit (arrival order); rejects with the signal's reason on abort. */
  admit(tokens: number, signal: AbortSignal): Promise<Ticket> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const want = Math.max(0, Math.ceil(tokens));
    if (this.#queue.length === 0 && this.#fits(want)) return Promise.resolve(this.#take(want));
    return new Promise<Ticket>((resolve, reject) => {
      const waiter: Waiter = {
        tokens: want,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#queue.indexOf(waiter);
          if (index >= 0) this.#queue.splice(index, 1);
          reject(signal.reason);
          this.#schedule();
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queue.push(waiter);
      this.#schedule();
    });
  }

  /**
   * Ends an admitted call: corrects its token estimate by `usedTokens` (the answer's total usage; undefined
   * when unknown keeps the estimate) and reads the upstream's rate-limit headers, if any.
   */
  settle(ticket: Ticket, usedTokens: number | undefined, headers?: Headers): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    this.#endProbe();
    if (usedTokens !== undefined && this.#tpm !== undefined) {
      this.#refill();
      this.#tokens = Math.min(this.#tpm, this.#tokens + ticket.tokens - usedTokens);
    }
    if (headers) this.observe(headers);
    this.#schedule();
  }

  /** Reads `x-ratelimit-*` headers of any answer (2xx or 429). */
  observe(headers: Headers): void {
    const limitRequests = number(header(headers, 'x-ratelimit-limit-requests'));
    const limitTokens = number(header(headers, 'x-ratelimit-limit-tokens'));
    this.#refill();
    if (limitRequests !== undefined && limitRequests > 0 && this.#configured.rpm === undefined && this.#rpm !== limitRequests) {
      if (this.#rpm === undefined) this.#requests = limitRequests;
      this.#rpm = limitRequests;
    }
    if (limitTokens !== undefined && limitTokens > 0 && this.#configured.tpm === undefined && this.#tpm !== limitTokens) {
      if (this.#tpm === undefined) this.#tokens = limitTokens;
      this.#tpm = limitTokens;
    }
    // The upstream counted this call but not the others still in flight, which this budget already took
    // (headers arrive before the call that brought them is settled, so it is one of the in-flight ones).
    const others = Math.max(0, this.#inFlight - 1);
    const remainingRequests = number(header(headers, 'x-ratelimit-remaining-requests'));
    if (remainingRequests !== undefined && this.#rpm !== undefined) this.#requests = Math.min(this.#requests, remainingRequests - others);
    const remainingTokens = number(header(headers, 'x-ratelimit-remaining-tokens'));
    if (remainingTokens !== undefined && this.#tpm !== undefined) this.#tokens = Math.min(this.#tokens, remainingTokens);
    this.#schedule();
  }

  /** Holds every admission for `ms` (a 429's retry-after): the limit is shared, so is the wait. */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + Math.max(0, ms));
    this.#schedule();
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = now - this.#refilledAt;
    this.#refilledAt = now;
    if (elapsed <= 0) return;
    if (this.#rpm !== undefined) this.#requests = Math.min(this.#rpm, this.#requests + (elapsed * this.#rpm) / MINUTE_MS);
    if (this.#tpm !== undefined) this.#tokens = Math.min(this.#tpm, this.#tokens + (elapsed * this.#tpm) / MINUTE_MS);
  }

  // A call larger than the whole per-minute budget would wait forever: it goes once the bucket is full.
  #need(tokens: number): number {
    return this.#tpm === undefined ? 0 : Math.min(tokens, this.#tpm);
  }

  #fits(tokens: number): boolean {
    if (this.#probing && this.#inFlight > 0) return false;
    if (this.#now() < this.#pausedUntil) return false;
    this.#refill();
    if (this.#rpm !== undefined && this.#requests < 1) return false;
    return this.#tpm === undefined || this.#tokens >= this.#need(tokens);
  }

  #endProbe(): void {
    this.#probing = false;
    if (this.#probeTimer) clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
  }

  #take(tokens: number): Ticket {
    if (this.#probing && !this.#probeTimer) {
      this.#probeTimer = setTimeout(() => {
        this.#endProbe();
        this.#schedule();
      }, PROBE_MS);
      this.#probeTimer.unref?.();
    }
    if (this.#rpm !== undefined) this.#requests -= 1;
    if (this.#tpm !== undefined) this.#tokens -= tokens;
    this.#inFlight += 1;
    return { tokens };
  }

  /** Admits every waiter at the head that fits, then sets one timer for when the next one will. */
  #schedule(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#queue.length > 0 && this.#fits(this.#queue[0]!.tokens)) {
      const waiter = this.#queue.shift()!;
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.#take(waiter.tokens));
    }
    const head = this.#queue[0];
    if (!head) return;
    const now = this.#now();
    let wait = Math.max(0, this.#pausedUntil - now);
    if (this.#rpm !== undefined && this.#requests < 1) wait = Math.max(wait, ((1 - this.#requests) * MINUTE_MS) / this.#rpm);
    if (this.#tpm !== undefined) {
      const short = this.#need(head.tokens) - this.#tokens;
      if (short > 0) wait = Math.max(wait, (short * MINUTE_MS) / this.#tpm);
    }
    this.#timer = setTimeout(() => this.#schedule(), Math.max(1, Math.ceil(wait)));
    this.#timer.unref?.();
  }
}
