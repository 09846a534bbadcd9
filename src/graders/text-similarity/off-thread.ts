// Metrics on large inputs run in a worker thread, so a 200,000-character fuzzy_match (seconds of CPU) never
// holds the event loop that serves the API and the engine. Piscina keeps the threads: started on first use,
// ended when idle, and a task whose signal aborts (a cancelled run, a client that hung up) ends its thread
// at once instead of finishing a computation nobody waits for.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { SimilarityMetric } from './index.js';
import type { SimilarityTask } from './worker.js';

// One core is left to the event loop; on a two-core machine that is one thread.
const THREADS = Math.max(1, availableParallelism() - 1);

let pool: Piscina<SimilarityTask, number> | undefined;

// Under tsx and vitest this module is TypeScript, and so is the worker it starts; `tsx` teaches the
// worker's loader the same.
const fromSource = import.meta.url.endsWith('.ts');

function threads(): Piscina<SimilarityTask, number> {
  pool ??= new Piscina<SimilarityTask, number>({
    filename: new URL(`./worker.${fromSource ? 'ts' : 'js'}`, import.meta.url).href,
    execArgv: fromSource ? ['--import', 'tsx'] : [],
    minThreads: 0,
    maxThreads: THREADS,
    idleTimeout: 30_000,
    // meteor's WordNet takes ~80 MB; no input within the limits needs more than a few MB beyond it.
    resourceLimits: { maxOldGenerationSizeMb: 512 },
  });
  return pool;
}

// Tasks wait here, not in piscina's queue: when an abort ends the only thread, piscina (minThreads 0) starts
// no new one for the tasks queued behind it until some later task arrives, so they would wait forever.
let running = 0;
const waiting: Array<() => void> = [];

function slot(signal: AbortSignal): Promise<void> {
  if (running < THREADS) {
    running++;
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    const take = () => {
      signal.removeEventListener('abort', leave);
      running++;
      resolve();
    };
    const leave = () => {
      waiting.splice(waiting.indexOf(take), 1);
      reject(signal.reason);
    };
    waiting.push(take);
    signal.addEventListener('abort', leave, { once: true });
  });
}

function release(): void {
  running--;
  waiting.shift()?.();
}

/** `similarity(metric, input, reference)` computed in a worker thread; rejects with `signal.reason` on abort. */
export async function similarityOffThread(metric: SimilarityMetric, input: string, reference: string, signal: AbortSignal): Promise<number> {
  if (signal.aborted) throw signal.reason;
  await slot(signal);
  try {
    return await threads().run({ metric, input, reference }, { signal });
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    throw e;
  } finally {
    release();
  }
}

/** Ends the worker threads (they would end by themselves once idle); the next use starts new ones. */
export async function closeSimilarityThreads(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.destroy();
}
