import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Store } from '../store.js';
import { openPostgres, redact } from '../postgres/connect.js';
import { pgliteOptions, pgliteStore } from '../pglite/connect.js';

/** Where a PostgreSQL test file runs: a throwaway database on a real server, or PGlite when there is none. */
export interface PostgresBackend {
  readonly kind: 'postgres' | 'pglite';
  readonly description: string;
  /** A DATABASE_URL for a whole evald server on this backend: the test database, or `pglite://` (a fresh in-memory PGlite). */
  readonly serverUrl: string;
  /** Another store on the one test database: a new pool (another "machine"), or another user of the PGlite instance. */
  open(poolSize?: number): Promise<Store>;
  /** Drops the database (or closes PGlite); close every store first. */
  dispose(): Promise<void>;
}

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
// Only "nothing listens there" falls back to PGlite. A server that answers but refuses us (wrong user,
// password, database) is a broken setup and fails the tests instead of hiding behind the fallback.
const UNREACHABLE = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Creates a fresh database `evald_test_<random>` on the server at EVALD_TEST_DATABASE_URL (an admin URL;
 * default postgres://postgres@127.0.0.1:5432/postgres). If no server is reachable within 2 s, the same tests
 * run on an in-memory PGlite instead. Logs which one once, prefixed with `file`.
 */
export async function postgresBackend(file: string): Promise<PostgresBackend> {
  const adminUrl = process.env.EVALD_TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (e) {
    await admin.end().catch(() => {});
    if (!isUnreachable(e)) throw e;
    const backend = await pgliteBackend(`no PostgreSQL server at ${redact(adminUrl)}: ${describe(e)}`);
    console.log(`[${file}] ${backend.description}`);
    return backend;
  }
  try {
    const name = `evald_test_${randomBytes(6).toString('hex')}`;
    const { rows } = await admin.query<{ server_version: string }>('show server_version');
    await admin.query(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const description = `PostgreSQL ${rows[0]?.server_version} (${redact(url.toString())})`;
    console.log(`[${file}] ${description}`);
    return {
      kind: 'postgres', description, serverUrl: url.toString(),
      open: async (poolSize = 4) => openPostgres(url.toString(), poolSize),
      async dispose() {
        try {
          await admin.query(`drop database if exists ${name} with (force)`);
        } finally {
          await admin.end();
        }
      },
    };
  } catch (e) {
    await admin.end().catch(() => {});
    throw e;
  }
}

async function pgliteBackend(why: string): Promise<PostgresBackend> {
  const instance = await PGlite.create(pgliteOptions);
  const { rows } = await instance.query<{ server_version: string }>('show server_version');
  return {
    kind: 'pglite', description: `PGlite (PostgreSQL ${rows[0]?.server_version}) in memory; ${why}`, serverUrl: 'pglite://',
    open: async () => pgliteStore(instance),
    dispose: () => instance.close(),
  };
}

function isUnreachable(e: unknown): boolean {
  const err = e as { code?: string; message?: string; errors?: unknown[] };
  if (err.code && UNREACHABLE.has(err.code)) return true;
  // Node reports a host with several addresses (localhost: ::1 and 127.0.0.1) as an AggregateError.
  if (Array.isArray(err.errors)) return err.errors.length > 0 && err.errors.every(isUnreachable);
  // A connect timeout, or a socket closed before the PostgreSQL handshake: nothing there speaks PostgreSQL.
  // A server that does speak it refuses with a SQLSTATE code (28P01, 3D000, …) and lands on the throw.
  return /timeout|terminated unexpectedly/i.test(err.message ?? '');
}

const describe = (e: unknown) => (e as { code?: string }).code ?? (e as Error).message;
