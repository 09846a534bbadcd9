import type { Sample } from '../domain/sample.js';
import { zeroUsage } from '../domain/sample.js';
import { parseOutputJson } from './sampling/sample.js';

/**
 * The `sample` namespace of a jsonl row: the row's own sample, where `output_text` falls back to the first
 * choice's message content and `output_json` to `output_text` parsed as JSON.
 */
export function rowSampleNamespace(sample: Record<string, unknown> | undefined): Sample | null {
  if (!sample) return null;
  const out: Sample = { ...sample };
  if (out.output_text === undefined) {
    const content = (sample.choices as Array<{ message?: { content?: unknown } }> | undefined)?.[0]?.message?.content;
    if (typeof content === 'string') out.output_text = content;
  }
  // Not JSON: no output_json, like OpenAI. (A text that cannot be JSON is not parsed: a throw per row, with
  // its garbage, was about a third of a jsonl run's time.)
  if (out.output_json === undefined && typeof out.output_text === 'string') {
    const json = parseOutputJson(out.output_text);
    if (json !== undefined) out.output_json = json;
  }
  return out;
}

/**
 * The output item's `sample` for a jsonl run, which samples no model: the row's sample fields, plus the
 * fields the API always returns (no sampling parameters were used, so those are null).
 */
export function rowOutputSample(ns: Sample | null): Record<string, unknown> {
  const text = typeof ns?.output_text === 'string' ? ns.output_text : null;
  const choices = ns?.choices as Array<{ finish_reason?: string }> | undefined;
  return {
    ...ns,
    input: Array.isArray(ns?.input) ? ns.input : [],
    output: Array.isArray(ns?.output) ? ns.output : text === null ? [] : [{ role: 'assistant', content: text }],
    finish_reason: typeof ns?.finish_reason === 'string' ? ns.finish_reason : choices?.[0]?.finish_reason ?? '',
    model: typeof ns?.model === 'string' ? ns.model : '',
    usage: ns?.usage && typeof ns.usage === 'object' ? ns.usage : zeroUsage(),
    error: null,
    temperature: null,
    max_completion_tokens: null,
    top_p: null,
    seed: null,
  };
}
