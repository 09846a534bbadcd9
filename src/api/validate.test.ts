import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EvalCreateParams } from '../schemas/evals.js';
import { RunCreateParams } from '../schemas/runs.js';
import { ApiError } from './errors.js';
import { parseOr400 } from './validate.js';

function refusal(schema: z.ZodType, value: unknown): { param: string | null; message: string; code: string | null } {
  try {
    parseOr400(schema, value);
  } catch (e) {
    if (e instanceof ApiError) return { param: e.param, message: e.message, code: e.code };
    throw e;
  }
  throw new Error('accepted');
}

const completionsRun = (content: unknown) => ({
  data_source: {
    type: 'completions', model: 'gpt-4o-mini',
    source: { type: 'file_content', content: [{ item: { q: 'a' } }] },
    input_messages: { type: 'template', template: [{ role: 'user', content }] },
  },
});
const contentParam = 'data_source.input_messages.template[0].content';

describe('error messages', () => {
  it('calls a JSON object an object, not a record', () => {
    const r = refusal(RunCreateParams, { data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: [1] }] } } });
    expect(r).toMatchObject({ param: 'data_source.source.content[0].item', message: "Invalid value for 'data_source.source.content[0].item': expected object, received array." });
  });
});

describe('errors for values a union refuses', () => {
  it('names the field inside a list of content parts that is wrong', () => {
    expect(refusal(RunCreateParams, completionsRun([{ type: 'input_text', text: 'hi' }, { type: 'input_image' }]))).toEqual({
      param: `${contentParam}[1].image_url`,
      message: `Missing required parameter: '${contentParam}[1].image_url'.`,
      code: 'missing_required_parameter',
    });
  });

  it('names an unknown content part type and the types it may be', () => {
    const r = refusal(RunCreateParams, completionsRun([{ type: 'input_banana', text: 'hi' }]));
    expect(r.param).toBe(`${contentParam}[0].type`);
    expect(r.message).toMatch(/input_text/);
    expect(r.message).toMatch(/input_image/);
  });

  it('names a wrong field of a single content part', () => {
    expect(refusal(RunCreateParams, completionsRun({ type: 'input_text', text: 7 }))).toMatchObject({
      param: `${contentParam}.text`,
      message: `Invalid value for '${contentParam}.text': expected string, received number.`,
    });
  });

  it('lists what the union takes when the value is none of them', () => {
    expect(refusal(RunCreateParams, completionsRun(42))).toEqual({
      param: contentParam,
      message: `Invalid value for '${contentParam}': expected string, object or array, received number.`,
      code: 'invalid_value',
    });
  });

  it('reaches into a grader input message', () => {
    const r = refusal(EvalCreateParams, {
      data_source_config: { type: 'custom', item_schema: { type: 'object' } },
      testing_criteria: [{
        type: 'label_model', name: 'polite', model: 'gpt-4o-mini', labels: ['a', 'b'], passing_labels: ['a'],
        input: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'ogg' } }] }],
      }],
    });
    expect(r.param).toBe('testing_criteria[0].input[0].content[0].input_audio.format');
  });
});
