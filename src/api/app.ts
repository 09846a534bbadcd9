import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import type { Services } from '../services/index.js';
import type { Config } from '../config.js';
import { randomHex } from '../domain/ids.js';
import { ApiError } from './errors.js';
import { refuseNulInUrl } from './input-guards.js';
import { answerError } from './answer-error.js';
import { authenticate } from './authenticate.js';
import type { AppEnv } from './env.js';
import { evalsRoutes } from './routes/evals.js';
import { runsRoutes } from './routes/runs.js';
import { outputItemsRoutes } from './routes/output-items.js';
import { filesRoutes } from './routes/files.js';
import { gradersRoutes } from './routes/graders.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { extensionsRoutes } from './routes/extensions.js';
import { itemSearchRoutes } from './routes/item-search.js';
import { gatewayRoutes } from './routes/gateway.js';
import { logsRoutes } from './routes/logs.js';
import { logListRoutes } from './routes/log-list.js';
import { gatewayUsageRoutes } from './routes/gateway-usage.js';
import { webhooksRoutes } from './routes/webhooks.js';

/** Builds the HTTP app: /health, the /v1 API, the dashboard, one error envelope for everything. */
export function createApp(services: Services, config: Config, log: Logger): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const requestId = `req_${randomHex(12)}`;
    const started = performance.now();
    c.set('requestId', requestId);
    c.set('services', services);
    c.set('log', log);
    // Set before the handler runs, so the handler's response is built with it. Setting a header on a
    // finished response makes Hono rebuild it as a full web Response with a stream body, which costs
    // more than the rest of a small GET. A handler that returns its own Response object gets it after.
    c.header('x-request-id', requestId);
    await next();
    if (!c.res.headers.has('x-request-id')) c.header('x-request-id', requestId);
    // API calls are logged at info; the dashboard's static assets (its lazily imported modules) at debug.
    const entry = { request_id: requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started), ...c.get('apiError') };
    if (c.req.path.startsWith('/assets/')) log.debug(entry, 'request'); else log.info(entry, 'request');
  });

  app.get('/health', (c) => c.json({ status: 'ok' }));

  const v1 = new Hono<AppEnv>();
  v1.use('*', authenticateRequest);
  v1.use('*', refuseNulInUrl);
  // Uploads stream with their own (larger) limit; every other body is JSON and capped here.
  const jsonLimit = bodyLimit({
    maxSize: config.maxBodyBytes,
    onError: () => { throw ApiError.tooLarge(`Request body is larger than ${config.maxBodyBytes} bytes.`); },
  });
  // Only methods with a body are checked: reading `body` turns the server's lightweight request into a
  // full web Request, which would cost every GET more than the GET itself. Gateway calls read their bytes
  // from the Node request themselves, under the same limit.
  v1.use('*', async (c, next) => {
    const method = c.req.method;
    const hasBody = method !== 'GET' && method !== 'HEAD' && method !== 'DELETE' && method !== 'OPTIONS';
    return hasBody && !(method === 'POST' && (c.req.path.endsWith('/files') || GATEWAY_PATHS.has(c.req.path))) ? jsonLimit(c, next) : next();
  });
  v1.route('/', evalsRoutes);
  v1.route('/', runsRoutes);
  v1.route('/', outputItemsRoutes);
  v1.route('/', filesRoutes);
  v1.route('/', gradersRoutes);
  v1.route('/', extensionsRoutes);
  v1.route('/', itemSearchRoutes);
  v1.route('/', gatewayRoutes(config.maxBodyBytes));
  v1.route('/', logsRoutes);
  v1.route('/', logListRoutes);
  v1.route('/', gatewayUsageRoutes);
  v1.route('/', webhooksRoutes);
  app.route('/v1', v1);
  app.route('/', dashboardRoutes);

  app.notFound((c) => {
    const body = new ApiError(404, 'invalid_request_error', `Unknown request URL: ${c.req.method} ${c.req.path}.`, null, 'unknown_url').toBody();
    c.set('apiError', { code: 'unknown_url', param: null });
    return c.json(body, 404);
  });

  app.onError((err, c) => {
    const requestId = c.get('requestId');
    const answer = answerError(err, requestId, log);
    if (answer.apiError) c.set('apiError', answer.apiError);
    c.header('x-request-id', requestId);
    return c.json(answer.body, answer.status as 400);
  });

  return app;
}

const GATEWAY_PATHS = new Set(['/v1/chat/completions', '/v1/responses', '/v1/embeddings']);

const authenticateRequest = async (c: import('hono').Context<AppEnv>, next: () => Promise<void>) => {
  c.set('project', await authenticate(c.var.services.keys, c.req.header('authorization')));
  return next();
};
