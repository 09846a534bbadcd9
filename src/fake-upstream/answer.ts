import type { Directives } from './directives.js';
import { stripDirectives } from './directives.js';
import { valueForSchema } from './schema-value.js';
import { countTokens, fnv1a } from './text.js';

/** The output format a request asked for, in one shape for both APIs. */
export type OutputFormat = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; schema: unknown };

/** What the fake model "says", before it is wrapped in either API's response shape. */
export interface Answer {
  text: string | null;
  refusal: string | null;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: 'stop' | 'length' | 'tool_calls';
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

/** The fake's refusal text. */
export const REFUSAL = "I'm sorry, but I can't help with that request.";

/**
 * The deterministic answer to a conversation: a `reply=` directive verbatim; else for structured output a
 * `json=` directive or a value generated from the schema; else the last user message echoed back (with
 * directives removed). `tool=` directives add tool calls; `refuse` refuses. A token limit truncates.
 */
export function answer(
  messages: Array<{ role: string; text: string }>,
  format: OutputFormat,
  directives: Directives,
  maxTokens: number | undefined,
): Answer {
  const promptText = messages.map((m) => m.text).join('\n');
  const hash = fnv1a(promptText);
  const promptTokens = countTokens(promptText) + 3 * messages.length;
  const cachedTokens = Math.min(promptTokens, Math.max(0, directives.cached ?? 0));
  const base = { promptTokens, cachedTokens, toolCalls: [] as Answer['toolCalls'] };
  if (directives.refuse) {
    return { ...base, text: null, refusal: REFUSAL, finishReason: 'stop', completionTokens: countTokens(REFUSAL) };
  }
  const toolCalls = directives.tools.map((t, i) => ({ id: `call_${(hash + i).toString(36)}${i}`, name: t.name, arguments: t.arguments }));
  let text: string | null;
  if (directives.reply !== undefined) text = directives.reply;
  else if (toolCalls.length > 0) text = null;
  else if (format.type === 'json_schema') {
    text = directives.json ?? JSON.stringify(valueForSchema(format.schema, { hash, score: directives.score, label: directives.label }));
  } else if (format.type === 'json_object') {
    text = directives.json ?? JSON.stringify({ answer: lastUserText(messages) });
  } else text = lastUserText(messages);

  let finishReason: Answer['finishReason'] = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  if (text !== null && maxTokens !== undefined && countTokens(text) > maxTokens) {
    text = text.slice(0, maxTokens * 4);
    finishReason = 'length';
  }
  const completionTokens = countTokens(text ?? '') + toolCalls.reduce((n, t) => n + countTokens(t.name + t.arguments), 0);
  return { ...base, text, refusal: null, toolCalls, finishReason, completionTokens };
}

function lastUserText(messages: Array<{ role: string; text: string }>): string {
  const last = [...messages].reverse().find((m) => m.role === 'user') ?? messages[messages.length - 1];
  return stripDirectives(last?.text ?? '') || 'OK';
}
