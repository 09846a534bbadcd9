import { describe, expect, it } from 'vitest';
import { compare, stringCheck } from './string-check.js';
import { renderTemplate } from '../engine/render-template.js';
import type { GradeContext } from './grader.js';

const ctx = (item: unknown, sample: unknown): GradeContext => ({
  item, sample: sample as never, signal: new AbortController().signal,
  render: (t) => renderTemplate(t, { item, sample }),
  models: {} as never, python: {} as never,
});

describe('string_check', () => {
  it.each([
    ['eq', 'Paris', 'Paris', true], ['eq', 'paris', 'Paris', false],
    ['ne', 'a', 'b', true], ['ne', 'a', 'a', false],
    ['like', 'The capital is Paris.', 'Paris', true], ['like', 'the capital is paris', 'Paris', false],
    ['ilike', 'the capital is PARIS', 'Paris', true], ['ilike', 'London', 'paris', false],
  ] as const)('%s(%j, %j) is %s', (op, input, reference, expected) => {
    expect(compare(op, input, reference)).toBe(expected);
  });

  it('renders both sides from the item and sample namespaces', () => {
    const spec = { type: 'string_check' as const, name: 's', input: '{{ sample.output_text }}', reference: '{{item.answer}}', operation: 'eq' as const };
    expect(stringCheck(spec, ctx({ answer: '4' }, { output_text: '4' }))).toEqual({ score: 1, passed: true });
    expect(stringCheck(spec, ctx({ answer: '4' }, { output_text: '5' }))).toEqual({ score: 0, passed: false });
  });

  it('errors rather than passing when a variable is missing', () => {
    const spec = { type: 'string_check' as const, name: 's', input: '{{ sample.output_text }}', reference: '{{item.nope}}', operation: 'ne' as const };
    expect(() => stringCheck(spec, ctx({}, { output_text: 'x' }))).toThrow(/item\.nope/);
  });
});
