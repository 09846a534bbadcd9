import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isStorageFull, STORAGE_FULL_MESSAGE, type RunRecord, type Store } from '../storage/index.js';
import { executeRun, type ExecuteDeps } from './execute-run.js';

/** A run engine as the process drives it, whether it runs in this thread (RunEngine) or another. */
export interface Engine {
  /** Starts claiming runs. */
  start(): void;
  /** Looks for work now (a run was just created here). */
  notify(): void;
  /** Stops a run executing here right away (it was canceled or deleted). */
  abortLocal(runId: string): void;
  /** Stops claiming, stops every run here and gives their leases back so they resume at once elsewhere. */
  stop(): Promise<void>;
}

export interface EngineOptions {
  leaseMs: number;
  maxParallelRuns: number;
  /** How often an idle engine looks for runs made by other processes. */
  pollMs?: number;
}

/**
 * Executes runs in the background. Any number of engines (processes, machines) can share one store: each
 * claims runs under a lease it renews, and a run whose engine died is claimed again once its lease expires,
 * resuming where the committed output items end. Cancel and delete reach a run here at once (abortLocal)
 * and reach it on another engine at its next lease renewal.
 */
export class RunEngine implements Engine {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly deps: Omit<ExecuteDeps, 'store' | 'owner' | 'log'>,
    private readonly log: Logger,
    private readonly options: EngineOptions,
  ) {}

  /** Starts claiming runs. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.claimLoop();
  }

  /** Looks for work now (a run was just created here). */
  notify(): void {
    this.wake?.();
  }

  /** Stops a run executing in this process right away (it was canceled or deleted). */
  abortLocal(runId: string): void {
    this.active.get(runId)?.controller.abort('canceled');
  }

  /** Stops claiming, stops every run here and gives their leases back so they resume at once elsewhere. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    for (const { controller } of this.active.values()) controller.abort('shutdown');
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
    await this.loop;
  }

  private async claimLoop(): Promise<void> {
    const pollMs = this.options.pollMs ?? 1000;
    while (this.running) {
      try {
        while (this.running && this.active.size < this.options.maxParallelRuns) {
          const run = await this.store.runs.claim(this.owner, this.options.leaseMs, Date.now());
          if (!run) break;
          // Our own run, whose lease lapsed while its renewals failed (a full disk): claiming it renewed
          // the lease, and it is still executing here.
          if (this.active.has(run.id)) continue;
          this.launch(run);
        }
      } catch (e) {
        if (isStorageFull(e)) this.log.warn({ err: e, cause: 'storage_full' }, `claiming runs failed: ${STORAGE_FULL_MESSAGE}`);
        else this.log.error({ err: e }, 'claiming runs failed');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
      this.wake = null;
    }
  }

  private launch(run: RunRecord): void {
    const controller = new AbortController();
    // Renewing at most every second is also how a cancel made through another server reaches this run.
    const every = Math.max(100, Math.min(1000, Math.floor(this.options.leaseMs / 3)));
    const heartbeat = setInterval(() => void this.renew(run.id, controller), every);
    const done = executeRun(run, { ...this.deps, store: this.store, owner: this.owner, log: this.log }, controller.signal)
      .catch((e) => this.log.error({ run_id: run.id, err: e }, 'run execution crashed'))
      .finally(async () => {
        clearInterval(heartbeat);
        this.active.delete(run.id);
        if (controller.signal.reason === 'shutdown') await this.store.runs.release(run.id, this.owner).catch(() => {});
        // A file deleted while this run read it waited for the run to end (FilesRepo.delete).
        else await this.store.files.purgeDeleted().catch((e) => this.log.warn({ err: e }, 'removing deleted files failed'));
        this.notify();
      });
    this.active.set(run.id, { controller, done });
    this.log.info({ run_id: run.id, eval_id: run.eval_id }, 'run started');
  }

  private async renew(runId: string, controller: AbortController): Promise<void> {
    try {
      const status = await this.store.runs.renewLease(runId, this.owner, Date.now() + this.options.leaseMs);
      if (status !== 'in_progress') controller.abort('canceled');
    } catch (e) {
      this.log.warn({ run_id: runId, err: e }, 'lease renewal failed');
    }
  }
}
