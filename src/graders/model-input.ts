import { flattenContent } from '../domain/flatten-content.js';
import type { Usage } from '../domain/sample.js';
import type { EvalItem } from '../schemas/messages.js';
import { GradeError, type GradeResult } from './grader.js';

type ChatPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: 'input_audio'; input_audio: { data: string; format: string } };

/** Renders a grader's EvalItem messages into chat-completions messages (text parts joined when all text). */
export function renderMessages(messages: EvalItem[], render: (t: string) => string): Array<{ role: string; content: string | ChatPart[] }> {
  return messages.map((m) => {
    const items = Array.isArray(m.content) ? m.content : [m.content];
    const parts = items.map((c): ChatPart => {
      if (typeof c === 'string') return { type: 'text', text: render(c) };
      switch (c.type) {
        case 'input_text':
        case 'output_text':
          return { type: 'text', text: render(c.text) };
        case 'input_image':
          return { type: 'image_url', image_url: { url: render(c.image_url), ...(c.detail ? { detail: c.detail } : {}) } };
        case 'input_audio':
          return { type: 'input_audio', input_audio: { data: render(c.input_audio.data), format: c.input_audio.format } };
        default:
          throw new GradeError('unsupported_content', `grader input content of type '${c.type}' is not supported`);
      }
    });
    const allText = parts.every((p) => p.type === 'text');
    return { role: m.role, content: allText ? parts.map((p) => (p as { text: string }).text).join('\n') : parts };
  });
}

/** The sampling parameters a model grader sent, as its result's sample records them (null when unset). */
export interface GraderParams {
  seed?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  reasoning_effort?: string | null;
  max_completions_tokens?: number | null;
}

/**
 * A model grader's call as `results[].sample` records it, with the keys OpenAI's carry; message content
 * is one string, images as `<image>URL</image>` (see domain/flatten-content).
 */
export function graderCallSample(
  messages: Array<{ role: string; content: unknown }>,
  answer: { text: string | null; refusal: string | null; model: string; usage: Usage; finishReason?: string },
  params: GraderParams,
): Record<string, unknown> {
  return {
    input: messages.map((m) => ({ role: m.role, content: flattenContent(m.content) })),
    output: [{ role: 'assistant', content: answer.text ?? answer.refusal ?? '' }],
    finish_reason: answer.finishReason ?? 'stop',
    model: answer.model,
    usage: answer.usage,
    error: null,
    seed: params.seed ?? null,
    temperature: params.temperature ?? null,
    top_p: params.top_p ?? null,
    reasoning_effort: params.reasoning_effort ?? null,
    max_completions_tokens: params.max_completions_tokens ?? null,
  };
}

/**
 * Attaches a model grader's call (its sample and usage) to a GradeError thrown after the call was made, so
 * an errored item still shows what the grader saw and the run still counts the tokens it spent.
 */
export function withCall<T>(call: { sample: Record<string, unknown>; usage: GradeResult['usage'] }, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof GradeError) Object.assign(e, call);
    throw e;
  }
}

/** Parses a model grader's structured answer, or errors the item saying what came back. */
export function parseAnswer(text: string | null, refusal: string | null): Record<string, unknown> {
  if (refusal) throw new GradeError('model_grader_refusal', `the grader model refused: ${refusal.slice(0, 300)}`);
  if (!text) throw new GradeError('model_grader_parse_error', 'the grader model returned no content');
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch { /* reported below */ }
  throw new GradeError('model_grader_parse_error', `the grader model's answer is not a JSON object: ${text.slice(0, 300)}`);
}

export const STEPS_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    properties: { description: { type: 'string' }, conclusion: { type: 'string' } },
    required: ['description', 'conclusion'],
    additionalProperties: false,
  },
} as const;
