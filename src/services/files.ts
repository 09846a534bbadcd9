import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { z } from 'zod';
import { ApiError, quote } from '../api/errors.js';
import { newFileId } from '../domain/ids.js';
import { pageQuery } from '../schemas/common.js';
import type { FileRecord, Store } from '../storage/index.js';
import { fileToWire, listOf } from './wire.js';

export const FILE_PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] as const;
const THIRTY_DAYS_S = 30 * 24 * 3600;
// Bytes are stored in chunks of this size: big enough to keep row counts low, small enough to stream.
const CHUNK_BYTES = 1024 * 1024;

export const FileListQuery = pageQuery({ limit: 10000, max: 10000, order: 'desc' }).extend({ purpose: z.string().optional() });
export type FileListQuery = z.infer<typeof FileListQuery>;

const nowS = () => Math.floor(Date.now() / 1000);

/** The Files API: multipart uploads streamed into the store, raw downloads streamed out of it. */
export class FilesService {
  constructor(private readonly store: Store, private readonly maxFileBytes: number) {}

  /** Stores the `file` part of a multipart request; `purpose` is required, `expires_after[...]` optional. */
  async upload(project: string, request: Request) {
    const type = request.headers.get('content-type') ?? '';
    if (!type.startsWith('multipart/form-data') || !request.body) {
      throw ApiError.invalid(null, "POST /files takes multipart/form-data with a 'file' part and a 'purpose' field.");
    }
    const id = newFileId();
    const fields: Record<string, string> = {};
    try {
      const uploaded = await this.parse(request.body, type, id, project, fields);
      if (!uploaded) throw ApiError.invalid('file', "Missing required parameter: 'file'.", 'missing_required_parameter');
      const purpose = fields.purpose;
      if (!purpose) throw ApiError.invalid('purpose', "Missing required parameter: 'purpose'.", 'missing_required_parameter');
      if (!(FILE_PURPOSES as readonly string[]).includes(purpose)) {
        throw ApiError.invalid('purpose', `Invalid value for 'purpose': '${quote(purpose)}'. Expected one of ${FILE_PURPOSES.join(', ')}.`, 'invalid_value');
      }
      const created = nowS();
      const expiresAt = expiry(fields, purpose, created);
      const done = { bytes: uploaded.bytes, purpose, created_at: created, expires_at: expiresAt };
      await this.store.files.finish(id, done);
      return fileToWire({ id, project, filename: uploaded.filename, status: 'processed', ...done });
    } catch (e) {
      // A failed discard (the store is full or gone) must not hide why the upload failed.
      await this.store.files.discard(id).catch(() => {});
      throw e;
    }
  }

