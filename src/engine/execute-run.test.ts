import { describe, expect, it } from 'vitest';
import { itemConcurrencyFor } from './execute-run.js';

describe('itemConcurrencyFor', () => {
  it('uses the configured number whenever it is set', () => {
    expect(itemConcurrencyFor(8, { concurrency: 100 })).toBe(8);
    expect(itemConcurrencyFor(500, null)).toBe(500);
  });
  it('defaults to 64, or twice the sampled provider concurrency when that is more', () => {
    expect(itemConcurrencyFor(undefined, null)).toBe(64);
    expect(itemConcurrencyFor(undefined, { concurrency: 16 })).toBe(64);
    expect(itemConcurrencyFor(undefined, { concurrency: 64 })).toBe(128);
    expect(itemConcurrencyFor(undefined, {})).toBe(64);
  });
});
