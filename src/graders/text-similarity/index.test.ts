import { describe, expect, it } from 'vitest';
import { similarity, type SimilarityMetric } from './index.js';

// nltk 3.10.3 / rapidfuzz 3.14.6 / rouge-score's algorithm; see each metric's own test for how they were made.
// The pair is nltk's METEOR doctest example (hypothesis1, reference1).
const HYPOTHESIS = 'It is a guide to action which ensures that the military always obeys the commands of the party';
const REFERENCE = 'It is a guide to action that ensures that the military will forever heed Party commands';
const KNOWN: [SimilarityMetric, number][] = [
  ['fuzzy_match', 0.832876712328767],
  ['bleu', 0.4208598069524091],
  ['gleu', 0.45454545454545453],
  ['meteor', 0.6944444444444445],
  ['rouge_1', 0.7058823529411765],
  ['rouge_2', 0.5],
  ['rouge_3', 0.39999999999999997],
  ['rouge_4', 0.28571428571428575],
  ['rouge_5', 0.15384615384615383],
  ['rouge_l', 0.6470588235294118],
];

describe('similarity', () => {
  it.each(KNOWN)('%s', (metric, score) => {
    expect(similarity(metric, HYPOTHESIS, REFERENCE)).toBeCloseTo(score, 6);
  });

  it.each(KNOWN)('%s of identical non-empty text is its maximum', (metric) => {
    // METEOR's fragmentation penalty never quite vanishes: one chunk of 18 words still costs 0.5/18³.
    const expected = metric === 'meteor' ? 0.9999142661179699 : 1;
    expect(similarity(metric, HYPOTHESIS, HYPOTHESIS)).toBeCloseTo(expected, 6);
  });

  it.each(KNOWN)('%s is 0 when either side has no word', (metric) => {
    expect(similarity(metric, '', REFERENCE)).toBe(0);
    expect(similarity(metric, HYPOTHESIS, '')).toBe(0);
    expect(similarity(metric, '?!', REFERENCE)).toBe(0);
  });
});
