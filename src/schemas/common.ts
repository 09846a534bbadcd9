import { z } from 'zod';

/**
 * A string stored as a text column (a name, a model, an id looked up): PostgreSQL's text cannot hold a
 * NUL character, so it is refused on every backend alike. Strings inside JSON values (rows, metadata) are
 * stored escaped and may hold one.
 */
export const Text = z.string().refine((s) => !s.includes('\u0000'), { error: 'must not contain a NUL character (\\u0000)' });

// A key `__proto__` would not survive as a key of a plain object: z.record drops it without a word. It is
// refused by name instead.
const noProtoKey = (what: string) => (value: unknown, ctx: z.RefinementCtx) => {
  if (value && typeof value === 'object' && Object.hasOwn(value, '__proto__')) {
    ctx.addIssue({ code: 'custom', path: ['__proto__'], message: `'__proto__' cannot be a ${what} key` });
  }
};

/** `Metadata`: up to 16 string keys (≤ 64 chars) with string values (≤ 512 chars), or null. */
export const Metadata = z.unknown().superRefine(noProtoKey('metadata')).pipe(z
  .record(z.string().max(64, { error: 'metadata keys must be at most 64 characters' }),
    z.string({ error: 'metadata values must be strings' }).max(512, { error: 'metadata values must be at most 512 characters' }))
  .refine((m) => Object.keys(m).length <= 16, { error: 'metadata may have at most 16 keys' })
  .nullable());
export type Metadata = z.infer<typeof Metadata>;

export const Order = z.enum(['asc', 'desc']);

// The SDK's generated tests send `limit=0` and unknown cursors to real endpoints and expect a 2xx, so a limit
// outside 1..max is clamped rather than rejected; a limit that is not a number at all is still a 400.
const limit = (fallback: number, max: number) =>
  z.coerce.number({ error: 'limit must be an integer' }).int({ error: 'limit must be an integer' })
    .optional()
    .transform((n) => (n === undefined ? fallback : Math.min(Math.max(n, 1), max)));

/** Query of every cursor-paged list: `after`, `limit`, `order`. */
export const pageQuery = (defaults: { limit: number; max: number; order: 'asc' | 'desc' }) =>
  z.object({
    after: z.string().optional(),
    limit: limit(defaults.limit, defaults.max),
    order: Order.default(defaults.order),
  });

/** An object whose keys are free-form, as JSON Schema allows (`additionalProperties: true`). */
export const JsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObject>;
