import { CompiledQuery, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, OutputItemsTable, RunsTable } from '../tables.js';
import type { Dialect, GradedItem, ModelUsage, Page, PageRequest, RunRecord, CriterionCounts } from '../types.js';
import { fromJson, num, toJson } from '../json.js';
import { enqueueRunEvent } from './webhook-outbox.js';
import { markDeleted, purgeStep } from './run-rows.js';

const ACTIVE = ['queued', 'in_progress'];
/** The end of the one segment of a run whose row count is unknown. */
const OPEN_END = 2 ** 31 - 1;

/** A range of a run's rows, leased to one worker (RunsRepo.claimSegment). */
export interface Segment {
  runId: string;
  seq: number;
  /** First row index, and the index past the last. */
  first: number;
  end: number;
}

export const runToRecord = (r: Selectable<RunsTable>): RunRecord => lazyDataSource({
  id: r.id, eval_id: r.eval_id, project: r.project, name: r.name, model: r.model, status: r.status,
  data_source_json: r.data_source, metadata: fromJson(r.metadata), error: fromJson(r.error),
  counts: { total: num(r.count_total), passed: num(r.count_passed), failed: num(r.count_failed), errored: num(r.count_errored) },
  per_criteria: fromJson(r.per_criteria), per_model_usage: fromJson(r.per_model_usage),
  created_at: num(r.created_at), updated_at: num(r.updated_at),
  lease_owner: r.lease_owner, lease_expires_at: r.lease_expires_at === null ? null : num(r.lease_expires_at),
  // Set once the run starts; absent before, as on a record the services build.
  ...(r.source_rows != null && { source_rows: num(r.source_rows) }),
  ...(r.started_at != null && { started_at: num(r.started_at) }),
});

// A run's data source can hold every inline row (megabytes). The API sends the stored text as it is
// (services/wire.ts splices it in), so reading a run parses it only when the engine asks for it.
function lazyDataSource({ data_source_json: text, ...rest }: Omit<RunRecord, 'data_source'> & { data_source_json: string }): RunRecord {
  let parsed: Record<string, unknown> | undefined;
  return Object.defineProperties(rest as RunRecord, {
    data_source: { get: () => (parsed ??= JSON.parse(text) as Record<string, unknown>), enumerable: true },
    data_source_json: { value: text, enumerable: false },
  });
}

/** The file a run's data source reads rows from, if any: kept in `runs.source_file_id` (see FilesRepo.delete). */
export function sourceFileId(dataSource: unknown): string | null {
  const source = (dataSource as { source?: { type?: unknown; id?: unknown } } | null)?.source;
  return source?.type === 'file_id' && typeof source.id === 'string' ? source.id : null;
}

/** Runs: the API's reads and writes, and the engine's lease-based claiming shared by every worker. */
export class RunsRepo {
  constructor(private readonly db: Kysely<Database>, private readonly dialect: Dialect) {}

  async insert(r: RunRecord): Promise<void> {
    await this.db.insertInto('runs').values({
      id: r.id, eval_id: r.eval_id, project: r.project, name: r.name, model: r.model, status: r.status,
      data_source: r.data_source_json ?? JSON.stringify(r.data_source), metadata: toJson(r.metadata) ?? 'null', error: toJson(r.error),
      count_total: 0, count_passed: 0, count_failed: 0, count_errored: 0,
      per_criteria: toJson(r.per_criteria), per_model_usage: toJson(r.per_model_usage),
      created_at: r.created_at, updated_at: r.updated_at, lease_owner: null, lease_expires_at: null,
      source_file_id: sourceFileId(r.data_source),
    }).execute();
  }

  async get(project: string, evalId: string, runId: string): Promise<RunRecord | undefined> {
    const row = await this.db.selectFrom('runs').selectAll()
      .where('project', '=', project).where('eval_id', '=', evalId).where('id', '=', runId).executeTakeFirst();
    return row && runToRecord(row);
  }

  /** The run by id alone, for the engine. */
  async byId(runId: string): Promise<RunRecord | undefined> {
    const row = await this.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
    return row && runToRecord(row);
  }

