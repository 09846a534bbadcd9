// evald extension, not part of OpenAI's API: export and paired comparison of runs (docs/extensions.md).
// These paths sit below /v1/evals/{eval_id}/ on names OpenAI does not use (`export`, `compare`).
import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { queryOf } from '../validate.js';
import { CompareItemsQuery, CompareQuery, ExportQuery } from '../../schemas/index.js';

const CONTENT_TYPES = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' } as const;

export const extensionsRoutes = new Hono<AppEnv>()
  // Streamed a page at a time as the client reads (pull), so a 10^6-item run costs one page of memory.
  .get('/evals/:eval_id/runs/:run_id/export', async (c) => {
    const { format } = queryOf(c, ExportQuery);
    const runId = c.req.param('run_id');
    const pages = await c.var.services.exports.open(c.var.project, c.req.param('eval_id'), runId, format);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await pages.next();
        if (next.done) controller.close(); else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() { await pages.return(undefined); },
    });
    return new Response(body, {
      headers: {
        'content-type': CONTENT_TYPES[format],
        'content-disposition': `attachment; filename="${runId}.${format}"`,
        'x-request-id': c.var.requestId,
      },
    });
  })
  .get('/evals/:eval_id/compare', async (c) => {
    const q = queryOf(c, CompareQuery);
    return c.json(await c.var.services.compare.compare(c.var.project, c.req.param('eval_id'), q.base_run_id, q.candidate_run_id));
  })
  .get('/evals/:eval_id/compare/items', async (c) =>
    c.json(await c.var.services.compare.items(c.var.project, c.req.param('eval_id'), queryOf(c, CompareItemsQuery))));
