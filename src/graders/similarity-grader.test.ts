import { afterAll, describe, expect, it } from 'vitest';
import { GradeError, type GradeContext, type GradeResult } from './grader.js';
import { textSimilarity, type TextSimilaritySpec } from './similarity-grader.js';
import { similarity } from './text-similarity/index.js';
import { MAX_SIMILARITY_CHARS } from './text-similarity/limits.js';
import { closeSimilarityThreads } from './text-similarity/off-thread.js';
import { wordText as text } from '../bench/word-text.js';

afterAll(() => closeSimilarityThreads());


const spec = (evaluation_metric: TextSimilaritySpec['evaluation_metric']): TextSimilaritySpec => ({
  type: 'text_similarity', name: 'sim', input: '{{ sample.output_text }}', reference: '{{ item.reference }}', evaluation_metric, pass_threshold: 0.5,
});

function context(input: string, reference: string, signal = new AbortController().signal): GradeContext {
  return {
    item: { reference }, sample: { output_text: input }, signal,
    render: (t) => (t.includes('sample') ? input : reference),
    models: {} as GradeContext['models'], python: {} as GradeContext['python'],
  };
}

/** The longest the event loop went without running a 5 ms timer while `work` was pending. */
async function worstLoopLag(work: Promise<unknown>): Promise<number> {
  let worst = 0;
  let last = performance.now();
  let done = false;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  await work.finally(() => { done = true; });
  clearInterval(timer);
  worst = Math.max(worst, performance.now() - last);
  expect(done).toBe(true);
  return worst;
}

describe('text_similarity on large inputs', () => {
  it('grades small inputs at once, and large ones off the event loop with the same score', async () => {
    const small = textSimilarity(spec('rouge_l'), context('the quick fox', 'the lazy fox'));
    expect(small).not.toBeInstanceOf(Promise);
    expect((small as GradeResult).score).toBeCloseTo(2 / 3, 9);
    const input = text(6000, 1);
    const reference = text(6000, 2);
    for (const metric of ['fuzzy_match', 'rouge_l', 'bleu', 'meteor'] as const) {
      const answer = textSimilarity(spec(metric), context(input, reference));
      expect(answer).toBeInstanceOf(Promise);
      expect((await answer).score).toBeCloseTo(similarity(metric, input, reference), 12);
    }
  });

  it('keeps the event loop turning while two 200,000-character strings are fuzzy-matched, and stops when aborted', async () => {
    const controller = new AbortController();
    const input = text(MAX_SIMILARITY_CHARS, 3);
    const reference = text(MAX_SIMILARITY_CHARS, 4);
    // Graded on this thread, this takes 10 s or more; 1.5 s of it is enough to show the loop keeps turning.
    const answer = Promise.resolve(textSimilarity(spec('fuzzy_match'), context(input, reference, controller.signal)));
    const outcome = answer.then(() => 'finished', (e: unknown) => e);
    setTimeout(() => controller.abort(new Error('run canceled')), 1500);
    const lag = await worstLoopLag(outcome);
    expect(((await outcome) as Error).message).toBe('run canceled');
    // Generous for a loaded machine: what matters is that no turn waits for the computation.
    expect(lag).toBeLessThan(1000);
  });

  it('errors inputs over the documented limits with text_similarity_input_too_large', async () => {
    const over = 'x'.repeat(MAX_SIMILARITY_CHARS + 1);
    let graded: Promise<unknown> | undefined;
    const refused = (input: string, reference: string, metric: TextSimilaritySpec['evaluation_metric'] = 'bleu') => {
      try {
        graded = Promise.resolve(textSimilarity(spec(metric), context(input, reference)));
      } catch (e) {
        return e;
      }
      return null;
    };
    for (const [input, reference] of [[over, 'short'], ['short', over]]) {
      const e = refused(input!, reference!);
      expect(e).toBeInstanceOf(GradeError);
      expect(e).toMatchObject({ code: 'text_similarity_input_too_large' });
      expect((e as Error).message).toContain(String(MAX_SIMILARITY_CHARS));
    }
    // fuzzy_match's partial matching: 2,000 characters against 200,000 costs far more than two of 200,000.
    const partial = refused(text(2000, 5), text(MAX_SIMILARITY_CHARS, 6), 'fuzzy_match');
    expect(partial).toMatchObject({ code: 'text_similarity_input_too_large' });
    expect((partial as Error).message).toMatch(/fuzzy_match of 2000 against 200000/);
    // The same pair is fine for a metric without partial matching.
    expect(refused(text(2000, 5), text(MAX_SIMILARITY_CHARS, 6), 'bleu')).toBeNull();
    expect(await graded).toMatchObject({ score: expect.any(Number) });
  });
});
