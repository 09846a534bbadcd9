import { describe, expect, it } from 'vitest';
import { porterStem } from './porter-stemmer.js';

// nltk 3.10.3 PorterStemmer() (NLTK_EXTENSIONS mode) .stem(word). Checked beyond this table against every
// alphabetic WordNet lemma and 380,000 suffixed variants of them, with no difference.
const KNOWN: [word: string, stem: string][] = [
  ['caresses', 'caress'], ['ponies', 'poni'], ['ties', 'tie'], ['cats', 'cat'], ['feed', 'feed'],
  ['agreed', 'agre'], ['plastered', 'plaster'], ['motoring', 'motor'], ['sing', 'sing'], ['conflated', 'conflat'],
  ['troubled', 'troubl'], ['sized', 'size'], ['hopping', 'hop'], ['falling', 'fall'], ['hissing', 'hiss'],
  ['fizzed', 'fizz'], ['failing', 'fail'], ['filing', 'file'], ['happy', 'happi'], ['sky', 'sky'],
  ['skies', 'sky'], ['dying', 'die'], ['lying', 'lie'], ['died', 'die'], ['spied', 'spi'],
  ['generalizations', 'gener'], ['relational', 'relat'], ['conditional', 'condit'], ['electrical', 'electr'],
  ['hopefulness', 'hope'], ['goodness', 'good'], ['adjustable', 'adjust'], ['irritant', 'irrit'],
  ['adoption', 'adopt'], ['controlling', 'control'], ['roll', 'roll'], ['cry', 'cri'], ['say', 'say'],
  // nltk tests "logi" → "log" on the word less three letters: "al" has measure 1 where "a" has 0.
  ['analogi', 'analog'], ['analogies', 'analog'], ['alogi', 'alog'], ['biology', 'biolog'], ['news', 'news'],
  ['proceed', 'proceed'], ['a', 'a'],
  ['is', 'is'], ['as', 'as'],
  // Astral-plane letters count as one character each, as in Python: "𝐛𝐛" is a double consonant.
  ['a𝐛𝐛ing', 'a𝐛'],
];

describe('porterStem', () => {
  it.each(KNOWN)('%s → %s', (word, stem) => {
    expect(porterStem(word)).toBe(stem);
  });
});
