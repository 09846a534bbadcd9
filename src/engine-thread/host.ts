import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Engine } from '../engine/run-engine.js';

/** What the engine thread is started with. */
export interface ThreadData {
  /** The environment evald was configured from (not necessarily process.env). */
  env: Record<string, string | undefined>;
  logLevel: string;
  /** Started early (prespawnEngineThread): opens the store only at the host's `start` message. */
  waitForStart?: boolean;
}

export type HostMessage = { type: 'start'; logLevel: string } | { type: 'notify' } | { type: 'abort'; runId: string } | { type: 'stop' };
type ThreadMessage = { type: 'log'; line: string } | { type: 'stopped' };

/** How long a stop waits for the thread to hand its runs back before it is terminated. */
const STOP_TIMEOUT_MS = 15_000;
/** A thread that died is replaced after this long (its runs resume once their leases lapse). */
const RESTART_DELAY_MS = 2000;

/**
 * The run engine in a worker thread of this process, with its own connection to the store. In one event
 * loop, API requests and the engine take turns: under 32 connections of GETs, each turn of the loop served
 * dozens of requests before the engine's next python answer or model answer was read, and a run slowed to
 * 1–3% of its speed. Here the engine's loop turns only for the engine. Only for stores that a second
 * connection sees whole (a SQLite file, PostgreSQL); see docs/architecture.md.
 */
export class ThreadedEngine implements Engine {
  private worker: Worker | null = null;
  private stopping = false;
  private restart: NodeJS.Timeout | null = null;

  constructor(private readonly env: NodeJS.ProcessEnv, private readonly log: Logger) {}

  start(): void {
    if (this.worker || this.stopping) return;
    const early = this.env === process.env ? takePrespawned() : null;
    const worker = early ?? spawn({ env: { ...this.env }, logLevel: this.log.level });
    if (early) early.postMessage({ type: 'start', logLevel: this.log.level } satisfies HostMessage);
    worker.on('message', (message: ThreadMessage) => {
      if (message.type === 'log') relay(this.log, message.line);
      else void worker.terminate();
    });
    worker.on('error', (err) => this.log.error({ err }, 'the engine thread failed'));
    worker.on('exit', () => {
      this.worker = null;
      if (this.stopping) return;
      this.log.warn(`the engine thread ended; starting another in ${RESTART_DELAY_MS / 1000} s`);
      this.restart = setTimeout(() => { this.restart = null; this.start(); }, RESTART_DELAY_MS);
    });
    this.worker = worker;
  }

  notify(): void {
    this.worker?.postMessage({ type: 'notify' } satisfies HostMessage);
  }

  abortLocal(runId: string): void {
    this.worker?.postMessage({ type: 'abort', runId } satisfies HostMessage);
  }

  /** Stops the thread's runs (their leases are given back, so they resume at the next start) and ends it. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restart) clearTimeout(this.restart);
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
      worker.once('exit', () => { clearTimeout(timer); resolve(); });
      worker.postMessage({ type: 'stop' } satisfies HostMessage);
    });
  }
}

/**
 * A thread spawned before the server's own set-up (`evald serve` calls this first), so that its modules
 * (about 0.5 s of them) load while the API thread loads and opens the store instead of after it listens:
 * a run made right after the start then does not wait for them. It waits for ThreadedEngine.start.
 */
let prespawned: { worker: Worker; dead: boolean } | null = null;

export function prespawnEngineThread(env: NodeJS.ProcessEnv = process.env): void {
  // Only where the server will want a thread (see startServer); one it does not take is ended there.
  if (prespawned || env.EVALD_WORKER === '0' || env.EVALD_ENGINE_THREAD === '0' || env.DATABASE_URL?.startsWith('pglite:')
    || (!env.DATABASE_URL && env.EVALD_DB === ':memory:')) return;
  const entry = { worker: spawn({ env: { ...env }, logLevel: env.EVALD_LOG_LEVEL ?? 'info', waitForStart: true }), dead: false };
  // Until it is taken: a thread that fails to load is replaced by a fresh one at the start.
  entry.worker.on('error', () => { entry.dead = true; });
  entry.worker.on('exit', () => { entry.dead = true; });
  // Nor does it keep the process alive: a server that fails to start exits as it would without it.
  entry.worker.unref();
  prespawned = entry;
}

/** The prespawned thread, if any and alive, now owned by the caller. */
function takePrespawned(): Worker | null {
  const entry = prespawned;
  prespawned = null;
  if (!entry) return null;
  entry.worker.removeAllListeners('error').removeAllListeners('exit');
  if (entry.dead) return null;
  entry.worker.ref();
  return entry.worker;
}

/** Ends a prespawned thread the server did not take (no engine thread after all). */
export function discardPrespawned(): void {
  const worker = takePrespawned();
  if (worker) void worker.terminate();
}

/** Starts the thread: the built entry.js, or, running from source (tests, tsx), entry.ts compiled by tsx. */
function spawn(data: ThreadData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./entry.js', here), { workerData: data });
  // tsx's ESM entry (its CommonJS one registers its hooks by a path that does not resolve in a worker).
  const tsxPackage = createRequire(here).resolve('tsx/package.json');
  const tsx = pathToFileURL(join(dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./entry.ts', here).href;
  const code = `import(${JSON.stringify(tsx)}).then((api) => api.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}))`;
  return new Worker(code, { eval: true, workerData: data });
}

/** Writes one of the thread's JSON log lines through this thread's logger, at the level it was logged. */
function relay(log: Logger, line: string): void {
  const { level, msg, ...fields } = JSON.parse(line) as { level: number; msg?: string } & Record<string, unknown>;
  const method = log.levels.labels[level] as 'info' | undefined;
  if (method && typeof log[method] === 'function') log[method](fields, msg);
}
