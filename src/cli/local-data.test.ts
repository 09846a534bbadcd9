import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvRow, jsonlRow, readLocalData } from './local-data.js';
import { tempDir } from '../../test/harness.js';

const tmp = tempDir('evald-data-');
afterAll(() => tmp.remove());
const file = (name: string, text: string) => { const p = join(tmp.dir, name); writeFileSync(p, text); return p; };
const rowsOf = async (path: string) => (await readLocalData(path)).jsonl.toString().trimEnd().split('\n').map((l) => JSON.parse(l));

describe('local data files', () => {
  it('takes JSONL rows as the API has them, or bare items', () => {
    expect(jsonlRow({ item: { a: 1 }, sample: { output_text: 'x' } }, 'l1')).toEqual({ item: { a: 1 }, sample: { output_text: 'x' } });
    expect(jsonlRow({ item: { a: 1 }, other: 2 }, 'l1')).toEqual({ item: { item: { a: 1 }, other: 2 } });
    expect(jsonlRow({ question: 'q' }, 'l1')).toEqual({ item: { question: 'q' } });
    expect(() => jsonlRow([1], 'f line 3')).toThrow('f line 3: a row must be a JSON object');
  });

  it('puts sample.x CSV columns in the sample', () => {
    expect(csvRow({ q: 'a', 'sample.output_text': 'b' })).toEqual({ item: { q: 'a' }, sample: { output_text: 'b' } });
  });

  it('reads CSV with quoted commas, quotes and line breaks, and JSONL skipping blank lines', async () => {
    expect(await rowsOf(file('a.csv', '\ufeffq,answer\n"a, ""b""","multi\nline"\nc,d\n'))).toEqual([
      { item: { q: 'a, "b"', answer: 'multi\nline' } }, { item: { q: 'c', answer: 'd' } },
    ]);
    expect(await rowsOf(file('a.jsonl', '{"q": 1}\n\n{"item": {"q": 2}}\n'))).toEqual([{ item: { q: 1 } }, { item: { q: 2 } }]);
    expect((await readLocalData(file('b.jsonl', '{"q": 1}\n{"q": 2}'))).rows).toBe(2);
  });

  it('names the file and line of what it cannot read', async () => {
    await expect(readLocalData(file('bad.jsonl', '{"q": 1}\n{oops\n'))).rejects.toThrow(/bad\.jsonl line 2 is not JSON/);
    await expect(readLocalData(file('bad.csv', 'a,b\n1,2,3\n'))).rejects.toThrow(/bad\.csv: .*/);
    await expect(readLocalData(file('rows.txt', 'x'))).rejects.toThrow('data files are .jsonl or .csv');
    await expect(readLocalData(join(tmp.dir, 'missing.jsonl'))).rejects.toThrow('cannot read');
    await expect(readLocalData(file('empty.jsonl', '\n'))).rejects.toThrow('holds no rows');
  });
});
