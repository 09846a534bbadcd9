// rapidfuzz 3.x `fuzz.WRatio` with `processor=utils.default_process`, ported from rapidfuzz's pure-Python
// fallback (fuzz_py.py), which agrees with its C++ build. Score cutoffs are left out: rapidfuzz uses them only
// to stop early, and every score they prune is one the final max() would discard anyway.
import { codePoints, lcsLength, partialRatio, ratio } from './indel.js';

const UNBASE_SCALE = 0.95;

const NON_ALNUM = /[^\p{L}\p{N}]+/gu;
const NON_ASCII = /[^\x00-\x7f]/;
const SURROGATE = /[\uD800-\uDFFF]/;

/** rapidfuzz `fuzz.WRatio(input, reference, processor=utils.default_process) / 100`. */
export function fuzzyMatch(input: string, reference: string): number {
  return wRatio(defaultProcess(input), defaultProcess(reference)) / 100;
}

/**
 * rapidfuzz `utils.default_process`: every code point that is not a letter or digit becomes a space, letters are
 * lower-cased one code point at a time, and the ends are trimmed.
 */
export function defaultProcess(text: string): string {
  const spaced = text.replace(NON_ALNUM, (run) => ' '.repeat(codePointCount(run)));
  return (NON_ASCII.test(spaced) ? lowerEach(spaced) : spaced.toLowerCase()).trim();
}

// The C++ default_process lower-cases each code point alone: Σ is always σ (String#toLowerCase picks ς at a
// word's end), and İ is plain i (not i + combining dot).
const lowerCache = new Map<string, string>();
function lowerEach(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch < '\x80') {
      out += ch.toLowerCase();
      continue;
    }
    let lower = lowerCache.get(ch);
    if (lower === undefined) {
      lower = ch === '\u0130' ? 'i' : ch.toLowerCase();
      if (lowerCache.size < 10_000) lowerCache.set(ch, lower);
    }
    out += lower;
  }
  return out;
}

function codePointCount(text: string): number {
  return SURROGATE.test(text) ? Array.from(text).length : text.length;
}

function tokensOf(processed: string): string[] {
  return processed.split(' ').filter((t) => t.length > 0);
}

// Python sorts strings by code point; String#< compares UTF-16 units, which differs only once surrogates appear.
function byCodePoint(a: string, b: string): number {
  const x = codePoints(a);
  const y = codePoints(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
function sortedJoin(tokens: Iterable<string>): string {
  const list = [...tokens];
  return (list.some((t) => SURROGATE.test(t)) ? list.sort(byCodePoint) : list.sort()).join(' ');
}

const ratioOf = (a: string, b: string): number => ratio(codePoints(a), codePoints(b));
const partialRatioOf = (a: string, b: string): number => partialRatio(codePoints(a), codePoints(b));

/** rapidfuzz `fuzz.token_sort_ratio` of processed strings. */
export function tokenSortRatio(a: string, b: string): number {
  return ratioOf(sortedJoin(tokensOf(a)), sortedJoin(tokensOf(b)));
}

/** rapidfuzz `fuzz.token_set_ratio` of processed strings. */
export function tokenSetRatio(a: string, b: string): number {
  const tokensA = new Set(tokensOf(a));
  const tokensB = new Set(tokensOf(b));
  if (tokensA.size === 0 || tokensB.size === 0) return 0;
  const intersection = [...tokensA].filter((t) => tokensB.has(t));
  const diffAB = [...tokensA].filter((t) => !tokensB.has(t));
  const diffBA = [...tokensB].filter((t) => !tokensA.has(t));
  if (intersection.length > 0 && (diffAB.length === 0 || diffBA.length === 0)) return 100;
  const diffABJoined = sortedJoin(diffAB);
  const diffBAJoined = sortedJoin(diffBA);
  const abLen = codePointCount(diffABJoined);
  const baLen = codePointCount(diffBAJoined);
  const sectLen = codePointCount(intersection.join(' '));
  const gap = sectLen !== 0 ? 1 : 0; // the space between the intersection and a difference
  const sectAbLen = sectLen + gap + abLen;
  const sectBaLen = sectLen + gap + baLen;
  // "sect + ab" against "sect + ba" differ exactly as the two differences do.
  const diffRatio = normDistance(indelDistance(diffABJoined, diffBAJoined), sectAbLen + sectBaLen);
  if (sectLen === 0) return diffRatio;
  // "sect" against "sect + ab": only the gap and ab are inserted.
  const sectAbRatio = normDistance(gap + abLen, sectLen + sectAbLen);
  const sectBaRatio = normDistance(gap + baLen, sectLen + sectBaLen);
  return Math.max(diffRatio, sectAbRatio, sectBaRatio);
}

function indelDistance(a: string, b: string): number {
  const x = codePoints(a);
  const y = codePoints(b);
  return x.length + y.length - 2 * lcsLength(x, y);
}

// rapidfuzz's `_norm_distance`: an Indel distance as a 0..100 similarity.
function normDistance(distance: number, total: number): number {
  return total === 0 ? 100 : 100 - (100 * distance) / total;
}

/** rapidfuzz `fuzz.token_ratio`: the better of token_set_ratio and token_sort_ratio. */
export function tokenRatio(a: string, b: string): number {
  return Math.max(tokenSetRatio(a, b), tokenSortRatio(a, b));
}

/** rapidfuzz `fuzz.partial_token_ratio` of processed strings. */
export function partialTokenRatio(a: string, b: string): number {
  const splitA = tokensOf(a);
  const splitB = tokensOf(b);
  const tokensA = new Set(splitA);
  const tokensB = new Set(splitB);
  for (const t of tokensA) if (tokensB.has(t)) return 100;
  const result = partialRatioOf(sortedJoin(splitA), sortedJoin(splitB));
  // With no common token the differences are the whole sets; only duplicates make them differ from the lists.
  if (splitA.length === tokensA.size && splitB.length === tokensB.size) return result;
  return Math.max(result, partialRatioOf(sortedJoin(tokensA), sortedJoin(tokensB)));
}

/** rapidfuzz `fuzz.WRatio` of processed strings, 0..100. */
export function wRatio(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) return 0;
  const lenA = codePointCount(a);
  const lenB = codePointCount(b);
  const lenRatio = lenA > lenB ? lenA / lenB : lenB / lenA;
  const plain = ratioOf(a, b);
  if (lenRatio < 1.5) return Math.max(plain, tokenRatio(a, b) * UNBASE_SCALE);
  const partialScale = lenRatio <= 8 ? 0.9 : 0.6;
  const partial = Math.max(plain, partialRatioOf(a, b) * partialScale);
  return Math.max(partial, partialTokenRatio(a, b) * UNBASE_SCALE * partialScale);
}
