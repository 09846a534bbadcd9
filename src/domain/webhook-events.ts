/** The webhook event types evald emits: OpenAI's three for eval runs. */
export const EVENT_TYPES = ['eval.run.succeeded', 'eval.run.failed', 'eval.run.canceled'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const BY_STATUS: Record<string, EventType> = { completed: 'eval.run.succeeded', failed: 'eval.run.failed', canceled: 'eval.run.canceled' };

/** The event a run's final status sends, or undefined for a status that is not final. */
export const runEventType = (status: string): EventType | undefined => BY_STATUS[status];

/** The body OpenAI sends for a run event, as JSON text: the exact bytes that are signed and delivered. */
export function runEventPayload(eventId: string, type: EventType, createdAt: number, runId: string): string {
  return JSON.stringify({ object: 'event', id: eventId, type, created_at: createdAt, data: { id: runId } });
}
