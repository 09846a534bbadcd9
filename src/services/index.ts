import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Store } from '../storage/index.js';
import { RunEngine, type Engine } from '../engine/run-engine.js';
import { EvalsService } from './evals.js';
import { FilesService } from './files.js';
import { KeysService } from './keys.js';
import { RunsService } from './runs.js';
import { GradersService } from './graders.js';
import { ItemSearchService } from './item-search.js';
import { createModelLayer, type ModelLayer } from './models.js';
import { pythonOptionsFromEnv } from '../graders/python/options.js';
import { CompareService } from './compare.js';
import { ExportService } from './export.js';
import { Fleet, shareBudgetsThrough } from './fleet.js';
import { createRunEngine } from './run-engine.js';
import { checkPythonSource } from '../graders/python/check-source.js';
import { GatewayService } from './gateway.js';
import { GatewayUsageCounter } from './gateway-usage.js';
import { LogsService } from './logs.js';
import { LogWriter } from './log-writer.js';
import { WebhooksService } from './webhooks.js';
import { createSender } from '../webhooks/send.js';
import { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { DEFAULT_RETRY } from '../webhooks/backoff.js';

export { createModelLayer, createRunEngine, Fleet, shareBudgetsThrough };

/** Every use-case the API and CLI call, built once per process. */
export interface Services {
  keys: KeysService;
  evals: EvalsService;
  runs: RunsService;
  files: FilesService;
  graders: GradersService;
  /** evald's extensions (docs/extensions.md). */
  compare: CompareService;
  exports: ExportService;
  itemSearch: ItemSearchService;
  engine: Engine;
  /**
   * Set on PostgreSQL, where other processes may share the providers' limits (start it with the server).
   * Null when the engine has a thread of its own: the fleet then lives there, beside the engine's router.
   */
  fleet: Fleet | null;
  gateway: GatewayService;
  gatewayUsage: GatewayUsageCounter;
  /** The gateway's logs on their way to the store, a few milliseconds at a time (close it before the store). */
  logWriter: LogWriter;
  logs: LogsService;
  webhooks: WebhooksService;
  /** Delivers the webhook outbox; started with the engine, in worker processes. */
  dispatcher: WebhookDispatcher;
}

/**
 * Wires services, the model layer and the run engine over one store. The engine is not started here; it
 * is `engine` when given (the engine thread's host), else a RunEngine in this thread over `store`.
 */
export function createServices(
  store: Store, config: Config, log: Logger, reportBase: () => string, env: NodeJS.ProcessEnv = process.env, external?: Engine,
): Services {
  const models = createModelLayer(log, env);
  const engine = external ?? createRunEngine(store, config, log, models);
  // One rate budget per provider for every router on this store: with the engine in its own thread, its
  // router and this one (gateway, graders API) are two; on PostgreSQL, other processes have theirs.
  if (external || store.dialect === 'postgres') shareBudgetsThrough(models.router, store);
  const checkPython = (source: string) => checkPythonSource(source);
  // After a delete the engine is told, which purges the deleted runs' rows in the background.
  const evals = new EvalsService(store, checkPython, () => engine.notify());
  const logWriter = new LogWriter(store, log);
  const runs = new RunsService(store, evals, engine, reportBase, () => logWriter.flush(), () => engine.notify());
  const gatewayUsage = new GatewayUsageCounter(store, log);
  const sender = createSender({ timeoutMs: config.webhooks.timeoutMs, allowPrivate: config.webhooks.allowPrivate, userAgent: 'evald-webhooks/1.0' });
  const dispatcher = new WebhookDispatcher(store, sender, log, {
    timeoutMs: config.webhooks.timeoutMs,
    retry: { ...DEFAULT_RETRY, firstDelayMs: config.webhooks.retryFirstDelayMs },
  });
  return {
    keys: new KeysService(store),
    evals,
    runs,
    itemSearch: new ItemSearchService(store, runs),
    files: new FilesService(store, config.maxFileBytes),
    graders: new GradersService(models.access, models.createPython, checkPython, pythonOptionsFromEnv(env).workers),
    compare: new CompareService(store),
    exports: new ExportService(store),
    engine,
    fleet: store.dialect === 'postgres' && engine instanceof RunEngine ? new Fleet(store, models.router, engine.owner, log) : null,
    gateway: new GatewayService(store, models.router, gatewayUsage, logWriter, { storeAll: config.storeAll, logRetentionDays: config.logRetentionDays }),
    gatewayUsage,
    logWriter,
    logs: new LogsService(store, log, () => logWriter.flush()),
    webhooks: new WebhooksService(store, sender, config.webhooks.allowPrivate),
    dispatcher,
  };
}
