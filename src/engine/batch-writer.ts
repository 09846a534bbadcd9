import type { GradedItem, Store } from '../storage/index.js';
import { relieveMemory } from './memory.js';

// A batch is written when it reaches this many items or this age, whichever comes first: counts stay fresh
// while a run progresses, and a 100,000-item run costs a few hundred transactions, not 100,000.
const MAX_BATCH = 500;
const MAX_AGE_MS = 250;
// Past this many unwritten items the producer waits for the writer, so a slow store bounds memory.
const HIGH_WATER = 5000;

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
          const accepted = await this.store.runs.commitBatch(this.runId, this.owner, batch, Math.floor(Date.now() / 1000));
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

  /** Writes what is left and stops the timer; rethrows a store failure so the run can report it. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    if (this.failure) throw this.failure;
  }
}