  /**
   * Streams the form through busboy, the `file` part into the store. Resolves only once the part's writes
   * have stopped, so that a failed upload is discarded after its last chunk, not before. Every part stream
   * gets an error listener as soon as it appears: busboy errors the part a form breaks off in, and an
   * 'error' event nobody listens to (the file row was still being inserted) would end the process.
   */
  private async parse(body: ReadableStream<Uint8Array>, contentType: string, id: string, project: string, fields: Record<string, string>): Promise<{ filename: string; bytes: number } | null> {
    let bb: busboy.Busboy;
    try {
      // Filenames in `filename="…"` are UTF-8 as every browser and SDK sends them; busboy's default is latin1.
      bb = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8', limits: { fileSize: this.maxFileBytes, files: 1, fields: 20 } });
    } catch (e) {
      throw malformed(e);
    }
    let uploaded: Promise<{ filename: string; bytes: number }> | null = null;
    let partError: unknown = null;
    bb.on('field', (name, value) => { fields[name] = value; });
    bb.on('file', (name, stream, info) => {
      stream.on('error', (e) => { partError ??= e; });
      if (name !== 'file' || uploaded) { stream.resume(); return; }
      if (info.filename?.includes('\u0000')) {
        partError ??= ApiError.invalid('file', 'The filename must not contain a NUL character (\\u0000).', 'invalid_value');
        stream.resume();
        return;
      }
      uploaded = this.storeStream(id, project, info.filename || 'upload', stream);
      uploaded.catch(() => {}); // awaited below
    });
    let formError: unknown = null;
    try {
      await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream), bb);
    } catch (e) {
      formError = e;
    }
    let result: { filename: string; bytes: number } | null = null;
    let writeError: unknown = null;
    try {
      result = uploaded ? await uploaded : null;
    } catch (e) {
      writeError = e;
    }
    // A broken form also fails its file part ("Unexpected end of file"): the form's own error says more.
    if (formError) throw malformed(formError);
    if (writeError) throw writeError;
    if (partError) throw malformed(partError);
    return result;
  }

  /** Writes one uploaded stream into the store in CHUNK_BYTES pieces, never holding more than one piece. */
  private async storeStream(id: string, project: string, filename: string, stream: Readable & { truncated?: boolean }): Promise<{ filename: string; bytes: number }> {
    try {
      return await this.writeChunks(id, project, filename, stream);
    } catch (e) {
      // The rest of the part is read and dropped: busboy waits for a part to be consumed before it ends
      // the form, so a part left unread (the store refused its first chunk: a full disk) hangs the request.
      stream.resume();
      throw e;
    }
  }

  private async writeChunks(id: string, project: string, filename: string, stream: Readable & { truncated?: boolean }): Promise<{ filename: string; bytes: number }> {
    await this.store.files.insert({ id, project, filename, purpose: 'pending', bytes: 0, status: 'uploading', created_at: nowS(), expires_at: null });
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let seq = 0;
    let total = 0;
    // Leaving the loop early must not destroy the part: it is drained instead (storeStream).
    for await (const data of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      pending.push(data);
      pendingBytes += data.length;
      total += data.length;
      if (pendingBytes >= CHUNK_BYTES) {
        await this.store.files.appendChunk(id, seq++, Buffer.concat(pending));
        pending = [];
        pendingBytes = 0;
      }
    }
    if (stream.truncated) throw ApiError.tooLarge(`File is larger than ${this.maxFileBytes} bytes (EVALD_MAX_FILE_MB).`);
    if (pendingBytes > 0) await this.store.files.appendChunk(id, seq++, Buffer.concat(pending));
    return { filename, bytes: total };
  }

  async retrieve(project: string, id: string) {
    return fileToWire(await this.record(project, id));
  }

  async record(project: string, id: string): Promise<FileRecord> {
    const file = await this.store.files.get(project, id, nowS());
    if (!file) throw ApiError.notFound('file', id, 'file_id');
    return file;
  }

  async list(project: string, query: FileListQuery) {
    const page = await this.store.files.list(project, query, nowS());
    return listOf(page, page.rows.map(fileToWire));
  }

  async delete(project: string, id: string) {
    // The store's answer decides, not a read before it: of concurrent deletes of one file, one deletes it.
    if (!(await this.store.files.delete(project, id))) throw ApiError.notFound('file', id, 'file_id');
    return { id, object: 'file' as const, deleted: true };
  }

  /** The file's bytes as a web stream, read from the store one chunk at a time. */
  async content(project: string, id: string): Promise<{ file: FileRecord; body: ReadableStream<Uint8Array> }> {
    const file = await this.record(project, id);
    const chunks = this.store.files.chunks(id);
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) controller.close(); else controller.enqueue(next.value);
      },
      async cancel() { await chunks.return(undefined); },
    });
    return { file, body };
  }
}

/** The 400 for a multipart body busboy cannot read: no boundary, a broken part, a form that ends early. */
function malformed(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const reason = e instanceof Error ? e.message : String(e);
  return ApiError.invalid(null, `Malformed multipart body: ${reason}. Send multipart/form-data with a boundary, a 'file' part and a 'purpose' field, and send all of it.`, 'invalid_multipart');
}

function expiry(fields: Record<string, string>, purpose: string, created: number): number | null {
  const anchor = fields['expires_after[anchor]'];
  const seconds = fields['expires_after[seconds]'];
  if (anchor === undefined && seconds === undefined) return purpose === 'batch' ? created + THIRTY_DAYS_S : null;
  if (anchor !== 'created_at') throw ApiError.invalid('expires_after.anchor', "Invalid value for 'expires_after.anchor': expected 'created_at'.", 'invalid_value');
  const s = Number(seconds);
  if (!Number.isInteger(s) || s < 3600 || s > 2_592_000) {
    throw ApiError.invalid('expires_after.seconds', "Invalid value for 'expires_after.seconds': expected an integer from 3600 to 2592000.", 'invalid_value');
  }
  return created + s;
}
