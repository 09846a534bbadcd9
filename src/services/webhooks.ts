import { ApiError } from '../api/errors.js';
import { newId } from '../domain/ids.js';
import { EVENT_TYPES, runEventPayload, type EventType } from '../domain/webhook-events.js';
import type { WebhookCreateParams, WebhookListQuery, WebhookRotateSecretParams, WebhookTestParams, WebhookUpdateParams } from '../schemas/index.js';
import type { Store, WebhookEndpointRecord } from '../storage/index.js';
import { urlProblem } from '../webhooks/address-policy.js';
import type { Sender } from '../webhooks/send.js';
import { activeSecrets, newSecret, secretHint, signedHeaders } from '../webhooks/signature.js';
import { listOf } from './wire.js';

const nowS = () => Math.floor(Date.now() / 1000);
const GRACE_S = 24 * 3600;

/** A `webhook_endpoint` as the API returns it; the secret itself only at create and rotate. */
const toWire = (e: WebhookEndpointRecord) => ({
  object: 'webhook_endpoint' as const,
  id: e.id,
  name: e.name,
  url: e.url,
  event_types: e.event_types,
  signing_secret_hint: secretHint(e.secret),
  created_at: e.created_at,
  updated_at: e.updated_at,
});
const withSecret = (e: WebhookEndpointRecord) => ({ ...toWire(e), signing_secret: e.secret });

/** Webhook endpoints of a project (OpenAI's `/v1/webhook_endpoints`) and their test deliveries. */
export class WebhooksService {
  constructor(private readonly store: Store, private readonly sender: Sender, private readonly allowPrivate: boolean) {}

  async create(project: string, params: WebhookCreateParams) {
    this.checkUrl(params.url);
    const now = nowS();
    const record: WebhookEndpointRecord = {
      id: newId('whe_'), project, name: params.name, url: params.url, event_types: params.event_types,
      secret: newSecret(), previous_secret: null, previous_secret_expires_at: null, created_at: now, updated_at: now,
    };
    await this.store.webhooks.insert(record);
    return withSecret(record);
  }

  async record(project: string, id: string): Promise<WebhookEndpointRecord> {
    const found = await this.store.webhooks.get(project, id);
    if (!found) throw ApiError.notFound('webhook endpoint', id, 'webhook_endpoint_id');
    return found;
  }

  async retrieve(project: string, id: string) {
    return toWire(await this.record(project, id));
  }

  async list(project: string, query: WebhookListQuery) {
    const page = await this.store.webhooks.list(project, query);
    return listOf(page, page.rows.map(toWire));
  }

  /** Changes what is given; `updated_at` moves only when something actually changed, as OpenAI documents. */
  async update(project: string, id: string, params: WebhookUpdateParams) {
    const e = await this.record(project, id);
    if (params.url !== undefined) this.checkUrl(params.url);
    const next = { ...e, name: params.name ?? e.name, url: params.url ?? e.url, event_types: params.event_types ?? e.event_types };
    const changed = next.name !== e.name || next.url !== e.url || next.event_types.join('\n') !== e.event_types.join('\n');
    if (!changed) return toWire(e);
    next.updated_at = nowS();
    if (!(await this.store.webhooks.update(next))) throw ApiError.notFound('webhook endpoint', id, 'webhook_endpoint_id');
    return toWire(next);
  }

  async delete(project: string, id: string) {
    if (!(await this.store.webhooks.delete(project, id))) throw ApiError.notFound('webhook endpoint', id, 'webhook_endpoint_id');
    return { object: 'webhook_endpoint.deleted' as const, id, deleted: true };
  }

  /** A new secret; the old one keeps signing for 24 h if asked (deliveries then carry both signatures). */
  async rotateSecret(project: string, id: string, params: WebhookRotateSecretParams) {
    const e = await this.record(project, id);
    const now = nowS();
    const keep = params.keep_old_secret_active_for_24_hours === true;
    const next: WebhookEndpointRecord = {
      ...e, secret: newSecret(), updated_at: now,
      previous_secret: keep ? e.secret : null, previous_secret_expires_at: keep ? now + GRACE_S : null,
    };
    if (!(await this.store.webhooks.update(next))) throw ApiError.notFound('webhook endpoint', id, 'webhook_endpoint_id');
    return withSecret(next);
  }

  /**
   * Sends one sample event of the asked type now, signed like a real one, and reports the receiver's
   * status code. Not retried, not kept in the outbox. The sample's run id names no real run.
   */
  async test(project: string, id: string, params: WebhookTestParams) {
    const e = await this.record(project, id);
    const now = nowS();
    const eventId = newId('evt_');
    const body = runEventPayload(eventId, params.event_type as EventType, now, newId('evalrun_'));
    const result = await this.sender.send(e.url, signedHeaders(activeSecrets(e, now), newId('wh_'), now, body), body);
    if ('error' in result) {
      throw new ApiError(400, 'invalid_request_error', `The test event could not be delivered to ${new URL(e.url).origin}: ${result.error}.`, null, 'webhook_delivery_failed');
    }
    return { object: 'webhook_endpoint.test' as const, webhook_endpoint_id: e.id, event_type: params.event_type, status_code: result.statusCode, success: true as const };
  }

  eventTypes() {
    return { object: 'list' as const, data: [...EVENT_TYPES] };
  }

  private checkUrl(url: string): void {
    const problem = urlProblem(url, this.allowPrivate);
    if (problem) throw ApiError.invalid('url', `The webhook url ${problem}.`, 'invalid_url');
  }
}
