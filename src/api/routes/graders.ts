import type { ServerResponse } from 'node:http';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.js';
import { jsonBody } from '../validate.js';
import { RunGraderRequest, ValidateGraderRequest } from '../../services/graders.js';

/**
 * Aborts when the client hangs up, so a grader nobody waits for stops. Taken before the body is read: the
 * node adapter makes a request's signal on first use and aborts only signals that exist when the socket
 * closes, so one made after the hang-up would never fire.
 */
function hangUpSignal(c: Context<AppEnv>): AbortSignal {
  const signal = c.req.raw.signal;
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  return outgoing?.destroyed && !signal.aborted ? AbortSignal.abort(new Error('the client closed the connection')) : signal;
}

/** /v1/fine_tuning/alpha/graders */
export const gradersRoutes = new Hono<AppEnv>()
  .post('/fine_tuning/alpha/graders/run', async (c) => {
    const signal = hangUpSignal(c);
    return c.json(await c.var.services.graders.run(await jsonBody(c, RunGraderRequest), signal));
  })
  .post('/fine_tuning/alpha/graders/validate', async (c) =>
    c.json(await c.var.services.graders.validate((await jsonBody(c, ValidateGraderRequest)).grader)));
