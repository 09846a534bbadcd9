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

export interface WorkersTable {
  owner: string;
  seen_ms: number;
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
}
