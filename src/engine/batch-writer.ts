import type { Logger } from 'pino';
import { isStorageFull, STORAGE_FULL_MESSAGE, type GradedItem, type Store } from '../storage/index.js';
import { relieveMemory } from './memory.js';

// A batch is written when it reaches this many items or this age, whichever comes first: counts stay fresh
// while a run progresses, and a 100,000-item run costs a few hundred transactions, not 100,000.
const MAX_BATCH = 500;
const MAX_AGE_MS = 250;
// Past this many unwritten items the producer waits for the writer, so a slow store bounds memory.
const HIGH_WATER = 5000;
// A batch the store has no room for is retried after these waits (doubling up to the last), for as long
// as the run goes on: the run pauses (its producers wait at HIGH_WATER) and resumes once space is freed.
const FULL_RETRY_FIRST_MS = 250;
const FULL_RETRY_MAX_MS = 5000;

/** Collects graded items and commits them in batches, one transaction at a time, in arrival order. */
export class BatchWriter {
  private buffer: GradedItem[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout;
  private failure: unknown = null;
  /** Items committed so far. */
  written = 0;

  constructor(
    private readonly store: Store,
    private readonly runId: string,
    private readonly owner: string,
    /** Called when the store refuses a batch: the run was canceled, deleted, or our lease was lost. */
    private readonly onRefused: () => void,
    private readonly memorySoftLimitMb = 0,
    private readonly log: Pick<Logger, 'warn' | 'info'> | null = null,
    /** Ends the wait for space (cancel, delete, shutdown). */
    private readonly stopped: AbortSignal | null = null,
    /** What entitles this worker to write: the run's lease (its lead) or a segment of it (a helper). */
    private readonly lease: 'run' | 'segment' = 'run',
  ) {
    this.timer = setInterval(() => this.flush(), MAX_AGE_MS);
    this.timer.unref();
  }

  /** Adds one item; resolves at once unless too much is waiting to be written. */
  async add(item: GradedItem): Promise<void> {
    this.buffer.push(item);
    if (this.buffer.length >= MAX_BATCH) this.flush();
    if (this.buffer.length >= HIGH_WATER) await this.chain;
  }

  /** Queues a write of everything buffered; returns when that write is done. */
  flush(): Promise<void> {
    if (this.buffer.length > 0) {
      const batch = this.buffer;
      this.buffer = [];
      this.chain = this.chain.then(async () => {
        if (this.failure) return;
        try {
          const accepted = await this.commit(batch);
          if (accepted) this.written += batch.length;
          else this.onRefused();
          relieveMemory(this.memorySoftLimitMb);
        } catch (e) {
          this.failure = e;
          this.onRefused();
        }
      });
    }
    return this.chain;
  }

  /** Commits one batch, waiting out a full store (SQLITE_FULL, disk_full) instead of failing the run. */
  private commit(batch: GradedItem[]): Promise<boolean> {
    return untilStored(
      () => this.store.runs.commitBatch(this.runId, this.owner, batch, Math.floor(Date.now() / 1000), this.lease),
      { runId: this.runId, log: this.log, stopped: this.stopped, what: 'the batch is kept and retried until it fits', batchItems: batch.length },
    );
  }

  /** Writes what is left and stops the timer; rethrows a store failure so the run can report it. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    if (this.failure) throw this.failure;
  }
}

/**
 * Runs one of a run's writes (a batch, a segment claimed or marked done, the run's start) and, while the
 * store is full (SQLITE_FULL, disk_full), tries it again after a wait (doubling up to FULL_RETRY_MAX_MS)
 * instead of failing the run: the run pauses and resumes once space is freed. Rethrows any other failure,
 * and a full store's once `stopped` aborts (cancel, delete, shutdown).
 */
export async function untilStored<T>(
  write: () => Promise<T>,
  ctx: { runId: string; log: Pick<Logger, 'warn' | 'info'> | null; stopped: AbortSignal | null; what: string; batchItems?: number },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await write();
      if (attempt > 0) ctx.log?.info({ run_id: ctx.runId, attempts: attempt + 1 }, 'run resumed: the store has room again');
      return result;
    } catch (e) {
      if (!isStorageFull(e) || ctx.stopped?.aborted) throw e;
      const waitMs = Math.min(FULL_RETRY_MAX_MS, FULL_RETRY_FIRST_MS * 2 ** attempt);
      // Said at the first failure and then about once a minute, not at every retry.
      if (attempt === 0 || attempt % 12 === 0) {
        ctx.log?.warn({ run_id: ctx.runId, cause: 'storage_full', err: e, batch_items: ctx.batchItems, retry_in_ms: waitMs },
          `run paused: ${STORAGE_FULL_MESSAGE}; ${ctx.what}`);
      }
      await new Promise<void>((resolve) => {
        const done = () => { clearTimeout(timer); ctx.stopped?.removeEventListener('abort', done); resolve(); };
        const timer = setTimeout(done, waitMs);
        ctx.stopped?.addEventListener('abort', done, { once: true });
      });
    }
  }
}
