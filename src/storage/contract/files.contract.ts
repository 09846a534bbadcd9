import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StoreUnderTest } from '../store.contract.js';
import type { FileRecord } from '../types.js';
import { aProject, aRun, aStoredFile, anEval, anUpload, readAll, T0 } from './factories.contract.js';

const NOW = T0 + 3600;
const jsonl = (text: string) => new Uint8Array(Buffer.from(text));
/** Every byte value, 0x00 and 0xff included, and a run of zeros. */
const allBytes = () => new Uint8Array([...Array.from({ length: 256 }, (_, i) => i), 0, 0, 0, 0xff]);

/** Files: uploads in chunks, visible once finished and until they expire, deleted with their bytes. */
export function filesContract(t: StoreUnderTest): void {
  describe('files', () => {
    it('hides an upload until it is finished, then shows it with what finish recorded', async () => {
      const project = aProject();
      const upload = anUpload(project, { created_at: T0 });
      await t.store.files.insert(upload);
      await t.store.files.appendChunk(upload.id, 0, jsonl('{"ticket":"refund please","label":"billing"}\n'));
      expect(await t.store.files.get(project, upload.id, NOW)).toBeUndefined();
      expect((await t.store.files.list(project, { order: 'desc', limit: 10 }, NOW)).rows).toEqual([]);

      const done = { bytes: 45, purpose: 'evals', created_at: T0 + 2, expires_at: T0 + 86_400 };
      await t.store.files.finish(upload.id, done);
      const expected: FileRecord = { ...upload, ...done, status: 'processed' };
      expect(await t.store.files.get(project, upload.id, NOW)).toEqual(expected);
      expect(await t.store.files.get('proj_other', upload.id, NOW)).toBeUndefined();
    });

    it('streams the chunks in order, byte for byte, whatever order they were written in', async () => {
      const project = aProject();
      const parts = [allBytes(), jsonl('{"ticket":"ünïcödé ✓"}\n'), new Uint8Array(randomBytes(1024 * 1024))];
      const upload = anUpload(project);
      await t.store.files.insert(upload);
      for (const seq of [2, 0, 1]) await t.store.files.appendChunk(upload.id, seq, parts[seq]!);
      await t.store.files.finish(upload.id, { bytes: 0, purpose: 'evals', created_at: T0, expires_at: null });

      const chunks: Uint8Array[] = [];
      for await (const chunk of t.store.files.chunks(upload.id)) chunks.push(chunk);
      expect(chunks.map((c) => c.byteLength)).toEqual(parts.map((p) => p.byteLength));
      chunks.forEach((c, i) => {
        expect(c).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(c).equals(Buffer.from(parts[i]!))).toBe(true);
      });
    });

    it('streams nothing for a file without bytes', async () => {
      const file = await aStoredFile(t.store, aProject(), []);
      expect(file.bytes).toBe(0);
      expect((await readAll(t.store, file.id)).byteLength).toBe(0);
    });

    it('lists newest first by created_at, ties by id, paged, filtered by purpose, one project only', async () => {
      const project = aProject();
      const created = [T0 + 5, T0 + 9, T0 + 5, T0 + 1, T0 + 5];
      const files: FileRecord[] = [];
      for (const [i, at] of created.entries()) {
        files.push(await aStoredFile(t.store, project, [jsonl(`{"n":${i}}\n`)], { created_at: at, purpose: i === 1 ? 'batch' : 'evals' }));
      }
      await aStoredFile(t.store, 'proj_other', [jsonl('{}\n')], { created_at: T0 + 7 });
      const newest = [...files].sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1));

      const seen: FileRecord[] = [];
      let after: string | undefined;
      for (const hasMore of [true, true, false]) {
        const page = await t.store.files.list(project, { order: 'desc', limit: 2, after }, NOW);
        expect(page.hasMore).toBe(hasMore);
        seen.push(...page.rows);
        after = page.rows.at(-1)?.id;
      }
      expect(seen).toEqual(newest);
      const oldest = await t.store.files.list(project, { order: 'asc', limit: 10 }, NOW);
      expect(oldest.rows).toEqual([...newest].reverse());
      const batch = await t.store.files.list(project, { order: 'desc', limit: 10, purpose: 'batch' }, NOW);
      expect(batch).toEqual({ rows: [files[1]], hasMore: false });
    });

    it('hides a file once it has expired', async () => {
      const project = aProject();
      const lapsed = await aStoredFile(t.store, project, [jsonl('{}\n')], { expires_at: NOW });
      const live = await aStoredFile(t.store, project, [jsonl('{}\n')], { expires_at: NOW + 1 });
      expect(await t.store.files.get(project, lapsed.id, NOW)).toBeUndefined();
      expect(await t.store.files.get(project, lapsed.id, NOW - 1)).toEqual(lapsed);
      expect(await t.store.files.get(project, live.id, NOW)).toEqual(live);
      expect((await t.store.files.list(project, { order: 'desc', limit: 10 }, NOW)).rows).toEqual([live]);
    });

    it('deletes a file with its bytes, and lets no other project delete it', async () => {
      const project = aProject();
      const file = await aStoredFile(t.store, project, [allBytes(), jsonl('{"a":1}\n')]);
      const kept = await aStoredFile(t.store, project, [jsonl('{"b":2}\n')]);

      expect(await t.store.files.delete('proj_other', file.id)).toBe(false);
      expect(await t.store.files.get(project, file.id, NOW)).toEqual(file);
      expect((await readAll(t.store, file.id)).byteLength).toBe(file.bytes);

      expect(await t.store.files.delete(project, file.id)).toBe(true);
      expect(await t.store.files.get(project, file.id, NOW)).toBeUndefined();
      expect((await readAll(t.store, file.id)).byteLength).toBe(0);
      expect(await t.store.files.delete(project, file.id)).toBe(false);
      expect((await readAll(t.store, kept.id)).toString()).toBe('{"b":2}\n');
    });

    it('keeps a deleted file readable by the runs that name it until the last one ends', async () => {
      const project = aProject();
      const file = await aStoredFile(t.store, project, [jsonl('{"item":{"a":1}}\n')]);
      const evalRecord = anEval(project);
      await t.store.evals.insert(evalRecord);
      const runs = [aRun(evalRecord), aRun(evalRecord)].map((r) => ({ ...r, data_source: { ...r.data_source, source: { type: 'file_id', id: file.id } } }));
      for (const r of runs) await t.store.runs.insert(r);
      expect(await t.store.files.delete(project, file.id)).toBe(true);
      expect(await t.store.files.delete(project, file.id)).toBe(false);
      expect(await t.store.files.get(project, file.id, NOW)).toBeUndefined();
      expect((await t.store.files.list(project, { order: 'desc', limit: 10 }, NOW)).rows).toEqual([]);
      expect(await t.store.files.getForRun(project, file.id, NOW)).toMatchObject({ id: file.id, bytes: file.bytes });
      expect(await t.store.files.getForRun('proj_other', file.id, NOW)).toBeUndefined();
      expect(await t.store.files.purgeDeleted()).toBe(0);
      await t.store.runs.cancel(project, evalRecord.id, runs[0]!.id, NOW);
      expect(await t.store.files.purgeDeleted()).toBe(0);
      expect((await readAll(t.store, file.id)).toString()).toBe('{"item":{"a":1}}\n');
      await t.store.runs.delete(project, evalRecord.id, runs[1]!.id);
      expect(await t.store.files.purgeDeleted()).toBe(1);
      expect(await t.store.files.getForRun(project, file.id, NOW)).toBeUndefined();
      expect((await readAll(t.store, file.id)).byteLength).toBe(0);
    });

    it('discards a half-written upload, row and bytes', async () => {
      const project = aProject();
      const upload = anUpload(project);
      await t.store.files.insert(upload);
      await t.store.files.appendChunk(upload.id, 0, allBytes());
      await t.store.files.discard(upload.id);
      expect((await readAll(t.store, upload.id)).byteLength).toBe(0);
      expect(await t.store.db.selectFrom('files').select('id').where('id', '=', upload.id).execute()).toEqual([]);
    });
  });
}
