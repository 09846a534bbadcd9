import { describe, expect, it } from 'vitest';
import { gleu } from './gleu.js';
import { wordTokens } from './tokenize.js';

// nltk 3.10.3: sentence_gleu([tok(reference)], tok(input)), tok = lower-case, then regex [\p{L}\p{N}]+.
const KNOWN: [input: string, reference: string, score: number][] = [
  ['The cat sat on the mat.', 'The cat sat on the mat.', 1],
  ['The cat sat on the mat.', 'The cat is sitting on the mat.', 0.4090909090909091],
  ['the cat', 'the cat sat on the mat', 0.16666666666666666],
  ['mat', 'the cat sat on the mat', 0.05555555555555555],
  ['the the the the the the the', 'the cat is on the mat', 0.09090909090909091],
  ['on the mat on the mat', 'the cat sat on the mat', 0.3888888888888889],
  ['mat the on sat cat the', 'the cat sat on the mat', 0.3333333333333333],
  ['the cat sat on the mat while the dog slept by the door', 'the cat sat on the mat', 0.391304347826087],
  ['completely different words', 'the cat sat on the mat', 0],
  ['Café naïve über Straße, déjà vu!', 'cafe naive über straße déjà vu', 0.5555555555555556],
  ['東京 は 大きい ΟΔΟΣ Ελλάδα', '東京 ΟΔΟΣ Ελλάδα', 0.2857142857142857],
  ['It is a guide to action which ensures that the military always obeys the commands of the party',
    'It is a guide to action that ensures that the military will forever heed Party commands', 0.45454545454545453],
  ['Paris has 2.1 million people in 2024', 'In 2024, Paris had 2.1 million residents', 0.38461538461538464],
  ['Hello, World!', 'hello world', 1],
];

describe('gleu', () => {
  it.each(KNOWN)('%j vs %j → %d', (input, reference, score) => {
    expect(gleu(wordTokens(input), wordTokens(reference))).toBeCloseTo(score, 6);
  });

  it('is 0 when either side has no tokens', () => {
    expect(gleu([], ['the', 'cat'])).toBe(0);
    expect(gleu(['the', 'cat'], [])).toBe(0);
  });
});
