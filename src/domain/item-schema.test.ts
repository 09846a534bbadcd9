import { describe, expect, it } from 'vitest';
import { compileItemSchema, schemaMismatch } from './item-schema.js';

// V8's backtracking engine needs ~2^n steps for ^(a+)+$ against n a's and a '!': at 30, minutes.
const hostile = `${'a'.repeat(30)}!`;

const timed = <T>(f: () => T): { value: T; ms: number } => {
  const started = performance.now();
  const value = f();
  return { value, ms: performance.now() - started };
};

describe('item schema uniqueItems', () => {
  const validate = compileItemSchema({ type: 'object', properties: { xs: { type: 'array', uniqueItems: true }, uniqueItems: { type: 'string' } } });

  it('compares items as JSON Schema does: objects whatever their key order, numbers by value', () => {
    expect(schemaMismatch(validate, { xs: [{ a: 1, b: [2, { c: 3 }] }, { b: [2, { c: 3 }], a: 1.0 }] })).toBe('item.xs must NOT have duplicate items (items ## 1 and 0 are identical)');
    expect(schemaMismatch(validate, { xs: [1, '1', [1], { 1: 1 }, null, true, 1.5] })).toBeNull();
    expect(schemaMismatch(validate, { xs: [[1, 2], [2, 1]] })).toBeNull();
    expect(schemaMismatch(validate, { xs: ['a', 'b', 'a'] })).toBe('item.xs must NOT have duplicate items (items ## 2 and 0 are identical)');
    // A property named uniqueItems is a property, not the keyword.
    expect(schemaMismatch(validate, { xs: [], uniqueItems: 'x' })).toBeNull();
  });

  it('checks a long array of objects in time linear in its size', () => {
    const xs = Array.from({ length: 100_000 }, (_, i) => ({ i, tag: `t${i}` }));
    const { value, ms } = timed(() => schemaMismatch(validate, { xs }));
    expect(value).toBeNull();
    // ajv's pairwise check takes minutes for this (13 s for 20,000); generous for a loaded machine.
    expect(ms).toBeLessThan(3000);
  });
});

describe('item schema patterns', () => {
  it('matches a catastrophic-backtracking pattern in linear time', () => {
    const validate = compileItemSchema({ type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } });
    const { value, ms } = timed(() => schemaMismatch(validate, { s: hostile }));
    expect(value).toBe('item.s must match pattern "^(a+)+$"');
    expect(schemaMismatch(validate, { s: 'aaaa' })).toBeNull();
    // Generous for a loaded machine; the backtracking engine takes minutes.
    expect(ms).toBeLessThan(1000);
    const long = timed(() => schemaMismatch(validate, { s: `${'a'.repeat(1_000_000)}!` }));
    expect(long.value).not.toBeNull();
    expect(long.ms).toBeLessThan(1000);
  });

  it('uses the same engine for patternProperties and additionalProperties', () => {
    const validate = compileItemSchema({ type: 'object', patternProperties: { '^(x+)+$': { type: 'number' } }, additionalProperties: false });
    const { value, ms } = timed(() => schemaMismatch(validate, { [`${'x'.repeat(30)}!`]: 1 }));
    expect(value).toBe('item must NOT have additional properties');
    expect(ms).toBeLessThan(1000);
    expect(schemaMismatch(validate, { xxx: 1 })).toBeNull();
    expect(schemaMismatch(validate, { xxx: 'one' })).toMatch(/must be number/);
  });

  it('keeps Unicode classes, and refuses what a linear-time engine cannot run (lookaround, backreferences)', () => {
    const validate = compileItemSchema({ type: 'object', properties: { w: { type: 'string', pattern: '^\\p{L}+$' } } });
    expect(schemaMismatch(validate, { w: 'Größe' })).toBeNull();
    expect(schemaMismatch(validate, { w: 'a1' })).not.toBeNull();
    expect(() => compileItemSchema({ type: 'string', pattern: '^(?=a)a' })).toThrow(/is not supported .*RE2/);
    expect(() => compileItemSchema({ type: 'string', pattern: '^(a)\\1$' })).toThrow(/is not supported .*RE2/);
  });
});
