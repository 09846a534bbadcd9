import type { Transaction } from 'kysely';
import { newId } from '../../domain/ids.js';
import { runEventPayload, runEventType } from '../../domain/webhook-events.js';
import type { Database } from '../tables.js';
import { fromJson } from '../json.js';

/**
 * Writes the event of a run that reached `status` (completed, failed, canceled) into the outbox, one row
 * per endpoint of the run's project subscribed to it, inside the transaction that set the status: the
 * event exists exactly when the status does. Every row of one event carries the same event id.
 */
export async function enqueueRunEvent(tx: Transaction<Database>, run: { id: string; project: string }, status: string, now: number): Promise<void> {
  const type = runEventType(status);
  if (!type) return;
  const endpoints = await tx.selectFrom('webhook_endpoints').select(['id', 'event_types'])
    .where('project', '=', run.project).execute();
  const subscribed = endpoints.filter((e) => fromJson<string[]>(e.event_types).includes(type));
  if (subscribed.length === 0) return;
  const eventId = newId('evt_', now * 1000);
  const payload = runEventPayload(eventId, type, now, run.id);
  await tx.insertInto('webhook_deliveries').values(subscribed.map((e) => ({
    id: newId('wh_', now * 1000), event_id: eventId, endpoint_id: e.id, project: run.project, event_type: type, payload,
    status: 'pending', attempts: 0, next_attempt_at: now * 1000, last_status_code: null, last_error: null,
    created_at: now, updated_at: now,
  }))).execute();
}
