import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.js';
import type { JsonText } from '../../services/wire.js';
import { jsonBody, queryOf } from '../validate.js';
import { RunCreateParams, RunListQuery } from '../../schemas/index.js';

// Run bodies arrive as JSON text (see runToJson): sent as they are.
const send = (c: Context, body: JsonText, status: 200 | 201 = 200) =>
  c.body(body.text, status, { 'content-type': 'application/json' });

/** /v1/evals/{eval_id}/runs */
export const runsRoutes = new Hono<AppEnv>()
  .post('/evals/:eval_id/runs', async (c) =>
    send(c, await c.var.services.runs.create(c.var.project, c.req.param('eval_id'), await jsonBody(c, RunCreateParams)), 201))
  .get('/evals/:eval_id/runs', async (c) =>
    send(c, await c.var.services.runs.list(c.var.project, c.req.param('eval_id'), queryOf(c, RunListQuery))))
  .get('/evals/:eval_id/runs/:run_id', async (c) =>
    send(c, await c.var.services.runs.retrieve(c.var.project, c.req.param('eval_id'), c.req.param('run_id'))))
  // Cancel is a POST to the run itself (the SDKs); `/cancel` is the spec's curl example, kept as an alias.
  .post('/evals/:eval_id/runs/:run_id', async (c) =>
    send(c, await c.var.services.runs.cancel(c.var.project, c.req.param('eval_id'), c.req.param('run_id'))))
  .post('/evals/:eval_id/runs/:run_id/cancel', async (c) =>
    send(c, await c.var.services.runs.cancel(c.var.project, c.req.param('eval_id'), c.req.param('run_id'))))
  .delete('/evals/:eval_id/runs/:run_id', async (c) =>
    c.json(await c.var.services.runs.delete(c.var.project, c.req.param('eval_id'), c.req.param('run_id'))));
