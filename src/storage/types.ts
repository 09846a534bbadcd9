import type { FilesTable, GatewayUsageTable, LogsTable } from './tables.js';
import type { Usage } from '../domain/sample.js';

/** Which backend a store runs on; the few dialect-specific statements branch on it. */
export type Dialect = 'sqlite' | 'postgres';

export interface PageRequest {
  after?: string | undefined;
  limit: number;
  order: 'asc' | 'desc';
}

export interface Page<T> {
  rows: T[];
  hasMore: boolean;
}

export type Metadata = Record<string, string> | null;

export interface KeyRecord {
  id: string;
  project: string;
  name: string | null;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
}

export interface EvalRecord {
  id: string;
  project: string;
  name: string;
  data_source_config: Record<string, unknown>;
  testing_criteria: Array<Record<string, unknown> & { id: string; type: string; name: string }>;
  metadata: Metadata;
  created_at: number;
  updated_at: number;
}

export interface CriterionCounts {
  passed: number;
  failed: number;
}

export interface ModelUsage extends Usage {
  invocation_count: number;
}

export interface RunRecord {
  id: string;
  eval_id: string;
  project: string;
  name: string;
  model: string | null;
  status: string;
  data_source: Record<string, unknown>;
  /** `data_source` as stored JSON text (set on records read from the store), sent by the API unparsed. */
  data_source_json?: string;
  metadata: Metadata;
  error: { code: string; message: string } | null;
  counts: { total: number; passed: number; failed: number; errored: number };
  /** Keyed by criterion id; null until the run starts. */
  per_criteria: Record<string, CriterionCounts> | null;
  /** Keyed by model name; null until the run starts. */
  per_model_usage: Record<string, ModelUsage> | null;
  created_at: number;
  updated_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** Rows the source holds, counted when the run starts (null before, or when it could not be read). */
  source_rows?: number | null;
  /** When the run first started (seconds). */
  started_at?: number | null;
}

export interface OutputItemRecord {
  id: string;
  run_id: string;
  eval_id: string;
  project: string;
  datasource_item_id: number;
  status: 'pass' | 'fail';
  datasource_item: unknown;
  results: unknown[];
  sample: unknown;
  created_at: number;
}

/** One graded item as the engine hands it to the store, with what it adds to the run's counts. */
export interface GradedItem {
  record: OutputItemRecord;
  outcome: 'passed' | 'failed' | 'errored';
  criteria: Array<{ id: string; passed: boolean }>;
  usage: Array<{ model: string; usage: Usage }>;
}

/** A file's metadata: exactly its row (its bytes live in `file_chunks`). */
export type FileRecord = FilesTable;

/** A stored chat completion or response: exactly its row (request and answer as JSON text). */
export type LogRecord = LogsTable;
export type LogKind = 'chat.completion' | 'response';

/** A query over one project's logs of one kind; every field set narrows it (AND). */
export interface LogFilter {
  kind: LogKind;
  /** Matches the model asked for or the model the answer names. */
  model?: string | undefined;
  metadata?: Record<string, string> | undefined;
  /** Inclusive bounds on created_at (seconds). */
  createdAfter?: number | undefined;
  createdBefore?: number | undefined;
  users?: string[] | undefined;
  temperature?: number | undefined;
  topP?: number | undefined;
  reasoningEffort?: string | undefined;
  instructionsSearch?: string | undefined;
  /** Logs whose request offered any of these tools. */
  tools?: string[] | undefined;
}

/** Gateway usage counted for one project, model and UTC day. */
export type GatewayUsageRow = GatewayUsageTable;
/** A webhook endpoint with its signing secrets (the API shows a secret only at create and rotate). */
export interface WebhookEndpointRecord {
  id: string;
  project: string;
  name: string;
  url: string;
  event_types: string[];
  secret: string;
  /** The secret before the last rotation, still signing until `previous_secret_expires_at` (seconds). */
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

/** One event due at one endpoint, as a dispatcher claimed it: what to send, where, signed with what. */
export interface ClaimedDelivery {
  id: string;
  event_id: string;
  event_type: string;
  payload: string;
  project: string;
  /** Attempts including this one. */
  attempts: number;
  created_at: number;
  endpoint: Pick<WebhookEndpointRecord, 'id' | 'name' | 'url' | 'secret' | 'previous_secret' | 'previous_secret_expires_at'>;
}
