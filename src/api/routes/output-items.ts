import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { queryOf } from '../validate.js';
import { OutputItemListQuery } from '../../schemas/index.js';

/** /v1/evals/{eval_id}/runs/{run_id}/output_items */
export const outputItemsRoutes = new Hono<AppEnv>()
  .get('/evals/:eval_id/runs/:run_id/output_items', async (c) =>
    c.json(await c.var.services.runs.listItems(c.var.project, c.req.param('eval_id'), c.req.param('run_id'), queryOf(c, OutputItemListQuery))))
  .get('/evals/:eval_id/runs/:run_id/output_items/:item_id', async (c) =>
    c.json(await c.var.services.runs.retrieveItem(c.var.project, c.req.param('eval_id'), c.req.param('run_id'), c.req.param('item_id'))));
