import type { ToolCall } from '../../domain/sample.js';
import { toChatMessage, type Message } from '../../providers/messages.js';
import { chatUsage, type ChatCompletion, type ChatCompletionRequest } from '../../providers/openai-chat.js';
import type { ModelOutput } from './sample.js';
import type { CompletionsDataSource, CompletionsSamplingParams } from './types.js';

/**
 * The /chat/completions body for one item. Only parameters the run set are sent (reasoning models reject
 * temperature/top_p; a seed the run did not set is not made up). `modalities` and `audio` come from the
 * data source itself, where OpenAI's audio example puts them.
 */
export function toChatRequest(
  model: string,
  messages: Message[],
  params: CompletionsSamplingParams | null | undefined,
  output: Pick<CompletionsDataSource, 'modalities' | 'audio'> = {},
): ChatCompletionRequest {
  const request: ChatCompletionRequest = { model, messages: messages.map(toChatMessage) };
  if (output.modalities != null) request.modalities = output.modalities;
  if (output.audio != null) request.audio = output.audio;
  if (!params) return request;
  if (params.seed != null) request.seed = params.seed;
  if (params.temperature != null) request.temperature = params.temperature;
  if (params.top_p != null) request.top_p = params.top_p;
  const maxTokens = params.max_completion_tokens ?? params.max_completions_tokens;
  if (maxTokens != null) request.max_completion_tokens = maxTokens;
  if (params.reasoning_effort != null) request.reasoning_effort = params.reasoning_effort;
  if (params.response_format != null) request.response_format = params.response_format;
  if (params.tools != null && params.tools.length > 0) request.tools = params.tools;
  return request;
}

/** The first choice of a chat completion, as sampling records it. */
export function fromChatCompletion(completion: ChatCompletion, requestedModel: string): ModelOutput {
  const choice = completion.choices[0];
  const message = choice?.message;
  const toolCalls: ToolCall[] = Array.isArray(message?.tool_calls) ? message.tool_calls : [];
  const audio = message?.audio;
  return {
    audio: audio && typeof audio.data === 'string' ? { ...audio, transcript: typeof audio.transcript === 'string' ? audio.transcript : '' } : null,
    model: typeof completion.model === 'string' && completion.model ? completion.model : requestedModel,
    text: typeof message?.content === 'string' ? message.content : '',
    refusal: typeof message?.refusal === 'string' ? message.refusal : null,
    toolCalls,
    finishReason: choice?.finish_reason ?? (toolCalls.length ? 'tool_calls' : 'stop'),
    usage: chatUsage(completion.usage),
  };
}
