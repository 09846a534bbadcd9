import type { EvalItem } from '../schemas/messages.js';
import { GradeError, type Grader } from './grader.js';
import { graderCallSample, parseAnswer, renderMessages, STEPS_SCHEMA, withCall } from './model-input.js';

export interface ScoreModelSpec {
  type: 'score_model';
  name: string;
  model: string;
  input: EvalItem[];
  range?: [number, number] | undefined;
  pass_threshold?: number | null | undefined;
  sampling_params?: {
    seed?: number | null; top_p?: number | null; temperature?: number | null;
    max_completions_tokens?: number | null; reasoning_effort?: string | null;
  } | null | undefined;
}

const RESPONSE_FORMAT = {
  type: 'json_schema',
  json_schema: {
    name: 'score_result',
    strict: true,
    schema: {
      type: 'object',
      properties: { steps: STEPS_SCHEMA, result: { type: 'number' } },
      required: ['steps', 'result'],
      additionalProperties: false,
    },
  },
};

/**
 * `score_model`: the model answers `{steps, result}`; the result is clamped to `range` (default [0, 1]) and
 * passes at ≥ pass_threshold (default: the middle of the range). A non-numeric answer errors the item,
 * where OpenAI would silently score 0.
 */
export const scoreModel: Grader<ScoreModelSpec> = async (spec, ctx) => {
  const [lo, hi] = spec.range ?? [0, 1];
  const messages = renderMessages(spec.input, ctx.render);
  const p = spec.sampling_params ?? {};
  const answer = await ctx.models.chat({
    model: spec.model, messages, response_format: RESPONSE_FORMAT,
    temperature: p.temperature ?? null, top_p: p.top_p ?? null, seed: p.seed ?? null,
    max_completion_tokens: p.max_completions_tokens ?? null, reasoning_effort: p.reasoning_effort ?? null,
  }, ctx.signal);
  const sample = graderCallSample(messages, answer, p);
  const usage = [{ model: answer.model, usage: answer.usage }];
  const { parsed, result } = withCall({ sample, usage }, () => {
    const answerJson = parseAnswer(answer.text, answer.refusal);
    const value = typeof answerJson.result === 'string' ? Number(answerJson.result) : answerJson.result;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new GradeError('model_grader_parse_error', `the grader model's result ${JSON.stringify(answerJson.result)} is not a number`);
    }
    return { parsed: answerJson, result: value };
  });
  const score = Math.min(hi, Math.max(lo, result));
  const threshold = spec.pass_threshold ?? (lo + hi) / 2;
  return { score, passed: score >= threshold, sample: { ...sample, steps: parsed.steps ?? null }, usage };
};
