import { describe, expect, it } from 'vitest';
import { fuzzyPartialCost, gradesInline, MAX_FUZZY_PARTIAL_COST, sizeRefusal } from './limits.js';

describe('text_similarity size limits', () => {
  it('charges fuzzy_match partial matching only when the sides are 1.5× apart', () => {
    expect(fuzzyPartialCost(200_000, 200_000)).toBe(0);
    expect(fuzzyPartialCost(1000, 1499)).toBe(0);
    expect(fuzzyPartialCost(1000, 1500)).toBe(1000 * 1000 * 500);
    expect(fuzzyPartialCost(1500, 1000)).toBe(1000 * 1000 * 500);
    expect(fuzzyPartialCost(0, 10)).toBe(0);
  });

  it('lets every pair of sides up to 15,000 characters through, as docs/graders.md says', () => {
    for (let longer = 1; longer <= 15_000; longer += 7) {
      const worst = Math.floor(longer / 1.5);
      expect(fuzzyPartialCost(worst, longer)).toBeLessThanOrEqual(MAX_FUZZY_PARTIAL_COST);
    }
    expect(sizeRefusal('fuzzy_match', 'x'.repeat(1600), 'x'.repeat(200_000))).toMatch(/fuzzy_match of 1600 against 200000/);
    expect(sizeRefusal('fuzzy_match', 'x'.repeat(12_000), 'x'.repeat(18_000))).not.toBeNull();
    expect(sizeRefusal('fuzzy_match', 'x'.repeat(200_000), 'y'.repeat(200_000))).toBeNull();
    expect(sizeRefusal('rouge_l', 'x'.repeat(200_001), 'y')).toMatch(/input has 200001 characters/);
    expect(sizeRefusal('rouge_l', 'y', 'x'.repeat(200_001))).toMatch(/reference has 200001 characters/);
  });

  it('grades small pairs inline, large ones not', () => {
    expect(gradesInline('fuzzy_match', 'x'.repeat(2048), 'y'.repeat(2048))).toBe(true);
    expect(gradesInline('fuzzy_match', 'x'.repeat(2048), 'y'.repeat(2049))).toBe(false);
    expect(gradesInline('meteor', 'a', 'b')).toBe(true);
    expect(gradesInline('meteor', 'x'.repeat(4000), 'y'.repeat(97))).toBe(false);
  });
});
