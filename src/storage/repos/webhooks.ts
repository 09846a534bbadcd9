import type { Kysely, Selectable } from 'kysely';
import type { Database, WebhookEndpointsTable } from '../tables.js';
import type { ClaimedDelivery, Dialect, Page, PageRequest, WebhookEndpointRecord } from '../types.js';
import { fromJson, num } from '../json.js';

const toRecord = (r: Selectable<WebhookEndpointsTable>): WebhookEndpointRecord => ({
  id: r.id, project: r.project, name: r.name, url: r.url, event_types: fromJson(r.event_types),
  secret: r.secret, previous_secret: r.previous_secret,
  previous_secret_expires_at: r.previous_secret_expires_at === null ? null : num(r.previous_secret_expires_at),
  created_at: num(r.created_at), updated_at: num(r.updated_at),
});

/** Webhook endpoints of a project, and the outbox of deliveries that dispatchers claim and retry. */
export class WebhooksRepo {
  constructor(private readonly db: Kysely<Database>, private readonly dialect: Dialect) {}

  async insert(e: WebhookEndpointRecord): Promise<void> {
    await this.db.insertInto('webhook_endpoints').values({ ...e, event_types: JSON.stringify(e.event_types) }).execute();
  }

  async get(project: string, id: string): Promise<WebhookEndpointRecord | undefined> {
    const row = await this.db.selectFrom('webhook_endpoints').selectAll()
      .where('project', '=', project).where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async list(project: string, page: PageRequest): Promise<Page<WebhookEndpointRecord>> {
    let q = this.db.selectFrom('webhook_endpoints').selectAll().where('project', '=', project);
    if (page.after) q = q.where('id', page.order === 'asc' ? '>' : '<', page.after);
    const rows = await q.orderBy('id', page.order).limit(page.limit + 1).execute();
    return { rows: rows.slice(0, page.limit).map(toRecord), hasMore: rows.length > page.limit };
  }

  /** Writes the endpoint's changed fields (name, url, event types, secrets, updated_at); false when it is gone. */
  async update(e: WebhookEndpointRecord): Promise<boolean> {
    const result = await this.db.updateTable('webhook_endpoints').set({
      name: e.name, url: e.url, event_types: JSON.stringify(e.event_types), secret: e.secret,
      previous_secret: e.previous_secret, previous_secret_expires_at: e.previous_secret_expires_at, updated_at: e.updated_at,
    }).where('project', '=', e.project).where('id', '=', e.id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Deletes the endpoint and the deliveries still owed to it; false when it did not exist. */
  async delete(project: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx.deleteFrom('webhook_endpoints').where('project', '=', project).where('id', '=', id).executeTakeFirst();
      if (!Number(result.numDeletedRows)) return false;
      await tx.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
      return true;
    });
  }

  /**
   * Claims up to `limit` pending deliveries that are due, at most `perEndpoint` for one endpoint and none
   * for the endpoints in `busy`, so one slow endpoint cannot take every slot. Claiming counts the attempt
   * and pushes `next_attempt_at` past the attempt's timeout: that is the lease, and a dispatcher killed
   * mid-attempt leaves the row to be claimed again once it passes, with the same ids and payload.
   */
  async claimDue(nowMs: number, leaseMs: number, limit: number, perEndpoint: number, busy: ReadonlySet<string>): Promise<ClaimedDelivery[]> {
    if (limit <= 0) return [];
    // Most polls find nothing: a plain read answers them without a transaction, which on SQLite would take
    // the write lock (BEGIN IMMEDIATE) twice a second while the engine is committing batches.
    const any = await this.db.selectFrom('webhook_deliveries').select('id')
      .where('status', '=', 'pending').where('next_attempt_at', '<=', nowMs).limit(1).executeTakeFirst();
    if (!any) return [];
    return this.db.transaction().execute(async (tx) => {
      let q = tx.selectFrom('webhook_deliveries').select(['id', 'endpoint_id', 'attempts'])
        .where('status', '=', 'pending').where('next_attempt_at', '<=', nowMs)
        .orderBy('next_attempt_at').orderBy('id').limit(Math.max(limit * 4, 50));
      if (busy.size > 0) q = q.where('endpoint_id', 'not in', [...busy]);
      if (this.dialect === 'postgres') q = q.forUpdate().skipLocked();
      const candidates = await q.execute();
      const perCount = new Map<string, number>();
      const chosen = candidates.filter((c) => {
        const n = perCount.get(c.endpoint_id) ?? 0;
        if (n >= perEndpoint) return false;
        perCount.set(c.endpoint_id, n + 1);
        return true;
      }).slice(0, limit);
      if (chosen.length === 0) return [];
      await tx.updateTable('webhook_deliveries')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: nowMs + leaseMs, updated_at: Math.floor(nowMs / 1000) }))
        .where('id', 'in', chosen.map((c) => c.id)).execute();
      const rows = await tx.selectFrom('webhook_deliveries as d').innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
        .select(['d.id', 'd.event_id', 'd.event_type', 'd.payload', 'd.project', 'd.attempts', 'd.created_at',
          'e.id as endpoint_id', 'e.name', 'e.url', 'e.secret', 'e.previous_secret', 'e.previous_secret_expires_at'])
        .where('d.id', 'in', chosen.map((c) => c.id)).orderBy('d.next_attempt_at').orderBy('d.id').execute();
      return rows.map((r) => ({
        id: r.id, event_id: r.event_id, event_type: r.event_type, payload: r.payload, project: r.project,
        attempts: num(r.attempts), created_at: num(r.created_at),
        endpoint: {
          id: r.endpoint_id, name: r.name, url: r.url, secret: r.secret, previous_secret: r.previous_secret,
          previous_secret_expires_at: r.previous_secret_expires_at === null ? null : num(r.previous_secret_expires_at),
        },
      }));
    });
  }

  /**
   * Records the outcome of attempt `attempts` of a delivery: `delivered`, `failed` (given up), or pending
   * again at `nextAttemptAtMs`. Only while the row is still at that attempt: a dispatcher whose lease ran
   * out and whose row was claimed again does not overwrite the newer attempt's outcome.
   */
  async recordAttempt(id: string, attempts: number, outcome: { status: 'delivered' | 'failed' | 'pending'; statusCode: number | null; error: string | null; nextAttemptAtMs?: number }, now: number): Promise<void> {
    await this.db.updateTable('webhook_deliveries').set({
      status: outcome.status, last_status_code: outcome.statusCode, last_error: outcome.error, updated_at: now,
      ...(outcome.nextAttemptAtMs !== undefined ? { next_attempt_at: outcome.nextAttemptAtMs } : {}),
    }).where('id', '=', id).where('attempts', '=', attempts).where('status', '=', 'pending').execute();
  }

  /** The deliveries of one event or endpoint, for tests and operators (`evald` has no API for them). */
  async deliveries(filter: { eventId?: string; endpointId?: string }) {
    let q = this.db.selectFrom('webhook_deliveries').selectAll();
    if (filter.eventId) q = q.where('event_id', '=', filter.eventId);
    if (filter.endpointId) q = q.where('endpoint_id', '=', filter.endpointId);
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => ({ ...r, attempts: num(r.attempts), next_attempt_at: num(r.next_attempt_at), created_at: num(r.created_at), updated_at: num(r.updated_at) }));
  }
}
