import type { Kysely, Selectable } from 'kysely';
import type { Database, OutputItemsTable } from '../tables.js';
import type { OutputItemRecord, Page, PageRequest } from '../types.js';
import { num } from '../json.js';

export const itemToRecord = (r: Selectable<OutputItemsTable>): OutputItemRecord => ({
  id: r.id, run_id: r.run_id, eval_id: r.eval_id, project: r.project,
  datasource_item_id: num(r.datasource_item_id), status: r.status as OutputItemRecord['status'],
  datasource_item: JSON.parse(r.datasource_item), results: JSON.parse(r.results), sample: JSON.parse(r.sample),
  created_at: num(r.created_at),
});

/** Output items: written by the engine through RunsRepo.commitBatch, read here. */
export class ItemsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** A keyset page over (run_id[, status], id): the same cost on the 100,000th item as on the first. */
  async list(project: string, evalId: string, runId: string, page: PageRequest & { status?: string | undefined }): Promise<Page<OutputItemRecord>> {
    let q = this.db.selectFrom('output_items').selectAll()
      .where('run_id', '=', runId).where('eval_id', '=', evalId).where('project', '=', project);
    if (page.status) q = q.where('status', '=', page.status);
    if (page.after) q = q.where('id', page.order === 'asc' ? '>' : '<', page.after);
    const rows = await q.orderBy('id', page.order).limit(page.limit + 1).execute();
    return { rows: rows.slice(0, page.limit).map(itemToRecord), hasMore: rows.length > page.limit };
  }

  /**
   * Up to `limit` items of a run in row order (datasource_item_id) after row `afterRow`: a keyset page over
   * the unique (run_id, datasource_item_id) index, for exports and comparisons that walk a whole run.
   */
  async scan(project: string, evalId: string, runId: string, afterRow: number, limit: number): Promise<OutputItemRecord[]> {
    const rows = await this.db.selectFrom('output_items').selectAll()
      .where('run_id', '=', runId).where('datasource_item_id', '>', afterRow)
      .where('eval_id', '=', evalId).where('project', '=', project)
      .orderBy('datasource_item_id', 'asc').limit(limit).execute();
    return rows.map(itemToRecord);
  }

  /**
   * A run's item states (`passed` | `failed` | `errored`) in row order after `afterRow`, from the item index:
   * a comparison reads these instead of parsing every item. The caller has checked the run's project.
   */
  async states(runId: string, afterRow: number, limit: number): Promise<Array<{ row: number; state: string }>> {
    const rows = await this.db.selectFrom('item_facets').select(['row', 'state'])
      .where('run_id', '=', runId).where('row', '>', afterRow).orderBy('row', 'asc').limit(limit).execute();
    return rows.map((r) => ({ row: num(r.row), state: r.state }));
  }

  /** The criterion results of a run's graded items with rows in [fromRow, toRow], from the item index. */
  async scores(runId: string, fromRow: number, toRow: number): Promise<Array<{ row: number; criterion: string; score: number | null; passed: boolean }>> {
    const rows = await this.db.selectFrom('item_scores').select(['row', 'criterion', 'score', 'passed'])
      .where('run_id', '=', runId).where('row', '>=', fromRow).where('row', '<=', toRow).execute();
    return rows.map((r) => ({ row: num(r.row), criterion: r.criterion, score: r.score === null ? null : Number(r.score), passed: Boolean(num(r.passed)) }));
  }

  async get(project: string, evalId: string, runId: string, itemId: string): Promise<OutputItemRecord | undefined> {
    const row = await this.db.selectFrom('output_items').selectAll()
      .where('id', '=', itemId).where('run_id', '=', runId).where('eval_id', '=', evalId).where('project', '=', project)
      .executeTakeFirst();
    return row && itemToRecord(row);
  }
}
