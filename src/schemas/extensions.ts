import { z } from 'zod';

// Queries of evald's own routes (docs/extensions.md); OpenAI has no such endpoints.

const runId = (name: string) => z.string({ error: `${name} is required` }).min(1, { error: `${name} is required` });

export const ExportQuery = z.object({ format: z.enum(['jsonl', 'csv']).default('jsonl') });
export type ExportQuery = z.infer<typeof ExportQuery>;

export const CompareQuery = z.object({ base_run_id: runId('base_run_id'), candidate_run_id: runId('candidate_run_id') });
export type CompareQuery = z.infer<typeof CompareQuery>;

export const CompareItemsQuery = CompareQuery.extend({
  kind: z.enum(['regression', 'fix', 'unchanged', 'errored', 'unpaired']).optional(),
  // The cursor is a row (datasource_item_id): pairs are keyed by it, not by either run's item ids.
  after: z.coerce.number({ error: 'after must be a datasource_item_id' }).int({ error: 'after must be a datasource_item_id' }).optional(),
  limit: z.coerce.number({ error: 'limit must be an integer' }).int({ error: 'limit must be an integer' }).optional()
    .transform((n) => (n === undefined ? 20 : Math.min(Math.max(n, 1), 100))),
});
export type CompareItemsQuery = z.infer<typeof CompareItemsQuery>;
