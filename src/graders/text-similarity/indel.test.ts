import { describe, expect, it } from 'vitest';
import { BitPattern, codePoints, lcsLength, partialRatio, ratio } from './indel.js';

// rapidfuzz 3.14.6 fuzz.ratio(a, b) and fuzz.partial_ratio(a, b) (C++ build, no processor).
const KNOWN: [a: string, b: string, ratio: number, partialRatio: number][] = [
  ['this is a test', 'this is a test!', 96.55172413793103, 100],
  ['hello', 'world', 19.999999999999996, 33.333333333333336],
  ['', '', 100, 100],
  ['abc', '', 0, 0],
  ['new york mets', 'new york mets vs atlanta braves', 59.09090909090908, 100],
  ['fuzzy was a bear', 'wuzzy fuzzy was a bear', 84.21052631578947, 100],
  // A needle longer than 64 code points: three machine words with carries between them.
  ['the quick brown fox jumps over the lazy dog and keeps running far away from the hunters',
    'a story: the quick brown fox jumps over the lazy dog and keeps running far away from the hunters in the ' +
    'forest, they said', 83.65384615384616, 100],
  ['what a lovely day it is today in the middle of the beautiful summer and we all enjoy it a lot',
    'today in the middle of summer', 47.540983606557376, 82.75862068965517],
  // Astral-plane characters are one code point each, as in Python.
  ['𝐀𝐛c déjà vu', 'déjà vu 𝐀𝐛c', 63.63636363636363, 77.77777777777779],
  // Equal lengths: partial_ratio also tries the second string as the needle.
  ['abcd', 'bcda', 75, 85.71428571428572],
  ['ab', 'ba', 50, 66.66666666666667],
];

describe('ratio / partialRatio', () => {
  it.each(KNOWN)('%j vs %j', (a, b, expectedRatio, expectedPartial) => {
    const x = codePoints(a);
    const y = codePoints(b);
    expect(ratio(x, y)).toBeCloseTo(expectedRatio, 9);
    expect(ratio(y, x)).toBeCloseTo(expectedRatio, 9);
    expect(partialRatio(x, y)).toBeCloseTo(expectedPartial, 9);
    expect(partialRatio(y, x)).toBeCloseTo(expectedPartial, 9);
  });
});

describe('lcsLength', () => {
  // A plain dynamic programme to check the bit-parallel one against, on patterns of 1..100 code points.
  const slowLcs = (a: number[], b: number[]): number => {
    const row = new Array<number>(b.length + 1).fill(0);
    for (const x of a) {
      let diagonal = 0;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j]!;
        row[j] = x === b[j - 1] ? diagonal + 1 : Math.max(above, row[j - 1]!);
        diagonal = above;
      }
    }
    return row[b.length]!;
  };

  it('agrees with the textbook algorithm across word boundaries', () => {
    let seed = 42;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    // 'é' and '中' exercise the non-ASCII masks.
    const alphabet = codePoints('abcdé中 ');
    for (let trial = 0; trial < 300; trial++) {
      const a = Array.from({ length: 1 + random(100) }, () => alphabet[random(alphabet.length)]!);
      const b = Array.from({ length: random(120) }, () => alphabet[random(alphabet.length)]!);
      expect(lcsLength(a, b)).toBe(slowLcs(a, b));
    }
  });

  it('reads out every prefix in one pass', () => {
    const pattern = new BitPattern(codePoints('banana'));
    const out = new Int32Array(6);
    pattern.prefixLcs(codePoints('xbandana'), 1, out);
    expect([...out]).toEqual([1, 2, 3, 3, 4, 5]);
  });
});

describe('codePoints', () => {
  it('joins surrogate pairs', () => {
    expect(codePoints('a𝐀b')).toEqual([0x61, 0x1d400, 0x62]);
  });
});
