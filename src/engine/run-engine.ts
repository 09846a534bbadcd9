import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isStorageFull, STORAGE_FULL_MESSAGE, type RunRecord, type Segment, type Store } from '../storage/index.js';
import { executeRun, type ExecuteDeps } from './execute-run.js';
import { RunPurger } from './run-purger.js';

/** A run engine as the process drives it, whether it runs in this thread (RunEngine) or another. */
export interface Engine {
  /** Starts claiming runs. */
  start(): void;
  /** Looks for work now (a run was just created here, or a run or eval deleted: its rows are purged). */
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
  private readonly active = new Map<string, { controller: AbortController; done: Promise<void>; lead: boolean }>();
  /** Runs this engine helps with whose lead lease it has since claimed: it leads them once it is done helping. */
  private readonly toLead = new Map<string, RunRecord>();
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly purger: RunPurger;

  constructor(
    private readonly store: Store,
    private readonly deps: Omit<ExecuteDeps, 'store' | 'owner' | 'log'>,
    private readonly log: Logger,
    private readonly options: EngineOptions,
  ) {
    this.purger = new RunPurger(store, log);
  }

  /** Starts claiming runs. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.claimLoop();
  }

  /** Looks for work now (a run was just created here, or a run or eval deleted: its rows are purged). */
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
    await this.purger.stop();
  }

  private async claimLoop(): Promise<void> {
    const pollMs = this.options.pollMs ?? 1000;
    while (this.running) {
      // Deleted runs' rows go in the background, beside the runs (a no-op while a purge is going on).
      this.purger.kick();
      try {
        while (this.running && this.active.size < this.options.maxParallelRuns) {
          const run = await this.store.runs.claim(this.owner, this.options.leaseMs, Date.now());
          if (run) {
            const here = this.active.get(run.id);
            // Our own run, whose lease lapsed while its renewals failed (a full disk): claiming it renewed
            // the lease, and it is still executing here. A run we only help with (its lead died): we lead
            // it as soon as our part is done, renewing its lease meanwhile.
            if (here && !here.lead) this.toLead.set(run.id, run);
            if (!here) this.launch(run);
            continue;
          }
          // No run to start: help with one that another worker leads, one segment of rows at a time.
          const segment = await this.store.runs.claimSegment(null, this.owner, this.options.leaseMs, Date.now(), [...this.active.keys()]);
          if (!segment) break;
          const helped = await this.store.runs.byId(segment.runId);
          if (!helped) continue;
          this.launch(helped, segment);
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

  /** Executes a run here: as its lead (claimed), or as a helper from `segment` on (another worker leads it). */
  private launch(run: RunRecord, segment?: Segment): void {
    const controller = new AbortController();
    const lead = segment === undefined;
    // Renewing at most every second is also how a cancel made through another server reaches this run.
    const every = Math.max(100, Math.min(1000, Math.floor(this.options.leaseMs / 3)));
    const heartbeat = setInterval(() => void this.renew(run.id, controller), every);
    const done = executeRun(run, { ...this.deps, store: this.store, owner: this.owner, log: this.log }, controller.signal, segment)
      .catch((e) => this.log.error({ run_id: run.id, err: e }, 'run execution crashed'))
      .finally(async () => {
        clearInterval(heartbeat);
        this.active.delete(run.id);
        const leadNext = this.toLead.get(run.id);
        this.toLead.delete(run.id);
        if (controller.signal.reason === 'shutdown') {
          if (lead || leadNext) await this.store.runs.release(run.id, this.owner).catch(() => {});
        } else if (leadNext && this.running) {
          this.launch(leadNext);
        } else if (lead) {
          // A file deleted while this run read it waited for the run to end (FilesRepo.delete).
          await this.store.files.purgeDeleted().catch((e) => this.log.warn({ err: e }, 'removing deleted files failed'));
        }
        this.notify();
      });
    this.active.set(run.id, { controller, done, lead });
    if (lead) this.log.info({ run_id: run.id, eval_id: run.eval_id }, 'run started');
    else this.log.info({ run_id: run.id, eval_id: run.eval_id, first_row: segment.first }, 'helping with a run another worker leads');
  }

  private async renew(runId: string, controller: AbortController): Promise<void> {
    try {
      const until = Date.now() + this.options.leaseMs;
      const lead = this.active.get(runId)?.lead ?? true;
      // A helper renews its segments, and the run's lease too once it has claimed it (toLead).
      const segments = await this.store.runs.renewSegments(runId, this.owner, until);
      const status = lead || this.toLead.has(runId) ? await this.store.runs.renewLease(runId, this.owner, until) : segments;
      if (status !== 'in_progress') controller.abort('canceled');
    } catch (e) {
      this.log.warn({ run_id: runId, err: e }, 'lease renewal failed');
    }
  }
}
