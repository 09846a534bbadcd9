import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from 'pino';
import { createApp } from './api/app.js';
import { gatewayFirst } from './api/gateway-listener.js';
import { createLogger } from './log.js';
import { loadProviderConfig } from './providers/index.js';
import { loadConfig, type Config } from './config.js';
import { createServices, type Services } from './services/index.js';
import { openStore, storeIsShareable, type Store } from './storage/index.js';
import { discardPrespawned, ThreadedEngine } from './engine-thread/host.js';
import { pythonSandboxStatus } from './graders/python/index.js';
import { pythonOptionsFromEnv } from './graders/python/options.js';
import { closeSimilarityThreads } from './graders/text-similarity/off-thread.js';

export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  services: Services;
  close(): Promise<void>;
}

/** Opens the store, applies migrations, starts the engine and serves the API until close(). */
export async function startServer(env: NodeJS.ProcessEnv = process.env, log?: Logger): Promise<RunningServer> {
  const config: Config = loadConfig(env);
  const logger = log ?? await createLogger(config.logLevel, config.logFormat);
  const store = await openStore(env);
  // With no API key ever made, evald is in open local mode and accepts any bearer: it must not listen
  // beyond this machine then, whatever HOST says. Revoked keys count: revoking the last key closes the
  // server to everyone rather than opening it (KeysService.isOpenMode).
  const openMode = (await store.keys.countEver()) === 0;
  let host = config.host;
  if (openMode) {
    if (!isLoopback(host)) logger.warn({ host }, 'no API key exists: binding to 127.0.0.1 instead of HOST until one is created');
    host = isLoopback(host) ? host : '127.0.0.1';
    logger.warn('open local mode: no API key exists, so any bearer is accepted as project "default". Create one with `evald keys create --project NAME`.');
  }

  // report_url needs the port actually bound (PORT=0 picks a free one), known only once listening.
  let url = config.publicUrl ?? '';
  // The engine gets a thread of its own wherever a second connection sees the same store; see host.ts.
  const threaded = config.worker && config.engineThread && storeIsShareable(env);
  if (!threaded) discardPrespawned();
  const services = createServices(store, config, logger, () => url, env, threaded ? new ThreadedEngine(env, logger) : undefined);
  // A server reachable from other machines accepts only keys, whatever becomes of the keys in the store.
  if (!isLoopback(host)) services.keys.requireKeys();
  const app = createApp(services, config, logger);
  // What @hono/node-server's serve() does, with the gateway's model calls taken before Hono (gateway-listener.ts).
  const server: Server = await new Promise((resolve, reject) => {
    const s = createServer({}, gatewayFirst(services, config.maxBodyBytes, logger, getRequestListener(app.fetch, { hostname: host })));
    s.listen(config.port, host, () => resolve(s));
    s.once('error', (e: NodeJS.ErrnoException) => {
      void store.close();
      reject(e.code === 'EADDRINUSE' ? new Error(`port ${config.port} on ${host} is already in use; set PORT to another port`) : e);
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const listening = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  url = config.publicUrl ?? listening;
  await services.fleet?.start();
  if (config.worker) {
    services.engine.start();
    services.dispatcher.start();
  }
  warnWithoutKey(env, logger);
  services.logs.startRetention();
  logger.info({ url: listening, store: store.description, worker: config.worker, engine_thread: threaded }, 'evald listening');
  // Said once at start, so an operator learns that python graders will refuse before a run finds out.
  void pythonSandboxStatus(pythonOptionsFromEnv(env)).then(
    (s) => (s.ready ? logger.info({ python_sandbox: s.mode, detail: s.detail }, 'python grader sandbox ready')
      : logger.warn({ python_sandbox: s.mode, detail: s.detail }, 'python graders will refuse to run')),
    () => {},
  );

  return {
    url: listening, port, store, services,
    async close() {
      await services.engine.stop();
      await services.fleet?.stop();
      services.logs.stop();
      await services.dispatcher.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.gatewayUsage.close();
      await services.logWriter.close();
      // Process-wide; the next use (another server in this process) starts new threads.
      await closeSimilarityThreads();
      await store.close();
    },
  };
}

/** Said at start: without OPENAI_API_KEY, OpenAI refuses every call, and a run would learn it item by item. */
function warnWithoutKey(env: NodeJS.ProcessEnv, log: Logger): void {
  const upstream = loadProviderConfig(env).defaultProvider;
  if (upstream.apiKey) return;
  log.warn({ base_url: upstream.baseUrl },
    `the default upstream ${upstream.baseUrl} has no key: OPENAI_API_KEY is not set, so models that no EVALD_CONFIG provider serves are called without one. `
    + 'Set OPENAI_API_KEY (a local server that needs no key may ignore this).');
}

const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
