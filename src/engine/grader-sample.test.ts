import { describe, expect, it } from 'vitest';
import { rowSampleNamespace } from './grader-sample.js';

describe('a jsonl row’s sample namespace', () => {
  it('holds output_json when the whole output_text is JSON, and none when it is not', () => {
    const json = (output_text: string) => rowSampleNamespace({ output_text })?.output_json;
    expect(json('{"city": "Paris"}')).toEqual({ city: 'Paris' });
    expect(json(' [1, 2]\n')).toEqual([1, 2]);
    expect(json('true')).toBe(true);
    expect(json('null')).toBeNull();
    expect(json('-3.5')).toBe(-3.5);
    for (const text of ['the quick brown fox', 'true story', '3 apples', '{"unclosed": 1', 'nullable', '']) expect(json(text)).toBeUndefined();
    expect(Object.hasOwn(rowSampleNamespace({ output_text: 'plain' })!, 'output_json')).toBe(false);
  });

  it('keeps an output_json the row gives, and falls back to the first choice’s text', () => {
    expect(rowSampleNamespace({ output_text: '{"a": 1}', output_json: { b: 2 } })?.output_json).toEqual({ b: 2 });
    const ns = rowSampleNamespace({ choices: [{ message: { content: '{"x": 1}' } }] });
    expect([ns?.output_text, ns?.output_json]).toEqual(['{"x": 1}', { x: 1 }]);
  });
});
