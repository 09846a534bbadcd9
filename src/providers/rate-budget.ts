/** A provider's per-minute limits; either may be unknown (then only what the upstream says applies). */
export interface RateLimits {
  rpm?: number | undefined;
  tpm?: number | undefined;
}

type Headers = Record<string, string | string[] | undefined>;

const MINUTE_MS = 60_000;
const PROBE_MS = 1000;
// How soon a process asks the shared bucket again after it came back short (about 20 RPM-slices a second),
// and after a database error.
const SHARED_RETRY_MS = 50;
const SHARED_ERROR_RETRY_MS = 1000;

/** What one admitted call took from the budget, handed back to `settle` with what it really used. */
export interface Ticket {
  tokens: number;
  /** Admission order: the upstream counted, before this call, every call admitted before it. */
  seq: number;
}

/** A bucket shared with other processes (the store's provider_budgets): takes up to `want` from it. */
export type SharedTake = (limits: RateLimits, want: { requests: number; tokens: number }) => Promise<{ requests: number; tokens: number }>;

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
  // Sequence numbers of the admitted calls not yet settled (a few dozen at most: the concurrency).
  readonly #open = new Set<number>();
  #seq = 0;
  // Until the first answer, a provider whose limits are unknown gets one call at a time: that answer's
  // headers may say the limits, and a first burst of a whole concurrency's calls would already exceed them.
  // A first call slower than PROBE_MS (a long reasoning answer) ends the probe, so it never holds a run.
  #probing: boolean;
  #probeTimer: NodeJS.Timeout | undefined;
  #queue: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #now: () => number;
  // Shared mode: the levels are slices taken from a bucket other processes draw from too; they do not
  // refill by themselves. One take at a time.
  #shared: SharedTake | undefined;
  #taking = false;

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

  /**
   * Draws this budget from a bucket shared by every process on one database instead of refilling it here:
   * whenever a waiting call does not fit, the budget takes about a second's share (or what the waiting
   * calls need, if less) from the shared bucket. N processes together then admit what one would.
   */
  share(take: SharedTake): void {
    this.#refill();
    this.#shared = take;
    this.#requests = Math.min(this.#requests, 0);
    this.#tokens = Math.min(this.#tokens, 0);
    this.#schedule();
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
  settle(ticket: Ticket, usedTokens: number | undefined): void {
    if (!this.#open.delete(ticket.seq)) return;
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    this.#endProbe();
    if (usedTokens !== undefined && this.#tpm !== undefined) {
      this.#refill();
      this.#tokens = Math.min(this.#tpm, this.#tokens + ticket.tokens - usedTokens);
    }
    this.#schedule();
  }

  /** Reads the `x-ratelimit-*` headers of any answer (2xx or 429); `ticket` is the call they answer, if known. */
  observe(headers: Headers, ticket?: Ticket): void {
    const limitRequests = number(header(headers, 'x-ratelimit-limit-requests'));
    const limitTokens = number(header(headers, 'x-ratelimit-limit-tokens'));
    this.#refill();
    if (limitRequests !== undefined && limitRequests > 0 && this.#configured.rpm === undefined && this.#rpm !== limitRequests) {
      if (this.#rpm === undefined && !this.#shared) this.#requests = limitRequests;
      this.#rpm = limitRequests;
    }
    if (limitTokens !== undefined && limitTokens > 0 && this.#configured.tpm === undefined && this.#tpm !== limitTokens) {
      if (this.#tpm === undefined && !this.#shared) this.#tokens = limitTokens;
      this.#tpm = limitTokens;
    }
    // What remained upstream once it had counted this call and every call it received before. The calls
    // admitted here after this one and still in flight were not among those (the upstream counts a request
    // when it arrives); and the headers count whole units, so the level may be up to one more than they
    // say: lowering it to the exact figure would throw away the refill's fraction with every answer.
    let later = 0;
    if (ticket) for (const seq of this.#open) if (seq > ticket.seq) later += 1;
    const remainingRequests = number(header(headers, 'x-ratelimit-remaining-requests'));
    if (remainingRequests !== undefined && this.#rpm !== undefined) this.#requests = Math.min(this.#requests, remainingRequests + 1 - later);
    const remainingTokens = number(header(headers, 'x-ratelimit-remaining-tokens'));
    if (remainingTokens !== undefined && this.#tpm !== undefined) this.#tokens = Math.min(this.#tokens, remainingTokens + 1);
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
    if (elapsed <= 0 || this.#shared) return;
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

  /** Takes what the waiting calls lack (at most a second's share) from the shared bucket, then admits. */
  #takeShared(take: SharedTake): void {
    if (this.#taking) return;
    this.#taking = true;
    let requests = 0;
    let tokens = 0;
    for (const w of this.#queue) {
      requests += 1;
      tokens += this.#need(w.tokens);
    }
    const limits = this.limits;
    const want = {
      requests: Math.max(0, Math.min(requests, Math.ceil((limits.rpm ?? 0) / 60)) - Math.floor(this.#requests)),
      tokens: Math.max(0, Math.min(tokens, Math.ceil((limits.tpm ?? 0) / 60)) - Math.floor(this.#tokens)),
    };
    // Enough for the head at least, whatever a second's share is.
    if (limits.rpm !== undefined) want.requests = Math.max(want.requests, 1 - Math.floor(this.#requests));
    if (limits.tpm !== undefined) want.tokens = Math.max(want.tokens, Math.ceil(this.#need(this.#queue[0]!.tokens) - this.#tokens));
    take(limits, want).then(
      (grant) => {
        this.#taking = false;
        if (limits.rpm !== undefined) this.#requests += grant.requests;
        if (limits.tpm !== undefined) this.#tokens += grant.tokens;
        const short = (limits.rpm !== undefined && grant.requests < want.requests) || (limits.tpm !== undefined && grant.tokens < want.tokens);
        if (!short) return this.#schedule();
        // The shared bucket came back short: admit what the grant covers, ask again a little later.
        this.#retryShared(SHARED_RETRY_MS);
      },
      () => {
        this.#taking = false;
        this.#retryShared(SHARED_ERROR_RETRY_MS);
      },
    );
  }

  #retryShared(ms: number): void {
    this.#admitFitting();
    if (this.#queue.length > 0) this.#setTimer(ms);
  }

  /** Admits waiters from the head for as long as they fit. */
  #admitFitting(): void {
    while (this.#queue.length > 0 && this.#fits(this.#queue[0]!.tokens)) {
      const waiter = this.#queue.shift()!;
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.#take(waiter.tokens));
    }
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
    const seq = ++this.#seq;
    this.#open.add(seq);
    return { tokens, seq };
  }

  /** Admits every waiter at the head that fits, then sets one timer for when the next one will. */
  #schedule(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#admitFitting();
    const head = this.#queue[0];
    if (!head) return;
    // The first answer (settle) or the probe's own timer schedules again.
    if (this.#probing && this.#inFlight > 0) return;
    const now = this.#now();
    let wait = Math.max(0, this.#pausedUntil - now);
    if (wait === 0 && this.#shared) return this.#takeShared(this.#shared);
    if (this.#rpm !== undefined && this.#requests < 1) wait = Math.max(wait, ((1 - this.#requests) * MINUTE_MS) / this.#rpm);
    if (this.#tpm !== undefined) {
      const short = this.#need(head.tokens) - this.#tokens;
      if (short > 0) wait = Math.max(wait, (short * MINUTE_MS) / this.#tpm);
    }
    this.#setTimer(wait);
  }

  #setTimer(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#schedule(), Math.max(1, Math.ceil(ms)));
    this.#timer.unref?.();
  }

}