  async list(project: string, evalId: string, page: PageRequest & { status?: string | undefined }): Promise<Page<RunRecord>> {
    let q = this.db.selectFrom('runs').selectAll().where('project', '=', project).where('eval_id', '=', evalId);
    if (page.status) q = q.where('status', '=', page.status);
    if (page.after) q = q.where('id', page.order === 'asc' ? '>' : '<', page.after);
    const rows = await q.orderBy('id', page.order).limit(page.limit + 1).execute();
    return { rows: rows.slice(0, page.limit).map(runToRecord), hasMore: rows.length > page.limit };
  }

  /**
   * Marks a queued or running run canceled, with its webhook event in the same transaction; a finished
   * run is left as it is. Returns the run after.
   */
  async cancel(project: string, evalId: string, runId: string, now: number): Promise<RunRecord | undefined> {
    await this.db.transaction().execute(async (tx) => {
      const result = await tx.updateTable('runs').set({ status: 'canceled', updated_at: now })
        .where('project', '=', project).where('eval_id', '=', evalId).where('id', '=', runId)
        .where('status', 'in', ACTIVE).executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) {
        await enqueueRunEvent(tx, { id: runId, project }, 'canceled', now);
        await tx.deleteFrom('run_segments').where('run_id', '=', runId).execute();
      }
    });
    return this.get(project, evalId, runId);
  }

  /** Records, once, that the run started and how many rows its source holds (a resumed run keeps the first). */
  async markStarted(runId: string, sourceRows: number | null, now: number): Promise<void> {
    await this.db.updateTable('runs')
      .set((eb) => ({ source_rows: eb.fn.coalesce('source_rows', eb.val(sourceRows)), started_at: eb.fn.coalesce('started_at', eb.val(now)) }))
      .where('id', '=', runId).execute();
  }

  /**
   * Deletes the run and records it for purging (see markDeleted); false when it did not exist. Its output
   * items and their index rows go afterwards, a slice at a time (purgeStep). Deleting the run waits for a
   * batch being committed (commitBatch locks the run), and a later batch finds no run and writes nothing,
   * so nothing is written after the purge begins.
   */
  async delete(project: string, evalId: string, runId: string, now = Math.floor(Date.now() / 1000)): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx.deleteFrom('runs')
        .where('project', '=', project).where('eval_id', '=', evalId).where('id', '=', runId).executeTakeFirst();
      if (!Number(result.numDeletedRows)) return false;
      await markDeleted(tx, [runId], now);
      return true;
    });
  }

  /** Deleted runs whose rows are not purged yet, oldest first. */
  async deletedRuns(limit = 100): Promise<string[]> {
    const rows = await this.db.selectFrom('run_deletions').select('run_id').orderBy('deleted_at').orderBy('run_id').limit(limit).execute();
    return rows.map((r) => r.run_id);
  }

  /** Purges the next `maxRows` rows of a deleted run (see purgeStep); true when nothing of it is left. */
  purgeStep(runId: string, maxRows: number): Promise<boolean> {
    return purgeStep(this.db, this.dialect, runId, maxRows);
  }

  /** Purges every deleted run completely, at once: for tests and tools, not for a serving process (RunPurger). */
  async purgeDeleted(maxRows = 10_000): Promise<void> {
    for (let ids = await this.deletedRuns(); ids.length > 0; ids = await this.deletedRuns()) {
      for (const id of ids) while (!(await this.purgeStep(id, maxRows)));
    }
  }

  /**
   * Takes the oldest run that is queued, or in progress under an expired lease (its worker died), and
   * leases it to `owner`. On PostgreSQL, FOR UPDATE SKIP LOCKED lets several workers claim at once without
   * blocking on each other; SQLite has one writer at a time, so the transaction alone is enough.
   */
  async claim(owner: string, leaseMs: number, nowMs: number): Promise<RunRecord | undefined> {
    return this.db.transaction().execute(async (tx) => {
      let q = tx.selectFrom('runs').select('id')
        .where('status', 'in', ACTIVE)
        .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', nowMs)]))
        .orderBy('created_at').orderBy('id').limit(1);
      if (this.dialect === 'postgres') q = q.forUpdate().skipLocked();
      const candidate = await q.executeTakeFirst();
      if (!candidate) return undefined;
      await tx.updateTable('runs')
        .set({ status: 'in_progress', lease_owner: owner, lease_expires_at: nowMs + leaseMs, updated_at: Math.floor(nowMs / 1000) })
        .where('id', '=', candidate.id).execute();
      const row = await tx.selectFrom('runs').selectAll().where('id', '=', candidate.id).executeTakeFirstOrThrow();
      const run = runToRecord(row);
      // A run that starts gets its per-criterion and usage tallies, so it stops reporting null.
      if (run.per_criteria === null || run.per_model_usage === null) {
        run.per_criteria ??= {};
        run.per_model_usage ??= {};
        await tx.updateTable('runs').set({ per_criteria: toJson(run.per_criteria), per_model_usage: toJson(run.per_model_usage) })
          .where('id', '=', run.id).execute();
      }
      return run;
    });
  }

  /** Extends the lease; returns the run's status, or undefined if it is gone or no longer ours. */
  async renewLease(runId: string, owner: string, untilMs: number): Promise<string | undefined> {
    await this.db.updateTable('runs').set({ lease_expires_at: untilMs })
      .where('id', '=', runId).where('lease_owner', '=', owner).where('status', '=', 'in_progress').execute();
    const row = await this.db.selectFrom('runs').select(['status', 'lease_owner']).where('id', '=', runId).executeTakeFirst();
    if (!row || row.lease_owner !== owner) return undefined;
    return row.status;
  }

  /**
   * Ends a run we own: completed or failed (with an error), with its webhook event in the same
   * transaction; returns false if it was canceled or deleted meanwhile.
   */
  async finish(runId: string, owner: string, status: 'completed' | 'failed', error: { code: string; message: string } | null, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx.updateTable('runs')
        .set({ status, error: toJson(error), updated_at: now, lease_owner: null, lease_expires_at: null })
        .where('id', '=', runId).where('lease_owner', '=', owner).where('status', '=', 'in_progress')
        .returning('project').executeTakeFirst();
      if (!row) return false;
      await enqueueRunEvent(tx, { id: runId, project: row.project }, status, now);
      await tx.deleteFrom('run_segments').where('run_id', '=', runId).execute();
      return true;
    });
  }

  /** Gives up a lease without changing the status (shutdown): another worker, or this one restarted, resumes it. */
  async release(runId: string, owner: string): Promise<void> {
    await this.db.updateTable('runs').set({ lease_owner: null, lease_expires_at: null })
      .where('id', '=', runId).where('lease_owner', '=', owner).execute();
  }

  /** Source rows of this run (in `[from, to)` if given) that already have an output item (to skip them on resume). */
  async doneRows(runId: string, from?: number, to?: number): Promise<Set<number>> {
    let q = this.db.selectFrom('output_items').select('datasource_item_id').where('run_id', '=', runId);
    if (from !== undefined) q = q.where('datasource_item_id', '>=', from);
    if (to !== undefined) q = q.where('datasource_item_id', '<', to);
    const rows = await q.execute();
    return new Set(rows.map((r) => num(r.datasource_item_id)));
  }

  /**
   * Splits a started run's rows into segments of `size` (one open-ended segment when the count is
   * unknown), once: a resumed run keeps the segments it has, done or not.
   */
  async planSegments(runId: string, total: number | null, size: number): Promise<void> {
    const existing = await this.db.selectFrom('run_segments').select('seq').where('run_id', '=', runId).limit(1).executeTakeFirst();
    if (existing) return;
    const ends = total === null ? [OPEN_END] : Array.from({ length: Math.max(1, Math.ceil(total / size)) }, (_, i) => Math.min(total, (i + 1) * size));
    const rows = ends.map((end, seq) => ({ run_id: runId, seq, first_row: seq * size, end_row: end, owner: null, lease_expires_at: null, done: 0 }));
    for (let i = 0; i < rows.length; i += 500) {
      await this.db.insertInto('run_segments').values(rows.slice(i, i + 500)).onConflict((oc) => oc.doNothing()).execute();
    }
  }

  /**
   * Leases `owner` one segment that is not done and that nobody holds (or whose holder's lease lapsed):
   * of run `runId`, or, for a worker looking for a run to help with, of the oldest running run not in
   * `exceptRuns`. Segments go in order. On PostgreSQL, SKIP LOCKED lets workers claim side by side.
   */
  async claimSegment(runId: string | null, owner: string, leaseMs: number, nowMs: number, exceptRuns: string[] = []): Promise<Segment | undefined> {
    return this.db.transaction().execute(async (tx) => {
      let q = tx.selectFrom('run_segments as s').innerJoin('runs as r', 'r.id', 's.run_id')
        .select(['s.run_id', 's.seq', 's.first_row', 's.end_row'])
        .where('r.status', '=', 'in_progress').where('s.done', '=', 0)
        .where((eb) => eb.or([eb('s.owner', 'is', null), eb('s.lease_expires_at', '<', nowMs)]));
      if (runId !== null) q = q.where('s.run_id', '=', runId);
      else {
        if (exceptRuns.length > 0) q = q.where('s.run_id', 'not in', exceptRuns);
        q = q.orderBy('r.created_at');
      }
      q = q.orderBy('s.run_id').orderBy('s.seq').limit(1);
      if (this.dialect === 'postgres') q = q.forUpdate('s').skipLocked();
      const row = await q.executeTakeFirst();
      if (!row) return undefined;
      await tx.updateTable('run_segments').set({ owner, lease_expires_at: nowMs + leaseMs })
        .where('run_id', '=', row.run_id).where('seq', '=', row.seq).execute();
      return { runId: row.run_id, seq: num(row.seq), first: num(row.first_row), end: num(row.end_row) };
    });
  }

  /** Extends `owner`'s leases of the run's open segments; returns the run's status (undefined: gone). */
  async renewSegments(runId: string, owner: string, untilMs: number): Promise<string | undefined> {
    await this.db.updateTable('run_segments').set({ lease_expires_at: untilMs })
      .where('run_id', '=', runId).where('owner', '=', owner).where('done', '=', 0).execute();
    const row = await this.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirst();
    return row?.status;
  }

  /** Marks a segment done (its rows' items are committed); false if `owner` no longer holds it. */
  async finishSegment(runId: string, seq: number, owner: string): Promise<boolean> {
    const result = await this.db.updateTable('run_segments').set({ done: 1, lease_expires_at: null })
      .where('run_id', '=', runId).where('seq', '=', seq).where('owner', '=', owner).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Gives back `owner`'s open segments of the run, so that any worker takes them at once. */
  async releaseSegments(runId: string, owner: string): Promise<void> {
    await this.db.updateTable('run_segments').set({ owner: null, lease_expires_at: null })
      .where('run_id', '=', runId).where('owner', '=', owner).where('done', '=', 0).execute();
  }

  /** How many of the run's segments are not done yet. */
  async segmentsLeft(runId: string): Promise<number> {
    const row = await this.db.selectFrom('run_segments').select((eb) => eb.fn.countAll().as('n'))
      .where('run_id', '=', runId).where('done', '=', 0).executeTakeFirstOrThrow();
    return num(row.n as number);
  }

  /**
   * Writes a batch of graded items and adds them to the run's counts, in one transaction, only while the
   * run is still in progress under our lease: after a cancel or delete nothing more lands. Rows already
   * written (a resumed run) are skipped by the unique (run_id, datasource_item_id) index and not counted.
   */
  async commitBatch(runId: string, owner: string, items: GradedItem[], now: number, lease: 'run' | 'segment' = 'run'): Promise<boolean> {
    if (items.length === 0) return true;
    return this.db.transaction().execute(async (tx) => {
      let q = tx.selectFrom('runs').select(['per_criteria', 'per_model_usage']).where('id', '=', runId).where('status', '=', 'in_progress');
      // A worker helping with a run commits while it holds one of its segments; the run's own lease is its lead's.
      if (lease === 'run') q = q.where('lease_owner', '=', owner);
      else q = q.where((eb) => eb.exists(eb.selectFrom('run_segments').select('seq').where('run_id', '=', runId).where('owner', '=', owner)));
      if (this.dialect === 'postgres') q = q.forUpdate();
      const run = await q.executeTakeFirst();
      if (!run) return false;
      const inserted = await insertItems(tx, this.dialect, items, owner);
      // Set.delete is true once per id: a row a batch carries twice was inserted, and is counted, once.
      const delta = tally(items.filter((i) => inserted.delete(i.record.datasource_item_id)),
        fromJson<Record<string, CriterionCounts> | null>(run.per_criteria) ?? {},
        fromJson<Record<string, ModelUsage> | null>(run.per_model_usage) ?? {});
      await tx.updateTable('runs').set((eb) => ({
        count_total: eb('count_total', '+', delta.total),
        count_passed: eb('count_passed', '+', delta.passed),
        count_failed: eb('count_failed', '+', delta.failed),
        count_errored: eb('count_errored', '+', delta.errored),
        per_criteria: JSON.stringify(delta.perCriteria),
        per_model_usage: JSON.stringify(delta.perModel),
        updated_at: now,
      })).where('id', '=', runId).execute();
      return true;
    });
  }
}

