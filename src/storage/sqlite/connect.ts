import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../tables.js';
import { Store } from '../store.js';

/** Opens (creating it and its folder if needed) the SQLite file at `path`; `:memory:` for a throwaway one. */
export function openSqlite(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Sqlite(path);
  // WAL lets the API read while the engine writes; NORMAL sync is durable across process crashes (kill -9),
  // which is what a resumed run relies on, at a fraction of FULL's cost.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return new Store(db, 'sqlite', `sqlite:${path}`);
}
