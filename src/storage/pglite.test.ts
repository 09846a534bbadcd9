import { afterAll } from 'vitest';
import { openPglite } from './pglite/connect.js';
import { emptyStore, storeContract } from './store.contract.js';

// PGlite is a backend of its own (DATABASE_URL=pglite://), so it passes the contract on every run, not only
// where postgres.test.ts finds no server. One in-memory instance (starting one costs seconds), emptied per test.
const store = await openPglite();
afterAll(() => store.close());
await store.migrate();

storeContract('PGlite (in memory)', async () => {
  await emptyStore(store);
  return store;
}, async () => {});
