import type { Logger } from 'pino';
import type { LogRecord, Store } from '../storage/index.js';

/** How long a gateway log waits for others to share its transaction. */
export const LOG_FLUSH_MS = 5;
/** The most logs one transaction writes; more wait for the next. */
const MAX_BATCH = 500;

/**
 * Writes the gateway's logs a few milliseconds after their calls ended, many to a transaction. One
 * transaction per log cost a stored call more CPU than the rest of its pass through the gateway (the
 * commit alone was a third of it), and it ran on the API thread. The answer has reached the client before
 * its log is queued, so the batching adds nothing to a call's latency.
 *
 * Reads of the logs (the stored-logs API, a run over logs when it is created) call `flush()` first, so a
 * client that reads a log right after its call finds it. `close()` writes everything queued (graceful
 * shutdown); a process killed outright (kill -9) loses the logs of the calls answered in the last
 * LOG_FLUSH_MS plus the batch being written then, whose transaction never commits. A committed batch
 * survives a process crash (SQLite WAL with synchronous=NORMAL; PostgreSQL's commit).
 */
export class LogWriter {
  #pending: LogRecord[] = [];
  /** Logs ever added, and of those, how many are written (or given up on), in the order they came. */
  #added = 0;
  #done = 0;
  #waiters: Array<{ upTo: number; resolve: () => void }> = [];
  #writing = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly store: Store, private readonly log: Logger) {}

  /** Queues one log; it is written within LOG_FLUSH_MS (later only while earlier batches are being written). */
  add(record: LogRecord): void {
    this.#pending.push(record);
    this.#added += 1;
    // While a batch is being written, the drain takes this one next.
    if (!this.#writing) this.#timer ??= setTimeout(() => { this.#timer = null; void this.#drain(); }, LOG_FLUSH_MS).unref();
  }

  /**
   * Resolves once every log added before the call is written (or its failure logged). Logs added later do
   * not hold it up, however busy the gateway is.
   */
  flush(): Promise<void> {
    const upTo = this.#added;
    if (this.#done >= upTo) return Promise.resolve();
    const written = new Promise<void>((resolve) => this.#waiters.push({ upTo, resolve }));
    if (!this.#writing) void this.#drain();
    return written;
  }

  /** Writes what is queued (at shutdown, before the store closes). */
  close(): Promise<void> {
    return this.flush();
  }

  async #drain(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#writing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.length <= MAX_BATCH ? this.#pending : this.#pending.slice(0, MAX_BATCH);
        this.#pending = batch === this.#pending ? [] : this.#pending.slice(MAX_BATCH);
        await this.#write(batch);
        this.#done += batch.length;
        if (this.#waiters.length > 0) {
          const done = this.#done;
          for (const w of this.#waiters) if (w.upTo <= done) w.resolve();
          this.#waiters = this.#waiters.filter((w) => w.upTo > done);
        }
      }
    } finally {
      // Synchronous with the loop's last look at #pending: nothing can be added in between unseen.
      this.#writing = false;
    }
  }

  async #write(batch: LogRecord[]): Promise<void> {
    try {
      await this.store.logs.insert(batch);
      return;
    } catch (err) {
      if (batch.length === 1) return this.#lost(batch[0]!, err);
    }
    // One log the store refuses (a NUL in a text on PostgreSQL, say) must not cost the others theirs.
    for (const record of batch) {
      try {
        await this.store.logs.insert([record]);
      } catch (err) {
        this.#lost(record, err);
      }
    }
  }

  #lost(record: LogRecord, err: unknown): void {
    this.log.error({ err, log_id: record.id, project: record.project }, 'a gateway log could not be stored');
  }
}
