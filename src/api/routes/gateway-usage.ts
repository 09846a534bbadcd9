import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env.js';
import { queryOf } from '../validate.js';

// evald's own extension (OpenAI has no such path): the gateway's calls and tokens of the key's project.
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a UTC day as YYYY-MM-DD' }).optional();
const UsageQuery = z.object({ start_day: day, end_day: day });

/** GET /v1/evald/gateway/usage?start_day=YYYY-MM-DD&end_day=YYYY-MM-DD: per-day, per-model gateway usage. */
export const gatewayUsageRoutes = new Hono<AppEnv>()
  .get('/evald/gateway/usage', async (c) => {
    const q = queryOf(c, UsageQuery);
    return c.json(await c.var.services.gateway.usageView(c.var.project, q.start_day, q.end_day));
  });
