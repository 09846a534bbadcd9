/** Both sides' tokens as dense integer ids (shared vocabulary), so n-grams compare as numbers. */
export interface TokenIds {
  hyp: Int32Array;
  ref: Int32Array;
  vocab: number;
}

/** Maps each distinct token of `hyp` ∪ `ref` to 0..vocab-1. */
export function tokenIds(hyp: readonly string[], ref: readonly string[]): TokenIds {
  const seen = new Map<string, number>();
  const intern = (tokens: readonly string[]): Int32Array => {
    const ids = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      let id = seen.get(t);
      if (id === undefined) seen.set(t, (id = seen.size));
      ids[i] = id;
    }
    return ids;
  };
  const h = intern(hyp);
  return { hyp: h, ref: intern(ref), vocab: seen.size };
}

/**
 * Clipped n-gram overlap for orders 1..maxN: element n-1 is Σ over distinct n-grams g of
 * min(count_hyp(g), count_ref(g)), the numerator shared by BLEU, GLEU and ROUGE-N.
 */
export function clippedMatches(ids: TokenIds, maxN: number): number[] {
  const out = new Array<number>(maxN).fill(0);
  // Id of the n-gram starting at each position, or -1 once it cannot match: an n-gram can only occur on both
  // sides if its (n-1)-prefix does. Ids are interned from (prefix id, last token), so every key is a small
  // integer (< (hyp+ref)·vocab) rather than a joined string.
  let hypGrams: Int32Array = ids.hyp.slice(); // pruned in place below; ids.hyp must stay intact for extend()
  let refGrams = ids.ref;
  let distinct = ids.vocab;
  const keys = new Map<number, number>();
  for (let n = 1; n <= maxN; n++) {
    if (n > 1) {
      keys.clear();
      hypGrams = extend(hypGrams, ids.hyp, n, ids.vocab, keys, true);
      refGrams = extend(refGrams, ids.ref, n, ids.vocab, keys, false); // only n-grams the hypothesis has
      distinct = keys.size;
    }
    const refCount = new Int32Array(distinct);
    for (let i = 0; i < refGrams.length; i++) if (refGrams[i]! >= 0) refCount[refGrams[i]!]!++;
    const unused = refCount.slice();
    let matches = 0;
    for (let i = 0; i < hypGrams.length; i++) {
      const g = hypGrams[i]!;
      if (g < 0) continue;
      // Consuming the reference's counts as the hypothesis uses them sums min(count_hyp, count_ref).
      if (unused[g]! > 0) {
        unused[g]!--;
        matches++;
      }
      if (refCount[g] === 0) hypGrams[i] = -1; // absent from the reference: no longer n-gram through here
    }
    out[n - 1] = matches;
    if (matches === 0) break;
  }
  return out;
}

// The (n)-gram ids from the (n-1)-gram ids; `intern` false looks keys up without adding new ones.
function extend(
  prev: Int32Array, tokens: Int32Array, n: number, vocab: number, keys: Map<number, number>, intern: boolean,
): Int32Array {
  const next = new Int32Array(Math.max(0, prev.length - 1));
  for (let i = 0; i < next.length; i++) {
    const p = prev[i]!;
    let id = -1;
    if (p >= 0) {
      const key = p * vocab + tokens[i + n - 1]!;
      const known = keys.get(key);
      if (known !== undefined) id = known;
      else if (intern) keys.set(key, (id = keys.size));
    }
    next[i] = id;
  }
  return next;
}

/** Number of n-grams in a sequence of `length` tokens. */
export function ngramCount(length: number, n: number): number {
  return Math.max(0, length - n + 1);
}
