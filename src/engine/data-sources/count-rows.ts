import type { Store } from '../../storage/index.js';
import { readRows } from './rows.js';

const NL = 10, SPACE = 32, TAB = 9, CR = 13;

/**
 * How many rows a run's source holds, counted when the run starts so progress has a denominator: inline
 * content by its length, a file by its non-blank lines (bytes scanned chunk by chunk, nothing parsed), any
 * other source by reading it through. Null when the source cannot be read (the run then fails reading it).
 */
export async function countRows(source: { type: string; content?: unknown[]; id?: string }, store: Store, project: string): Promise<number | null> {
  try {
    if (source.type === 'file_content') return source.content?.length ?? 0;
    if (source.type === 'file_id') return await countLines(store.files.chunks(source.id ?? ''));
    let n = 0;
    for await (const _row of readRows(source, store, project, null)) n++;
    return n;
  } catch {
    return null;
  }
}

/** Lines holding anything but spaces, tabs and CRs, as readRows counts rows. */
export async function countLines(chunks: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  let filled = false;
  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === NL) {
        if (filled) n++;
        filled = false;
      } else if (b !== SPACE && b !== TAB && b !== CR) {
        filled = true;
      }
    }
  }
  return filled ? n + 1 : n;
}
