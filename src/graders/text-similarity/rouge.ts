import { clippedMatches, ngramCount, tokenIds } from './ngrams.js';

/** rouge-score's `scoring.fmeasure`. */
function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** rouge-score ROUGE-N F-measure (clipped n-gram overlap), without stemming. */
export function rougeN(hyp: readonly string[], ref: readonly string[], n: number): number {
  if (hyp.length === 0 || ref.length === 0) return 0;
  const matches = clippedMatches(tokenIds(hyp, ref), n)[n - 1]!;
  return fmeasure(matches / Math.max(ngramCount(hyp.length, n), 1), matches / Math.max(ngramCount(ref.length, n), 1));
}

/** rouge-score ROUGE-L F-measure (longest common subsequence of tokens), without stemming. */
export function rougeL(hyp: readonly string[], ref: readonly string[]): number {
  if (hyp.length === 0 || ref.length === 0) return 0;
  const ids = tokenIds(hyp, ref);
  const lcs = lcsLength(ids.hyp, ids.ref);
  return fmeasure(lcs / hyp.length, lcs / ref.length);
}

/** Length of the longest common subsequence, O(|a|·|b|) time with one rolling row. */
export function lcsLength(a: Int32Array, b: Int32Array): number {
  const row = new Int32Array(b.length + 1);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i]!;
    let diagonal = 0; // row[j] of the previous i, before it was overwritten
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = ai === b[j - 1]! ? diagonal + 1 : Math.max(above, row[j - 1]!);
      diagonal = above;
    }
  }
  return row[b.length]!;
}
