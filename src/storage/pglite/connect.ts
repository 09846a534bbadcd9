import { PGlite, types } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import type { Database } from '../tables.js';
import { Store } from '../store.js';
import { PgliteDialect } from './dialect.js';

// The same values the pg driver hands out (postgres/connect.ts): int8 as numbers (every int8 of ours, a
// timestamp or a byte count, fits a double exactly) and bytea as bytes. PGlite's own bytea codec works a
// byte at a time through strings; Buffer's hex codec does a 1 MiB file chunk at native speed.
const parsers = {
  [types.INT8]: (v: string) => Number(v),
  [types.BYTEA]: (v: string) => Buffer.from(v.slice(2), 'hex'),
};
const serializers = {
  [types.BYTEA]: (v: Uint8Array) => `\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`,
};

/**
 * Opens PGlite (PostgreSQL in WebAssembly, in this process): in memory without `dataDir`, else persisted in
 * that directory (created if needed). One process only: PGlite cannot share a directory between processes.
 * Same SQL as PostgreSQL, so the store's dialect is 'postgres'. Closing the store closes PGlite.
 */
export async function openPglite(dataDir?: string): Promise<Store> {
  const pg = await PGlite.create(dataDir ? { dataDir, parsers, serializers } : { parsers, serializers });
  return pgliteStore(pg, true);
}

/**
 * A store over a PGlite instance someone else opened (several stores may share one, taking turns); closing
 * the store leaves the instance open unless `owned`. Open the instance with `pgliteOptions` so values come
 * back as every other backend hands them out.
 */
export function pgliteStore(pg: PGlite, owned = false): Store {
  const db = new Kysely<Database>({ dialect: new PgliteDialect(pg, owned) });
  return new Store(db, 'postgres', `pglite:${pg.dataDir ?? 'memory'}`);
}

/** The parsers and serializers a shared PGlite instance needs (see pgliteStore). */
export const pgliteOptions = { parsers, serializers };
