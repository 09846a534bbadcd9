import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Store } from '../storage/index.js';
import { RunEngine } from '../engine/run-engine.js';
import type { ModelLayer } from './models.js';

// Apart from services/index.ts, which builds every service: the engine thread imports only what it runs.
/** A run engine over `store`, configured from `config`. */
export function createRunEngine(store: Store, config: Config, log: Logger, models: ModelLayer): RunEngine {
  return new RunEngine(store, {
    itemConcurrency: config.itemConcurrency,
    memorySoftLimitMb: config.memorySoftLimitMb,
    leaseMs: config.leaseMs,
    segmentRows: config.segmentRows,
    models: models.access,
    createPython: models.createPython,
    createSampler: models.createSampler,
    watchCalls: models.watchCalls,
  }, log, { leaseMs: config.leaseMs, maxParallelRuns: config.maxParallelRuns });
}
