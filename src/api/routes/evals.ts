import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { jsonBody, queryOf } from '../validate.js';
import { EvalCreateParams, EvalListQuery, EvalUpdateParams } from '../../schemas/index.js';

/** /v1/evals */
export const evalsRoutes = new Hono<AppEnv>()
  .post('/evals', async (c) =>
    c.json(await c.var.services.evals.create(c.var.project, await jsonBody(c, EvalCreateParams)), 201))
  .get('/evals', async (c) =>
    c.json(await c.var.services.evals.list(c.var.project, queryOf(c, EvalListQuery))))
  .get('/evals/:eval_id', async (c) =>
    c.json(await c.var.services.evals.retrieve(c.var.project, c.req.param('eval_id'))))
  .post('/evals/:eval_id', async (c) =>
    c.json(await c.var.services.evals.update(c.var.project, c.req.param('eval_id'), await jsonBody(c, EvalUpdateParams))))
  .delete('/evals/:eval_id', async (c) =>
    c.json(await c.var.services.evals.delete(c.var.project, c.req.param('eval_id'))));
