import type { Kysely, Selectable } from 'kysely';
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

  /** Deletes the file and its bytes; false when this project has no such file. */
  async delete(project: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx.deleteFrom('files').where('project', '=', project).where('id', '=', id).executeTakeFirst();
      // Only the owner's delete may take the bytes: another project naming this id must not empty the file.
      if (!Number(result.numDeletedRows)) return false;
      await tx.deleteFrom('file_chunks').where('file_id', '=', id).execute();
      return true;
    });
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
