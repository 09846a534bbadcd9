import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { queryOf } from '../validate.js';
import { LogListQuery, metadataQuery } from '../../schemas/index.js';

// evald's own extension (OpenAI lists stored chat completions, not responses, and filters neither by date):
// the dashboard's Logs page lists both kinds with a run source's filters, so what it shows is what
// "evaluate these" selects.

/** GET /v1/evald/logs?kind=chat.completion|response&model=&metadata[k]=v&created_after=&created_before=&after=&limit=&order= */
export const logListRoutes = new Hono<AppEnv>()
  .get('/evald/logs', async (c) =>
    c.json(await c.var.services.logs.listLogs(c.var.project, queryOf(c, LogListQuery), metadataQuery(c.req.query()))));
