import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError, quote } from './errors.js';
import { MAX_JSON_DEPTH, tooDeep } from './input-guards.js';

/** `['testing_criteria', 1, 'pass_threshold']` → `testing_criteria[1].pass_threshold`. */
export function paramPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

type Issue = z.core.$ZodIssue;

/**
 * What to report for an issue. A failed union (message content that may be a string, a part or a list of
 * parts; a grader's input) says only "Invalid input", so the branch that got furthest into the value
 * speaks for it: a list of parts whose second part lacks `image_url` is reported at `content[1].image_url`.
 * When every branch failed at the union itself, the types it takes are listed instead.
 */
function explain(issue: Issue): Issue {
  // A refused record key ("Invalid key in record") says why through the key schema's own issue.
  if (issue.code === 'invalid_key' && issue.issues[0]) return { ...issue, message: issue.issues[0].message };
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let best: Issue | null = null;
  for (const branch of issue.errors) {
    const inner = branch[0] && explain(branch[0]);
    if (inner && inner.path.length > 0 && (!best || inner.path.length > best.path.length)) best = inner;
  }
  if (best) return { ...best, path: [...issue.path, ...best.path] };
  const leaves = typeLeaves(issue);
  if (!leaves) return issue;
  const expected = [...new Set(leaves.map((leaf) => leaf.expected))];
  const received = /received (\w+)/.exec(leaves[0]!.message)?.[1];
  const list = expected.length > 1 ? `${expected.slice(0, -1).join(', ')} or ${expected.at(-1)}` : expected[0];
  return { ...issue, message: `expected ${list}${received ? `, received ${received}` : ''}` };
}

/** The type issues of a union (of unions) whose every branch refused the value for its type alone. */
function typeLeaves(issue: Issue): z.core.$ZodIssueInvalidType[] | null {
  if (issue.code === 'invalid_type') return [issue];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return null;
  const leaves: z.core.$ZodIssueInvalidType[] = [];
  for (const branch of issue.errors) {
    const first = branch[0];
    const inner = first && first.path.length === 0 ? typeLeaves(first) : null;
    if (!inner) return null;
    leaves.push(...inner);
  }
  return leaves;
}

const MAX_KEY_QUOTE = 256;

/** The first zod issue as a 400 ApiError whose `param` names the offending field. */
export function zodToApiError(error: z.ZodError, prefix = ''): ApiError {
  const issue = explain(error.issues[0]!);
  // A key can be a megabyte long: the error names it by its first characters.
  const param = paramPath(issue.path.map((k) => (typeof k === 'string' ? quote(k, MAX_KEY_QUOTE) : k)), prefix) || null;
  const where = param ? `'${param}'` : 'the request body';
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return ApiError.invalid(param, `Missing required parameter: ${where}.`, 'missing_required_parameter');
  }
  // A JSON object is what zod calls a record (a map of arbitrary keys).
  const detail = issue.message.replace(/^Invalid input: /, '').replace(/\bexpected record\b/, 'expected object');
  return ApiError.invalid(param, `Invalid value for ${where}: ${quote(detail, 500)}.`, 'invalid_value');
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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw ApiError.invalid(null, `We could not parse the JSON body of your request: ${quote((e as Error).message)}`, 'invalid_json');
  }
  const deep = tooDeep(value);
  if (deep) {
    const param = paramPath(deep.slice(0, MAX_JSON_DEPTH).map((k) => (typeof k === 'string' ? quote(k, 40) : k)));
    throw ApiError.invalid(param || null, `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels (at '${quote(param, 120)}'); evald accepts at most ${MAX_JSON_DEPTH}.`, 'nesting_too_deep');
  }
  return value;
}
