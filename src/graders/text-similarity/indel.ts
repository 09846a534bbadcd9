// The Indel (insert/delete only) edit distance under rapidfuzz's ratio and partial_ratio. Strings are compared
// by code point, as Python does; LCS uses the bit-parallel algorithm of Hyyrö (2004), 32 pattern positions per
// machine word, so a pattern of m code points scans a text in O(text · ⌈m/32⌉).

/** `text` as code points (UTF-16 surrogate pairs joined), the unit Python strings index by. */
export function codePoints(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        out.push((c - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000);
        i++;
        continue;
      }
    }
    out.push(c);
  }
  return out;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A pattern's position bitmasks per code point, to take its LCS with many texts (or windows of one). */
export class BitPattern {
  readonly length: number;
  private readonly words: number;
  private readonly ascii: Int32Array; // 128 × words
  private readonly other = new Map<number, Int32Array>();
  private readonly state: Int32Array;

  constructor(pattern: readonly number[]) {
    this.length = pattern.length;
    this.words = Math.max(1, Math.ceil(pattern.length / 32));
    this.ascii = new Int32Array(128 * this.words);
    this.state = new Int32Array(this.words);
    pattern.forEach((c, i) => {
      const w = i >>> 5;
      const bit = 1 << (i & 31);
      if (c < 128) this.ascii[c * this.words + w]! |= bit;
      else {
        let masks = this.other.get(c);
        if (!masks) this.other.set(c, (masks = new Int32Array(this.words)));
        masks[w]! |= bit;
      }
    });
  }

  /** Whether the code point occurs in the pattern. */
  has(c: number): boolean {
    if (c >= 128) return this.other.has(c);
    for (let w = 0; w < this.words; w++) if (this.ascii[c * this.words + w] !== 0) return true;
    return false;
  }

  /** LCS length of the pattern and text[start, end). */
  lcs(text: readonly number[], start = 0, end = text.length): number {
    return this.run(text, start, end, null);
  }

  /** out[k] = LCS length of the pattern and text[start, start + k + 1), for every k < out.length, in one pass. */
  prefixLcs(text: readonly number[], start: number, out: Int32Array): void {
    this.run(text, start, start + out.length, out);
  }

  // Hyyrö's recurrence S' = (S + (S & M)) | (S & ~M) over the text, where bit i of S is clear once pattern
  // position i is in the LCS; `out`, if given, records the LCS after every step. The hot loop of fuzzy_match.
  private run(text: readonly number[], start: number, end: number, out: Int32Array | null): number {
    const ascii = this.ascii;
    const other = this.other;
    if (this.words === 1) {
      const live = this.length === 32 ? -1 : (1 << this.length) - 1;
      let s = -1;
      for (let k = start; k < end; k++) {
        const c = text[k]!;
        const m = c < 128 ? ascii[c]! : (other.get(c)?.[0] ?? 0);
        const u = s & m;
        s = ((s + u) | 0) | (s & ~u);
        if (out !== null) out[k - start] = popcount(~s & live);
      }
      return popcount(~s & live);
    }
    const words = this.words;
    const s = this.state.fill(-1);
    for (let k = start; k < end; k++) {
      const c = text[k]!;
      let masks: Int32Array | undefined = ascii;
      let base = 0;
      if (c < 128) base = c * words;
      else masks = other.get(c);
      // A code point not in the pattern changes nothing.
      if (masks !== undefined) {
        let carry = 0;
        for (let w = 0; w < words; w++) {
          const sw = s[w]!;
          const u = sw & masks[base + w]!;
          const sum = (sw >>> 0) + (u >>> 0) + carry; // the addition carries across words
          carry = sum > 0xffffffff ? 1 : 0;
          s[w] = (sum | 0) | (sw & ~u);
        }
      }
      if (out !== null) out[k - start] = this.matched();
    }
    return this.matched();
  }

