import { describe, expect, it } from 'vitest';
import { countLines, countRows } from './count-rows.js';
import type { Store } from '../../storage/index.js';

async function* chunks(...parts: string[]) {
  for (const p of parts) yield new TextEncoder().encode(p);
}

describe('countRows', () => {
  it('counts non-blank lines across chunk boundaries, with or without a final newline', async () => {
    expect(await countLines(chunks('{"item":{}}\n{"it', 'em":{}}\n\n  \r\n{"item":{}}'))).toBe(3);
    expect(await countLines(chunks('{"item":{}}\n', '\n'))).toBe(1);
    expect(await countLines(chunks(''))).toBe(0);
  });

  it('counts inline content by its length and a file through the store', async () => {
    const store = { files: { chunks: () => chunks('a\nb\n') } } as unknown as Store;
    expect(await countRows({ type: 'file_content', content: [{}, {}] } as { type: string }, store, 'p')).toBe(2);
    expect(await countRows({ type: 'file_id', id: 'file-1' } as { type: string }, store, 'p')).toBe(2);
  });

  it('is null for a source it cannot read', async () => {
    expect(await countRows({ type: 'nonesuch' }, {} as Store, 'p')).toBeNull();
  });
});
