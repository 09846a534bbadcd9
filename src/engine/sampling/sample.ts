import { zeroUsage, type Choice, type OutputAudio, type ToolCall, type Usage } from '../../domain/sample.js';
import { chatToolCall } from './hosted-tools.js';
import type { ItemSample, SampleMessage, SamplingParamsBase } from './types.js';

/** The sampling values recorded on every sample: what was sent, or the API's documented default. */
export interface RecordedParams {
  temperature: number;
  top_p: number;
  /** null when the run set none: none is sent either (OpenAI's recorded samples say null too). */
  seed: number | null;
  max_completion_tokens: number | null;
}

/** Resolves the documented defaults (temperature 1, top_p 1) and the max-tokens alias. */
export function recordedParams(params: SamplingParamsBase | null | undefined): RecordedParams {
  return {
    temperature: params?.temperature ?? 1,
    top_p: params?.top_p ?? 1,
    seed: params?.seed ?? null,
    max_completion_tokens: params?.max_completion_tokens ?? params?.max_completions_tokens ?? null,
  };
}

const JSON_START = /^\s*[[{"\-\d]|^\s*(true|false|null)\s*$/;

/** The parsed output when the whole text is JSON; `undefined` (no field) otherwise. */
export function parseOutputJson(text: string): unknown {
  if (!JSON_START.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What a successful call produced, in chat-completions shape, before it is put into a sample. */
export interface ModelOutput {
  model: string;
  text: string;
  refusal: string | null;
  /** Function calls: in the choice's `tool_calls` and in `output_tools`. */
  toolCalls: ToolCall[];
  /** Hosted tool calls (Responses): in `output_tools` only. */
  hostedCalls?: ToolCall[];
  /** The hosted calls' output items as the upstream sent them, kept in `sample.output`. */
  hostedItems?: Array<Record<string, unknown>>;
  /** The message's audio (Chat Completions with `modalities: ["audio"]`). */
  audio?: (OutputAudio & Record<string, unknown>) | null;
  finishReason: string;
  usage: Usage;
}

/** A sample for a successful call, with the grader namespace fields filled in. */
export function successSample(input: SampleMessage[], params: RecordedParams, out: ModelOutput): ItemSample {
  const calls = out.toolCalls.length ? { tool_calls: out.toolCalls } : {};
  // An audio answer's words are its transcript: that is the output text when the message has none.
  const text = out.text === '' && out.audio ? out.audio.transcript : out.text;
  const choice: Choice = {
    index: 0,
    message: { role: 'assistant', content: out.text, refusal: out.refusal, ...calls, ...(out.audio ? { audio: out.audio } : {}) },
    finish_reason: out.finishReason,
  };
  const sample: ItemSample = {
    input,
    output: [{ role: 'assistant', content: text, ...calls }, ...(out.hostedItems ?? [])],
    finish_reason: out.finishReason,
    model: out.model,
    usage: out.usage,
    error: null,
    ...params,
    output_text: text,
    output_tools: [...out.toolCalls.map(chatToolCall), ...(out.hostedCalls ?? [])],
    choices: [choice],
  };
  if (out.audio) sample.output_audio = { data: out.audio.data, transcript: out.audio.transcript };
  const json = parseOutputJson(text);
  if (json !== undefined) sample.output_json = json;
  return sample;
}

/** A sample for an item whose input could not be built or whose call finally failed. */
export function errorSample(input: SampleMessage[], model: string, params: RecordedParams, code: string, message: string): ItemSample {
  return {
    input,
    output: [],
    finish_reason: 'error',
    model,
    usage: zeroUsage(),
    error: { code, message },
    ...params,
    output_text: '',
    output_tools: [],
    choices: [],
  };
}
