import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../tables.js';
import { Store } from '../store.js';

// int8 columns (timestamps, byte counts) come back from pg as strings by default; every one of ours fits
// a double exactly, so the store hands out numbers.
pg.types.setTypeParser(20, (v: string) => Number(v));

/** Connects to PostgreSQL at `url` (postgres://…) with a small pool. */
export function openPostgres(url: string, poolSize = 10): Store {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
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
