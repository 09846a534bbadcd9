import { PARTS_OF_SPEECH, type PartOfSpeech, type WordNet } from './database.js';

// nltk's WordNetCorpusReader.MORPHOLOGICAL_SUBSTITUTIONS: [suffix, replacement], all tried (not first match).
const SUBSTITUTIONS: Record<PartOfSpeech, readonly (readonly [string, string])[]> = {
  n: [['s', ''], ['ses', 's'], ['ves', 'f'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'],
    ['men', 'man'], ['ies', 'y']],
  v: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']],
  a: [['er', ''], ['est', ''], ['er', 'e'], ['est', 'e']],
  r: [],
};

/**
 * nltk 3.10's `_morphy(form, pos)`: the form itself plus either its exception-list bases or (if it has none)
 * every single suffix substitution, keeping those WordNet lists under `pos`.
 */
export function morphy(wn: WordNet, form: string, pos: PartOfSpeech): string[] {
  const candidates = [form];
  const bases = wn.exceptionBases(form, pos);
  if (bases !== undefined) candidates.push(...bases);
  else {
    for (const [suffix, replacement] of SUBSTITUTIONS[pos]) {
      if (form.endsWith(suffix)) candidates.push(form.slice(0, form.length - suffix.length) + replacement);
    }
  }
  const found: string[] = [];
  for (const c of candidates) if (!found.includes(c) && wn.synsetOffsets(c, pos) !== undefined) found.push(c);
  return found;
}

/**
 * The synonym set METEOR's WordNet stage builds for a word: `word` plus every lemma name without "_" of
 * every synset nltk's `wordnet.synsets(word)` returns (all parts of speech, morphy-lemmatised).
 */
export function synonymSet(wn: WordNet, word: string): Set<string> {
  const names = new Set<string>([word]);
  for (const pos of PARTS_OF_SPEECH) {
    for (const form of morphy(wn, word, pos)) {
      for (const offset of wn.synsetOffsets(form, pos)!) {
        for (const name of wn.lemmaNames(pos, offset)) if (!name.includes('_')) names.add(name);
      }
    }
  }
  return names;
}
