import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import type { Services } from '../services/index.js';
import type { Config } from '../config.js';
import { OPEN_MODE_PROJECT } from '../services/keys.js';
import { randomHex } from '../domain/ids.js';
import { ApiError } from './errors.js';
import { refuseNulInUrl } from './input-guards.js';
import { isStorageFull, isUnstorableText, STORAGE_FULL_MESSAGE } from '../storage/index.js';
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
    // API calls are logged at info; the dashboard's static assets (a page load fetches ~150) at debug.
    const entry = { request_id: requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started), ...c.get('apiError') };
    if (c.req.path.startsWith('/assets/')) log.debug(entry, 'request'); else log.info(entry, 'request');
  });

  app.get('/health', (c) => c.json({ status: 'ok' }));

  const v1 = new Hono<AppEnv>();
  v1.use('*', authenticate);
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
    if (err instanceof ApiError) {
      c.set('apiError', { code: err.code, param: err.param });
      c.header('x-request-id', requestId);
      return c.json(err.toBody(), err.status as 400);
    }
    c.header('x-request-id', requestId);
    if (isStorageFull(err)) {
      log.error({ request_id: requestId, err, cause: 'storage_full' }, `request refused: ${STORAGE_FULL_MESSAGE}`);
      const body = new ApiError(507, 'server_error', "evald's storage is full: the database or its disk has no space left. Try again once the operator has freed space.", null, 'storage_full').toBody();
      return c.json(body, 507);
    }
    if (isUnstorableText(err)) {
      const body = ApiError.invalid(null, 'A text value in this request contains a NUL character (\\u0000), which evald cannot store. Remove it.', 'invalid_value').toBody();
      return c.json(body, 400);
    }
    log.error({ request_id: requestId, err }, 'unhandled error');
    const body = new ApiError(500, 'server_error', `The server had an error processing your request (request id ${requestId}).`).toBody();
    return c.json(body, 500);
  });

  return app;
}

const GATEWAY_PATHS = new Set(['/v1/chat/completions', '/v1/responses', '/v1/embeddings']);

const authenticate = async (c: import('hono').Context<AppEnv>, next: () => Promise<void>) => {
  const keys = c.var.services.keys;
  const header = c.req.header('authorization') ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  if (bearer) {
    const project = await keys.projectOf(bearer);
    if (project) {
      c.set('project', project);
      return next();
    }
  }
  if (await keys.isOpenMode()) {
    c.set('project', OPEN_MODE_PROJECT);
    return next();
  }
  throw ApiError.unauthorized(bearer
    ? 'Incorrect API key provided. Make one with `evald keys create --project NAME`.'
    : "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.");
};
