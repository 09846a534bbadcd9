import type { Usage } from '../domain/sample.js';
import { ProviderError, type Provider } from './provider.js';

/** The body of POST /embeddings. evald always asks for floats (the SDK's base64 default is not ours). */
export interface EmbeddingsRequest {
  model: string;
  input: string[];
  encoding_format: 'float';
  dimensions?: number;
}

/** An embeddings list response. */
export interface EmbeddingsResponse {
  object: string;
  model: string;
  data: Array<{ object: string; index: number; embedding: number[] }>;
  usage?: { prompt_tokens?: number; total_tokens?: number } | null;
}

/** POST /embeddings on one provider (one attempt); vectors come back ordered by input index. */
export async function createEmbeddings(
  provider: Provider,
  request: EmbeddingsRequest,
  signal: AbortSignal,
): Promise<{ vectors: number[][]; model: string; usage: Usage }> {
  const response = await provider.post<EmbeddingsResponse>('/embeddings', request, signal);
  const data = Array.isArray(response?.data) ? [...response.data].sort((a, b) => a.index - b.index) : [];
  if (data.length !== request.input.length || !data.every((d) => Array.isArray(d.embedding))) {
    throw new ProviderError('fatal', 'invalid_response', `provider ${provider.name}: expected ${request.input.length} embeddings, got ${data.length}`);
  }
  const prompt = response.usage?.prompt_tokens ?? 0;
  return {
    vectors: data.map((d) => d.embedding),
    model: response.model ?? request.model,
    usage: { prompt_tokens: prompt, completion_tokens: 0, total_tokens: response.usage?.total_tokens ?? prompt, cached_tokens: 0 },
  };
}
