import type { Sample, ToolCall, Choice, Usage } from '../../domain/sample.js';
import type { EvalContent, EvalContentPart } from '../../providers/messages.js';

export type { EvalContent, EvalContentPart };

/** A template message after the server's normalisation (EvalItem form, API §4.2). */
export interface EvalMessage {
  type?: 'message';
  role: string;
  content: EvalContent;
}

/** Where a run's model input comes from: a template rendered per item, or a message list inside the item. */
export type InputMessages =
  | { type: 'template'; template: EvalMessage[] }
  | { type: 'item_reference'; item_reference: string };

/** Sampling parameters both data sources share; null means "not set". */
export interface SamplingParamsBase {
  temperature?: number | null;
  top_p?: number | null;
  seed?: number | null;
  max_completion_tokens?: number | null;
  /** The spelling the spec's own example sends (§7.3); accepted as an alias. */
  max_completions_tokens?: number | null;
  reasoning_effort?: string | null;
}

/** `sampling_params` of a `completions` run. */
export interface CompletionsSamplingParams extends SamplingParamsBase {
  /** ResponseFormatText | ResponseFormatJsonSchema | ResponseFormatJsonObject, passed through. */
  response_format?: unknown;
  /** ChatCompletionTool[], passed through. */
  tools?: unknown[] | null;
}

/** `sampling_params` of a `responses` run. */
export interface ResponsesSamplingParams extends SamplingParamsBase {
  text?: { format?: unknown } | null;
  /** The Responses Tool union, passed through. */
  tools?: unknown[] | null;
}

/** A `completions` run data source (only the fields sampling reads are required to be typed). */
export interface CompletionsDataSource {
  type: 'completions';
  /** Output modalities, e.g. ["text", "audio"]; passed upstream as they are. */
  modalities?: string[] | null;
  /** Audio output parameters `{voice, format}`, passed upstream. */
  audio?: Record<string, unknown> | null;
  input_messages?: InputMessages | null;
  model?: string | null;
  sampling_params?: CompletionsSamplingParams | null;
  source?: unknown;
}

/** A `responses` run data source. */
export interface ResponsesDataSource {
  type: 'responses';
  input_messages?: InputMessages | null;
  model?: string | null;
  sampling_params?: ResponsesSamplingParams | null;
  source?: unknown;
}

/** A message as recorded in `sample.input`: its content as one string (see domain/flatten-content). */
export interface SampleMessage {
  role: string;
  content: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

/**
 * An output item's `sample` (API §3.6) plus the grader namespace fields (§5). On failure `error` is set,
 * `output` is empty and usage is zero.
 */
export interface ItemSample extends Sample {
  input: SampleMessage[];
  /** The assistant turn, then any hosted tool call items as the upstream sent them. */
  output: Array<{ role: 'assistant'; content: string; tool_calls?: ToolCall[] } | Record<string, unknown>>;
  /** The input messages with their content parts, when any held more than text (images, audio, files). */
  rendered_input?: Array<{ role: string; content: string | EvalContentPart[] }>;
  finish_reason: string;
  model: string;
  usage: Usage;
  error: { code: string; message: string } | null;
  temperature: number;
  max_completion_tokens: number | null;
  top_p: number;
  seed: number | null;
  output_text: string;
  output_tools: ToolCall[];
  choices: Choice[];
  output_json?: unknown;
}
