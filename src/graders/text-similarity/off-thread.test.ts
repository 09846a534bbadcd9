import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { similarity } from './index.js';
import { closeSimilarityThreads, similarityOffThread } from './off-thread.js';

afterAll(() => closeSimilarityThreads());

const never = () => new AbortController().signal;
// Seconds of fuzzy_match, far longer than the tests wait.
const slow = ['ab '.repeat(70_000), 'ba '.repeat(70_000)] as const;

describe('similarityOffThread', () => {
  it('computes what similarity() computes', async () => {
    expect(await similarityOffThread('rouge_l', 'a b c d', 'a c d', never())).toBe(similarity('rouge_l', 'a b c d', 'a c d'));
  });

  it('runs the tasks queued behind an aborted one, and lets a waiting task leave when its signal aborts', async () => {
    const busy = Array.from({ length: Math.max(1, availableParallelism() - 1) }, () => new AbortController());
    const blocking = busy.map((c) => similarityOffThread('fuzzy_match', slow[0], slow[1], c.signal).catch((e: Error) => e.message));
    const queued = similarityOffThread('fuzzy_match', 'x'.repeat(3000), 'x'.repeat(3000), never());
    const leaving = new AbortController();
    const left = similarityOffThread('fuzzy_match', 'y'.repeat(3000), 'y'.repeat(3000), leaving.signal).catch((e: Error) => e.message);
    leaving.abort(new Error('left the queue'));
    expect(await left).toBe('left the queue');
    await new Promise((r) => setTimeout(r, 300));
    for (const c of busy) c.abort(new Error('cancel'));
    expect(await Promise.all(blocking)).toEqual(busy.map(() => 'cancel'));
    // Ending the busy threads must not strand the task waiting behind them.
    expect(await queued).toBe(1);
  });
});
