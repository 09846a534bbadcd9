import type { Generated } from 'kysely';

// Column types as both backends hold them. JSON is kept as text so one query layer serves SQLite and
// PostgreSQL alike; the store parses it at the edge of this folder.

export interface ApiKeysTable {
  id: string;
  project: string;
  name: string | null;
  key_hash: string;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
}

export interface EvalsTable {
  id: string;
  project: string;
  name: string;
  data_source_config: string;
  testing_criteria: string;
  metadata: string;
  created_at: number;
  updated_at: number;
}

export interface RunsTable {
  id: string;
  eval_id: string;
  project: string;
  name: string;
  model: string | null;
  status: string;
  data_source: string;
  metadata: string;
  error: string | null;
  count_total: number;
  count_passed: number;
  count_failed: number;
  count_errored: number;
  per_criteria: string | null;
  per_model_usage: string | null;
  created_at: number;
  updated_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** Rows the run's source holds, counted when the run starts; null before. */
  source_rows: number | null;
  /** When the run first started executing (seconds); null before. */
  started_at: number | null;
  /** The file the run reads (data_source.source.id of a file_id source); its bytes outlive a delete until the run ends. */
  source_file_id: string | null;
}

export interface OutputItemsTable {
  id: string;
  run_id: string;
  eval_id: string;
  project: string;
  datasource_item_id: number;
  status: string;
  datasource_item: string;
  results: string;
  sample: string;
  created_at: number;
  /** The engine (RunEngine.owner) that made the item; not part of the API's object (migration 0008). */
  worker: string | null;
}

/** One row per output item: its state, errored apart from failed (migration 0006, kept by triggers). */
export interface ItemFacetsTable {
  run_id: string;
  row: number;
  item_id: string;
  state: 'passed' | 'failed' | 'errored';
  /** SQLite only: the output item's rowid, the key of its full-text row. */
  item_rowid: number;
}

/** One row per graded criterion of an item that did not error (migration 0006, kept by triggers). */
export interface ItemScoresTable {
  run_id: string;
  row: number;
  criterion: string;
  score: number | null;
  passed: number;
}

export interface FilesTable {
  id: string;
  project: string;
  filename: string;
  purpose: string;
  bytes: number;
  status: string;
  created_at: number;
  expires_at: number | null;
}

export interface FileChunksTable {
  file_id: string;
  seq: number;
  data: Uint8Array;
}

export interface ProviderBudgetsTable {
  name: string;
  requests: number;
  tokens: number;
  updated_ms: number;
}

/** A range of a started run's rows that one worker at a time processes (migration 0008). */
/** Runs deleted whose rows in other tables are still being purged (migration 0010). */
export interface RunDeletionsTable {
  run_id: string;
  deleted_at: number;
}

export interface RunSegmentsTable {
  run_id: string;
  seq: number;
  /** First row index of the range, and the index past its last. */
  first_row: number;
  end_row: number;
  owner: string | null;
  lease_expires_at: number | null;
  /** 1 once every row of the range has a committed output item. */
  done: number;
}

export interface WorkersTable {
  owner: string;
  seen_ms: number;
}

export interface LogsTable {
  project: string;
  id: string;
  /** `chat.completion` or `response`. */
  kind: string;
  /** The model the answer names (often a dated snapshot); `request_model` is the one asked for. */
  model: string;
  request_model: string;
  created_at: number;
  expires_at: number | null;
  metadata: string;
  user_id: string | null;
  instructions: string | null;
  temperature: number | null;
  top_p: number | null;
  reasoning_effort: string | null;
  /** `,name1,name2,`: the request's tool names (a function's name, else the tool type), for `tools` filters. */
  tool_names: string | null;
  /** The request body as the client sent it. */
  request: string;
  /** The answer: the upstream's body, or the object assembled from its stream. */
  response: string;
}

export interface LogTagsTable {
  project: string;
  kind: string;
  tag: string;
  value: string;
  created_at: number;
  log_id: string;
}

export interface RunLogsTable {
  run_id: string;
  seq: number;
  log_id: string;
}

export interface GatewayUsageTable {
  project: string;
  model: string;
  day: number;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cached_tokens: number;
}

export interface WebhookEndpointsTable {
  id: string;
  project: string;
  name: string;
  url: string;
  event_types: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  endpoint_id: string;
  project: string;
  event_type: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface MigrationsMarker {
  id: Generated<number>;
}

export interface Database {
  api_keys: ApiKeysTable;
  evals: EvalsTable;
  runs: RunsTable;
  output_items: OutputItemsTable;
  item_facets: ItemFacetsTable;
  item_scores: ItemScoresTable;
  files: FilesTable;
  file_chunks: FileChunksTable;
  provider_budgets: ProviderBudgetsTable;
  workers: WorkersTable;
  run_segments: RunSegmentsTable;
  run_deletions: RunDeletionsTable;
  logs: LogsTable;
  log_tags: LogTagsTable;
  run_logs: RunLogsTable;
  gateway_usage: GatewayUsageTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
