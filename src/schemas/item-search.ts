import { z } from 'zod';
import { pageQuery } from './common.js';

// evald's own (not OpenAI's): the queries of the item_search and score_histograms extensions.

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** `GET /v1/evals/{eval_id}/runs/{run_id}/item_search` */
export const ItemSearchQuery = pageQuery({ limit: 50, max: 100, order: 'asc' }).extend({
  q: z.string().max(500).optional(),
  status: z.enum(['passed', 'failed', 'errored']).optional(),
  criterion: z.string().min(1).optional(),
  criterion_passed: bool.optional(),
  sort: z.enum(['row', 'score']).default('row'),
  score_criterion: z.string().min(1).optional(),
});
export type ItemSearchQuery = z.infer<typeof ItemSearchQuery>;

/** `GET /v1/evals/{eval_id}/runs/{run_id}/score_histograms` */
export const ScoreHistogramsQuery = z.object({
  bins: z.coerce.number().int().min(1).max(100).default(20),
});
