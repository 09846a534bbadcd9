import { porterStem } from './porter-stemmer.js';
import { wordNet } from './wordnet/database.js';
import { synonymSet } from './wordnet/synonyms.js';

const ALPHA = 0.9;
const BETA = 3;
const GAMMA = 0.5;

/** Words still unaligned after a stage, with their positions in the original token lists. */
interface Unmatched {
  positions: number[];
  words: string[];
}

type Alignment = [hypPosition: number, refPosition: number][];

/**
 * nltk 3.10 `meteor_score([ref], hyp)` with its defaults: align by exact match, then Porter stems, then WordNet
 * synonyms; score the F-mean (alpha 0.9) less the fragmentation penalty (gamma 0.5, beta 3).
 */
export function meteor(hyp: readonly string[], ref: readonly string[]): number {
  if (hyp.length === 0 || ref.length === 0) return 0;
  const alignment: Alignment = [];
  let h: Unmatched = { positions: hyp.map((_, i) => i), words: [...hyp] };
  let r: Unmatched = { positions: ref.map((_, j) => j), words: [...ref] };
  [h, r] = matchStage(h, r, alignment, (word) => word);
  // nltk carries the *stemmed* words out of the stem stage, so the synonym stage looks up stems, not words.
  h.words = h.words.map(porterStem);
  r.words = r.words.map(porterStem);
  [h, r] = matchStage(h, r, alignment, (word) => word);
  if (h.words.length > 0 && r.words.length > 0) matchStage(h, r, alignment, cachedSynonyms);
  const matches = alignment.length;
  if (matches === 0) return 0;
  alignment.sort((a, b) => a[0] - b[0]);
  const precision = matches / hyp.length;
  const recall = matches / ref.length;
  const fmean = (precision * recall) / (ALPHA * precision + (1 - ALPHA) * recall);
  const penalty = GAMMA * (chunkCount(alignment) / matches) ** BETA;
  return (1 - penalty) * fmean;
}

/**
 * One nltk matching stage: hypothesis words from last to first each take the reference word with the highest
 * remaining position among `candidates(word)` (the word itself, or its synonym set).
 */
function matchStage(
  h: Unmatched,
  r: Unmatched,
  alignment: Alignment,
  candidates: (word: string) => string | ReadonlySet<string>,
): [Unmatched, Unmatched] {
  const refPositions = new Map<string, number[]>();
  r.words.forEach((word, j) => {
    const list = refPositions.get(word);
    if (list) list.push(j);
    else refPositions.set(word, [j]);
  });
  const hypMatched = new Set<number>();
  const refMatched = new Set<number>();
  for (let i = h.words.length - 1; i >= 0; i--) {
    const wanted = candidates(h.words[i]!);
    let best: number[] | undefined;
    if (typeof wanted === 'string') best = refPositions.get(wanted);
    else {
      for (const word of wanted) {
        const list = refPositions.get(word);
        if (list === undefined || list.length === 0) continue;
        if (best === undefined || best.length === 0 || list.at(-1)! > best.at(-1)!) best = list;
      }
    }
    if (best === undefined || best.length === 0) continue;
    const j = best.pop()!;
    hypMatched.add(i);
    refMatched.add(j);
    alignment.push([h.positions[i]!, r.positions[j]!]);
  }
  return [without(h, hypMatched), without(r, refMatched)];
}

function without(u: Unmatched, drop: ReadonlySet<number>): Unmatched {
  const out: Unmatched = { positions: [], words: [] };
  u.words.forEach((word, k) => {
    if (drop.has(k)) return;
    out.positions.push(u.positions[k]!);
    out.words.push(word);
  });
  return out;
}

/** nltk `_count_chunks`: runs of alignments adjacent in both hypothesis and reference. */
function chunkCount(sorted: Alignment): number {
  let chunks = 1;
  for (let k = 0; k + 1 < sorted.length; k++) {
    const [hi, rj] = sorted[k]!;
    const [hNext, rNext] = sorted[k + 1]!;
    if (!(hNext === hi + 1 && rNext === rj + 1)) chunks++;
  }
  return chunks;
}

// Synonym sets are pure functions of the word; cap the cache so an adversarial stream cannot grow it forever.
const SYNONYM_CACHE_LIMIT = 50_000;
const synonymCache = new Map<string, ReadonlySet<string>>();

function cachedSynonyms(word: string): ReadonlySet<string> {
  let set = synonymCache.get(word);
  if (set === undefined) {
    if (synonymCache.size >= SYNONYM_CACHE_LIMIT) synonymCache.clear();
    set = synonymSet(wordNet(), word);
    synonymCache.set(word, set);
  }
  return set;
}
