import type { ValidateFunction } from 'ajv';
import { schemaMismatch } from '../../domain/item-schema.js';
import { MAX_JSON_DEPTH, tooDeep } from '../../domain/json-depth.js';
import type { Store } from '../../storage/index.js';

/** One source row as the engine sees it: its 0-based index and either its parts or why it is unusable. */
export interface SourceRow {
  index: number;
  item: Record<string, unknown>;
  sample?: Record<string, unknown> | undefined;
  /** Set when the row cannot be graded (not an object, no `item`, item schema mismatch): the item is errored. */
  error?: { code: string; message: string };
}

/** A failure to read the source at all: the run fails with it. */
export class SourceError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

type Source = { type: 'file_content'; content: Array<{ item: Record<string, unknown>; sample?: Record<string, unknown> }> }
  | { type: 'file_id'; id: string }
  | { type: string };

/** A range of row indexes, `[from, to)`. */
export interface RowRange {
  from: number;
  to: number;
}

/**
 * Streams the rows of a run's source (those in `range` only, if given): inline content as it is, a file
 * line by line from the store. A file's lines before the range are counted, not parsed.
 */
export async function* readRows(source: Source, store: Store, project: string, validate: ValidateFunction | null, range?: RowRange): AsyncGenerator<SourceRow> {
  if (source.type === 'file_content') {
    const { content } = source as Extract<Source, { type: 'file_content' }>;
    const to = Math.min(range?.to ?? Infinity, content.length);
    for (let index = range?.from ?? 0; index < to; index++) yield { index, item: content[index]!.item, sample: content[index]!.sample };
    return;
  }
  if (source.type !== 'file_id') throw new SourceError('unsupported_source', `source type '${source.type}' cannot be read by evald`);
  const { id } = source as Extract<Source, { type: 'file_id' }>;
  // A file deleted after this run was created stays readable until the run ends (FilesRepo.delete).
  const file = await store.files.getForRun(project, id, Math.floor(Date.now() / 1000));
  if (!file) throw new SourceError('file_not_found', `file '${id}' does not exist (deleted before the run started, or expired)`);
  let index = 0;
  for await (const { lineNo, text } of lines(wholeFile(store.files.chunks(id), file.bytes, id))) {
    if (text.trim() === '') continue;
    // Read as it goes: a reader reused for a later range (RowCursor) skips to it without parsing.
    if (index < (range?.from ?? 0)) {
      index++;
      continue;
    }
    if (index >= (range?.to ?? Infinity)) return;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (e) {
      throw new SourceError('invalid_jsonl', `file '${id}' line ${lineNo} is not valid JSON: ${(e as Error).message}`);
    }
    yield toRow(row, index++, lineNo, validate);
  }
}

function toRow(row: unknown, index: number, lineNo: number, validate: ValidateFunction | null): SourceRow {
  // Checked before anything walks the row: validating or storing a row nested 100,000 deep overflows the stack.
  const deep = tooDeep(row);
  if (deep) return { index, item: {}, error: { code: 'row_too_deep', message: `line ${lineNo}: the row nests deeper than ${MAX_JSON_DEPTH} levels` } };
  const r = row as { item?: unknown; sample?: unknown } | null;
  if (!r || typeof r !== 'object' || Array.isArray(r) || !r.item || typeof r.item !== 'object' || Array.isArray(r.item)) {
    return { index, item: {}, error: { code: 'invalid_row', message: `line ${lineNo}: a row must be an object with an "item" object` } };
  }
  const item = r.item as Record<string, unknown>;
  const sample = r.sample && typeof r.sample === 'object' && !Array.isArray(r.sample) ? r.sample as Record<string, unknown> : undefined;
  const mismatch = validate && schemaMismatch(validate, item);
  if (mismatch) return { index, item, sample, error: { code: 'item_schema_mismatch', message: `line ${lineNo}: ${mismatch}` } };
  return { index, item, sample };
}

/**
 * The file's chunks, checked to add up to its size: bytes that vanish mid-read (a store that lost them)
 * fail the run by name instead of ending it early as if the file were shorter, or breaking its last line.
 */
async function* wholeFile(chunks: AsyncIterable<Uint8Array>, bytes: number, id: string): AsyncGenerator<Uint8Array> {
  let read = 0;
  for await (const chunk of chunks) {
    read += chunk.byteLength;
    yield chunk;
  }
  if (read !== bytes) throw new SourceError('file_unreadable', `file '${id}' could be read only in part (${read} of ${bytes} bytes); upload it again`);
}

/** Splits a byte stream into lines (1-based numbers), decoding UTF-8 across chunk boundaries. */
export async function* lines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<{ lineNo: number; text: string }> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  let lineNo = 0;
  for await (const chunk of chunks) {
    rest += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = rest.indexOf('\n'); nl !== -1; nl = rest.indexOf('\n', start)) {
      yield { lineNo: ++lineNo, text: rest.slice(start, nl) };
      start = nl + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest !== '') yield { lineNo: ++lineNo, text: rest };
}
