import { afterAll } from 'vitest';
import { postgresBackend } from './contract/postgres-backend.contract.js';
import { emptyStore, storeContract } from './store.contract.js';

// One fresh database for this file (or PGlite where no server is reachable, see postgresBackend), migrated
// once, emptied before every test.
const backend = await postgresBackend('postgres.test.ts');
const store = await backend.open();
afterAll(async () => {
  await store.close();
  await backend.dispose();
});
await store.migrate();

storeContract(backend.description, async () => {
  await emptyStore(store);
  return store;
}, async () => {});
