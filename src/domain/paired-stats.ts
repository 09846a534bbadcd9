/**
 * Paired statistics for comparing two runs of one eval item by item: McNemar's exact test on pass/fail
 * pairs and a percentile bootstrap interval for the mean of paired differences. Pure and deterministic:
 * the bootstrap draws from a seeded PRNG, so the same two runs always give the same interval.
 */

/**
 * McNemar's exact test: the two-sided binomial test of the discordant pairs, `b` (pass → fail) against
 * `c` (fail → pass), with p = 1/2. p = min(1, 2 · P(X ≤ min(b, c))) for X ~ Binomial(b + c, 1/2); 1 when
 * there are no discordant pairs.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  // Summed in log space from pmf(0) = 2^-n upwards: the terms underflow doubles long before n = 10^5.
  let logPmf = -n * Math.LN2;
  let logSum = logPmf;
  for (let i = 0; i < k; i++) {
    logPmf += Math.log((n - i) / (i + 1));
    logSum = logAddExp(logSum, logPmf);
  }
  return Math.min(1, 2 * Math.exp(logSum));
}

function logAddExp(a: number, b: number): number {
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

/** mulberry32: a small 32-bit PRNG, plenty for resampling indices; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Interval {
  /** The observed mean of the paired differences. */
  estimate: number;
  ci_low: number;
  ci_high: number;
}

export interface BootstrapOptions {
  resamples?: number;
  confidence?: number;
  seed?: number;
  /** Called between slices of resamples, so a caller on a server can yield to the event loop. */
  pause?: () => Promise<void>;
}

export const BOOTSTRAP_DEFAULTS = { resamples: 1000, confidence: 0.95, seed: 0 } as const;

/**
 * The percentile bootstrap interval of the mean of `diffs` (candidate − base, one per pair): `resamples`
 * means of n pairs drawn with replacement, cut at (1 ± confidence) / 2. Null when there are no pairs.
 */
export async function bootstrapMeanInterval(diffs: Float64Array, options: BootstrapOptions = {}): Promise<Interval | null> {
  const n = diffs.length;
  if (n === 0) return null;
  const resamples = options.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const confidence = options.confidence ?? BOOTSTRAP_DEFAULTS.confidence;
  let total = 0;
  for (let i = 0; i < n; i++) total += diffs[i]!;
  const means = new Float64Array(resamples);
  // About 10^6 draws per slice: a few milliseconds, so a server answering a compare stays responsive.
  const perSlice = Math.max(1, Math.floor(1_000_000 / n));
  let state = (options.seed ?? BOOTSTRAP_DEFAULTS.seed) >>> 0;
  for (let r = 0; r < resamples; r += perSlice) {
    state = resampleMeans(diffs, means, r, Math.min(resamples, r + perSlice), state);
    if (options.pause && r + perSlice < resamples) await options.pause();
  }
  means.sort();
  const alpha = (1 - confidence) / 2;
  return { estimate: total / n, ci_low: quantile(means, alpha), ci_high: quantile(means, 1 - alpha) };
}

/**
 * Fills means[from, to) with the means of resamples of `diffs`, drawing indices from mulberry32 (the same
 * sequence as seededRandom) inlined: through a closure the draw cost twice as much. Returns the PRNG state.
 */
function resampleMeans(diffs: Float64Array, means: Float64Array, from: number, to: number, seedState: number): number {
  const n = diffs.length;
  let state = seedState | 0;
  for (let r = from; r < to; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      sum += diffs[Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)]!;
    }
    means[r] = sum / n;
  }
  return state;
}

/** The q-quantile of sorted values, interpolating linearly between order statistics (R's type 7). */
export function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
