import { clippedMatches, ngramCount, tokenIds } from './ngrams.js';

const MAX_N = 4;
// nltk SmoothingFunction().method1: a zero n-gram precision p_n = 0/d becomes epsilon/d.
const EPSILON = 0.1;

/**
 * nltk `sentence_bleu([ref], hyp)` with uniform 4-gram weights, smoothing method1 and nltk's brevity penalty.
 */
export function bleu(hyp: readonly string[], ref: readonly string[]): number {
  if (hyp.length === 0 || ref.length === 0) return 0;
  const matches = clippedMatches(tokenIds(hyp, ref), MAX_N);
  // nltk returns 0 outright when no unigram matches, before any smoothing.
  if (matches[0] === 0) return 0;
  let logSum = 0;
  for (let n = 1; n <= MAX_N; n++) {
    // nltk's denominator is max(1, hyp n-grams), so a hypothesis shorter than n still gets epsilon/1.
    const denominator = Math.max(1, ngramCount(hyp.length, n));
    const numerator = matches[n - 1]!;
    logSum += Math.log(numerator === 0 ? EPSILON / denominator : numerator / denominator) / MAX_N;
  }
  // A single reference is always the closest one.
  const brevity = hyp.length > ref.length ? 1 : Math.exp(1 - ref.length / hyp.length);
  return brevity * Math.exp(logSum);
}
