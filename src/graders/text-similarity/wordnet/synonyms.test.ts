import { describe, expect, it } from 'vitest';
import { wordNet } from './database.js';
import { morphy, synonymSet } from './synonyms.js';

// Expected values from nltk 3.10.3 over the same WordNet 3.1 data: wn._morphy(word, pos) and
// {l.name() for s in wn.synsets(word) for l in s.lemmas() if "_" not in l.name()} | {word}.
describe('morphy', () => {
  const wn = wordNet();
  it.each([
    ['went', { n: [], v: ['go'], a: [], r: [] }],
    ['children', { n: ['child'], v: [], a: [], r: [] }],
    ['better', { n: ['better'], v: ['better'], a: ['better', 'good', 'well'], r: ['better', 'well'] }],
    ['running', { n: ['running'], v: ['run'], a: ['running'], r: [] }],
    ['glasses', { n: ['glasses', 'glass'], v: ['glass'], a: [], r: [] }],
    ['leaves', { n: ['leaf', 'leave'], v: ['leave'], a: [], r: [] }],
    ['axes', { n: ['ax', 'axis'], v: ['axe', 'ax'], a: [], r: [] }],
    ['men', { n: ['men', 'man'], v: [], a: [], r: [] }],
    ['quickli', { n: [], v: [], a: [], r: [] }],
    // Suffix rules with no exception-list entry in the way.
    ['admen', { n: ['adman'], v: [], a: [], r: [] }],
    ['accompanies', { n: [], v: ['accompany'], a: [], r: [] }],
    ['abatabler', { n: [], v: [], a: ['abatable'], r: [] }],
    ['airbrushes', { n: ['airbrush'], v: ['airbrush'], a: [], r: [] }],
    ['fixed', { n: [], v: ['fix'], a: ['fixed'], r: [] }],
  ] as const)('%s', (word, byPos) => {
    for (const pos of ['n', 'v', 'a', 'r'] as const) expect(morphy(wn, word, pos)).toEqual(byPos[pos]);
  });
});

describe('synonymSet', () => {
  const wn = wordNet();
  it.each([
    ['automobile', ['auto', 'automobile', 'car', 'machine', 'motorcar']],
    ['happy', ['felicitous', 'glad', 'happy', 'well-chosen']],
    ['kid', ['Kid', 'Kyd', 'banter', 'chaff', 'child', 'fry', 'jolly', 'josh', 'kid', 'kidskin', 'minor', 'nestling',
      'nipper', 'shaver', 'tiddler', 'tike', 'tyke', 'youngster']],
    ['xyzzy', ['xyzzy']],
  ])('%s', (word, expected) => {
    expect([...synonymSet(wn, word)].sort()).toEqual(expected);
  });

  it('reaches irregular forms through the exception lists', () => {
    expect(synonymSet(wn, 'went').has('go')).toBe(true);
    expect(synonymSet(wn, 'children').has('kid')).toBe(true);
  });
});
