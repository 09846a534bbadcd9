import { zeroUsage, type Usage } from '../domain/sample.js';
import { ProviderError, type Provider } from './provider.js';

/** A Responses API input content part (the subset evald sends). */
export type ResponsesInputPart =
  | { type: 'input_text'; text: string }
  | { type: 'input_image'; image_url: string; detail: string }
  | { type: 'input_audio'; input_audio: { data: string; format: string } }
  | { type: 'input_file'; file_id?: string; file_data?: string; filename?: string };

/** A Responses API input item: a message, or a prior tool call and its result. */
export type ResponsesInputItem =
  | { type: 'message'; role: string; content: string | ResponsesInputPart[] }
  | { type: 'function_call'; call_id: string; name: string; arguments: string }
  | { type: 'function_call_output'; call_id: string; output: string };

/** The body of POST /responses; optional fields are omitted rather than sent as null. */
export interface ResponsesRequest {
  model: string;
  input: ResponsesInputItem[];
  temperature?: number;
  top_p?: number;
  max_output_tokens?: number;
  reasoning?: { effort: string };
  text?: { format: unknown };
  tools?: unknown[];
  store?: boolean;
}

/** One item of a response's `output` (only the kinds evald reads are typed precisely). */
export type ResponseOutputItem =
  | {
      type: 'message';
      id?: string;
      role: 'assistant';
      content: Array<{ type: 'output_text'; text: string } | { type: 'refusal'; refusal: string }>;
    }
  | { type: 'function_call'; id?: string; call_id: string; name: string; arguments: string }
  | { type: Exclude<string, 'message' | 'function_call'>; [key: string]: unknown };

/** The parts of a `response` object evald reads. */
export interface ResponseObject {
  id: string;
  object: string;
  model: string;
  status?: string;
  output: ResponseOutputItem[];
  incomplete_details?: { reason?: string } | null;
  error?: { code?: string; message?: string } | null;
  usage?: {
    input_tokens?: number;
    output_tokens?: number;
    total_tokens?: number;
    input_tokens_details?: { cached_tokens?: number } | null;
  } | null;
}

/** POST /responses on one provider (one attempt; the Limiter retries). */
export async function createResponse(provider: Provider, request: ResponsesRequest, signal: AbortSignal): Promise<ResponseObject> {
  const response = await provider.post<ResponseObject>('/responses', request, signal);
  if (!response || !Array.isArray(response.output)) {
    throw new ProviderError('fatal', 'invalid_response', `provider ${provider.name}: response without an output array`);
  }
  if (response.status === 'failed') {
    const detail = response.error?.message ?? 'no detail';
    throw new ProviderError('fatal', response.error?.code ?? 'response_failed', `provider ${provider.name}: response failed: ${detail}`);
  }
  return response;
}

/** Responses usage in the Evals API's shape (input → prompt, output → completion). */
export function responsesUsage(usage: ResponseObject['usage']): Usage {
  if (!usage) return zeroUsage();
  const prompt = usage.input_tokens ?? 0;
  const completion = usage.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage.total_tokens ?? prompt + completion,
    cached_tokens: usage.input_tokens_details?.cached_tokens ?? 0,
  };
}