  // Cleared bits among the pattern's positions (bits past its end may have been flipped by carries).
  private matched(): number {
    let lcs = 0;
    for (let w = 0; w < this.words; w++) {
      const bits = Math.min(32, this.length - 32 * w);
      lcs += popcount(~this.state[w]! & (bits === 32 ? -1 : (1 << bits) - 1));
    }
    return lcs;
  }
}

/** rapidfuzz Indel normalized similarity, 1 − (|a| + |b| − 2·LCS) / (|a| + |b|), from an LCS length. */
export function indelSimilarity(lcs: number, lenA: number, lenB: number): number {
  const total = lenA + lenB;
  return total === 0 ? 1 : 1 - (total - 2 * lcs) / total;
}

/** Longest common subsequence length of two code point sequences. */
export function lcsLength(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  // The shorter one as the pattern needs the fewest machine words per step.
  return a.length <= b.length ? new BitPattern(a).lcs(b) : new BitPattern(b).lcs(a);
}

/** rapidfuzz `fuzz.ratio` on code points, 0..100. */
export function ratio(a: readonly number[], b: readonly number[]): number {
  return 100 * indelSimilarity(lcsLength(a, b), a.length, b.length);
}

/**
 * rapidfuzz `fuzz.partial_ratio` on code points, 0..100: the best `ratio` of the shorter string against any
 * window of the longer one (prefixes and suffixes shorter than it included), tried both ways round when the
 * lengths are equal.
 */
export function partialRatio(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 && b.length === 0) return 100;
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
  let best = bestWindow(shorter, longer);
  if (best !== 100 && a.length === b.length) best = Math.max(best, bestWindow(longer, shorter));
  return best;
}

/**
 * rapidfuzz's `_partial_ratio_impl` as a score: the best similarity of the needle to a prefix of the text shorter
 * than it, a window as long as it, or a suffix no longer than it. Windows are skipped only when they provably
 * cannot beat the best so far, so the result is rapidfuzz's exactly.
 */
function bestWindow(needle: readonly number[], text: readonly number[]): number {
  const len1 = needle.length;
  const len2 = text.length;
  if (len1 === 0) return 0;
  const pattern = new BitPattern(needle);
  let best = 0;
  // Prefixes text[0, i) for i < len1, all in one pass.
  const prefix = new Int32Array(Math.min(len1 - 1, len2));
  pattern.prefixLcs(text, 0, prefix);
  for (let k = 0; k < prefix.length; k++) best = Math.max(best, indelSimilarity(prefix[k]!, len1, k + 1));
  if (best === 1) return 100;
  // Suffixes text[i, len2) for i ≥ len2 − len1: prefixes of both strings reversed.
  const suffix = new Int32Array(Math.min(len1, len2));
  new BitPattern([...needle].reverse()).prefixLcs([...text].reverse(), 0, suffix);
  for (let k = 0; k < suffix.length; k++) best = Math.max(best, indelSimilarity(suffix[k]!, len1, k + 1));
  if (best === 1) return 100;
  // Full-length windows starting at 0 .. len2 − len1 − 1. Sliding by one changes the LCS by at most one, so
  // after a window with LCS l the next (need − l − 1) windows cannot reach the `need` that beats `best`.
  let need = minLcsAbove(best, len1);
  for (let i = 0; i < len2 - len1; ) {
    // As in rapidfuzz: a window ending in a character not in the needle scores at most what the one before it
    // (or, for the first, the prefix one shorter) does.
    if (!pattern.has(text[i + len1 - 1]!)) {
      i++;
      continue;
    }
    const l = pattern.lcs(text, i, i + len1);
    const score = indelSimilarity(l, len1, len1);
    if (score > best) {
      best = score;
      if (best === 1) return 100;
      need = minLcsAbove(best, len1);
    }
    i += Math.max(1, need - l);
  }
  return best * 100;
}

/** The least LCS a full-length window needs to score strictly above `best`. */
function minLcsAbove(best: number, len1: number): number {
  let need = Math.max(0, Math.floor(best * len1) - 1);
  while (need <= len1 && indelSimilarity(need, len1, len1) <= best) need++;
  return need;
}
