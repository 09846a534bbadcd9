import { setMaxListeners } from 'node:events';

/**
 * How a failed upstream call should be treated. `timeout` and `unreachable` are transient too, but get a
 * smaller retry budget: a model that is too slow, or a port nobody listens on, rarely heals within minutes.
 */
export type FailureKind = 'rate_limited' | 'transient' | 'timeout' | 'unreachable' | 'fatal';

/** What the limiter reads from a thrown error to decide on a retry (providers throw objects like this). */
export interface Failure {
  kind: FailureKind;
  /** The server's own wait hint (retry-after-ms / retry-after), if it gave one. */
  retryAfterMs?: number | undefined;
  /** Set by the limiter when it gives up: how many attempts were made. */
  attempts?: number;
}

/** Retry and backoff knobs; every field has a production default and may be overridden (tests shrink them). */
export interface RetryPolicy {
  /** Retries after 429 / 5xx / dropped connections. */
  maxRetries: number;
  /** Retries after a per-call timeout. */
  maxTimeoutRetries: number;
  /** Retries after a refused connection or an unknown host. */
  maxUnreachableRetries: number;
  /** First backoff ceiling; doubles each retry (full jitter picks uniformly below it). */
  baseDelayMs: number;
  /** Cap on any single wait, including a server's retry-after. */
  maxDelayMs: number;
  random: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Sleeps `ms`, rejecting with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Production retry settings: 8 retries, 0.5 s doubling backoff, no single wait over 60 s. */
export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 8,
  maxTimeoutRetries: 2,
  maxUnreachableRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  random: Math.random,
  sleep: abortableSleep,
};

interface Waiter {
  signal: AbortSignal;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

const isFailure = (err: unknown): err is Failure =>
  typeof err === 'object' && err !== null && typeof (err as Failure).kind === 'string';

// One run signal is shared by every call of the run, and undici plus our queue each add an abort listener
// per call; Node would warn about a "leak" past 10. Raise the limit once per signal.
const raisedSignals = new WeakSet<AbortSignal>();
function allowManyListeners(signal: AbortSignal): void {
  if (raisedSignals.has(signal)) return;
  raisedSignals.add(signal);
  setMaxListeners(0, signal);
}

/**
 * Bounded, self-adjusting concurrency plus retries for one upstream provider.
 *
 * The bound halves on a 429 (floor 1) and grows by one after each `limit` consecutive successes (AIMD, as
 * TCP does), up to the configured maximum. A burst of 429s from calls that were all in flight together
 * halves the bound once, not once per call: only a call started after the last decrease may decrease it.
 * A call that waits to retry gives its slot back and, when its wait is over, goes ahead of new calls.
 */
export class Limiter {
  #max: number;
  readonly policy: RetryPolicy;
  #limit: number;
  #active = 0;
  #epoch = 0;
  #successes = 0;
  #fresh: Waiter[] = [];
  #retrying: Waiter[] = [];
  // One abort listener per signal, not per waiter: a run queues thousands of calls on one signal, and
  // EventTarget's add/removeEventListener are linear in the number of listeners.
  #listening = new Map<AbortSignal, { waiting: number; onAbort: () => void }>();

  constructor(maxConcurrency: number, policy: Partial<RetryPolicy> = {}) {
    this.#max = Math.max(1, Math.floor(maxConcurrency));
    this.#limit = this.#max;
    this.policy = { ...defaultRetryPolicy, ...policy };
  }

  /** The most calls in flight at once (this process's share of the provider's concurrency). */
  get max(): number {
    return this.#max;
  }

