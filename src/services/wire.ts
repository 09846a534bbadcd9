import type { EvalRecord, FileRecord, OutputItemRecord, Page, RunRecord } from '../storage/index.js';

/** The list envelope; `first_id`/`last_id` are null on an empty page. */
export function listOf<T extends { id: string }>(page: Page<unknown>, data: T[]) {
  return {
    object: 'list' as const,
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: page.hasMore,
  };
}

/** An `Eval` as the API returns it. */
export const evalToWire = (e: EvalRecord) => ({
  object: 'eval' as const,
  id: e.id,
  name: e.name,
  data_source_config: e.data_source_config,
  testing_criteria: e.testing_criteria,
  created_at: e.created_at,
  metadata: e.metadata,
});

/** JSON text the API sends as it is (a run embeds its stored data source without re-parsing it). */
export class JsonText {
  constructor(readonly text: string) {}
}

/** An `EvalRun` as JSON text: the wire object with the stored `data_source` text spliced in last. */
export function runToJson(r: RunRecord, reportBase: string): JsonText {
  const head = JSON.stringify(runFields(r, reportBase));
  return new JsonText(`${head.slice(0, -1)},"data_source":${r.data_source_json ?? JSON.stringify(r.data_source)}}`);
}

/** The list envelope around items that are already JSON text. */
export function listOfJson(page: Page<unknown>, ids: string[], data: JsonText[]): JsonText {
  const envelope = JSON.stringify({ object: 'list', first_id: ids[0] ?? null, last_id: ids[ids.length - 1] ?? null, has_more: page.hasMore });
  return new JsonText(`${envelope.slice(0, -1)},"data":[${data.map((d) => d.text).join(',')}]}`);
}

/** An `EvalRun` as an object; `reportBase` is this server's public origin. */
export function runToWire(r: RunRecord, reportBase: string) {
  return { ...runFields(r, reportBase), data_source: r.data_source };
}

/** Every field of an `EvalRun` but `data_source`, which would parse the stored text to read. */
function runFields(r: RunRecord, reportBase: string) {
  return {
    object: 'eval.run' as const,
    id: r.id,
    eval_id: r.eval_id,
    name: r.name,
    model: r.model,
    status: r.status,
    created_at: r.created_at,
    report_url: `${reportBase}/evals/${r.eval_id}?run_id=${r.id}`,
    result_counts: r.counts,
    // The spec's schema types both as arrays (its example shows null while queued; strict clients refuse
    // null), so a run that has not started has empty lists.
    per_model_usage: Object.entries(r.per_model_usage ?? {}).map(([model_name, u]) => ({ model_name, ...u })),
    per_testing_criteria_results: Object.entries(r.per_criteria ?? {}).map(([testing_criteria, c]) => ({ testing_criteria, ...c })),
    metadata: r.metadata,
    error: r.error,
    shared_with_openai: false,
  };
}

/** An `EvalRunOutputItem` as the API returns it. */
export const itemToWire = (i: OutputItemRecord) => ({
  object: 'eval.run.output_item' as const,
  id: i.id,
  run_id: i.run_id,
  eval_id: i.eval_id,
  created_at: i.created_at,
  status: i.status,
  datasource_item_id: i.datasource_item_id,
  datasource_item: i.datasource_item,
  results: i.results,
  sample: i.sample,
});

/** An `OpenAIFile` as the API returns it. */
export const fileToWire = (f: FileRecord) => ({
  id: f.id,
  object: 'file' as const,
  bytes: f.bytes,
  created_at: f.created_at,
  expires_at: f.expires_at,
  filename: f.filename,
  purpose: f.purpose,
  status: f.status,
  status_details: null,
});
