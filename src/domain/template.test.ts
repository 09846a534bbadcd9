import { describe, expect, it } from 'vitest';
import { forbiddenKey, parsePath, scanPlaceholders, templateProblem } from './template.js';

const closed = {
  type: 'object',
  properties: { q: { type: 'string' }, meta: { type: 'object', properties: { lang: { type: 'string' } }, additionalProperties: false },
    list: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false } }, free: { type: 'object' } },
  additionalProperties: false,
};
const rules = { namespaces: ['item', 'sample'], itemSchema: closed };

describe('template syntax', () => {
  it('parses a path into namespace and keys', () => {
    expect(parsePath('item.a[0].b')).toEqual({ path: 'item.a[0].b', namespace: 'item', keys: ['a', 0, 'b'] });
    expect(parsePath('item..a')).toBeNull();
    expect(parsePath('item.a[')).toBeNull();
    expect(parsePath('')).toBeNull();
  });
  it('finds every placeholder and reports an unclosed one', () => {
    expect(scanPlaceholders('a {{ x }} b {{y}}').placeholders.map((p) => p.inner)).toEqual(['x', 'y']);
    expect(scanPlaceholders('a {{ x }} b {{ y').problem).toMatch(/character 12 is never closed/);
  });
});

describe('templateProblem', () => {
  it('accepts known paths, sample.* always, and keys the schema allows', () => {
    expect(templateProblem('{{ item.q }} {{ sample.anything.at[3].all }} {{item.free.x}} {{ item.list[0].a }}', rules)).toBeNull();
    expect(templateProblem('no variables', rules)).toBeNull();
  });
  it('refuses malformed braces, unknown namespaces and keys a closed item schema forbids', () => {
    expect(templateProblem('{{ item.q', rules)).toMatch(/never closed/);
    expect(templateProblem('{{ }}', rules)).toMatch(/is not a variable/);
    expect(templateProblem('{{ item.q | upper }}', rules)).toMatch(/is not a variable/);
    expect(templateProblem('{{ items.q }}', rules)).toMatch(/namespace 'items'/);
    expect(templateProblem('{{ item.answer }}', rules)).toMatch(/no property 'answer' and allows no others/);
    expect(templateProblem('{{ item.meta.country }}', rules)).toMatch(/'country' in item\.meta/);
    expect(templateProblem('{{ item.list[2].b }}', rules)).toMatch(/'b' in item\.list\[2\]/);
    expect(templateProblem('{{ sample.output_text }}', { namespaces: ['item'], itemSchema: closed })).toMatch(/before there is a sample/);
  });
  it('lets through what an open or unknown schema may hold', () => {
    expect(forbiddenKey({ type: 'object' }, ['x'])).toBeNull();
    expect(forbiddenKey({ properties: { a: {} } }, ['b'])).toBeNull();
    expect(forbiddenKey({ anyOf: [] }, ['b'])).toBeNull();
    expect(forbiddenKey(closed, ['q', 'deeper'])).toBeNull();
  });
});
