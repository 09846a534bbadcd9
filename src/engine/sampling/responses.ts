import type { ToolCall } from '../../domain/sample.js';
import { toResponsesItems, type Message } from '../../providers/messages.js';
import { responsesUsage, type ResponseObject, type ResponsesRequest } from '../../providers/openai-responses.js';
import { CLIENT_EXECUTED, hostedToolCall, isHostedCall } from './hosted-tools.js';
import type { ModelOutput } from './sample.js';
import type { ResponsesSamplingParams } from './types.js';

/**
 * The /responses body for one item. Only parameters the run set are sent; `seed` is recorded on the sample
 * but never sent, because the Responses API rejects it. `store: false`: eval traffic should not pile up
 * in the upstream's stored responses.
 */
export function toResponsesRequest(model: string, messages: Message[], params: ResponsesSamplingParams | null | undefined): ResponsesRequest {
  const request: ResponsesRequest = { model, input: messages.flatMap(toResponsesItems), store: false };
  if (!params) return request;
  if (params.temperature != null) request.temperature = params.temperature;
  if (params.top_p != null) request.top_p = params.top_p;
  const maxTokens = params.max_completion_tokens ?? params.max_completions_tokens;
  if (maxTokens != null) request.max_output_tokens = maxTokens;
  if (params.reasoning_effort != null) request.reasoning = { effort: params.reasoning_effort };
  if (params.text?.format != null) request.text = { format: params.text.format };
  if (params.tools != null && params.tools.length > 0) request.tools = params.tools;
  return request;
}

// incomplete_details.reason → the chat-completions finish_reason graders and the dashboard expect.
const INCOMPLETE: Record<string, string> = { max_output_tokens: 'length', content_filter: 'content_filter' };

/** A response's output items folded into one assistant turn, chat-completions style. */
export function fromResponse(response: ResponseObject, requestedModel: string): ModelOutput {
  const texts: string[] = [];
  const refusals: string[] = [];
  const toolCalls: ToolCall[] = [];
  const hostedCalls: ToolCall[] = [];
  const hostedItems: Array<Record<string, unknown>> = [];
  let waitsForCaller = false;
  for (const item of response.output) {
    if (CLIENT_EXECUTED.has(item.type)) waitsForCaller = true;
    if (item.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content as Array<{ type: string; text?: unknown; refusal?: unknown }>) {
        if (part.type === 'output_text' && typeof part.text === 'string') texts.push(part.text);
        if (part.type === 'refusal' && typeof part.refusal === 'string') refusals.push(part.refusal);
      }
    } else if (item.type === 'function_call') {
      const call = item as { call_id?: unknown; id?: unknown; name?: unknown; arguments?: unknown };
      toolCalls.push({
        id: String(call.call_id ?? call.id ?? ''),
        type: 'function',
        function: { name: String(call.name ?? ''), arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}) },
      });
    } else if (isHostedCall(item)) {
      hostedCalls.push(hostedToolCall(item));
      hostedItems.push(item);
    }
  }
  const incomplete = response.status === 'incomplete' ? response.incomplete_details?.reason : undefined;
  return {
    model: typeof response.model === 'string' && response.model ? response.model : requestedModel,
    text: texts.join(''),
    refusal: refusals.length ? refusals.join('') : null,
    toolCalls,
    hostedCalls,
    hostedItems,
    finishReason: incomplete ? (INCOMPLETE[incomplete] ?? incomplete) : waitsForCaller ? 'tool_calls' : 'stop',
    usage: responsesUsage(response.usage),
  };
}
