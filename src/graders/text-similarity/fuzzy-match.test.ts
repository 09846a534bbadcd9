import { describe, expect, it } from 'vitest';
import {
  defaultProcess, fuzzyMatch, partialTokenRatio, tokenRatio, tokenSetRatio, tokenSortRatio, wRatio,
} from './fuzzy-match.js';

// rapidfuzz 3.14.6 (C++ build): fuzz.WRatio(input, reference, processor=utils.default_process) / 100.
const KNOWN: [input: string, reference: string, score: number][] = [
  ['The cat sat on the mat.', 'The cat sat on the mat.', 1],
  ['The cat sat on the mat.', 'The cat is sitting on the mat.', 0.83125],
  ['the cat', 'the cat sat on the mat', 0.9],
  ['mat', 'the cat sat on the mat', 0.9],
  ['the the the the the the the', 'the cat is on the mat', 0.95],
  ['completely different words', 'the cat sat on the mat', 0.3022727272727272],
  ['Café naïve über Straße, déjà vu!', 'cafe naive über straße déjà vu', 0.9180327868852458],
  ['東京 は 大きい ΟΔΟΣ Ελλάδα', '東京 ΟΔΟΣ Ελλάδα', 0.95],
  ['', 'the cat', 0],
  ['the cat', '', 0],
  ['!!! ...', 'the cat', 0],
  ['It is a guide to action which ensures that the military always obeys the commands of the party',
    'It is a guide to action that ensures that the military will forever heed Party commands', 0.832876712328767],
  ['Paris has 2.1 million people in 2024', 'In 2024, Paris had 2.1 million residents', 0.7853333333333333],
  ['new york mets', 'new york mets vs atlanta braves', 0.9],
  ['fuzzy wuzzy was a bear', 'wuzzy fuzzy was a bear', 0.95],
  ['Hello, World!', 'hello world', 0.9565217391304348],
  ['a', 'abcdefgh', 0.9],
  ['ab', 'a b c d e f g h i j k l m n o p q r s', 0.4],
  ['İstanbul ΟΔΟΣ', 'istanbul οδοσ', 1],
  ['the quick brown fox jumps over the lazy dog near the old stone bridge by the river at dawn every day',
    'quick brown foxes jumped over lazy dogs', 0.855],
];

describe('fuzzyMatch', () => {
  it.each(KNOWN)('%j vs %j → %d', (input, reference, score) => {
    // Specified within 0.01 of rapidfuzz; the port is exact, so hold it to rounding.
    expect(fuzzyMatch(input, reference)).toBeCloseTo(score, 9);
  });
});

describe('defaultProcess', () => {
  // rapidfuzz utils.default_process (C++ build).
  it.each([
    ['Hello, World!', 'hello  world'],
    ['  a_b  ', 'a b'],
    // One code point at a time: İ → i (not i + U+0307), Σ → σ even at the end of a word.
    ['İstanbul ΟΔΟΣ', 'istanbul οδοσ'],
    ['café\u0301 x', 'café  x'],
    ['x² ½ ٣', 'x² ½ ٣'],
    ['𝐀𝐛c', '𝐀𝐛c'],
    ['tab\there\n', 'tab here'],
    ['!!!', ''],
    ['', ''],
  ])('%j → %j', (text, processed) => {
    expect(defaultProcess(text)).toBe(processed);
  });
});

describe('token ratios and WRatio', () => {
  // rapidfuzz 3.14.6 on already processed strings: token_sort_ratio, token_set_ratio, token_ratio,
  // partial_token_ratio, WRatio.
  type Row = [a: string, b: string, sort: number, set: number, token: number, partialToken: number, w: number];
  const KNOWN_TOKENS: Row[] = [
    ['fuzzy wuzzy was a bear', 'wuzzy fuzzy was a bear', 100, 100, 100, 100, 95],
    ['fuzzy was a bear', 'fuzzy fuzzy was a bear', 84.21052631578947, 100, 100, 100, 95],
    ['new york mets', 'new york mets vs atlanta braves', 59.09090909090908, 100, 100, 100, 90],
    ['the cat sat', 'a dog ran', 30.000000000000004, 30, 30.000000000000004, 40, 30.000000000000004],
    ['great britain', 'great', 55.55555555555556, 100, 100, 100, 90],
    // Repeated tokens: partial_token_ratio also compares the de-duplicated sets.
    ['b a a', 'c c d', 40, 33.33333333333333, 40, 44.44444444444444, 40],
    ['apple banana', 'banana cherry apple pie', 68.57142857142857, 100, 100, 100, 85.5],
    ['abc xyz', 'abcd xyzw uvw', 70, 70, 70, 66.66666666666667, 77.14285714285715],
    ['the cat sat on the mat', 'the cat lay on a rug', 61.904761904761905, 73.6842105263158, 73.6842105263158, 100, 70],
    ['alpha beta gamma delta', 'gamma alpha epsilon', 68.29268292682926, 73.33333333333333, 73.33333333333333, 100,
      69.66666666666666],
    // Length ratio exactly 8 still scales partial scores by 0.9; above 8 by 0.6.
    ['a', 'abcdefgh', 22.22222222222222, 22.22222222222223, 22.22222222222223, 100, 90],
    ['ab', 'a b c d e f g h i j k l m n o p q r s', 10.256410256410254, 10.256410256410263, 10.256410256410263,
      66.66666666666667, 40],
    ['xyz', 'abcdefghijklmnopqrstuvwxyz xyz', 18.181818181818176, 100, 100, 100, 60],
  ];
  it.each(KNOWN_TOKENS)('%j vs %j', (a, b, sort, set, token, partialToken, w) => {
    expect(tokenSortRatio(a, b)).toBeCloseTo(sort, 9);
    expect(tokenSetRatio(a, b)).toBeCloseTo(set, 9);
    expect(tokenRatio(a, b)).toBeCloseTo(token, 9);
    expect(partialTokenRatio(a, b)).toBeCloseTo(partialToken, 9);
    expect(wRatio(a, b)).toBeCloseTo(w, 9);
    expect(wRatio(b, a)).toBeCloseTo(w, 9);
  });
});
