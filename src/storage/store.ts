import type { Kysely } from 'kysely';
import type { Database } from './tables.js';
import type { Dialect } from './types.js';
import { migrate } from './migrations/index.js';
import { KeysRepo } from './repos/keys.js';
import { EvalsRepo } from './repos/evals.js';
import { RunsRepo } from './repos/runs.js';
import { ItemsRepo } from './repos/items.js';
import { FilesRepo } from './repos/files.js';
import { BudgetsRepo } from './repos/budgets.js';
import { ItemSearchRepo } from './repos/item-search.js';
import { LogsRepo } from './repos/logs.js';
import { GatewayUsageRepo } from './repos/gateway-usage.js';
import { WebhooksRepo } from './repos/webhooks.js';

/**
 * The storage contract: every backend is one Kysely dialect behind these repositories, and every backend
 * passes `store.contract.ts`. Services and the engine see only this.
 */
export class Store {
  readonly keys: KeysRepo;
  readonly evals: EvalsRepo;
  readonly runs: RunsRepo;
  readonly items: ItemsRepo;
  readonly files: FilesRepo;
  readonly budgets: BudgetsRepo;
  readonly itemSearch: ItemSearchRepo;
  readonly logs: LogsRepo;
  readonly gatewayUsage: GatewayUsageRepo;
  readonly webhooks: WebhooksRepo;

  constructor(readonly db: Kysely<Database>, readonly dialect: Dialect, readonly description: string) {
    this.keys = new KeysRepo(db);
    this.evals = new EvalsRepo(db);
    this.runs = new RunsRepo(db, dialect);
    this.items = new ItemsRepo(db);
    this.files = new FilesRepo(db);
    this.budgets = new BudgetsRepo(db, dialect);
    this.itemSearch = new ItemSearchRepo(db, dialect);
    this.logs = new LogsRepo(db);
    this.gatewayUsage = new GatewayUsageRepo(db);
    this.webhooks = new WebhooksRepo(db, dialect);
  }

  /** Applies pending migrations. */
  async migrate(): Promise<void> {
    await migrate(this.db, this.dialect);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
