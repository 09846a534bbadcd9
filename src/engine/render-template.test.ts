import { describe, expect, it } from 'vitest';
import { GradeError } from '../graders/grader.js';
import { renderTemplate, resolvePath, isMissing } from './render-template.js';

const scope = {
  item: { q: 'What?', n: 3, obj: { a: [1, { b: 'deep' }] }, nil: null },
  sample: { output_text: 'hi', output_tools: [{ function: { arguments: '{"x":1}' } }] },
};

describe('renderTemplate', () => {
  it('inserts strings as they are and other values as JSON, spaces optional', () => {
    expect(renderTemplate('{{item.q}} {{ item.n }} {{  item.obj  }}', scope)).toBe('What? 3 {"a":[1,{"b":"deep"}]}');
  });
  it('follows dots and [n] indices in both namespaces', () => {
    expect(renderTemplate('{{ item.obj.a[1].b }}/{{sample.output_tools[0].function.arguments}}', scope)).toBe('deep/{"x":1}');
  });
  it('renders null as empty text', () => {
    expect(renderTemplate('[{{ item.nil }}]', scope)).toBe('[]');
  });
  it('leaves text that is not a variable alone', () => {
    expect(renderTemplate('{{ other.x }} and {x}', scope)).toBe('{{ other.x }} and {x}');
  });
  it('errors on a variable that does not exist, naming it', () => {
    expect(() => renderTemplate('{{ item.missing }}', scope)).toThrow(GradeError);
    expect(() => renderTemplate('{{ item.obj.a[5] }}', scope)).toThrow(/item\.obj\.a\[5\]/);
    expect(() => renderTemplate('{{ sample.output_text }}', { item: {}, sample: {} })).toThrow(/sample\.output_text/);
  });
  it('renders one template against many scopes (it is parsed once and reused)', () => {
    const template = 'Q: {{ item.q }} / {{item.n}}!';
    expect(renderTemplate(template, { item: { q: 'a', n: 1 } })).toBe('Q: a / 1!');
    expect(renderTemplate(template, { item: { q: 'b', n: [2] } })).toBe('Q: b / [2]!');
    expect(() => renderTemplate(template, { item: { q: 'c' } })).toThrow(/item\.n/);
  });
  it('renders every sample.* as empty text when the row has no sample', () => {
    expect(renderTemplate('[{{ sample.output_text }}|{{ sample.choices[0].message.content }}]', { item: {} })).toBe('[|]');
  });
  it('follows a path on into a string that holds JSON (tool-call arguments)', () => {
    const args = { item: {}, sample: { output_tools: [{ function: { arguments: '{"symbols":["AAPL","MSFT"],"n":{"k":2}}' } }] } };
    expect(renderTemplate('{{ sample.output_tools[0].function.arguments.symbols }}', args)).toBe('["AAPL","MSFT"]');
    expect(renderTemplate('{{sample.output_tools[0].function.arguments.symbols[1]}} {{sample.output_tools[0].function.arguments.n.k}}', args)).toBe('MSFT 2');
    expect(() => renderTemplate('{{ sample.output_tools[0].function.arguments.nope }}', args)).toThrow(/arguments\.nope/);
    expect(() => renderTemplate('{{ item.q.x }}', { item: { q: 'not json' } })).toThrow(/item\.q\.x/);
  });
  it('leaves braces that hold no item/sample path as they are', () => {
    expect(renderTemplate('{{ x }} {{ item.q }} {{{}}}', scope)).toBe('{{ x }} What? {{{}}}');
  });
  it('resolvePath reports missing keys without throwing', () => {
    expect(isMissing(resolvePath(scope, 'item.nope'))).toBe(true);
    expect(resolvePath(scope, 'item.obj.a[0]')).toBe(1);
  });
});
