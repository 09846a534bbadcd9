import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Dialect } from '../types.js';
import { initial } from './0001-initial.js';
import { runSourceFile } from './0002-run-source-file.js';
import { webhooks } from './0005-webhooks.js';
import { itemIndex } from './0006-item-index.js';
import { itemScoresCover } from './0006-item-scores-cover.js';
import { providerBudgets } from './0007-provider-budgets.js';
import { runSegments } from './0008-run-segments.js';
import { logs } from './0003-logs.js';
import { itemIndexSetDeletes } from './0009-item-index-set-deletes.js';
import { runDeletions } from './0010-run-deletions.js';

// Numbered, forward-only. A new migration is a new file and a new line here; never edit a shipped one.
// Numbers are handed out per piece of work, and pieces land in any order: a database that already has
// 0006 still applies a 0003 that lands after it (each migration touches only its own tables and columns).
const migrations = (dialect: Dialect): Record<string, Migration> => ({
  '0001-initial': initial(dialect),
  '0002-run-source-file': runSourceFile,
  '0005-webhooks': webhooks,
  '0006-item-index': itemIndex(dialect),
  '0006-item-scores-cover': itemScoresCover(),
  '0007-provider-budgets': providerBudgets(),
  '0008-run-segments': runSegments(),
  '0003-logs': logs,
  '0009-item-index-set-deletes': itemIndexSetDeletes(dialect),
  '0010-run-deletions': runDeletions(),
});

/** Applies every migration not yet applied; throws with the failing migration's error. */
export async function migrate(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const { error, results } = await new Migrator({ db, provider, allowUnorderedMigrations: true }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${(error as Error).message ?? String(error)}`);
  }
}