/** The columns of `output_items`, in the order `insertItems` binds them (the store contract suite reads back what it wrote). */
const ITEM_COLUMNS = ['id', 'run_id', 'eval_id', 'project', 'datasource_item_id', 'status', 'datasource_item', 'results', 'sample', 'created_at', 'worker'] as const satisfies ReadonlyArray<keyof OutputItemsTable>;

/**
 * A batch is inserted as statements of these many rows, largest first (75 rows: 64 + 4 + 4 + 1 + 1 + 1), so
 * that the same few SQL texts recur and each is prepared once: a statement for the batch's exact row count
 * would be a new text, parsed and planned again, nearly every batch. 256 rows of 11 columns stay far below
 * SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
 */
const INSERT_CHUNKS = [256, 64, 16, 4, 1];

const insertSqlCache = new Map<string, string>();

/** `insert … values (…), … on conflict do nothing returning datasource_item_id` for `rows` rows. */
function insertItemsSql(dialect: Dialect, rows: number): string {
  const key = `${dialect}:${rows}`;
  let text = insertSqlCache.get(key);
  if (text === undefined) {
    let n = 0;
    const param = dialect === 'postgres' ? () => `$${++n}` : () => '?';
    const tuples = Array.from({ length: rows }, () => `(${ITEM_COLUMNS.map(param).join(', ')})`);
    text = `insert into "output_items" (${ITEM_COLUMNS.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}`
      + ' on conflict ("run_id", "datasource_item_id") do nothing returning "datasource_item_id"';
    insertSqlCache.set(key, text);
  }
  return text;
}

