// evald's own extension, not part of OpenAI's API (documented in docs/extensions.md): the dashboard's
// server-side search, filters and sort over a run's items, its score histograms, its progress against the
// source's row count, and which project the caller's key belongs to. Paths OpenAI does not use.
import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { queryOf } from '../validate.js';
import { ItemSearchQuery, ScoreHistogramsQuery } from '../../schemas/item-search.js';

const RUN = '/evals/:eval_id/runs/:run_id';

/** /v1/evals/{eval_id}/runs/{run_id}/item_search, …/score_histograms, …/progress; /v1/evald/whoami */
export const itemSearchRoutes = new Hono<AppEnv>()
  .get(`${RUN}/item_search`, async (c) =>
    c.json(await c.var.services.itemSearch.search(c.var.project, c.req.param('eval_id'), c.req.param('run_id'), queryOf(c, ItemSearchQuery))))
  .get(`${RUN}/score_histograms`, async (c) =>
    c.json(await c.var.services.itemSearch.histograms(c.var.project, c.req.param('eval_id'), c.req.param('run_id'), queryOf(c, ScoreHistogramsQuery).bins)))
  .get(`${RUN}/progress`, async (c) =>
    c.json(await c.var.services.itemSearch.progress(c.var.project, c.req.param('eval_id'), c.req.param('run_id'))))
  .get('/evald/whoami', async (c) =>
    c.json({ object: 'evald.whoami', project: c.var.project, open_mode: await c.var.services.keys.isOpenMode() }));
