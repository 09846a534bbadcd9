import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseResetDuration, RateBudget } from './rate-budget.js';
import { estimateTokens, reportedTokens } from './token-estimate.js';

// Fake timers drive both the budget's clock (Date.now, which vitest fakes) and its wake-up timer.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const budget = (rpm?: number, tpm?: number) => new RateBudget({ rpm, tpm }, { now: () => Date.now() });
const never = new AbortController().signal;

/** Admits `n` calls of `tokens` each and reports how many were admitted after `ms` of fake time. */
async function admittedWithin(b: RateBudget, n: number, tokens: number, ms: number): Promise<number> {
  let admitted = 0;
  for (let i = 0; i < n; i += 1) void b.admit(tokens, never).then(() => (admitted += 1));
  await vi.advanceTimersByTimeAsync(ms);
  return admitted;
}

describe('RateBudget admission', () => {
  it('admits a full minute of requests at once, then one per 60/rpm seconds', async () => {
    const b = budget(60);
    expect(await admittedWithin(b, 70, 0, 0)).toBe(60);
    // Five more seconds refill five requests at 1 a second.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(b.queued).toBe(5);
  });

  it('admits by tokens: a call waits until its estimate fits', async () => {
    const b = budget(undefined, 6_000);
    expect(await admittedWithin(b, 3, 2_000, 0)).toBe(3);
    let fourth = false;
    void b.admit(1_000, never).then(() => (fourth = true));
    // 6,000 a minute is 100 a second: 1,000 tokens take 10 s to come back.
    await vi.advanceTimersByTimeAsync(9_000);
    expect(fourth).toBe(false);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(fourth).toBe(true);
  });

  it('keeps arrival order: a small call does not overtake a large one that waits', async () => {
    const b = budget(undefined, 1_000);
    await b.admit(900, never);
    const order: string[] = [];
    void b.admit(500, never).then(() => order.push('large'));
    void b.admit(50, never).then(() => order.push('small'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(order).toEqual([]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(order).toEqual(['large', 'small']);
  });

  it('lets a call larger than the whole budget go once the bucket is full, instead of never', async () => {
    const b = budget(undefined, 1_000);
    expect(await admittedWithin(b, 1, 5_000, 0)).toBe(1);
  });

  it('corrects the estimate by the usage the answer reports', async () => {
    const b = budget(undefined, 10_000);
    const ticket = await b.admit(4_000, never);
    expect(b.levels.tokens).toBe(6_000);
    b.settle(ticket, 1_000);
    expect(b.levels.tokens).toBe(9_000);
    const second = await b.admit(1_000, never);
    b.settle(second, 3_000); // the answer was longer than estimated: the difference is owed
    expect(b.levels.tokens).toBe(6_000);
  });

  it('rejects a waiting call with the abort reason and lets the next one through', async () => {
    const b = budget(1);
    await b.admit(0, never);
    const controller = new AbortController();
    const waiting = b.admit(0, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    expect(b.queued).toBe(0);
  });

  it('pauses every admission for a 429 wait hint', async () => {
    const b = budget(1_000);
    b.pause(2_000);
    expect(await admittedWithin(b, 3, 0, 1_900)).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(b.queued).toBe(0);
  });

  it('with no known limit, admits one call until an answer comes back, then everything at once', async () => {
    const b = budget();
    expect(b.limited).toBe(false);
    expect(b.gating).toBe(true);
    const first = await b.admit(10, never);
    expect(await admittedWithin(b, 500, 10_000, 0)).toBe(0);
    b.settle(first, 10);
    expect(b.gating).toBe(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(b.queued).toBe(0);
  });

  it('ends that probe after a second when the first answer is slow', async () => {
    const b = budget();
    await b.admit(10, never);
    expect(await admittedWithin(b, 50, 10, 900)).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(b.queued).toBe(0);
    expect(b.gating).toBe(false);
  });
});

describe('RateBudget and the upstream headers', () => {
  it('learns unknown limits from x-ratelimit-limit-* and never overrides configured ones', () => {
    const learned = budget();
    learned.observe({ 'x-ratelimit-limit-requests': '500', 'x-ratelimit-limit-tokens': '30000' });
    expect(learned.limits).toEqual({ rpm: 500, tpm: 30_000 });
    const configured = budget(100);
    configured.observe({ 'x-ratelimit-limit-requests': '500' });
    expect(configured.limits.rpm).toBe(100);
  });

  it('lowers its levels to what the upstream says remains, counting only its calls admitted later', async () => {
    const b = budget(100, 10_000);
    const [first, , third] = await Promise.all([b.admit(10, never), b.admit(10, never), b.admit(10, never)]);
    // The upstream answered the first call with 40 left; the two admitted after it were not counted yet,
    // and a whole-number figure may hide up to one more.
    b.observe({ 'x-ratelimit-remaining-requests': '40', 'x-ratelimit-remaining-tokens': '2500' }, first);
    expect(b.levels.requests).toBe(39);
    expect(b.levels.tokens).toBe(2_501);
    // The last call's answer: every call before it was counted.
    b.observe({ 'x-ratelimit-remaining-requests': '30' }, third);
    expect(b.levels.requests).toBe(31);
    // A figure above the level never raises it.
    b.observe({ 'x-ratelimit-remaining-requests': '90' }, third);
    expect(b.levels.requests).toBe(31);
  });

  it('parses OpenAI reset durations', () => {
    expect(parseResetDuration('1s')).toBe(1_000);
    expect(parseResetDuration('6m0s')).toBe(360_000);
    expect(parseResetDuration('20ms')).toBe(20);
    expect(parseResetDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseResetDuration('soon')).toBeUndefined();
  });
});

describe('token estimates', () => {
  it('counts the prompt at four characters a token plus the answer cap or a default', () => {
    const messages = [{ role: 'user', content: 'x'.repeat(400) }];
    const prompt = Math.ceil(JSON.stringify(messages).length / 4);
    expect(estimateTokens('/chat/completions', { messages, max_completion_tokens: 50 })).toBe(prompt + 50);
    expect(estimateTokens('/chat/completions', { messages })).toBe(prompt + 256);
    expect(estimateTokens('/responses', { input: 'y'.repeat(80), max_output_tokens: 10 })).toBe(20 + 10);
    expect(estimateTokens('/embeddings', { input: ['abcd', 'efgh'] })).toBe(Math.ceil(JSON.stringify(['abcd', 'efgh']).length / 4));
  });

  it('reads the usage of chat, responses and embeddings answers', () => {
    expect(reportedTokens({ usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } })).toBe(7);
    expect(reportedTokens({ usage: { input_tokens: 5, output_tokens: 6 } })).toBe(11);
    expect(reportedTokens({ usage: null })).toBeUndefined();
    expect(reportedTokens({})).toBeUndefined();
  });
});
