import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../tables.js';
import { Store } from '../store.js';

// int8 columns (timestamps, byte counts) come back from pg as strings by default; every one of ours fits a
// double exactly, so the store hands out numbers. The parser is set per pool, not with pg.types.setTypeParser,
// which would change what every other pg user in the process gets. bytea already comes back as a Buffer.
const types: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) => (oid === pg.types.builtins.INT8 && format !== 'binary'
    ? (v: string) => Number(v)
    : pg.types.getTypeParser(oid, format)),
};

/** Connects to PostgreSQL at `url` (postgres://…) with a small pool. */
export function openPostgres(url: string, poolSize = 10): Store {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types });
  // An idle connection the server drops (restart, failover, pg_terminate_backend) is reported on the pool;
  // with no listener Node would end the process. The pool has already discarded that connection and the
  // next query opens a new one, so there is nothing more to do here.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new Store(db, 'postgres', `postgres:${redact(url)}`);
}

/** The URL without its password, for logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}
