import { z } from 'zod';

/** `Metadata`: up to 16 string keys (≤ 64 chars) with string values (≤ 512 chars), or null. */
export const Metadata = z
  .record(z.string().max(64, { error: 'metadata keys must be at most 64 characters' }),
    z.string({ error: 'metadata values must be strings' }).max(512, { error: 'metadata values must be at most 512 characters' }))
  .refine((m) => Object.keys(m).length <= 16, { error: 'metadata may have at most 16 keys' })
  .nullable();
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
