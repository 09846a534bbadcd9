import type { Directives } from './directives.js';

/** A request the real API would refuse with 400; the message mimics the real one where known. */
export class BadRequest extends Error {
  constructor(message: string, readonly param: string | null = null, readonly code: string | null = null) {
    super(message);
  }
}

/** A validated request, ready to be answered once faults and latency have been applied. */
export interface Prepared {
  model: string;
  /** All prompt text: directives are read from it, and fault attempts are counted per distinct value. */
  promptText: string;
  respond(directives: Directives): unknown;
}

/** Validates a request body (throwing BadRequest) and returns how to answer it. */
export type Endpoint = (body: Record<string, unknown>) => Prepared;

/** A plain JSON object (not null, not an array). */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Rejects top-level parameters outside `allowed`, like the real API does. */
export function checkParams(body: Record<string, unknown>, allowed: ReadonlySet<string>, style: 'chat' | 'responses'): void {
  for (const key of Object.keys(body)) {
    if (allowed.has(key)) continue;
    throw style === 'chat'
      ? new BadRequest(`Unrecognized request argument supplied: ${key}`, null)
      : new BadRequest(`Unknown parameter: '${key}'.`, key, 'unknown_parameter');
  }
}

/** The `model` parameter, or the real API's 400 when it is missing. */
export function requireModel(body: Record<string, unknown>): string {
  if (typeof body.model !== 'string' || body.model === '') throw new BadRequest("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  return body.model;
}

/** An optional positive integer parameter (undefined when absent or null). */
export function optionalInt(body: Record<string, unknown>, key: string, min = 1): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new BadRequest(`Invalid '${key}': integer below minimum value. Expected a value >= ${min}.`, key, 'integer_below_min_value');
  }
  return value as number;
}
