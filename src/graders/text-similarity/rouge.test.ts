import { describe, expect, it } from 'vitest';
import { lcsLength, rougeL, rougeN } from './rouge.js';
import { wordTokens } from './tokenize.js';

// rouge-score's algorithm (rouge_scorer._score_ngrams / _score_lcs and scoring.fmeasure, transcribed from
// google-research/rouge, since the package itself could not be installed here) run on tok(input),
// tok(reference), tok = lower-case, then regex [\p{L}\p{N}]+; on ASCII text tok equals rouge-score's tokenizer.
const ROUGE_1: [input: string, reference: string, score: number][] = [
  ['The cat sat on the mat.', 'The cat sat on the mat.', 1],
  ['The cat sat on the mat.', 'The cat is sitting on the mat.', 0.7692307692307692],
  ['the cat', 'the cat sat on the mat', 0.5],
  ['the the the the the the the', 'the cat is on the mat', 0.30769230769230765],
  ['on the mat on the mat', 'the cat sat on the mat', 0.6666666666666666],
  ['mat the on sat cat the', 'the cat sat on the mat', 1],
  ['completely different words', 'the cat sat on the mat', 0],
  ['Café naïve über Straße, déjà vu!', 'cafe naive über straße déjà vu', 0.6666666666666666],
  ['東京 は 大きい ΟΔΟΣ Ελλάδα', '東京 ΟΔΟΣ Ελλάδα', 0.7499999999999999],
  ['It is a guide to action which ensures that the military always obeys the commands of the party',
    'It is a guide to action that ensures that the military will forever heed Party commands', 0.7058823529411765],
  ['Hello, World!', 'hello world', 1],
];
const ROUGE_2: [input: string, reference: string, score: number][] = [
  ['The cat sat on the mat.', 'The cat sat on the mat.', 1],
  ['The cat sat on the mat.', 'The cat is sitting on the mat.', 0.5454545454545454],
  ['the cat', 'the cat sat on the mat', 0.33333333333333337],
  ['mat', 'the cat sat on the mat', 0],
  ['the the the the the the the', 'the cat is on the mat', 0],
  ['on the mat on the mat', 'the cat sat on the mat', 0.4000000000000001],
  ['mat the on sat cat the', 'the cat sat on the mat', 0],
  ['Café naïve über Straße, déjà vu!', 'cafe naive über straße déjà vu', 0.6],
  ['東京 は 大きい ΟΔΟΣ Ελλάδα', '東京 ΟΔΟΣ Ελλάδα', 0.3333333333333333],
  ['It is a guide to action which ensures that the military always obeys the commands of the party',
    'It is a guide to action that ensures that the military will forever heed Party commands', 0.5],
  ['Paris has 2.1 million people in 2024', 'In 2024, Paris had 2.1 million residents', 0.42857142857142855],
];
const ROUGE_3: [input: string, reference: string, score: number][] = [
  ['The cat sat on the mat.', 'The cat sat on the mat.', 1],
  ['The cat sat on the mat.', 'The cat is sitting on the mat.', 0.22222222222222224],
  ['on the mat on the mat', 'the cat sat on the mat', 0.25],
  ['the cat sat on the mat while the dog slept by the door', 'the cat sat on the mat', 0.5333333333333333],
  ['Café naïve über Straße, déjà vu!', 'cafe naive über straße déjà vu', 0.5],
  ['It is a guide to action which ensures that the military always obeys the commands of the party',
    'It is a guide to action that ensures that the military will forever heed Party commands', 0.39999999999999997],
  ['Paris has 2.1 million people in 2024', 'In 2024, Paris had 2.1 million residents', 0.16666666666666666],
  ['new york mets', 'new york mets vs atlanta braves', 0.4],
];
const ROUGE_4: [input: string, reference: string, score: number][] = [
  ['The cat sat on the mat.', 'The cat sat on the mat.', 1],
  ['The cat sat on the mat.', 'The cat is sitting on the mat.', 0],
  ['the cat sat on the mat while the dog slept by the door', 'the cat sat on the mat', 0.4615384615384615],
  ['Café naïve über Straße, déjà vu!', 'cafe naive über straße déjà vu', 0.3333333333333333],
  ['It is a guide to action which ensures that the military always obeys the commands of the party',
    'It is a guide to action that ensures that the military will forever heed Party commands', 0.28571428571428575],
  ['Paris has 2.1 million people in 2024', 'In 2024, Paris had 2.1 million residents', 0],
  ['new york mets', 'new york mets vs atlanta braves', 0],
  ['Hello, World!', 'hello world', 0],
];
const ROUGE_5: [input: string, reference: string, score: number][] = [
  ['The cat sat on the mat.', 'The cat sat on the mat.', 1],
  ['The cat sat on the mat.', 'The cat is sitting on the mat.', 0],
  ['the cat sat on the mat while the dog slept by the door', 'the cat sat on the mat', 0.3636363636363636],
  ['Café naïve über Straße, déjà vu!', 'cafe naive über straße déjà vu', 0],
  ['It is a guide to action which ensures that the military always obeys the commands of the party',
    'It is a guide to action that ensures that the military will forever heed Party commands', 0.15384615384615383],
  ['Paris has 2.1 million people in 2024', 'In 2024, Paris had 2.1 million residents', 0],
  ['new york mets', 'new york mets vs atlanta braves', 0],
  ['Hello, World!', 'hello world', 0],
];
const ROUGE_L: [input: string, reference: string, score: number][] = [
  ['The cat sat on the mat.', 'The cat sat on the mat.', 1],
  ['The cat sat on the mat.', 'The cat is sitting on the mat.', 0.7692307692307692],
  ['the cat', 'the cat sat on the mat', 0.5],
  ['the the the the the the the', 'the cat is on the mat', 0.30769230769230765],
  ['on the mat on the mat', 'the cat sat on the mat', 0.6666666666666666],
  ['mat the on sat cat the', 'the cat sat on the mat', 0.5],
  ['the cat sat on the mat while the dog slept by the door', 'the cat sat on the mat', 0.631578947368421],
  ['completely different words', 'the cat sat on the mat', 0],
  ['Café naïve über Straße, déjà vu!', 'cafe naive über straße déjà vu', 0.6666666666666666],
  ['東京 は 大きい ΟΔΟΣ Ελλάδα', '東京 ΟΔΟΣ Ελλάδα', 0.7499999999999999],
  ['It is a guide to action which ensures that the military always obeys the commands of the party',
    'It is a guide to action that ensures that the military will forever heed Party commands', 0.6470588235294118],
  ['Paris has 2.1 million people in 2024', 'In 2024, Paris had 2.1 million residents', 0.5],
  ['fuzzy wuzzy was a bear', 'wuzzy fuzzy was a bear', 0.8000000000000002],
  ['the quick brown fox jumps over the lazy dog near the old stone bridge by the river at dawn every day',
    'quick brown foxes jumped over lazy dogs', 0.2857142857142857],
];

