// The engine thread's main module (see host.ts): opens its own connection to the store and executes runs
// with the same RunEngine the API thread would run inline, so the API's requests and the engine's items
// never wait for each other's turn of one event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { loadConfig } from '../config.js';
// Not services/index.js: the thread needs the engine and the model layer, not the API's other services
// (gateway, logs, webhooks, compare, export), whose modules would be loaded and kept a second time here.
import { createModelLayer } from '../services/models.js';
import { createRunEngine } from '../services/run-engine.js';
import { Fleet, shareBudgetsThrough } from '../services/fleet.js';
import { openStore } from '../storage/index.js';
import type { HostMessage, ThreadData } from './host.js';

const port = parentPort!;
const { env, logLevel, waitForStart } = workerData as ThreadData;
// Log lines go to the API thread, which writes them through its own logger: one stream, one format.
const log = pino({ level: logLevel, base: null, timestamp: false }, { write: (line: string) => port.postMessage({ type: 'log', line }) });

// A thread started early (prespawnEngineThread) has loaded its modules beside the API thread's start and
// opens the store only once told to: by then the API thread has migrated it. A stop first ends it as is.
const go = new Promise<boolean>((resolve) => {
  if (!waitForStart) return resolve(true);
  const first = (message: HostMessage) => {
    if (message.type !== 'start' && message.type !== 'stop') return;
    port.off('message', first);
    if (message.type === 'start') log.level = message.logLevel;
    resolve(message.type === 'start');
  };
  port.on('message', first);
});

// A failed start (the store cannot be opened) is left unhandled: it ends the thread with an 'error' the
// host logs, and the host starts another.
const ready = (async () => {
  if (!(await go)) return null;
  const config = loadConfig(env);
  const store = await openStore(env);
  const models = createModelLayer(log, env);
  const engine = createRunEngine(store, config, log, models);
  // The providers' rate budgets are shared with the API thread's router (and on PostgreSQL with other
  // processes); their concurrency is split between the engines of all processes, so this thread joins that.
  shareBudgetsThrough(models.router, store);
  const fleet = store.dialect === 'postgres' ? new Fleet(store, models.router, engine.owner, log) : null;
  await fleet?.start();
  engine.start();
  return { engine, store, fleet };
})();

port.on('message', (message: HostMessage) => {
  if (message.type === 'start') return;
  void ready.then(async (started) => {
    if (!started) {
      if (message.type === 'stop') port.postMessage({ type: 'stopped' });
      return;
    }
    const { engine, store, fleet } = started;
    if (message.type === 'notify') engine.notify();
    else if (message.type === 'abort') engine.abortLocal(message.runId);
    else {
      await engine.stop();
      await fleet?.stop();
      await store.close();
      port.postMessage({ type: 'stopped' });
    }
  });
});
