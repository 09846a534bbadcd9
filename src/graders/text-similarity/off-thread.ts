// Metrics on large inputs run in a worker thread, so a 200,000-character fuzzy_match (seconds of CPU) never
// holds the event loop that serves the API and the engine. Piscina keeps the threads: started on first use,
// ended when idle, and a task whose signal aborts (a cancelled run, a client that hung up) ends its thread
// at once instead of finishing a computation nobody waits for.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { SimilarityMetric } from './index.js';
import type { SimilarityTask } from './worker.js';

let pool: Piscina<SimilarityTask, number> | undefined;

// Under tsx and vitest this module is TypeScript, and so is the worker it starts; `tsx` teaches the
// worker's loader the same.
const fromSource = import.meta.url.endsWith('.ts');

function threads(): Piscina<SimilarityTask, number> {
  pool ??= new Piscina<SimilarityTask, number>({
    filename: new URL(`./worker.${fromSource ? 'ts' : 'js'}`, import.meta.url).href,
    execArgv: fromSource ? ['--import', 'tsx'] : [],
    // One core is left to the event loop; on a two-core machine that is one thread.
    minThreads: 0,
    maxThreads: Math.max(1, availableParallelism() - 1),
    idleTimeout: 30_000,
    // meteor's WordNet takes ~80 MB; no input within the limits needs more than a few MB beyond it.
    resourceLimits: { maxOldGenerationSizeMb: 512 },
  });
  return pool;
}

/** `similarity(metric, input, reference)` computed in a worker thread; rejects with `signal.reason` on abort. */
export async function similarityOffThread(metric: SimilarityMetric, input: string, reference: string, signal: AbortSignal): Promise<number> {
  if (signal.aborted) throw signal.reason;
  try {
    return await threads().run({ metric, input, reference }, { signal });
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    throw e;
  }
}

/** Ends the worker threads (they would end by themselves once idle); the next use starts new ones. */
export async function closeSimilarityThreads(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.destroy();
}
