import type { Context, Next } from 'hono';
import { ApiError, quote } from './errors.js';

export { MAX_JSON_DEPTH, tooDeep } from '../domain/json-depth.js';

// The path segment an id follows names the id: /evals/{eval_id}/runs/{run_id}/output_items/{output_item_id}.
const ID_AFTER: Record<string, string> = { evals: 'eval_id', runs: 'run_id', output_items: 'output_item_id', files: 'file_id' };

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/**
 * Refuses a NUL character (U+0000) anywhere in the path or query with a 400 naming the parameter.
 * PostgreSQL's text cannot hold one, so it would otherwise fail the query as a 500; no id or cursor ever
 * contains one, so the answer is the same on every backend.
 */
export async function refuseNulInUrl(c: Context, next: Next): Promise<void> {
  const url = c.req.url;
  if (url.includes('%00') || url.includes('\u0000')) {
    const { pathname, searchParams } = new URL(url);
    const segments = pathname.split('/');
    for (let i = 0; i < segments.length; i++) {
      if (decode(segments[i]!).includes('\u0000')) {
        const param = ID_AFTER[segments[i - 1] ?? ''] ?? null;
        throw ApiError.invalid(param, `The path ${param ? `parameter '${param}'` : 'segment'} '${quote(decode(segments[i]!).replaceAll('\u0000', '\\u0000'), 80)}' contains a NUL character (\\u0000), which no id ever does.`, 'invalid_value');
      }
    }
    for (const [key, value] of searchParams) {
      if (key.includes('\u0000') || value.includes('\u0000')) {
        throw ApiError.invalid(quote(key.replaceAll('\u0000', '\\u0000'), 80), `The query parameter '${quote(key.replaceAll('\u0000', '\\u0000'), 80)}' contains a NUL character (\\u0000).`, 'invalid_value');
      }
    }
  }
  await next();
}
