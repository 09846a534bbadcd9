import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, FilesTable } from '../tables.js';
import type { FileRecord, Page, PageRequest } from '../types.js';
import { num } from '../json.js';

const toRecord = (r: Selectable<FilesTable>): FileRecord => ({
  id: r.id, project: r.project, filename: r.filename, purpose: r.purpose, bytes: num(r.bytes), status: r.status,
  created_at: num(r.created_at), expires_at: r.expires_at === null ? null : num(r.expires_at),
});

/**
 * Files and their bytes. The bytes live in the store as numbered chunks, so every worker sharing a
 * PostgreSQL database can read every file, and neither writing nor reading holds a whole file in memory.
 */
export class FilesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(f: FileRecord): Promise<void> {
    await this.db.insertInto('files').values(f).execute();
  }

  async appendChunk(fileId: string, seq: number, data: Uint8Array): Promise<void> {
    await this.db.insertInto('file_chunks').values({ file_id: fileId, seq, data }).execute();
  }

  /** Marks an upload complete, with what is known only once its last byte and field have arrived. */
  async finish(fileId: string, done: Pick<FileRecord, 'bytes' | 'purpose' | 'created_at' | 'expires_at'>): Promise<void> {
    await this.db.updateTable('files').set({ ...done, status: 'processed' }).where('id', '=', fileId).execute();
  }

  /** The file if this project can see it and it has not expired. */
  async get(project: string, id: string, nowS: number): Promise<FileRecord | undefined> {
    const row = await this.db.selectFrom('files').selectAll()
      .where('project', '=', project).where('id', '=', id).where('status', '=', 'processed')
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowS)]))
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** A keyset page over (created_at, id); file ids are random, so the cursor's created_at is looked up. */
  async list(project: string, page: PageRequest & { purpose?: string | undefined }, nowS: number): Promise<Page<FileRecord>> {
    const cmp = page.order === 'asc' ? '>' : '<';
    let q = this.db.selectFrom('files').selectAll().where('project', '=', project).where('status', '=', 'processed')
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowS)]));
    if (page.purpose) q = q.where('purpose', '=', page.purpose);
    if (page.after) {
      const cursor = await this.db.selectFrom('files').select(['created_at', 'id'])
        .where('project', '=', project).where('id', '=', page.after).executeTakeFirst();
      if (cursor) {
        const at = num(cursor.created_at);
        q = q.where((eb) => eb.or([eb('created_at', cmp, at), eb.and([eb('created_at', '=', at), eb('id', cmp, cursor.id)])]));
      }
    }
    const rows = await q.orderBy('created_at', page.order).orderBy('id', page.order).limit(page.limit + 1).execute();
    return { rows: rows.slice(0, page.limit).map(toRecord), hasMore: rows.length > page.limit };
  }

  /**
   * Deletes the file for its project at once (404 from then on); false when this project has no such file.
   * Its bytes go with it unless a queued or running run reads it: then the row stays, as `deleted`, and
   * purgeDeleted removes it once the last such run has ended, so a delete never shortens a run.
   * The update takes the row's lock, so of concurrent deletes of one file exactly one returns true.
   */
  async delete(project: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx.updateTable('files').set({ status: 'deleted' })
        .where('project', '=', project).where('id', '=', id).where('status', '=', 'processed').executeTakeFirst();
      // Only the owner's delete may take the bytes: another project naming this id must not empty the file.
      if (!Number(result.numUpdatedRows)) return false;
      if (!(await inUse(tx, id))) await removeFile(tx, id);
      return true;
    });
  }

  /** Removes the bytes of deleted files that no queued or running run reads any more; returns how many. */
  async purgeDeleted(): Promise<number> {
    const waiting = await this.db.selectFrom('files').select('id').where('status', '=', 'deleted').execute();
    let purged = 0;
    for (const { id } of waiting) {
      // A deleted file cannot gain readers (a new run must name a processed file), so one check suffices.
      const done = await this.db.transaction().execute(async (tx) => {
        if (await inUse(tx, id)) return false;
        await removeFile(tx, id);
        return true;
      });
      if (done) purged += 1;
    }
    return purged;
  }

  /** The file a run reads: like get, but also while it is deleted and waiting for its runs to end. */
  async getForRun(project: string, id: string, nowS: number): Promise<FileRecord | undefined> {
    const row = await this.db.selectFrom('files').selectAll()
      .where('project', '=', project).where('id', '=', id).where('status', 'in', ['processed', 'deleted'])
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowS)]))
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** Removes the bytes of an upload that failed half way. */
  async discard(id: string): Promise<void> {
    await this.db.deleteFrom('file_chunks').where('file_id', '=', id).execute();
    await this.db.deleteFrom('files').where('id', '=', id).execute();
  }

  /** The file's bytes, one stored chunk at a time. */
  async *chunks(fileId: string): AsyncGenerator<Uint8Array> {
    for (let seq = 0; ; seq++) {
      const row = await this.db.selectFrom('file_chunks').select('data')
        .where('file_id', '=', fileId).where('seq', '=', seq).executeTakeFirst();
      if (!row) return;
      yield row.data;
    }
  }
}

const inUse = async (tx: Transaction<Database>, fileId: string): Promise<boolean> =>
  (await tx.selectFrom('runs').select('id').where('source_file_id', '=', fileId)
    .where('status', 'in', ['queued', 'in_progress']).limit(1).executeTakeFirst()) !== undefined;

async function removeFile(tx: Transaction<Database>, fileId: string): Promise<void> {
  await tx.deleteFrom('file_chunks').where('file_id', '=', fileId).execute();
  await tx.deleteFrom('files').where('id', '=', fileId).execute();
}
