import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.js';
import type { GatewayEndpoint } from '../../gateway/answer-tap.js';
import { nodeBindings, pipeToClient, readBody } from '../node-pipe.js';

/**
 * A model call, piped: the body goes upstream as bytes, the answer comes back on the Node response as it
 * arrives (Hono never holds it). The handler returns once the answer has ended, so the request log's time
 * is the call's.
 */
const forward = (endpoint: GatewayEndpoint, maxBodyBytes: number) => async (c: Context<AppEnv>) => {
  const { incoming, outgoing } = nodeBindings(c);
  const body = await readBody(incoming, maxBodyBytes);
  const controller = new AbortController();
  // The client went away before the end: stop the upstream call too.
  outgoing.once('close', () => { if (!outgoing.writableFinished) controller.abort(new Error('the client closed the connection')); });
  await new Promise<void>((resolve) => {
    c.var.services.gateway.call(c.var.project, endpoint, body, c.req.header('accept'), pipeToClient(outgoing, c.var.requestId, resolve), controller.signal);
  });
  // Tells @hono/node-server the response is written; x-request-id keeps the request log from rebuilding it.
  return new Response(null, { headers: { 'x-hono-already-sent': 'true', 'x-request-id': c.var.requestId } });
};

/** /v1/chat/completions, /v1/responses, /v1/embeddings (POST: the gateway) and /v1/models. */
export const gatewayRoutes = (maxBodyBytes: number) => new Hono<AppEnv>()
  .post('/chat/completions', forward('chat', maxBodyBytes))
  .post('/responses', forward('responses', maxBodyBytes))
  .post('/embeddings', forward('embeddings', maxBodyBytes))
  .get('/models', async (c) => c.json(await c.var.services.gateway.models()));