/**
 * Inserts the batch's output items, skipping rows already there; returns the source rows it inserted.
 * The SQL is written here rather than built with Kysely's query builder, which for every batch would
 * build and compile a syntax tree of one node per value: most of a batch's cost, for a fixed shape.
 */
async function insertItems(tx: Transaction<Database>, dialect: Dialect, items: GradedItem[], worker: string): Promise<Set<number>> {
  const inserted = new Set<number>();
  let i = 0;
  for (const size of INSERT_CHUNKS) {
    for (; items.length - i >= size; i += size) {
      const params: unknown[] = [];
      for (let k = i; k < i + size; k++) {
        // Spelled out rather than looped over ITEM_COLUMNS: a keyed loop per value is slower while unoptimised.
        const r = items[k]!.record;
        params.push(r.id, r.run_id, r.eval_id, r.project, r.datasource_item_id, r.status,
          JSON.stringify(r.datasource_item), JSON.stringify(r.results), JSON.stringify(r.sample), r.created_at, worker);
      }
      const { rows } = await tx.executeQuery<{ datasource_item_id: number | string }>(CompiledQuery.raw(insertItemsSql(dialect, size), params));
      for (const row of rows) inserted.add(num(row.datasource_item_id));
    }
  }
  return inserted;
}

function tally(items: GradedItem[], perCriteria: Record<string, CriterionCounts>, perModel: Record<string, ModelUsage>) {
  const delta = { total: items.length, passed: 0, failed: 0, errored: 0, perCriteria, perModel };
  for (const item of items) {
    delta[item.outcome] += 1;
    for (const c of item.criteria) {
      const counts = (perCriteria[c.id] ??= { passed: 0, failed: 0 });
      if (c.passed) counts.passed += 1; else counts.failed += 1;
    }
    for (const { model, usage } of item.usage) {
      const u = (perModel[model] ??= { invocation_count: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cached_tokens: 0 });
      u.invocation_count += 1;
      u.prompt_tokens += usage.prompt_tokens;
      u.completion_tokens += usage.completion_tokens;
      u.total_tokens += usage.total_tokens;
      u.cached_tokens += usage.cached_tokens;
    }
  }
  return delta;
}
