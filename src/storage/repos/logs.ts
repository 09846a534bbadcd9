import { sql, type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { Database, LogTagsTable } from '../tables.js';
import type { LogFilter, LogKind, LogRecord, Page } from '../types.js';
import { num } from '../json.js';

type Tag = { tag: string; value: string };
type Cursor = { created_at: number; id: string };
type Db = Kysely<Database> | Transaction<Database>;

/** The tag rows of a log: one per metadata pair, one per distinct model name (asked for and answered). */
export function tagsOf(log: Pick<LogRecord, 'metadata' | 'model' | 'request_model'>): Tag[] {
  const metadata = JSON.parse(log.metadata) as Record<string, string> | null;
  const tags = Object.entries(metadata ?? {}).map(([k, v]) => ({ tag: `meta:${k}`, value: String(v) }));
  tags.push({ tag: 'model', value: log.model });
  if (log.request_model !== log.model) tags.push({ tag: 'model', value: log.request_model });
  return tags;
}

const filterTags = (f: LogFilter): Tag[] => {
  const tags = Object.entries(f.metadata ?? {}).map(([k, v]) => ({ tag: `meta:${k}`, value: String(v) }));
  if (f.model !== undefined) tags.push({ tag: 'model', value: f.model });
  return tags;
};

/** Rows to one insert (16 and 6 parameters a row), at most: far below SQLite's and PostgreSQL's limits. */
const LOGS_PER_INSERT = 64;
const TAGS_PER_INSERT = 128;

/**
 * `rows` in pieces of at most `max`, each a power of two long, so that the statements a batch of any size
 * makes are one of a few texts (kept prepared) rather than one text per batch size.
 */
function* chunks<T>(rows: T[], max: number): Generator<T[]> {
  for (let at = 0; at < rows.length;) {
    let size = max;
    while (size > rows.length - at) size >>= 1;
    yield rows.slice(at, at + size);
    at += size;
  }
}

const nullNum = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

const toRecord = (r: LogRecord): LogRecord => ({
  ...r, created_at: num(r.created_at), expires_at: nullNum(r.expires_at), temperature: nullNum(r.temperature), top_p: nullNum(r.top_p),
});

// SQLite's LIKE has no escape character unless told; PostgreSQL's is backslash. Both are told.
const contains = (column: string, text: string) =>
  sql<boolean>`${sql.ref(column)} like ${`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`;

/** Stored chat completions and responses of every project, and the fixed log selections of runs. */
export class LogsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores the logs not stored yet (idempotent by project and id), in one transaction; returns how many were
   * new. Many logs to a statement: a batch of the gateway's logs was two statements a log, and building and
   * running them was most of what `store: true` cost a call.
   */
  async insert(logs: LogRecord[]): Promise<number> {
    if (logs.length === 0) return 0;
    return this.db.transaction().execute(async (tx) => {
      let added = 0;
      for (const chunk of chunks(logs, LOGS_PER_INSERT)) {
        const inserted = await tx.insertInto('logs').values(chunk)
          .onConflict((oc) => oc.columns(['project', 'id']).doNothing()).returning(['project', 'id']).execute();
        if (inserted.length === 0) continue;
        added += inserted.length;
        // A log named twice in the batch is stored once, from its first record (rows go in in order).
        const fresh = new Set(inserted.map((r) => `${r.project}\u0000${r.id}`));
        const tags: Array<LogTagsTable> = [];
        for (const log of chunk) {
          if (!fresh.delete(`${log.project}\u0000${log.id}`)) continue;
          for (const t of tagsOf(log)) tags.push({ ...t, project: log.project, kind: log.kind, created_at: log.created_at, log_id: log.id });
        }
        for (const part of chunks(tags, TAGS_PER_INSERT)) await tx.insertInto('log_tags').values(part).execute();
      }
      return added;
    });
  }

  async get(project: string, kind: LogKind, id: string, now: number): Promise<LogRecord | undefined> {
    const row = await this.db.selectFrom('logs').selectAll()
      .where('project', '=', project).where('id', '=', id).where('kind', '=', kind)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** A keyset page in (created_at, id) order; an `after` that names no log of the project starts from the beginning. */
  async list(project: string, filter: LogFilter, page: { after?: string | undefined; limit: number; order: 'asc' | 'desc' }, now: number): Promise<Page<LogRecord>> {
    const cursor = page.after ? await this.#cursor(this.db, project, page.after) : undefined;
    const rows = await this.#query(this.db, project, filter, now, cursor, page.order)
      .selectAll('l').limit(page.limit + 1).execute() as LogRecord[];
    return { rows: rows.slice(0, page.limit).map(toRecord), hasMore: rows.length > page.limit };
  }

  /** Replaces a log's metadata (and its metadata tags); the updated log, or undefined when there is none. */
  async updateMetadata(project: string, kind: LogKind, id: string, metadata: Record<string, string> | null, now: number): Promise<LogRecord | undefined> {
    const log = await this.get(project, kind, id, now);
    if (!log) return undefined;
    const updated = { ...log, metadata: JSON.stringify(metadata ?? {}) };
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('logs').set({ metadata: updated.metadata }).where('project', '=', project).where('id', '=', id).execute();
      await tx.deleteFrom('log_tags').where('project', '=', project).where('log_id', '=', id).execute();
      await tx.insertInto('log_tags')
        .values(tagsOf(updated).map((t) => ({ ...t, project, kind, created_at: log.created_at, log_id: id })))
        .execute();
    });
    return updated;
  }

  /** Deletes a log; false when the project has no such log. */
  async delete(project: string, kind: LogKind, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx.deleteFrom('logs').where('project', '=', project).where('id', '=', id).where('kind', '=', kind).executeTakeFirst();
      if (!Number(result.numDeletedRows)) return false;
      await tx.deleteFrom('log_tags').where('project', '=', project).where('log_id', '=', id).execute();
      return true;
    });
  }

  /** Deletes logs whose retention ended; returns how many. */
  async purgeExpired(now: number): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      await sql`delete from log_tags where exists (select 1 from logs
        where logs.project = log_tags.project and logs.id = log_tags.log_id and logs.expires_at <= ${now})`.execute(tx);
      const result = await tx.deleteFrom('logs').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  /**
   * Fixes the logs a run grades, once: the first call selects them (oldest first, at most `limit`) and
   * records them in one transaction; later calls (a resumed run) find them recorded. Returns how many.
   */
  async fixRunSelection(runId: string, project: string, filter: LogFilter, limit: number | null, now: number): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const marker = await tx.selectFrom('run_logs').select('log_id').where('run_id', '=', runId).where('seq', '=', -1).executeTakeFirst();
      if (marker) return Number(marker.log_id);
      let cursor: Cursor | undefined;
      let seq = 0;
      const max = limit ?? Number.MAX_SAFE_INTEGER;
      while (seq < max) {
        const page = Math.min(PAGE, max - seq);
        const rows = await this.#query(tx, project, filter, now, cursor, 'asc')
          .select(['l.id as id', 'l.created_at as created_at']).limit(page).execute() as Cursor[];
        if (rows.length === 0) break;
        for (let i = 0; i < rows.length; i += INSERT_ROWS) {
          await tx.insertInto('run_logs').values(rows.slice(i, i + INSERT_ROWS).map((r, j) => ({ run_id: runId, seq: seq + i + j, log_id: r.id }))).execute();
        }
        seq += rows.length;
        cursor = { created_at: num(rows[rows.length - 1]!.created_at), id: rows[rows.length - 1]!.id };
        if (rows.length < page) break;
      }
      await tx.insertInto('run_logs').values({ run_id: runId, seq: -1, log_id: String(seq) }).execute();
      return seq;
    });
  }

  /** A page of a run's selected logs after position `afterSeq`; a log deleted since is `null`. */
  async runLogs(runId: string, project: string, afterSeq: number, limit: number): Promise<Array<{ seq: number; logId: string; log: LogRecord | null }>> {
    const rows = await this.db.selectFrom('run_logs as r')
      .leftJoin('logs as l', (j) => j.on('l.project', '=', project).onRef('l.id', '=', 'r.log_id'))
      .select(['r.seq as run_seq', 'r.log_id as run_log_id']).selectAll('l')
      .where('r.run_id', '=', runId).where('r.seq', '>', afterSeq).orderBy('r.seq').limit(limit).execute();
    return rows.map(({ run_seq, run_log_id, ...log }) => ({
      seq: num(run_seq), logId: run_log_id, log: log.id === null ? null : toRecord(log as LogRecord),
    }));
  }

  /** Forgets a run's selection (the run is finished or deleted). */
  async releaseRunSelection(runId: string): Promise<void> {
    await this.db.deleteFrom('run_logs').where('run_id', '=', runId).execute();
  }

  async #cursor(db: Db, project: string, id: string): Promise<Cursor | undefined> {
    const row = await db.selectFrom('logs').select(['created_at', 'id']).where('project', '=', project).where('id', '=', id).executeTakeFirst();
    return row && { created_at: num(row.created_at), id: row.id };
  }

  /**
   * The filtered, ordered rows of one project's logs of one kind, as a query whose columns are still to be
   * chosen. With tag filters (metadata pairs, model) it is driven by the first tag's index range, the other
   * tags checked per row by primary key; the keyset comparison is a row value, which both SQLite and
   * PostgreSQL turn into an index range (an OR of two comparisons is not).
   */
  #query(db: Db, project: string, filter: LogFilter, now: number, cursor: Cursor | undefined, order: 'asc' | 'desc') {
    const tags = filterTags(filter);
    // The driving table differs by filter, so the builder is typed loosely here and only here.
    const loose = db as unknown as Kysely<any>;
    let q: SelectQueryBuilder<any, any, any>;
    let created: string, id: string;
    if (tags.length > 0) {
      const [first, ...rest] = tags as [Tag, ...Tag[]];
      q = loose.selectFrom('log_tags as t')
        .innerJoin('logs as l', (j) => j.onRef('l.project', '=', 't.project').onRef('l.id', '=', 't.log_id'))
        .where('t.project', '=', project).where('t.kind', '=', filter.kind).where('t.tag', '=', first.tag).where('t.value', '=', first.value);
      [created, id] = ['t.created_at', 't.log_id'];
      for (const t of rest) {
        q = q.where((eb) => eb.exists(loose.selectFrom('log_tags as x').select(sql<number>`1`.as('one'))
          .whereRef('x.project', '=', 'l.project').whereRef('x.log_id', '=', 'l.id').where('x.tag', '=', t.tag).where('x.value', '=', t.value)));
      }
    } else {
      q = loose.selectFrom('logs as l').where('l.project', '=', project).where('l.kind', '=', filter.kind);
      [created, id] = ['l.created_at', 'l.id'];
    }
    q = q.where((eb) => eb.or([eb('l.expires_at', 'is', null), eb('l.expires_at', '>', now)]));
    if (cursor) q = q.where(sql<boolean>`(${sql.ref(created)}, ${sql.ref(id)}) ${sql.raw(order === 'asc' ? '>' : '<')} (${cursor.created_at}, ${cursor.id})`);
    if (filter.createdAfter !== undefined) q = q.where(created, '>=', filter.createdAfter);
    if (filter.createdBefore !== undefined) q = q.where(created, '<=', filter.createdBefore);
    if (filter.users?.length) q = q.where('l.user_id', 'in', filter.users);
    if (filter.temperature !== undefined) q = q.where('l.temperature', '=', filter.temperature);
    if (filter.topP !== undefined) q = q.where('l.top_p', '=', filter.topP);
    if (filter.reasoningEffort !== undefined) q = q.where('l.reasoning_effort', '=', filter.reasoningEffort);
    if (filter.instructionsSearch) q = q.where(contains('l.instructions', filter.instructionsSearch));
    const tools = filter.tools;
    if (tools?.length) q = q.where(sql<boolean>`(${sql.join(tools.map((t) => contains('l.tool_names', `,${t},`)), sql` or `)})`);
    return q.orderBy(created, order).orderBy(id, order);
  }
}

const PAGE = 2000;
// run_logs has 3 columns: 300 rows keep a statement far below every backend's bound-parameter limit.
const INSERT_ROWS = 300;
