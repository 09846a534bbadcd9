import { z } from 'zod';
import { Metadata, pageQuery } from './common.js';

/** `GET /chat/completions` (stored completions); `metadata[k]=v` pairs are read from the raw query. */
export const ChatCompletionListQuery = pageQuery({ limit: 20, max: 100, order: 'asc' }).extend({ model: z.string().optional() });
export type ChatCompletionListQuery = z.infer<typeof ChatCompletionListQuery>;

const createdBound = z.coerce.number().int().min(0).optional();
/**
 * `GET /evald/logs` (evald's extension): stored chat completions or responses, newest first by default, with
 * the filters a stored_completions / responses run source takes (model, metadata pairs, created bounds).
 */
export const LogListQuery = pageQuery({ limit: 20, max: 100, order: 'desc' }).extend({
  kind: z.enum(['chat.completion', 'response']).default('chat.completion'),
  model: z.string().optional(),
  created_after: createdBound,
  created_before: createdBound,
});
export type LogListQuery = z.infer<typeof LogListQuery>;

/** `POST /chat/completions/{id}`: only metadata can change. */
export const ChatCompletionUpdateParams = z.object({ metadata: Metadata });
export type ChatCompletionUpdateParams = z.infer<typeof ChatCompletionUpdateParams>;

/** `GET /chat/completions/{id}/messages`. */
export const ChatCompletionMessagesQuery = pageQuery({ limit: 20, max: 100, order: 'asc' });
export type ChatCompletionMessagesQuery = z.infer<typeof ChatCompletionMessagesQuery>;

/** `GET /responses/{id}/input_items` (newest first by default, as OpenAI). */
export const InputItemsQuery = pageQuery({ limit: 20, max: 100, order: 'desc' });
export type InputItemsQuery = z.infer<typeof InputItemsQuery>;

/** The `metadata[key]=value` pairs of a query string. */
export function metadataQuery(query: Record<string, string>): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const [key, value] of Object.entries(query)) {
    const m = /^metadata\[(.+)\]$/.exec(key);
    if (m) (out ??= {})[m[1]!] = value;
  }
  return out;
}
