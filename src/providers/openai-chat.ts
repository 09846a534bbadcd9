import { zeroUsage, type Choice, type ToolCall, type Usage } from '../domain/sample.js';
import { ProviderError, type Provider } from './provider.js';

/** A Chat Completions content part (the subset evald sends). */
export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: 'input_audio'; input_audio: { data: string; format: string } }
  | { type: 'file'; file: { file_id?: string; file_data?: string; filename?: string } };

/** A Chat Completions message as sent upstream. */
export interface ChatMessage {
  role: string;
  content: string | ChatContentPart[] | null;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

/** The body of POST /chat/completions; optional fields are omitted rather than sent as null. */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  top_p?: number;
  seed?: number;
  max_completion_tokens?: number;
  reasoning_effort?: string;
  response_format?: unknown;
  tools?: unknown[];
  modalities?: string[];
  audio?: Record<string, unknown>;
}

/** The parts of a chat.completion response evald reads. */
export interface ChatCompletion {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Choice[];
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    total_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number } | null;
  } | null;
}

/** POST /chat/completions on one provider (one attempt; the Limiter retries). */
export async function createChatCompletion(provider: Provider, request: ChatCompletionRequest, signal: AbortSignal): Promise<ChatCompletion> {
  const completion = await provider.post<ChatCompletion>('/chat/completions', request, signal);
  if (!completion || !Array.isArray(completion.choices)) {
    throw new ProviderError('fatal', 'invalid_response', `provider ${provider.name}: chat completion without a choices array`);
  }
  return completion;
}

/** Chat Completions usage in the Evals API's shape (missing numbers count as 0). */
export function chatUsage(usage: ChatCompletion['usage']): Usage {
  if (!usage) return zeroUsage();
  const prompt = usage.prompt_tokens ?? 0;
  const completion = usage.completion_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage.total_tokens ?? prompt + completion,
    cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
  };
}
