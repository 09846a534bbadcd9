import { clippedMatches, ngramCount, tokenIds } from './ngrams.js';

const MIN_N = 1;
const MAX_N = 4;

/** nltk `sentence_gleu([ref], hyp)` with min_len 1, max_len 4. */
export function gleu(hyp: readonly string[], ref: readonly string[]): number {
  if (hyp.length === 0 || ref.length === 0) return 0;
  const matches = clippedMatches(tokenIds(hyp, ref), MAX_N);
  let matched = 0;
  let hypTotal = 0;
  let refTotal = 0;
  for (let n = MIN_N; n <= MAX_N; n++) {
    matched += matches[n - 1]!;
    hypTotal += ngramCount(hyp.length, n);
    refTotal += ngramCount(ref.length, n);
  }
  // GLEU is min(precision, recall) over all 1..4-grams, i.e. matches over the larger side's n-gram total.
  return matched / Math.max(hypTotal, refTotal);
}
