import { describe, expect, it } from 'vitest';
import { bleu } from './bleu.js';
import { wordTokens } from './tokenize.js';

// nltk 3.10.3: sentence_bleu([tok(reference)], tok(input), smoothing_function=SmoothingFunction().method1),
// with tok = lower-case, then regex [\p{L}\p{N}]+. "the cat"/"mat" hit the brevity penalty, and have no 3- or
// 4-grams at all (smoothed to 0.1/1).
const KNOWN: [input: string, reference: string, score: number][] = [
  ['The cat sat on the mat.', 'The cat sat on the mat.', 1],
  ['The cat sat on the mat.', 'The cat is sitting on the mat.', 0.21506254256566312],
  ['the cat', 'the cat sat on the mat', 0.04279677428117006],
  ['mat', 'the cat sat on the mat', 0.0011981952414407235],
  ['the the the the the the the', 'the cat is on the mat', 0.039281465090051315],
  ['on the mat on the mat', 'the cat sat on the mat', 0.21711852081087685],
  ['mat the on sat cat the', 'the cat sat on the mat', 0.06389431042462725],
  ['the cat sat on the mat while the dog slept by the door', 'the cat sat on the mat', 0.3805803001674946],
  ['completely different words', 'the cat sat on the mat', 0],
  ['Café naïve über Straße, déjà vu!', 'cafe naive über straße déjà vu', 0.5081327481546147],
  ['東京 は 大きい ΟΔΟΣ Ελλάδα', '東京 ΟΔΟΣ Ελλάδα', 0.12574334296829354],
  ['It is a guide to action which ensures that the military always obeys the commands of the party',
    'It is a guide to action that ensures that the military will forever heed Party commands', 0.4208598069524091],
  ['Paris has 2.1 million people in 2024', 'In 2024, Paris had 2.1 million residents', 0.18092176081223305],
  ['Hello, World!', 'hello world', 0.316227766016838],
];

describe('bleu', () => {
  it.each(KNOWN)('%j vs %j → %d', (input, reference, score) => {
    expect(bleu(wordTokens(input), wordTokens(reference))).toBeCloseTo(score, 6);
  });

  it('is 0 when either side has no tokens', () => {
    expect(bleu([], ['the', 'cat'])).toBe(0);
    expect(bleu(['the', 'cat'], [])).toBe(0);
  });
});
