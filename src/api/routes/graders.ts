import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { jsonBody } from '../validate.js';
import { RunGraderRequest, ValidateGraderRequest } from '../../services/graders.js';

/** /v1/fine_tuning/alpha/graders */
export const gradersRoutes = new Hono<AppEnv>()
  .post('/fine_tuning/alpha/graders/run', async (c) =>
    c.json(await c.var.services.graders.run(await jsonBody(c, RunGraderRequest), c.req.raw.signal)))
  .post('/fine_tuning/alpha/graders/validate', async (c) =>
    c.json(await c.var.services.graders.validate((await jsonBody(c, ValidateGraderRequest)).grader)));
