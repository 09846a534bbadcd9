import { z } from 'zod';
import { JsonObject, Metadata, Order, Text, pageQuery } from './common.js';
import { TestingCriterionParams } from './graders.js';

export const CustomDataSourceConfigParams = z.object({
  type: z.literal('custom'),
  item_schema: JsonObject,
  include_sample_schema: z.boolean().default(false),
});
export const LogsDataSourceConfigParams = z.object({ type: z.literal('logs'), metadata: JsonObject.nullish() });
export const StoredCompletionsDataSourceConfigParams = z.object({
  type: z.literal('stored_completions'),
  metadata: JsonObject.nullish(),
});

export const DataSourceConfigParams = z.discriminatedUnion('type', [
  CustomDataSourceConfigParams, LogsDataSourceConfigParams, StoredCompletionsDataSourceConfigParams,
]);
export type DataSourceConfigParams = z.infer<typeof DataSourceConfigParams>;

/** `CreateEvalRequest`. */
export const EvalCreateParams = z.object({
  name: Text.optional(),
  metadata: Metadata.optional(),
  data_source_config: DataSourceConfigParams,
  testing_criteria: z.array(TestingCriterionParams),
});
export type EvalCreateParams = z.infer<typeof EvalCreateParams>;

/** `POST /evals/{id}`: name and metadata, both optional; metadata is replaced, not merged. */
export const EvalUpdateParams = z.object({ name: Text.optional(), metadata: Metadata.optional() });
export type EvalUpdateParams = z.infer<typeof EvalUpdateParams>;

export const EvalListQuery = pageQuery({ limit: 20, max: 100, order: 'asc' }).extend({
  order_by: z.enum(['created_at', 'updated_at']).default('created_at'),
});
export type EvalListQuery = z.infer<typeof EvalListQuery>;
export { Order };
