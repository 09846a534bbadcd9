import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, nextAttemptAt } from './backoff.js';

const noJitter = () => 0;

describe('webhook retry backoff', () => {
  it('doubles from the first delay up to the cap', () => {
    const waits = [1, 2, 3, 4, 12, 13].map((n) => nextAttemptAt(n, 0, 0, DEFAULT_RETRY, noJitter));
    expect(waits).toEqual([5_000, 10_000, 20_000, 40_000, 3_600_000, 3_600_000]);
  });

  it('adds at most 10 % of jitter', () => {
    expect(nextAttemptAt(1, 0, 0, DEFAULT_RETRY, () => 0.999)).toBe(5_500);
  });

  it('gives up once the next attempt would fall past 24 hours after the event', () => {
    const day = 24 * 3_600_000;
    expect(nextAttemptAt(20, 0, day - 3_600_000, DEFAULT_RETRY, noJitter)).toBe(day);
    expect(nextAttemptAt(20, 0, day - 3_599_999, DEFAULT_RETRY, noJitter)).toBeNull();
  });

  it('retries for about a day in roughly thirty attempts', () => {
    let now = 0;
    let attempts = 1;
    for (let at = nextAttemptAt(attempts, 0, now, DEFAULT_RETRY, noJitter); at !== null; at = nextAttemptAt(attempts, 0, now, DEFAULT_RETRY, noJitter)) {
      now = at;
      attempts += 1;
    }
    expect(now).toBeGreaterThan(23 * 3_600_000);
    expect(attempts).toBeGreaterThan(25);
    expect(attempts).toBeLessThan(40);
  });
});
