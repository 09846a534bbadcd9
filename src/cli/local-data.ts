import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError } from './command.js';

/** A local data file turned into the API's JSONL rows (`{"item": {...}, "sample"?: {...}}`). */
export interface LocalData {
  jsonl: Buffer;
  rows: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A JSONL line is a row as the API takes it when its only keys are `item` (an object) and `sample`;
 * any other object is the item itself.
 */
export function jsonlRow(value: unknown, where: string): { item: Record<string, unknown>; sample?: Record<string, unknown> } {
  if (!isObject(value)) throw new UsageError(`${where}: a row must be a JSON object`, false);
  const keys = Object.keys(value);
  if (isObject(value.item) && keys.every((k) => k === 'item' || k === 'sample')) {
    if (value.sample !== undefined && !isObject(value.sample)) throw new UsageError(`${where}: "sample" must be an object`, false);
    return value as { item: Record<string, unknown>; sample?: Record<string, unknown> };
  }
  return { item: value };
}

/** A CSV record: `sample.x` columns go to the row's sample, the others to its item (values stay text). */
export function csvRow(record: Record<string, string>): { item: Record<string, unknown>; sample?: Record<string, unknown> } {
  const item: Record<string, unknown> = {};
  let sample: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(record)) {
    if (key.startsWith('sample.')) (sample ??= {})[key.slice('sample.'.length)] = value;
    else item[key] = value;
  }
  return sample ? { item, sample } : { item };
}

/** Reads `.jsonl` / `.json` lines or `.csv` (a header row first) into JSONL rows for upload. */
export async function readLocalData(path: string): Promise<LocalData> {
  const ext = extname(path).toLowerCase();
  const out: string[] = [];
  const input = createReadStream(path);
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', (e) => reject(new UsageError(`cannot read ${path}: ${e.message}`, false)));
  });
  await opened;
  if (ext === '.csv') {
    const { parse } = await import('csv-parse');
    const parser = input.pipe(parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: false }));
    try {
      for await (const record of parser) out.push(JSON.stringify(csvRow(record as Record<string, string>)));
    } catch (e) {
      throw new UsageError(`${path}: ${(e as Error).message}`, false);
    }
  } else if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') {
    let lineNo = 0;
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNo++;
      if (line.trim() === '') continue;
      let value: unknown;
      try { value = JSON.parse(line); } catch (e) { throw new UsageError(`${path} line ${lineNo} is not JSON: ${(e as Error).message}`, false); }
      out.push(JSON.stringify(jsonlRow(value, `${path} line ${lineNo}`)));
    }
  } else {
    throw new UsageError(`${path}: data files are .jsonl or .csv`, false);
  }
  if (out.length === 0) throw new UsageError(`${path} holds no rows`, false);
  return { jsonl: Buffer.from(out.join('\n') + '\n'), rows: out.length };
}