  /**
   * Sets a new maximum (several processes split one provider's concurrency). The current bound follows it
   * down at once (calls already in flight finish) and up at once unless a rate limit had lowered it, in
   * which case it grows back as after any rate limit.
   */
  resize(maxConcurrency: number): void {
    const max = Math.max(1, Math.floor(maxConcurrency));
    if (max === this.#max) return;
    const atMax = this.#limit >= this.#max;
    this.#max = max;
    this.#limit = atMax ? max : Math.min(this.#limit, max);
    this.#drain();
  }

  /** The current concurrency bound (≤ max; lower after rate limiting). */
  get limit(): number {
    return this.#limit;
  }

  /** Calls holding a slot right now. */
  get active(): number {
    return this.#active;
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.#fresh.length + this.#retrying.length;
  }

  /**
   * Runs `attempt` under the bound, retrying rate limits and transient failures with capped exponential
   * backoff (full jitter) or the server's hint. Rejects with the last failure once the budget is spent, at
   * once for a fatal one, and with `signal.reason` as soon as the signal aborts.
   */
  async run<T>(attempt: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) throw signal.reason;
    allowManyListeners(signal);
    let retries = 0;
    let priority = false;
    for (;;) {
      if (!this.#tryAcquire(priority)) await this.#wait(signal, priority);
      const epoch = this.#epoch;
      let failure: Failure;
      try {
        const value = await attempt(signal);
        this.#release();
        this.#onSuccess();
        return value;
      } catch (err) {
        this.#release();
        if (signal.aborted) throw signal.reason;
        if (!isFailure(err)) throw err;
        failure = err;
      }
      if (failure.kind === 'rate_limited') this.#onRateLimited(epoch);
      if (retries >= this.#budget(failure.kind)) {
        failure.attempts = retries + 1;
        throw failure;
      }
      await this.policy.sleep(this.#delay(retries, failure.retryAfterMs), signal);
      retries += 1;
      priority = true;
    }
  }

  #budget(kind: FailureKind): number {
    const p = this.policy;
    switch (kind) {
      case 'rate_limited':
      case 'transient':
        return p.maxRetries;
      case 'timeout':
        return p.maxTimeoutRetries;
      case 'unreachable':
        return p.maxUnreachableRetries;
      case 'fatal':
        return 0;
    }
  }

  #delay(retries: number, hintMs: number | undefined): number {
    const { baseDelayMs, maxDelayMs, random } = this.policy;
    if (hintMs !== undefined && hintMs >= 0) return Math.min(hintMs, maxDelayMs);
    return random() * Math.min(maxDelayMs, baseDelayMs * 2 ** retries);
  }

  #onRateLimited(epoch: number): void {
    this.#successes = 0;
    if (epoch !== this.#epoch) return;
    this.#epoch += 1;
    this.#limit = Math.max(1, Math.floor(this.#limit / 2));
  }

  #onSuccess(): void {
    if (this.#limit >= this.#max) return;
    this.#successes += 1;
    if (this.#successes < this.#limit) return;
    this.#successes = 0;
    this.#limit += 1;
    this.#drain();
  }

  #tryAcquire(priority: boolean): boolean {
    if (this.#active >= this.#limit) return false;
    // Fairness: a new call may not overtake anyone already waiting; a retry only yields to other retries.
    if (this.#retrying.length > 0 || (!priority && this.#fresh.length > 0)) return false;
    this.#active += 1;
    return true;
  }

  #wait(signal: AbortSignal, priority: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      (priority ? this.#retrying : this.#fresh).push({ signal, resolve, reject });
      let entry = this.#listening.get(signal);
      if (!entry) {
        entry = { waiting: 0, onAbort: () => this.#abortWaiters(signal) };
        this.#listening.set(signal, entry);
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      entry.waiting += 1;
    });
  }

  #grant(waiter: Waiter): void {
    const entry = this.#listening.get(waiter.signal);
    if (entry && --entry.waiting === 0) {
      waiter.signal.removeEventListener('abort', entry.onAbort);
      this.#listening.delete(waiter.signal);
    }
    this.#active += 1;
    waiter.resolve();
  }

  // Aborts are rare, so a scan of the queues is fine; what matters is that waiting stays O(1).
  #abortWaiters(signal: AbortSignal): void {
    this.#listening.delete(signal);
    for (const queue of [this.#retrying, this.#fresh]) {
      const all = queue.splice(0);
      for (const w of all) {
        if (w.signal === signal) w.reject(signal.reason);
        else queue.push(w);
      }
    }
  }

  #release(): void {
    this.#active -= 1;
    this.#drain();
  }

  #drain(): void {
    while (this.#active < this.#limit) {
      const next = this.#retrying.shift() ?? this.#fresh.shift();
      if (!next) return;
      this.#grant(next);
    }
  }
}
