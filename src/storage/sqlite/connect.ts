import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDatabase } from 'kysely';
import type { Database } from '../tables.js';
import { Store } from '../store.js';

// A plain BEGIN takes its write lock lazily, and when two processes share the file (a server and
// `evald keys create`, or two servers) the upgrade fails at once with "database is locked" instead of
// waiting. BEGIN IMMEDIATE takes the lock up front, where busy_timeout makes the other side wait its turn.
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  // After SQLITE_FULL (and a few other errors) SQLite has already rolled the transaction back itself; the
  // ROLLBACK Kysely then sends fails with "no transaction is active", and that error would replace the
  // one that says what happened.
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } catch (e) {
      if (!/no transaction is active/i.test((e as Error).message)) throw e;
    }
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly database: SqliteDatabase) {
    super({ database });
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.database });
  }
}

/** How many prepared statements a connection keeps; more than the distinct queries evald runs. */
const STATEMENT_CACHE_SIZE = 200;
/** Longer SQL is not kept; the longest evald runs is the 256-row insert of output items (about 8 KB). */
const MAX_CACHED_SQL = 16_000;

/**
 * The database as Kysely sees it, with its prepared statements kept and reused: Kysely prepares every
 * query it runs, and preparing (SQLite parsing and planning the SQL) costs more than running the small
 * queries an API read or a batch makes. Least recently used statements are dropped past the cache size.
 * A statement still mid-iteration is never handed out twice: a fresh one is prepared instead.
 */
export function withStatementCache(sqlite: Sqlite.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const cache = new Map<string, Sqlite.Statement>();
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare: (sql: string) => {
      const cached = cache.get(sql);
      if (cached && !cached.busy) {
        // Map keeps insertion order: re-inserting marks it the most recently used.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      if (!cached && sql.length <= MAX_CACHED_SQL) {
        cache.set(sql, statement);
        if (cache.size > size) cache.delete(cache.keys().next().value!);
      }
      return statement;
    },
  };
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
  // Statement journals and RETURNING buffers stay in memory instead of a temporary file created and
  // deleted by every batch that inserts output items.
  sqlite.pragma('temp_store = MEMORY');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(withStatementCache(sqlite)) });
  return new Store(db, 'sqlite', `sqlite:${path}`);
}
