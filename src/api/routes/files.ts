import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { queryOf } from '../validate.js';
import { FileListQuery } from '../../services/files.js';

/** /v1/files */
export const filesRoutes = new Hono<AppEnv>()
  .post('/files', async (c) => c.json(await c.var.services.files.upload(c.var.project, c.req.raw)))
  .get('/files', async (c) => c.json(await c.var.services.files.list(c.var.project, queryOf(c, FileListQuery))))
  .get('/files/:file_id', async (c) => c.json(await c.var.services.files.retrieve(c.var.project, c.req.param('file_id'))))
  .delete('/files/:file_id', async (c) => c.json(await c.var.services.files.delete(c.var.project, c.req.param('file_id'))))
  .get('/files/:file_id/content', async (c) => {
    const { file, body } = await c.var.services.files.content(c.var.project, c.req.param('file_id'));
    return new Response(body, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes), 'x-request-id': c.var.requestId },
    });
  });
