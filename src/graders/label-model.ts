import type { EvalItem } from '../schemas/messages.js';
import { GradeError, type Grader } from './grader.js';
import { graderCallSample, parseAnswer, renderMessages, STEPS_SCHEMA, withCall } from './model-input.js';

export interface LabelModelSpec {
  type: 'label_model';
  name: string;
  model: string;
  input: EvalItem[];
  labels: string[];
  passing_labels: string[];
}

/**
 * `label_model`: the model must pick one of `labels` through structured output; passed when the label is
 * in `passing_labels` (score 1/0). An answer outside the labels errors the item instead of failing it.
 */
export const labelModel: Grader<LabelModelSpec> = async (spec, ctx) => {
  const messages = renderMessages(spec.input, ctx.render);
  const response_format = {
    type: 'json_schema',
    json_schema: {
      name: 'label_result',
      strict: true,
      schema: {
        type: 'object',
        properties: { steps: STEPS_SCHEMA, result: { type: 'string', enum: spec.labels } },
        required: ['steps', 'result'],
        additionalProperties: false,
      },
    },
  };
  const answer = await ctx.models.chat({ model: spec.model, messages, response_format }, ctx.signal);
  // label_model sends no sampling parameters, so the sample records them all as null.
  const sample = graderCallSample(messages, answer, {});
  const usage = [{ model: answer.model, usage: answer.usage }];
  const { label, steps } = withCall({ sample, usage }, () => {
    const parsed = parseAnswer(answer.text, answer.refusal);
    const chosen = parsed.result;
    if (typeof chosen !== 'string' || !spec.labels.includes(chosen)) {
      throw new GradeError('model_grader_parse_error', `the grader model chose ${JSON.stringify(chosen)}, which is not one of the labels ${JSON.stringify(spec.labels)}`);
    }
    return { label: chosen, steps: parsed.steps ?? null };
  });
  const passed = spec.passing_labels.includes(label);
  return { score: passed ? 1 : 0, passed, sample: { ...sample, steps }, usage };
};
