import type { Logger } from 'pino';
import type { ProviderError, ProviderInfo } from './provider.js';
import type { CallObserver } from './registry.js';

/** At most one summary line per provider this often. */
const WINDOW_MS = 10_000;

/** What a failure is counted under: its HTTP status, else its code (`timeout`, `provider_unreachable`, …). */
const statusOf = (error: ProviderError): string => (error.status !== undefined ? String(error.status) : error.code);

/**
 * Logs failed upstream attempts without flooding the log: a run against a dead upstream fails thousands of
 * calls. In each 10 s window, the first failure of each provider and status is logged whole (its message
 * says what the upstream answered); the rest are counted, and at the window's end one line per provider
 * gives the counts by status.
 */
export class UpstreamFailureLog implements CallObserver {
  readonly #logged = new Set<string>();
  readonly #counts = new Map<string, { provider: ProviderInfo; byStatus: Record<string, number> }>();
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly log: Logger, private readonly windowMs = WINDOW_MS) {}

  attemptFailed(provider: ProviderInfo, error: ProviderError): void {
    const status = statusOf(error);
    const key = `${provider.name}\0${status}`;
    this.#timer ??= setTimeout(() => this.flush(), this.windowMs).unref();
    if (!this.#logged.has(key)) {
      this.#logged.add(key);
      this.log.warn({ provider: provider.name, base_url: provider.baseUrl, status, code: error.code }, `upstream call failed: ${error.message}`);
      return;
    }
    let entry = this.#counts.get(provider.name);
    if (!entry) this.#counts.set(provider.name, (entry = { provider, byStatus: {} }));
    entry.byStatus[status] = (entry.byStatus[status] ?? 0) + 1;
  }

  /** Logs the counts gathered since the window began and starts a new window. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#logged.clear();
    for (const { provider, byStatus } of this.#counts.values()) {
      const counts = Object.entries(byStatus).map(([status, n]) => `${n} × ${status}`).join(', ');
      this.log.warn({ provider: provider.name, base_url: provider.baseUrl, failures: byStatus, window_s: this.windowMs / 1000 },
        `upstream ${provider.name}: ${counts} more failed attempts in the last ${this.windowMs / 1000} s`);
    }
    this.#counts.clear();
  }
}
