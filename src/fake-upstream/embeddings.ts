import { BadRequest, checkParams, optionalInt, requireModel, type Endpoint } from './endpoint.js';
import { countTokens, fnv1a } from './text.js';

const PARAMS = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user']);
const DEFAULT_DIMENSIONS: Record<string, number> = { 'text-embedding-3-large': 3072, 'text-embedding-3-small': 1536, 'text-embedding-ada-002': 1536 };

/**
 * A hashed bag of words: each lower-cased word adds ±1 to one of `dimensions` buckets, then the vector is
 * L2-normalised. Texts that share words have a higher cosine; unrelated texts land near 0; same text, 1.
 */
export function embedText(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const h = fnv1a(word);
    vector[h % dimensions]! += h & 0x80000000 ? -1 : 1;
  }
  const norm = Math.hypot(...vector);
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  return vector.map((v) => v / norm);
}

function inputs(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0) {
    // Token-id arrays are allowed by the API; the fake embeds their decimal text.
    return input.map((x) => (typeof x === 'string' ? x : Array.isArray(x) || typeof x === 'number' ? String(x) : ''));
  }
  throw new BadRequest("'input' : input must be a string or a non-empty array", 'input');
}

/** POST /v1/embeddings (float or base64 little-endian float32, as the real API). */
export const embeddings: Endpoint = (body) => {
  checkParams(body, PARAMS, 'responses');
  const model = requireModel(body);
  const texts = inputs(body.input);
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') throw new BadRequest("Invalid 'encoding_format': expected float or base64.", 'encoding_format');
  const dimensions = optionalInt(body, 'dimensions') ?? DEFAULT_DIMENSIONS[model] ?? 256;
  return {
    model,
    promptText: texts.join('\n'),
    respond() {
      const tokens = texts.reduce((n, t) => n + countTokens(t), 0);
      return {
        object: 'list',
        data: texts.map((text, index) => {
          const vector = embedText(text, dimensions);
          const embedding = format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
          return { object: 'embedding', index, embedding };
        }),
        model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
    },
  };
};
