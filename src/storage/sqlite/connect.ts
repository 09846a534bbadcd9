import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
import type { Database } from '../tables.js';
import { Store } from '../store.js';

// A plain BEGIN takes its write lock lazily, and when two processes share the file (a server and
// `evald keys create`, or two servers) the upgrade fails at once with "database is locked" instead of
// waiting. BEGIN IMMEDIATE takes the lock up front, where busy_timeout makes the other side wait its turn.
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly database: Sqlite.Database) {
    super({ database });
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.database });
  }
}

/** Opens (creating it and its folder if needed) the SQLite file at `path`; `:memory:` for a throwaway one. */
export function openSqlite(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Sqlite(path);
  // WAL lets the API read while the engine writes; NORMAL sync is durable across process crashes (kill -9),
  // which is what a resumed run relies on, at a fraction of FULL's cost.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(sqlite) });
  return new Store(db, 'sqlite', `sqlite:${path}`);
}
