import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import { checkItemReference, checkTemplates, graderTemplates, messageTemplates } from './template-checks.js';
import { checkPythonSources, pythonSources } from './python-checks.js';

const rules = { namespaces: ['item', 'sample'], itemSchema: { type: 'object', properties: { q: {} }, additionalProperties: false } };

describe('template checks', () => {
  it('finds every rendered field of a grader, with its request path', () => {
    expect(graderTemplates({ type: 'string_check', input: 'a', reference: 'b' }, 'g').map((t) => t.param)).toEqual(['g.input', 'g.reference']);
    const judge = { type: 'score_model', input: [{ content: { type: 'input_text', text: 't' } }, { content: [{ type: 'input_text', text: 'x' }, { type: 'input_image', image_url: 'u' }, { type: 'input_audio', input_audio: { data: 'd' } }] }] };
    expect(graderTemplates(judge, 'c').map((t) => t.param)).toEqual(['c.input[0].content.text', 'c.input[1].content[0].text', 'c.input[1].content[1].image_url', 'c.input[1].content[2].input_audio.data']);
    const multi = { type: 'multi', graders: { a: { type: 'string_check', input: 'i', reference: 'r' } } };
    expect(graderTemplates(multi, 'grader').map((t) => t.param)).toEqual(['grader.graders.a.input', 'grader.graders.a.reference']);
    expect(messageTemplates([{ content: 'plain' }], 'm')).toEqual([{ param: 'm[0].content', text: 'plain' }]);
  });
  it('refuses the first template that cannot render with a 400 naming it', () => {
    expect(() => checkTemplates([{ param: 'p.ok', text: '{{ item.q }}' }, { param: 'p.bad', text: '{{ item.z }}' }], rules)).toThrow(
      expect.objectContaining({ status: 400, param: 'p.bad', code: 'invalid_template' }),
    );
    expect(() => checkItemReference('item.z', rules.itemSchema, 'ref')).toThrow(ApiError);
    expect(() => checkItemReference('{{ item.q }}', rules.itemSchema, 'ref')).not.toThrow();
  });
});

describe('python checks', () => {
  it('finds python sources in multi graders and refuses the first bad one', async () => {
    const multi = { type: 'multi', graders: [{ type: 'python', source: 'ok' }, { type: 'python', source: 'bad' }] };
    const placed = pythonSources(multi, 'grader');
    expect(placed.map((p) => p.param)).toEqual(['grader.graders[0].source', 'grader.graders[1].source']);
    const check = async (s: string) => (s === 'bad' ? { ok: false as const, message: 'line 1: SyntaxError' } : { ok: true as const });
    await expect(checkPythonSources(placed, check)).rejects.toMatchObject({ param: 'grader.graders[1].source', message: expect.stringMatching(/line 1/) });
    await expect(checkPythonSources(placed, async () => ({ ok: null, reason: 'no sandbox' }))).resolves.toBeUndefined();
  });
});
