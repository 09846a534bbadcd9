/** Everything evald reads from the environment, in one place (the README's configuration table mirrors it). */
export interface Config {
  port: number;
  host: string;
  /** SQLite file used when databaseUrl is unset. */
  dbPath: string;
  databaseUrl: string | undefined;
  /** Origin put in report_url; defaults to http://HOST:PORT. */
  publicUrl: string | undefined;
  /** Largest JSON request body, bytes (413 beyond it). */
  maxBodyBytes: number;
  /** Largest uploaded file, bytes (413 beyond it). */
  maxFileBytes: number;
  /** How long a worker's claim on a run lasts without renewal; a dead worker's runs resume after it. */
  leaseMs: number;
  /** Runs one server executes at once. */
  maxParallelRuns: number;
  /**
   * Items of one run in flight at once; undefined (the default) means 64, or twice the concurrency of the
   * provider a sampled run's model routes to if that is more, so a freed call slot always has an item
   * ready for it.
   */
  itemConcurrency: number | undefined;
  /** Rows per segment of a run, the unit workers claim (EVALD_SEGMENT_ROWS); undefined: sized by the run. */
  segmentRows: number | undefined;
  /** RSS (MB) above which a running engine triggers a full GC after a batch; 0 disables it. */
  memorySoftLimitMb: number;
  logLevel: string;
  /** JSON lines, readable lines (pino-pretty), or readable on a terminal and JSON otherwise. */
  logFormat: 'json' | 'pretty' | 'auto';
  /** Whether this process executes runs and delivers webhooks (a pure API node sets EVALD_WORKER=0). */
  worker: boolean;
  /** Whether the engine runs in a thread of its own (where the store allows a second connection). */
  engineThread: boolean;
  /** Log every gateway chat completion and response, whatever its `store` says (EVALD_STORE_ALL=1). */
  storeAll: boolean;
  /** Days a stored log is kept; null: chat completions forever, responses 30 days (as OpenAI). */
  logRetentionDays: number | null;
  webhooks: {
    /** Deliver to loopback and private addresses too (tests, a receiver on the same network). */
    allowPrivate: boolean;
    /** One delivery attempt's timeout. */
    timeoutMs: number;
    /** The wait after a first failed attempt; it doubles at each further failure, up to an hour. */
    retryFirstDelayMs: number;
  };
}

const int = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got '${value}'`);
  return n;
};

const logFormat = (value: string | undefined): Config['logFormat'] => {
  if (!value || value === 'auto') return 'auto';
  if (value === 'json' || value === 'pretty') return value;
  throw new Error(`EVALD_LOG_FORMAT must be json, pretty or auto, got '${value}'`);
};

/** Reads and checks the configuration; throws a message naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: int(env.PORT, 8080, 'PORT'),
    host: env.HOST || '127.0.0.1',
    dbPath: env.EVALD_DB || './data/evald.sqlite',
    databaseUrl: env.DATABASE_URL || undefined,
    publicUrl: env.EVALD_PUBLIC_URL || undefined,
    maxBodyBytes: int(env.EVALD_MAX_BODY_MB, 64, 'EVALD_MAX_BODY_MB') * 1024 * 1024,
    maxFileBytes: int(env.EVALD_MAX_FILE_MB, 2048, 'EVALD_MAX_FILE_MB') * 1024 * 1024,
    leaseMs: int(env.EVALD_LEASE_MS, 30_000, 'EVALD_LEASE_MS'),
    maxParallelRuns: Math.max(1, int(env.EVALD_PARALLEL_RUNS, 4, 'EVALD_PARALLEL_RUNS')),
    itemConcurrency: env.EVALD_ITEM_CONCURRENCY ? Math.max(1, int(env.EVALD_ITEM_CONCURRENCY, 64, 'EVALD_ITEM_CONCURRENCY')) : undefined,
    segmentRows: env.EVALD_SEGMENT_ROWS ? Math.max(1, int(env.EVALD_SEGMENT_ROWS, 1000, 'EVALD_SEGMENT_ROWS')) : undefined,
    memorySoftLimitMb: int(env.EVALD_MEMORY_SOFT_MB, 160, 'EVALD_MEMORY_SOFT_MB'),
    logLevel: env.EVALD_LOG_LEVEL || 'info',
    logFormat: logFormat(env.EVALD_LOG_FORMAT),
    worker: env.EVALD_WORKER !== '0',
    engineThread: env.EVALD_ENGINE_THREAD !== '0',
    storeAll: env.EVALD_STORE_ALL === '1' || env.EVALD_STORE_ALL === 'true',
    logRetentionDays: env.EVALD_LOG_RETENTION_DAYS ? Math.max(1, int(env.EVALD_LOG_RETENTION_DAYS, 30, 'EVALD_LOG_RETENTION_DAYS')) : null,
    webhooks: {
      allowPrivate: env.EVALD_WEBHOOK_ALLOW_PRIVATE === '1',
      timeoutMs: Math.max(1, int(env.EVALD_WEBHOOK_TIMEOUT_MS, 10_000, 'EVALD_WEBHOOK_TIMEOUT_MS')),
      retryFirstDelayMs: int(env.EVALD_WEBHOOK_RETRY_MS, 5_000, 'EVALD_WEBHOOK_RETRY_MS'),
    },
  };
}