const tok = wordTokens;

describe('rougeN', () => {
  it.each(ROUGE_1)('rouge1 %j vs %j → %d', (input, reference, score) => {
    expect(rougeN(tok(input), tok(reference), 1)).toBeCloseTo(score, 6);
  });
  it.each(ROUGE_2)('rouge2 %j vs %j → %d', (input, reference, score) => {
    expect(rougeN(tok(input), tok(reference), 2)).toBeCloseTo(score, 6);
  });
  it.each(ROUGE_3)('rouge3 %j vs %j → %d', (input, reference, score) => {
    expect(rougeN(tok(input), tok(reference), 3)).toBeCloseTo(score, 6);
  });
  it.each(ROUGE_4)('rouge4 %j vs %j → %d', (input, reference, score) => {
    expect(rougeN(tok(input), tok(reference), 4)).toBeCloseTo(score, 6);
  });
  it.each(ROUGE_5)('rouge5 %j vs %j → %d', (input, reference, score) => {
    expect(rougeN(tok(input), tok(reference), 5)).toBeCloseTo(score, 6);
  });
  it('is 0 when either side has no tokens', () => {
    expect(rougeN([], ['a'], 1)).toBe(0);
    expect(rougeN(['a'], [], 1)).toBe(0);
  });
});

describe('rougeL', () => {
  it.each(ROUGE_L)('%j vs %j → %d', (input, reference, score) => {
    expect(rougeL(tok(input), tok(reference))).toBeCloseTo(score, 6);
  });
  it('is 0 when either side has no tokens', () => {
    expect(rougeL([], ['a'])).toBe(0);
    expect(rougeL(['a'], [])).toBe(0);
  });
});

describe('lcsLength', () => {
  it.each([
    [[1, 2, 3, 4], [2, 4, 3], 2],
    [[1, 2, 3], [1, 2, 3], 3],
    [[1, 1, 1], [1], 1],
    [[], [1, 2], 0],
    [[5, 1, 2, 5, 3], [1, 5, 2, 3, 5], 3],
  ])('%j, %j → %d', (a, b, expected) => {
    expect(lcsLength(Int32Array.from(a), Int32Array.from(b))).toBe(expected);
  });
});
