import { z } from 'zod';
import { JsonObject, Metadata, Text, pageQuery } from './common.js';
import { RunInputMessage, normaliseMessage, type EvalItem } from './messages.js';

const finite = z.number().refine(Number.isFinite, { error: 'must be a finite number' });
const ReasoningEffort = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']).nullish();

export const JsonlRow = z.object({ item: JsonObject, sample: JsonObject.optional() });
export type JsonlRow = z.infer<typeof JsonlRow>;

const FileContentSource = z.object({ type: z.literal('file_content'), content: z.array(JsonlRow) });
const FileIdSource = z.object({ type: z.literal('file_id'), id: Text.pipe(z.string().min(1)) });
// Log-query sources select stored logs (kept by the gateway or imported); every filter set narrows (AND).
const createdBound = z.number().int().min(0).nullish();
const StoredCompletionsSource = z.object({
  type: z.literal('stored_completions'),
  metadata: JsonObject.nullish(),
  model: z.string().nullish(),
  created_after: createdBound,
  created_before: createdBound,
  limit: z.number().int().min(1).nullish(),
});
const ResponsesSource = z.object({
  type: z.literal('responses'),
  metadata: JsonObject.nullish(),
  model: z.string().nullish(),
  instructions_search: z.string().nullish(),
  created_after: createdBound,
  created_before: createdBound,
  reasoning_effort: ReasoningEffort,
  temperature: finite.nullish(),
  top_p: finite.nullish(),
  users: z.array(z.string()).nullish(),
  tools: z.array(z.string()).nullish(),
  limit: z.number().int().min(1).nullish(),
});

const template = z.object({
  type: z.literal('template'),
  template: z.array(RunInputMessage).min(1, { error: 'template must have at least one message' })
    .transform((ms): EvalItem[] => ms.map(normaliseMessage)),
});
const itemReference = z.object({
  type: z.literal('item_reference'),
  item_reference: z.string().regex(/^item(\.|\[|$)/, { error: 'item_reference must name a path in the item namespace, e.g. "item.messages"' }),
});
const InputMessages = z.discriminatedUnion('type', [template, itemReference]);

const samplingBase = {
  reasoning_effort: ReasoningEffort,
  temperature: finite.nullish(),
  top_p: finite.nullish(),
  seed: z.number().int().nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  // The spec's own run example sends the plural spelling; both are taken and echoed as sent.
  max_completions_tokens: z.number().int().min(1).nullish(),
};
const Tools = z.array(z.looseObject({ type: z.string() })).max(128);

export const JsonlRunDataSource = z.object({
  type: z.literal('jsonl'),
  source: z.discriminatedUnion('type', [FileContentSource, FileIdSource]),
});

// Audio output, as OpenAI's audio example sends it on the data source (the SDK's types do not list it).
const Modalities = z.array(z.enum(['text', 'audio'])).min(1).nullish();
const AudioOutput = z.looseObject({
  voice: z.union([z.string().min(1), z.looseObject({ id: z.string().min(1) })]),
  format: z.enum(['wav', 'aac', 'mp3', 'flac', 'opus', 'pcm16']),
}).nullish();

export const CompletionsRunDataSource = z.object({
  type: z.literal('completions'),
  modalities: Modalities,
  audio: AudioOutput,
  source: z.discriminatedUnion('type', [FileContentSource, FileIdSource, StoredCompletionsSource]),
  input_messages: InputMessages.optional(),
  model: Text.pipe(z.string().min(1)).optional(),
  sampling_params: z.object({
    ...samplingBase,
    response_format: z.looseObject({ type: z.enum(['text', 'json_schema', 'json_object']) }).nullish(),
    tools: Tools.nullish(),
  }).nullish(),
});

export const ResponsesRunDataSource = z.object({
  type: z.literal('responses'),
  source: z.discriminatedUnion('type', [FileContentSource, FileIdSource, ResponsesSource]),
  input_messages: InputMessages.optional(),
  model: Text.pipe(z.string().min(1)).optional(),
  sampling_params: z.object({
    ...samplingBase,
    tools: Tools.nullish(),
    text: z.looseObject({ format: z.looseObject({ type: z.enum(['text', 'json_schema', 'json_object']) }).optional() }).nullish(),
  }).nullish(),
});

export const RunDataSource = z.discriminatedUnion('type', [JsonlRunDataSource, CompletionsRunDataSource, ResponsesRunDataSource]);
export type RunDataSource = z.infer<typeof RunDataSource>;

/** `CreateEvalRunRequest`. */
export const RunCreateParams = z.object({
  name: Text.optional(),
  metadata: Metadata.optional(),
  data_source: RunDataSource,
});
export type RunCreateParams = z.infer<typeof RunCreateParams>;

export const RUN_STATUSES = ['queued', 'in_progress', 'completed', 'canceled', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RunListQuery = pageQuery({ limit: 20, max: 100, order: 'asc' }).extend({
  status: z.enum(RUN_STATUSES).optional(),
});
export type RunListQuery = z.infer<typeof RunListQuery>;

export const OutputItemListQuery = pageQuery({ limit: 20, max: 100, order: 'asc' }).extend({
  status: z.enum(['pass', 'fail']).optional(),
});
export type OutputItemListQuery = z.infer<typeof OutputItemListQuery>;
