import type { Logger } from 'pino';
import type { ModelAccess, PythonAccess } from '../graders/grader.js';
import { createPythonAccess } from '../graders/python/index.js';
import { pythonOptionsFromEnv } from '../graders/python/options.js';
import { createModelAccess, loadProviderConfig, ProviderRouter } from '../providers/index.js';
import { UpstreamFailureLog } from '../providers/failure-log.js';
import { sampleItem } from '../engine/sampling/index.js';
import type { Sampler, SampledOutput } from '../engine/process-item.js';
import type { CallListener } from '../engine/fail-fast.js';

/** What the engine and the graders API need to reach models and the python sandbox. */
export interface ModelLayer {
  /** The provider router the gateway forwards through (the same one runs sample with). */
  router: ProviderRouter;
  access: ModelAccess;
  createSampler: (dataSource: Record<string, unknown>) => Sampler;
  createPython: () => PythonAccess & { close(): Promise<void> };
  /**
   * Calls `listener` with how each upstream call made under `signal` ended (`error` null on success),
   * until the returned function is called. A run's calls, its samples and its model graders', all carry
   * the run's signal.
   */
  watchCalls: (signal: AbortSignal, listener: CallListener) => () => void;
}


/** Builds the provider router from the environment (and EVALD_CONFIG), once per process. */
export function createModelLayer(log: Logger, env: NodeJS.ProcessEnv = process.env): ModelLayer {
  const router = new ProviderRouter(loadProviderConfig(env));
  const pythonOptions = pythonOptionsFromEnv(env);
  const listeners = new Map<AbortSignal, CallListener>();
  router.observe(new UpstreamFailureLog(log));
  router.observe({ finished: (provider, model, signal, error) => listeners.get(signal)?.(provider, model, error) });
  log.debug('model providers configured');
  return {
    router,
    access: createModelAccess(router),
    createSampler: (dataSource) => {
      const sampler: Sampler = (item, signal) => sampleItem(dataSource as never, item, router, signal) as Promise<SampledOutput>;
      sampler.concurrency = router.route(typeof dataSource.model === 'string' ? dataSource.model : '').maxConcurrency;
      return sampler;
    },
    createPython: () => createPythonAccess(pythonOptions),
    watchCalls: (signal, listener) => {
      listeners.set(signal, listener);
      return () => { listeners.delete(signal); };
    },
  };
}
