import { describe, expect, it } from 'vitest';
import { FormulaError, parseFormula } from './formula.js';

const calc = (f: string, vars: Record<string, number> = {}) => parseFormula(f).evaluate(vars);

describe('parseFormula', () => {
  it('follows precedence, associativity and parentheses', () => {
    expect(calc('1 + 2 * 3')).toBe(7);
    expect(calc('(1 + 2) * 3')).toBe(9);
    expect(calc('2 ^ 3 ^ 2')).toBe(512);
    expect(calc('-2 ^ 2')).toBe(-4);
    expect(calc('10 / 4 - 1')).toBe(1.5);
  });
  it('reads variables and the allowed functions', () => {
    expect(calc('0.5 * a + 0.5 * b', { a: 1, b: 0 })).toBe(0.5);
    expect(calc('max(a, b, 0.2) + min(1, 2) + abs(-1) + floor(1.7) + ceil(0.2) + sqrt(4)', { a: 0.1, b: 0.3 })).toBeCloseTo(6.3);
    expect(calc('log(exp(2))')).toBeCloseTo(2);
    expect([...parseFormula('x * y + x').variables].sort()).toEqual(['x', 'y']);
  });
  it('rejects what it cannot read, naming the problem', () => {
    expect(() => parseFormula('1 +')).toThrow(FormulaError);
    expect(() => parseFormula('0.5 * a + 0.5 * b)')).toThrow(/unexpected '\)'/);
    expect(() => parseFormula('system(1)')).toThrow(/unknown function 'system'/);
    expect(() => parseFormula('a ; b')).toThrow(FormulaError);
    expect(() => calc('a + 1')).toThrow(/unknown variable 'a'/);
  });
});
