import type { Logger } from 'pino';
import type { CallUsage } from '../gateway/answer-tap.js';
import type { GatewayUsageRow, Store } from '../storage/index.js';

const FLUSH_MS = 1000;

/**
 * Counts gateway calls per project, model and UTC day in memory and adds them to the store once a second
 * (and at close): a write per call would cost more than the call's whole pass through the gateway.
 */
export class GatewayUsageCounter {
  #pending = new Map<string, GatewayUsageRow>();
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store, private readonly log: Logger) {}

  /** Counts one call; `usage` null when the upstream reported none, `failed` for a non-2xx or broken call. */
  count(project: string, model: string, usage: CallUsage | null, failed: boolean): void {
    const day = Math.floor(Date.now() / 86_400_000);
    const key = `${project}\0${day}\0${model}`;
    let row = this.#pending.get(key);
    if (!row) {
      row = { project, model, day, requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cached_tokens: 0 };
      this.#pending.set(key, row);
    }
    row.requests += 1;
    if (failed) row.errors += 1;
    if (usage) {
      row.prompt_tokens += usage.prompt_tokens;
      row.completion_tokens += usage.completion_tokens;
      row.total_tokens += usage.total_tokens;
      row.cached_tokens += usage.cached_tokens;
    }
    this.#timer ??= setTimeout(() => { this.#timer = null; void this.flush(); }, FLUSH_MS).unref();
  }

  /** Writes what was counted so far. */
  flush(): Promise<void> {
    const rows = [...this.#pending.values()];
    this.#pending.clear();
    if (rows.length === 0) return this.#flushing;
    this.#flushing = this.#flushing.then(() => this.store.gatewayUsage.add(rows)).catch((err: unknown) => {
      this.log.error({ err }, 'gateway usage could not be written');
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.flush();
  }
}
