import type { Kysely, Selectable } from 'kysely';
import type { Database, EvalsTable } from '../tables.js';
import type { EvalRecord, Metadata, Page, PageRequest } from '../types.js';
import { markDeleted } from './run-rows.js';
import { fromJson, num, toJson } from '../json.js';

const toRecord = (r: Selectable<EvalsTable>): EvalRecord => ({
  id: r.id, project: r.project, name: r.name,
  data_source_config: fromJson(r.data_source_config),
  testing_criteria: fromJson(r.testing_criteria),
  metadata: fromJson(r.metadata),
  created_at: num(r.created_at), updated_at: num(r.updated_at),
});

/** Evals, always read and written within one project. */
export class EvalsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(e: EvalRecord): Promise<void> {
    await this.db.insertInto('evals').values({
      ...e,
      data_source_config: JSON.stringify(e.data_source_config),
      testing_criteria: JSON.stringify(e.testing_criteria),
      metadata: toJson(e.metadata) ?? 'null',
    }).execute();
  }

  async get(project: string, id: string): Promise<EvalRecord | undefined> {
    const row = await this.db.selectFrom('evals').selectAll()
      .where('project', '=', project).where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /**
   * A keyset page: by id (ids sort by creation) or by (updated_at, id). By id, `after` is a position, so a
   * cursor whose eval was deleted still continues after it; by updated_at an unknown cursor starts over.
   */
  async list(project: string, page: PageRequest & { orderBy: 'created_at' | 'updated_at' }): Promise<Page<EvalRecord>> {
    const cmp = page.order === 'asc' ? '>' : '<';
    let q = this.db.selectFrom('evals').selectAll().where('project', '=', project);
    if (page.orderBy === 'created_at') {
      if (page.after) q = q.where('id', cmp, page.after);
      q = q.orderBy('id', page.order);
    } else {
      const cursor = page.after
        ? await this.db.selectFrom('evals').select(['updated_at', 'id'])
          .where('project', '=', project).where('id', '=', page.after).executeTakeFirst()
        : undefined;
      if (cursor) {
        const at = num(cursor.updated_at);
        q = q.where((eb) => eb.or([
          eb('updated_at', cmp, at),
          eb.and([eb('updated_at', '=', at), eb('id', cmp, cursor.id)]),
        ]));
      }
      q = q.orderBy('updated_at', page.order).orderBy('id', page.order);
    }
    const rows = await q.limit(page.limit + 1).execute();
    return { rows: rows.slice(0, page.limit).map(toRecord), hasMore: rows.length > page.limit };
  }

  /** Sets name and/or metadata (metadata replaced whole); returns the updated eval or undefined. */
  async update(project: string, id: string, patch: { name?: string; metadata?: Metadata }, now: number): Promise<EvalRecord | undefined> {
    const set: Partial<EvalsTable> = { updated_at: now };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.metadata !== undefined) set.metadata = toJson(patch.metadata) ?? 'null';
    const result = await this.db.updateTable('evals').set(set)
      .where('project', '=', project).where('id', '=', id).executeTakeFirst();
    return Number(result.numUpdatedRows) ? this.get(project, id) : undefined;
  }

  /**
   * Deletes the eval and its runs in one transaction, recording the runs for purging (their output items and
   * index rows go afterwards, RunsRepo.purgeStep); false when it did not exist. Runs go before their items:
   * deleting a run waits for the row lock of a batch being committed (RunsRepo.commitBatch locks the run),
   * and a batch that comes after finds no run and writes nothing. Items deleted first would miss that
   * batch's rows on PostgreSQL, left behind with no run or eval.
   */
  async delete(project: string, id: string, now = Math.floor(Date.now() / 1000)): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx.deleteFrom('evals').where('project', '=', project).where('id', '=', id).executeTakeFirst();
      if (!Number(result.numDeletedRows)) return false;
      const runs = await tx.deleteFrom('runs').where('eval_id', '=', id).returning('id').execute();
      await markDeleted(tx, runs.map((r) => r.id), now);
      return true;
    });
  }
}
