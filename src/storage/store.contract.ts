import { sql } from 'kysely';
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from './store.js';
import { keysContract } from './contract/keys.contract.js';
import { evalsContract } from './contract/evals.contract.js';
import { runsContract } from './contract/runs.contract.js';
import { leasesContract } from './contract/leases.contract.js';
import { commitContract } from './contract/commit.contract.js';
import { itemsContract } from './contract/items.contract.js';
import { filesContract } from './contract/files.contract.js';
import { budgetsContract } from './contract/budgets.contract.js';
import { itemSearchContract } from './contract/item-search.contract.js';
import { logsContract } from './contract/logs.contract.js';
import { webhooksContract } from './contract/webhooks.contract.js';
import { segmentsContract } from './contract/segments.contract.js';

/** The store a contract test works on, fresh for every test. */
export interface StoreUnderTest {
  readonly store: Store;
}

/**
 * Registers the storage contract for one backend: what every repository method must do, whatever the
 * database. `open` is called before every test and must return a migrated store holding no rows (a new
 * file, or a shared database emptied); `close` is called after every test with that store (default: close it).
 */
export function storeContract(name: string, open: () => Promise<Store>, close: (store: Store) => Promise<void> = (s) => s.close()): void {
  describe(`store contract on ${name}`, () => {
    let current: Store | undefined;
    const ctx: StoreUnderTest = {
      get store() {
        if (!current) throw new Error('no store: contract tests run between beforeEach and afterEach');
        return current;
      },
    };
    beforeEach(async () => { current = await open(); });
    afterEach(async () => {
      const store = current;
      current = undefined;
      if (store) await close(store);
    });

    keysContract(ctx);
    evalsContract(ctx);
    runsContract(ctx);
    leasesContract(ctx);
    commitContract(ctx);
    itemsContract(ctx);
    filesContract(ctx);
    budgetsContract(ctx);
    itemSearchContract(ctx);
    logsContract(ctx);
    segmentsContract(ctx);
    webhooksContract(ctx);
  });
}

/** Deletes every row, for backends that reuse one database across tests. Migrations stay applied. */
export async function emptyStore(store: Store): Promise<void> {
  for (const table of ['item_scores', 'item_facets', 'output_items', 'runs', 'evals', 'file_chunks', 'files', 'api_keys', 'provider_budgets', 'workers', 'logs', 'log_tags', 'run_logs', 'gateway_usage', 'webhook_deliveries', 'webhook_endpoints'] as const) {
    await store.db.deleteFrom(table).execute();
  }
  if (store.dialect === 'sqlite') await sql`delete from item_text`.execute(store.db);
}
