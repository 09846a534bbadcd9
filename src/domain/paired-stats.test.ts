import { describe, expect, it } from 'vitest';
import { bootstrapMeanInterval, mcnemarExact, quantile, seededRandom } from './paired-stats.js';

/** The exact two-sided binomial p-value in rational arithmetic, as a reference for the log-space sum. */
function exactByBigInt(b: number, c: number): number {
  const n = BigInt(b + c);
  let term = 1n, sum = 1n;
  for (let i = 0n; i < BigInt(Math.min(b, c)); i++) {
    term = (term * (n - i)) / (i + 1n);
    sum += term;
  }
  const scale = 10n ** 30n;
  return Math.min(1, Number((2n * sum * scale) / 2n ** n) / Number(scale));
}

describe('mcnemarExact', () => {
  it('matches the published exact conditional p-value of Fagerland, Lydersen & Laake (2013): 1 vs 7 discordant pairs, p = 0.070', () => {
    expect(mcnemarExact(1, 7)).toBeCloseTo(18 / 256, 12);
    expect(mcnemarExact(7, 1)).toBeCloseTo(0.0703, 4);
  });

  it('is the sign test on small counts (0 vs 5: 2/32; 2 vs 8: 112/1024) and 1 when the counts agree', () => {
    expect(mcnemarExact(0, 5)).toBeCloseTo(0.0625, 12);
    expect(mcnemarExact(2, 8)).toBeCloseTo(112 / 1024, 12);
    expect(mcnemarExact(4, 4)).toBe(1);
    expect(mcnemarExact(0, 0)).toBe(1);
  });

  it('agrees with exact rational arithmetic on large counts (Agresti\'s approval ratings, 86 vs 150; 10^4 pairs)', () => {
    expect(mcnemarExact(86, 150)).toBeCloseTo(exactByBigInt(86, 150), 15);
    const big = mcnemarExact(4_900, 5_100);
    expect(big).toBeGreaterThan(0);
    expect(Math.abs(big - exactByBigInt(4_900, 5_100)) / big).toBeLessThan(1e-9);
  });
});

describe('bootstrapMeanInterval', () => {
  const bernoulliDiffs = (n: number, seed: number) => {
    const random = seededRandom(seed);
    return Float64Array.from({ length: n }, () => (random() < 0.3 ? 1 : 0) - (random() < 0.2 ? 1 : 0));
  };

  it('is deterministic for a seed and changes with it', async () => {
    const diffs = bernoulliDiffs(500, 1);
    const a = await bootstrapMeanInterval(diffs, { seed: 7 });
    expect(await bootstrapMeanInterval(diffs, { seed: 7 })).toEqual(a);
    expect(await bootstrapMeanInterval(diffs, { seed: 8 })).not.toEqual(a);
  });

  it('brackets the mean and has the normal-theory width 2·1.96·sd/√n on a large sample', async () => {
    const diffs = bernoulliDiffs(20_000, 2);
    const mean = diffs.reduce((s, d) => s + d, 0) / diffs.length;
    const sd = Math.sqrt(diffs.reduce((s, d) => s + (d - mean) ** 2, 0) / (diffs.length - 1));
    const ci = (await bootstrapMeanInterval(diffs, { resamples: 2000 }))!;
    expect(ci.estimate).toBeCloseTo(mean, 12);
    expect(ci.ci_low).toBeLessThan(mean);
    expect(ci.ci_high).toBeGreaterThan(mean);
    const expected = 2 * 1.96 * sd / Math.sqrt(diffs.length);
    expect((ci.ci_high - ci.ci_low) / expected).toBeGreaterThan(0.9);
    expect((ci.ci_high - ci.ci_low) / expected).toBeLessThan(1.1);
  });

  it('collapses to the value when every difference is the same, and is null with no pairs', async () => {
    expect(await bootstrapMeanInterval(Float64Array.from([0.25, 0.25, 0.25]))).toEqual({ estimate: 0.25, ci_low: 0.25, ci_high: 0.25 });
    expect(await bootstrapMeanInterval(new Float64Array(0))).toBeNull();
  });

  it('calls pause between slices so a server can yield', async () => {
    let pauses = 0;
    await bootstrapMeanInterval(new Float64Array(500_000), { resamples: 10, pause: async () => { pauses++; } });
    expect(pauses).toBe(4);
  });
});

describe('quantile', () => {
  it('interpolates between order statistics like R\'s type 7', () => {
    const v = Float64Array.from([1, 2, 3, 4]);
    expect(quantile(v, 0)).toBe(1);
    expect(quantile(v, 0.5)).toBe(2.5);
    expect(quantile(v, 0.025)).toBeCloseTo(1.075, 12);
    expect(quantile(v, 1)).toBe(4);
  });
});
