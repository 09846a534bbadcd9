// How big text_similarity's inputs may be, and which are small enough to grade on the calling thread. Sizes
// are string lengths (UTF-16 code units) of the rendered input and reference. docs/graders.md states them.
import type { SimilarityMetric } from './index.js';

/** The most characters either side may have, for every metric. */
export const MAX_SIMILARITY_CHARS = 200_000;

/**
 * fuzzy_match on two sides whose lengths differ by 1.5× or more slides the shorter one over the longer
 * (rapidfuzz's partial_ratio): about shorter² × (longer − shorter) / 32 machine steps, far more than two
 * equal 200,000-character sides cost (~15 s on one core). Beyond this budget the pair is refused: it is about
 * as long as that equal-length case in the worst case, and no pair of sides of up to 15,000 characters
 * reaches it.
 */
export const MAX_FUZZY_PARTIAL_COST = 5e11;

/**
 * Combined length up to which a metric runs on the calling thread: the quadratic ones (fuzzy_match,
 * rouge_l) take about a millisecond there, well inside the engine's 10 ms turn.
 */
export const INLINE_CHARS = 4096;

/** Why this pair is too large to grade (a sentence for the item's error), or null when it is not. */
export function sizeRefusal(metric: SimilarityMetric, input: string, reference: string): string | null {
  for (const [side, text] of [['input', input], ['reference', reference]] as const) {
    if (text.length > MAX_SIMILARITY_CHARS) {
      return `the rendered ${side} has ${text.length} characters; text_similarity takes at most ${MAX_SIMILARITY_CHARS}`;
    }
  }
  if (metric === 'fuzzy_match' && fuzzyPartialCost(input.length, reference.length) > MAX_FUZZY_PARTIAL_COST) {
    const [shorter, longer] = input.length <= reference.length ? [input.length, reference.length] : [reference.length, input.length];
    return `fuzzy_match of ${shorter} against ${longer} characters would cost about ${(fuzzyPartialCost(shorter, longer) / 1e9).toFixed(0)}·10⁹ steps of partial matching (the limit is shorter² × (longer − shorter) ≤ ${MAX_FUZZY_PARTIAL_COST.toExponential()})`;
  }
  return null;
}

/** shorter² × (longer − shorter) when rapidfuzz's WRatio takes its partial path (lengths 1.5× apart), else 0. */
export function fuzzyPartialCost(a: number, b: number): number {
  const [shorter, longer] = a <= b ? [a, b] : [b, a];
  if (shorter === 0 || longer / shorter < 1.5) return 0;
  return shorter * shorter * (longer - shorter);
}

/**
 * Whether the metric runs on the calling thread. meteor's first call loads WordNet there (~0.3 s, once per
 * process): sending every short meteor item to a thread instead cost a round trip per item, which made
 * meteor runs many times slower.
 */
export function gradesInline(_metric: SimilarityMetric, input: string, reference: string): boolean {
  return input.length + reference.length <= INLINE_CHARS;
}
