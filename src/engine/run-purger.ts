import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Store } from '../storage/index.js';

/** Rows a purge step deletes: on SQLite, about 5-12 ms of the thread (a row and its index rows cost 20-45 µs). */
export const PURGE_ROWS = 250;
/** After a failed step (the store unreachable, say), the wait before trying again. */
const RETRY_MS = 5000;

/**
 * Purges deleted runs' output items, index rows and log selections in the background, one bounded step at
 * a time with a turn of the event loop between steps, so that deleting a 10^6-item run answers at once and
 * the server keeps answering while its rows go. It belongs to the run engine (RunEngine kicks it each time
 * it looks for work: every second, and at once when the API notifies it after a delete), so with the engine
 * in its own thread the purge never holds the API's: on SQLite a step holds its thread while it runs, and
 * FTS5 merging its segments makes some steps take a few hundred milliseconds. Any number of engines may
 * purge one store: steps are idempotent. A purge cut short resumes with the next engine to look.
 */
export class RunPurger {
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #retryAt = 0;

  constructor(private readonly store: Store, private readonly log: Logger, private readonly rowsPerStep = PURGE_ROWS) {}

  /** Purges what was deleted since the last purge (or is running one and will look again when it ends). */
  kick(): void {
    if (this.#stopped || Date.now() < this.#retryAt) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => { this.#running = null; });
  }

  /** Resolves when no purge is running (the deleted runs known so far are purged, or the purger stopped). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Stops after the step in progress; what is left is purged by the next engine to look. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.idle();
  }

  async #loop(): Promise<void> {
    try {
      do {
        this.#again = false;
        for (let ids = await this.store.runs.deletedRuns(); ids.length > 0 && !this.#stopped; ids = await this.store.runs.deletedRuns()) {
          for (const id of ids) {
            while (!this.#stopped && !(await this.store.runs.purgeStep(id, this.rowsPerStep))) await nextTurn();
            if (this.#stopped) return;
            await nextTurn();
          }
        }
      } while (this.#again && !this.#stopped);
    } catch (err) {
      if (this.#stopped) return;
      // The next kick after the pause tries again (the engine kicks every second).
      this.#retryAt = Date.now() + RETRY_MS;
      this.log.error({ err }, 'purging deleted runs failed; trying again in 5 s');
    }
  }
}
