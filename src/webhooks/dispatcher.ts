import type { Logger } from 'pino';
import type { ClaimedDelivery, Store } from '../storage/index.js';
import { nextAttemptAt, type RetryPolicy } from './backoff.js';
import type { Sender } from './send.js';
import { activeSecrets, signedHeaders } from './signature.js';

export interface DispatcherOptions {
  retry: RetryPolicy;
  /** An attempt's timeout; its claim lasts this long plus a margin. */
  timeoutMs: number;
  /** Deliveries in flight at once, and at most this many for one endpoint. */
  concurrency?: number;
  perEndpoint?: number;
  pollMs?: number;
}


/**
 * Drains the webhook outbox: claims due deliveries, signs and POSTs each, and records the outcome (2xx
 * delivered; anything else retried with backoff until the retry window closes). It runs beside the run
 * engine and shares nothing with it but the store, so a slow or dead receiver delays only its own
 * deliveries, never a run. Several processes may dispatch from one store: a claim is a lease.
 */
export class WebhookDispatcher {
  private readonly inFlight = new Map<string, { endpointId: string; controller: AbortController; done: Promise<void> }>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly store: Store, private readonly sender: Sender, private readonly log: Logger, private readonly options: DispatcherOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.pollLoop();
  }

  /** Looks at the outbox now (an event was just written here). */
  notify(): void {
    this.wake?.();
  }

  /** Stops claiming and aborts attempts in flight; their rows are retried after their claim runs out. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    for (const a of this.inFlight.values()) a.controller.abort();
    await Promise.allSettled([...this.inFlight.values()].map((a) => a.done));
    await this.loop;
  }

  private async pollLoop(): Promise<void> {
    const concurrency = this.options.concurrency ?? 8;
    while (this.running) {
      try {
        const busy = new Map<string, number>();
        for (const a of this.inFlight.values()) busy.set(a.endpointId, (busy.get(a.endpointId) ?? 0) + 1);
        const perEndpoint = this.options.perEndpoint ?? 2;
        const full = new Set([...busy].filter(([, n]) => n >= perEndpoint).map(([id]) => id));
        const claimed = await this.store.webhooks.claimDue(Date.now(), claimMs(this.options.timeoutMs),
          concurrency - this.inFlight.size, perEndpoint, full);
        for (const d of claimed) this.launch(d);
      } catch (e) {
        this.log.error({ err: e }, 'claiming webhook deliveries failed');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs ?? 500);
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
      this.wake = null;
    }
  }

  private launch(d: ClaimedDelivery): void {
    const controller = new AbortController();
    const key = d.id;
    const done = this.attempt(d, controller.signal)
      .catch((e) => this.log.error({ err: e, webhook_endpoint_id: d.endpoint.id, event_id: d.event_id }, 'webhook delivery crashed'))
      .finally(() => {
        this.inFlight.delete(key);
        if (this.running) this.notify();
      });
    this.inFlight.set(key, { endpointId: d.endpoint.id, controller, done });
  }

  private async attempt(d: ClaimedDelivery, signal: AbortSignal): Promise<void> {
    const started = Date.now();
    const nowS = Math.floor(started / 1000);
    // Signed afresh at every attempt: receivers refuse a timestamp older than a few minutes.
    const headers = signedHeaders(activeSecrets(d.endpoint, nowS), d.id, nowS, d.payload);
    const result = await this.sender.send(d.endpoint.url, headers, d.payload, signal);
    if (signal.aborted) return;
    const where = {
      webhook_endpoint_id: d.endpoint.id, webhook_endpoint_name: d.endpoint.name, destination: originOf(d.endpoint.url),
      project: d.project, event_id: d.event_id, event_type: d.event_type, attempt: d.attempts, ms: Date.now() - started,
    };
    const statusCode = 'statusCode' in result ? result.statusCode : null;
    const error = 'error' in result ? result.error : null;
    const now = Date.now();
    if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
      await this.store.webhooks.recordAttempt(d.id, d.attempts, { status: 'delivered', statusCode, error: null }, Math.floor(now / 1000));
      this.log.info({ ...where, status_code: statusCode }, 'webhook delivered');
      return;
    }
    const next = nextAttemptAt(d.attempts, d.created_at * 1000, now, this.options.retry);
    const why = error ?? `answered ${statusCode}`;
    if (next === null) {
      await this.store.webhooks.recordAttempt(d.id, d.attempts, { status: 'failed', statusCode, error: why }, Math.floor(now / 1000));
      this.log.error({ ...where, status_code: statusCode, error: why }, 'webhook delivery given up: retry window over');
      return;
    }
    await this.store.webhooks.recordAttempt(d.id, d.attempts, { status: 'pending', statusCode, error: why, nextAttemptAtMs: next }, Math.floor(now / 1000));
    this.log.warn({ ...where, status_code: statusCode, error: why, retry_in_ms: next - now }, 'webhook delivery failed; will retry');
  }
}

/** How long a claim lasts: the attempt's timeout and a margin for recording its outcome. */
const claimMs = (timeoutMs: number) => timeoutMs + Math.min(5_000, timeoutMs);

/** Scheme, host and port only: a URL's path or query may carry a receiver's token, which logs must not. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
}
