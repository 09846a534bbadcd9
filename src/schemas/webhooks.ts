import { z } from 'zod';
import { EVENT_TYPES } from '../domain/webhook-events.js';
import { pageQuery } from './common.js';

// Shapes of the SDK's `webhooks` resource (openai-node 7.x, resources/webhooks/): OpenAI takes many more
// event types; evald takes the ones it can emit and names the entry it cannot.
const EventType = z.string({ error: 'event types are strings' }).refine((t) => (EVENT_TYPES as readonly string[]).includes(t), {
  error: (issue) => `evald emits only ${EVENT_TYPES.join(', ')}; it cannot send '${String(issue.input)}'`,
});
const EventTypes = z.array(EventType).min(1, { error: 'at least one event type is required' })
  .transform((types) => [...new Set(types)]);
const Name = z.string().min(1, { error: 'name must not be empty' }).max(256, { error: 'name must be at most 256 characters' });
const Url = z.string().max(2048, { error: 'url must be at most 2048 characters' });

export const WebhookCreateParams = z.object({ event_types: EventTypes, name: Name, url: Url });
export type WebhookCreateParams = z.infer<typeof WebhookCreateParams>;

export const WebhookUpdateParams = z.object({ event_types: EventTypes.optional(), name: Name.optional(), url: Url.optional() });
export type WebhookUpdateParams = z.infer<typeof WebhookUpdateParams>;

export const WebhookListQuery = pageQuery({ limit: 20, max: 100, order: 'desc' });
export type WebhookListQuery = z.infer<typeof WebhookListQuery>;

export const WebhookRotateSecretParams = z.object({ keep_old_secret_active_for_24_hours: z.boolean().optional() });
export type WebhookRotateSecretParams = z.infer<typeof WebhookRotateSecretParams>;

export const WebhookTestParams = z.object({ event_type: EventType });
export type WebhookTestParams = z.infer<typeof WebhookTestParams>;
