import { openSqlite } from './sqlite/connect.js';
import { openPostgres } from './postgres/connect.js';
import type { Store } from './store.js';

export { Store } from './store.js';
export type * from './types.js';
export { openSqlite, openPostgres };

/** The store the environment asks for: PostgreSQL when DATABASE_URL is set, else the SQLite file EVALD_DB. */
export async function openStore(env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  const url = env.DATABASE_URL;
  const store = url && /^postgres(ql)?:\/\//.test(url) ? openPostgres(url) : openSqlite(env.EVALD_DB ?? './data/evald.sqlite');
  await store.migrate();
  return store;
}
