import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { jsonBody, queryOf } from '../validate.js';
import {
  ChatCompletionListQuery, ChatCompletionMessagesQuery, ChatCompletionUpdateParams, InputItemsQuery, metadataQuery,
} from '../../schemas/index.js';

/** The stored-logs API: /v1/chat/completions (GET, and /{id}) and /v1/responses/{id}, as OpenAI's. */
export const logsRoutes = new Hono<AppEnv>()
  .get('/chat/completions', async (c) =>
    c.json(await c.var.services.logs.listChat(c.var.project, queryOf(c, ChatCompletionListQuery), metadataQuery(c.req.query()))))
  .get('/chat/completions/:completion_id', async (c) =>
    c.json(await c.var.services.logs.getChat(c.var.project, c.req.param('completion_id'))))
  .post('/chat/completions/:completion_id', async (c) =>
    c.json(await c.var.services.logs.updateChat(c.var.project, c.req.param('completion_id'), (await jsonBody(c, ChatCompletionUpdateParams)).metadata)))
  .delete('/chat/completions/:completion_id', async (c) =>
    c.json(await c.var.services.logs.deleteChat(c.var.project, c.req.param('completion_id'))))
  .get('/chat/completions/:completion_id/messages', async (c) =>
    c.json(await c.var.services.logs.chatMessages(c.var.project, c.req.param('completion_id'), queryOf(c, ChatCompletionMessagesQuery))))
  .get('/responses/:response_id', async (c) =>
    c.json(await c.var.services.logs.getResponse(c.var.project, c.req.param('response_id'))))
  .delete('/responses/:response_id', async (c) =>
    c.json(await c.var.services.logs.deleteResponse(c.var.project, c.req.param('response_id'))))
  .get('/responses/:response_id/input_items', async (c) =>
    c.json(await c.var.services.logs.inputItems(c.var.project, c.req.param('response_id'), queryOf(c, InputItemsQuery))));
