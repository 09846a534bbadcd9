import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from './errors.js';

/** `['testing_criteria', 1, 'pass_threshold']` → `testing_criteria[1].pass_threshold`. */
export function paramPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** The first zod issue as a 400 ApiError whose `param` names the offending field. */
export function zodToApiError(error: z.ZodError, prefix = ''): ApiError {
  const issue = error.issues[0]!;
  const param = paramPath(issue.path, prefix) || null;
  const where = param ? `'${param}'` : 'the request body';
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return ApiError.invalid(param, `Missing required parameter: ${where}.`, 'missing_required_parameter');
  }
  const detail = issue.message.replace(/^Invalid input: /, '');
  return ApiError.invalid(param, `Invalid value for ${where}: ${detail}.`, 'invalid_value');
}

/** Parses `value` with `schema` or throws the 400 for its first issue. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw zodToApiError(result.error, prefix);
  return result.data;
}

/** The request's JSON body, validated by `schema` (an empty body counts as `{}`). */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  return parseOr400(schema, await readJson(c));
}

/** The request's query string, validated by `schema`. */
export function queryOf<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseOr400(schema, c.req.query());
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw ApiError.invalid(null, `We could not parse the JSON body of your request: ${(e as Error).message}`, 'invalid_json');
  }
}
