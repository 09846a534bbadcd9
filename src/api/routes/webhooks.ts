import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { jsonBody, queryOf } from '../validate.js';
import { WebhookCreateParams, WebhookListQuery, WebhookRotateSecretParams, WebhookTestParams, WebhookUpdateParams } from '../../schemas/index.js';

/** /v1/webhook_endpoints and /v1/webhook_event_types, as the SDK's `client.webhooks` calls them. */
export const webhooksRoutes = new Hono<AppEnv>()
  .post('/webhook_endpoints', async (c) =>
    c.json(await c.var.services.webhooks.create(c.var.project, await jsonBody(c, WebhookCreateParams))))
  .get('/webhook_endpoints', async (c) =>
    c.json(await c.var.services.webhooks.list(c.var.project, queryOf(c, WebhookListQuery))))
  .get('/webhook_endpoints/:id', async (c) =>
    c.json(await c.var.services.webhooks.retrieve(c.var.project, c.req.param('id'))))
  .post('/webhook_endpoints/:id', async (c) =>
    c.json(await c.var.services.webhooks.update(c.var.project, c.req.param('id'), await jsonBody(c, WebhookUpdateParams))))
  .delete('/webhook_endpoints/:id', async (c) =>
    c.json(await c.var.services.webhooks.delete(c.var.project, c.req.param('id'))))
  .post('/webhook_endpoints/:id/rotate_secret', async (c) =>
    c.json(await c.var.services.webhooks.rotateSecret(c.var.project, c.req.param('id'), await jsonBody(c, WebhookRotateSecretParams))))
  .post('/webhook_endpoints/:id/test', async (c) =>
    c.json(await c.var.services.webhooks.test(c.var.project, c.req.param('id'), await jsonBody(c, WebhookTestParams))))
  .get('/webhook_event_types', (c) => c.json(c.var.services.webhooks.eventTypes()));
