import { openSqlite } from './sqlite/connect.js';
import type { Store } from './store.js';

export { Store } from './store.js';
export type * from './types.js';
export type { Segment } from './repos/runs.js';
export { openSqlite };
export type { ScoreSummary } from './repos/item-search.js';
export { isStorageFull, isUnstorableText, STORAGE_FULL_MESSAGE } from './errors.js';

/**
 * The store the environment asks for, migrated. DATABASE_URL chooses the backend:
 * - `postgres://…` or `postgresql://…`: PostgreSQL, which several evald processes and machines can share;
 * - `pglite://` : PGlite (PostgreSQL in WebAssembly, inside this process) in memory, gone at exit;
 * - `pglite:///path/to/dir` (or `pglite://relative/dir`): PGlite persisted in that directory, one process at a time;
 * - unset or empty: the SQLite file EVALD_DB (default ./data/evald.sqlite).
 * Any other DATABASE_URL is refused rather than silently falling back to SQLite.
 * The PostgreSQL and PGlite drivers are loaded only when asked for: every process and the engine thread
 * open a store, and on SQLite (the default) the two would be ~20 MB and ~0.1 s of modules per thread.
 */
export async function openStore(env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  const url = env.DATABASE_URL;
  let store: Store;
  if (!url) store = openSqlite(env.EVALD_DB ?? './data/evald.sqlite');
  else if (/^postgres(ql)?:\/\//.test(url)) store = (await import('./postgres/connect.js')).openPostgres(url);
  else if (url.startsWith('pglite://')) store = await (await import('./pglite/connect.js')).openPglite(url.slice('pglite://'.length) || undefined);
  else throw new Error(`DATABASE_URL must start with postgres://, postgresql:// or pglite:// (got ${url.split(':')[0]}:…)`);
  try {
    await store.migrate();
  } catch (e) {
    await store.close().catch(() => {});
    throw e;
  }
  return store;
}

/**
 * Whether another connection opened from `env` (in another thread or process) sees the same data as this
 * one: true for a SQLite file and PostgreSQL, false for SQLite `:memory:` and PGlite, which live inside
 * the connection that opened them.
 */
export function storeIsShareable(env: NodeJS.ProcessEnv = process.env): boolean {
  const url = env.DATABASE_URL;
  if (!url) return (env.EVALD_DB ?? './data/evald.sqlite') !== ':memory:';
  return /^postgres(ql)?:\/\//.test(url);
}
