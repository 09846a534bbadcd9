import type { Logger } from 'pino';
import type { ProviderRouter } from '../providers/index.js';
import type { Store } from '../storage/index.js';

const BEAT_MS = 1000;
// A process not seen for this long no longer counts: its share of the concurrency goes to the others.
const ALIVE_MS = 5000;

/**
 * Draws every provider's rate budget of `router` from the store's shared buckets, where the other routers
 * on the same store draw theirs: the engine thread's and the API thread's of this process (gateway and
 * graders API calls), and every other process's on one PostgreSQL database.
 */
export function shareBudgetsThrough(router: ProviderRouter, store: Store): void {
  router.shareBudgets({ take: (name, limits, want, nowMs) => store.budgets.take(name, limits, want, nowMs) });
}

/**
 * The engines sharing one PostgreSQL database, as each provider's concurrency sees them: each takes 1/N of
 * it, N being the engines that beat in the last few seconds (itself included).
 */
export class Fleet {
  #timer: NodeJS.Timeout | undefined;
  #members = 1;

  constructor(
    private readonly store: Store,
    private readonly router: ProviderRouter,
    private readonly owner: string,
    private readonly log: Logger,
  ) {}

  /** How many processes share the providers, as of the last beat. */
  get members(): number {
    return this.#members;
  }

  /** Joins the fleet: beats now, and every second. */
  async start(): Promise<void> {
    await this.#beat();
    this.#timer = setInterval(() => void this.#beat(), BEAT_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.store.budgets.leave(this.owner).catch(() => {});
  }

  async #beat(): Promise<void> {
    try {
      const now = Date.now();
      const members = await this.store.budgets.beat(this.owner, now, now - ALIVE_MS);
      if (members !== this.#members) this.log.info({ processes: members }, 'providers shared with other processes');
      this.#members = members;
      this.router.shareConcurrency(members);
    } catch (err) {
      this.log.warn({ err }, 'fleet heartbeat failed');
    }
  }
}
