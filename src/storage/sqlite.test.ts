import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openSqlite } from './sqlite/connect.js';
import { storeContract } from './store.contract.js';

// A new database file per test, in a folder removed at the end: the same WAL-mode file the server opens.
const dir = mkdtempSync(join(tmpdir(), 'evald-sqlite-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeContract('SQLite (file)', async () => {
  const store = openSqlite(join(dir, `store-${++n}.sqlite`));
  await store.migrate();
  return store;
});
