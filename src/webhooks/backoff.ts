/** How long a delivery is retried, and how the wait between attempts grows. */
export interface RetryPolicy {
  /** Wait after the first failed attempt; each later wait doubles. */
  firstDelayMs: number;
  /** The longest wait between two attempts. */
  maxDelayMs: number;
  /** No attempt starts later than this after the event. */
  windowMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { firstDelayMs: 5_000, maxDelayMs: 3_600_000, windowMs: 24 * 3_600_000 };

/**
 * When to try again after `attempts` failed attempts of an event created at `eventAtMs`, or null to give
 * up: 5 s, 10 s, 20 s … doubling up to an hour apart, within 24 h of the event (about 30 attempts). Up
 * to 10 % of jitter keeps the retries of many events that failed together from arriving together.
 */
export function nextAttemptAt(attempts: number, eventAtMs: number, nowMs: number, policy: RetryPolicy, random = Math.random): number | null {
  const base = Math.min(policy.firstDelayMs * 2 ** Math.max(0, attempts - 1), policy.maxDelayMs);
  const at = nowMs + Math.round(base * (1 + 0.1 * random()));
  return at - eventAtMs > policy.windowMs ? null : at;
}
