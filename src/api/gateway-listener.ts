import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { GatewayEndpoint } from '../gateway/answer-tap.js';
import type { Services } from '../services/index.js';
import { randomHex } from '../domain/ids.js';
import { answerError } from './answer-error.js';
import { authenticate } from './authenticate.js';
import { pipeToClient, readBody } from './node-pipe.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const ENDPOINTS = new Map<string, GatewayEndpoint>([
  ['/v1/chat/completions', 'chat'], ['/v1/responses', 'responses'], ['/v1/embeddings', 'embeddings'],
]);

/**
 * The gateway's model calls (`POST /v1/chat/completions`, `/v1/responses`, `/v1/embeddings`), served from
 * Node's request listener ahead of Hono; every other request goes on to `next` (the Hono app). Through Hono
 * a call paid for a context, a web Request, two Headers objects built from the Node headers, and a Response
 * it never sent: about a tenth of its CPU, plus the garbage. The answer is the same either way: the same
 * authentication, the same error envelopes (answerError, which app.onError uses too), `x-request-id` on every
 * answer, and the same request log line, whose `status` here is the status actually sent (through Hono it
 * was the placeholder Response's 200, whatever the upstream answered).
 *
 * Only the three paths exactly, optionally with a query, are taken; anything else that could route there
 * (a query holding a NUL, which Hono's guard refuses; an absolute-form or percent-encoded target) still
 * goes through Hono, whose gateway routes stay for it.
 */
export function gatewayFirst(services: Services, maxBodyBytes: number, log: Logger, next: Listener): Listener {
  return (req, res) => {
    const endpoint = req.method === 'POST' ? endpointOf(req.url ?? '') : undefined;
    if (endpoint === undefined) return next(req, res);
    void serve(services, maxBodyBytes, log, req, res, endpoint[0], endpoint[1]);
  };
}

function endpointOf(url: string): [GatewayEndpoint, string] | undefined {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const endpoint = ENDPOINTS.get(path);
  if (endpoint === undefined || (q !== -1 && (url.includes('%00') || url.includes('\u0000')))) return undefined;
  return [endpoint, path];
}

async function serve(services: Services, maxBodyBytes: number, log: Logger, req: IncomingMessage, res: ServerResponse, endpoint: GatewayEndpoint, path: string): Promise<void> {
  const requestId = `req_${randomHex(12)}`;
  const started = performance.now();
  let apiError: { code: string | null; param: string | null } | undefined;
  try {
    const project = await authenticate(services.keys, authorizationOf(req));
    const body = await readBody(req, maxBodyBytes);
    const controller = new AbortController();
    // The client went away before the end: stop the upstream call too.
    res.once('close', () => { if (!res.writableFinished) controller.abort(new Error('the client closed the connection')); });
    await new Promise<void>((resolve) => {
      services.gateway.call(project, endpoint, body, req.headers.accept, pipeToClient(res, requestId, resolve), controller.signal);
    });
  } catch (err) {
    const answer = answerError(err, requestId, log);
    apiError = answer.apiError;
    if (!res.headersSent && !res.destroyed) {
      const text = JSON.stringify(answer.body);
      // As Hono sends c.json: these headers, in this order.
      res.writeHead(answer.status, { 'content-type': 'application/json', 'x-request-id': requestId, 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    }
  }
  if (log.isLevelEnabled('info')) {
    log.info({ request_id: requestId, method: 'POST', path, status: res.statusCode, ms: Math.round(performance.now() - started), ...apiError }, 'request');
  }
}

/**
 * The Authorization header as a web Headers object (Hono's) gives it: Node keeps only the first of several,
 * Headers joins them with ", " (which no key matches, so such a request is not authenticated by its first).
 */
function authorizationOf(req: IncomingMessage): string | undefined {
  const raw = req.rawHeaders;
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') value = value === undefined ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
  }
  return value;
}
