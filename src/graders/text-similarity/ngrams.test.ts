import { describe, expect, it } from 'vitest';
import { clippedMatches, ngramCount, tokenIds } from './ngrams.js';

const matches = (hyp: string, ref: string, maxN: number): number[] =>
  clippedMatches(tokenIds(hyp.split(' '), ref.split(' ')), maxN);

describe('clippedMatches', () => {
  it('counts shared n-grams of every order', () => {
    // shared: the×2, cat, on, mat | the cat, on the, the mat | on the mat
    expect(matches('the cat sat on the mat', 'the cat is on the mat', 4)).toEqual([5, 3, 1, 0]);
  });

  it('clips a repeated hypothesis n-gram at its count in the reference', () => {
    expect(matches('the the the the', 'the cat the', 2)).toEqual([2, 0]);
    // on×2 the×2 mat×2 vs the×2 on mat | "on the"×2 "the mat"×2 vs one each | "on the mat"×2 vs one
    expect(matches('on the mat on the mat', 'the cat sat on the mat', 3)).toEqual([4, 2, 1]);
  });

  it('does not confuse n-grams that share tokens in another order', () => {
    expect(matches('a b c d', 'b a d c', 2)).toEqual([4, 0]);
    // "a b"×2 "b a" vs "b a"×2 "a b" | "a b a", "b a b" on both sides
    expect(matches('a b a b', 'b a b a', 3)).toEqual([4, 2, 2]);
  });

  it('is zero above the length of either side', () => {
    expect(matches('a b', 'a b c d e', 4)).toEqual([2, 1, 0, 0]);
  });
});

describe('ngramCount', () => {
  it('is max(0, length − n + 1)', () => {
    expect([ngramCount(5, 1), ngramCount(5, 5), ngramCount(2, 4)]).toEqual([5, 1, 0]);
  });
});
