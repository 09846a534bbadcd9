import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chargedTokens, formatDuration, RateWindow } from './rate-window.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['performance', 'Date', 'setTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the fake upstream rate window', () => {
  it('refuses the request past the limit with the resource, the retry time and OpenAI headers', () => {
    const window = new RateWindow({ rpm: 3 });
    for (let i = 0; i < 3; i += 1) expect(window.check(0).exceeded).toBeUndefined();
    const refused = window.check(0);
    expect(refused.exceeded).toMatchObject({ resource: 'requests', limit: 3, used: 3, requested: 1 });
    expect(refused.exceeded!.retryAfterMs).toBeCloseTo(20_000, -2);
    expect(refused.headers).toMatchObject({ 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0' });
    vi.advanceTimersByTime(20_000);
    expect(window.check(0).exceeded).toBeUndefined();
  });

  it('charges tokens, and holds only a window\'s share when the window is short', () => {
    const window = new RateWindow({ tpm: 60_000, windowMs: 1000 });
    expect(window.check(600).exceeded).toBeUndefined();
    expect(window.check(600).exceeded).toMatchObject({ resource: 'tokens', limit: 60_000, requested: 600 });
    vi.advanceTimersByTime(200); // 1,000 tokens a second: 200 ms bring back 200
    expect(window.check(600).exceeded).toBeUndefined();
    expect(window.check(1).headers['x-ratelimit-remaining-tokens']).toBe('0');
  });

  it('charges the prompt plus the larger of the answer and its cap', () => {
    expect(chargedTokens({ max_completion_tokens: 100 }, { prompt: 10, completion: 5 })).toBe(110);
    expect(chargedTokens({}, { prompt: 10, completion: 5 })).toBe(15);
    expect(formatDuration(20)).toBe('20ms');
    expect(formatDuration(360_000)).toBe('6m0s');
    expect(formatDuration(1_500)).toBe('1.5s');
  });
});
