import { join } from 'node:path';
import { newId } from '../domain/ids.js';
import { openSqlite } from '../storage/index.js';
import { load, startEvald } from './proc.js';

const CRITERIA = JSON.stringify([{ type: 'string_check', name: 'exact', input: '{{sample.output_text}}', reference: '{{item.answer}}', operation: 'eq', id: 'exact-00000000-0000-4000-8000-000000000000' }]);
const CONFIG = JSON.stringify({ type: 'custom', schema: { type: 'object', properties: { item: { type: 'object' } }, required: ['item'] } });

/** Seeds `count` evals straight into a fresh SQLite file (the API would take minutes for 100,000). */
async function seed(dbPath: string, count: number): Promise<string[]> {
  const store = openSqlite(dbPath);
  await store.migrate();
  const ids: string[] = [];
  const now = Date.now() - count;
  await store.db.transaction().execute(async (tx) => {
    for (let i = 0; i < count; i += 500) {
      const rows = [];
      for (let j = i; j < Math.min(count, i + 500); j++) {
        const id = newId('eval_', now + j);
        ids.push(id);
        const at = Math.floor((now + j) / 1000);
        rows.push({ id, project: 'default', name: `eval ${j}`, data_source_config: CONFIG, testing_criteria: CRITERIA, metadata: '{}', created_at: at, updated_at: at });
      }
      await tx.insertInto('evals').values(rows).execute();
    }
  });
  await store.close();
  return ids;
}

/** GET /evals/{id} and a list page, on a store of `count` evals. */
export async function benchEvals(dir: string, count: number, requests: number) {
  const dbPath = join(dir, `evals-${count}.sqlite`);
  const ids = await seed(dbPath, count);
  const server = await startEvald({ EVALD_DB: dbPath });
  try {
    const get = (i: number) => fetch(`${server.url}/v1/evals/${ids[(i * 7919) % ids.length]}`);
    // A page deep in the list: the cursor is an id in the middle, so an offset-based list would pay for it.
    const middle = ids[Math.floor(ids.length / 2)];
    const list = () => fetch(`${server.url}/v1/evals?limit=20&after=${middle}`);
    await load(200, 8, get); // warm up
    return { count, get: await load(requests, 16, get), list: await load(requests, 16, list) };
  } finally {
    await server.stop();
  }
}
