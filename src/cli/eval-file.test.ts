import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEvalFile } from './eval-file.js';
import { tempDir } from '../../test/harness.js';

const tmp = tempDir('evald-file-');
afterAll(() => tmp.remove());
const file = (name: string, text: string) => { const p = join(tmp.dir, name); writeFileSync(p, text); return p; };
const head = 'name: e\ndata_source_config: {type: custom, item_schema: {}}\ntesting_criteria: [{type: string_check, name: a, input: x, reference: x, operation: eq}]\n';

describe('loadEvalFile', () => {
  it('resolves each run\'s local source relative to the file: the top-level data, a path, or {type: file}', async () => {
    const f = await loadEvalFile(file('e.yaml', `${head}data: rows.jsonl
runs:
  - {name: a, data_source: {type: completions, model: m}}
  - {data_source: {type: jsonl, source: other.csv}}
  - {data_source: {type: jsonl, source: {type: file, path: sub/x.jsonl}}}
  - {data_source: {type: jsonl, source: {type: file_id, id: file_1}}}
gates: {min_pass_rate: 0.5, criteria: {a: {min_mean_score: 0.2}}}
`));
    expect(f.runs.map((r) => r.dataPath)).toEqual([join(tmp.dir, 'rows.jsonl'), join(tmp.dir, 'other.csv'), join(tmp.dir, 'sub/x.jsonl'), null]);
    expect(f.runs[0]).toMatchObject({ name: 'a', dataSource: { type: 'completions', model: 'm' } });
    expect(f.runs[0]!.dataSource).not.toHaveProperty('source');
    expect(f.runs[3]!.dataSource).toEqual({ type: 'jsonl', source: { type: 'file_id', id: 'file_1' } });
    expect(f.gates).toEqual({ min_pass_rate: 0.5, criteria: { a: { min_mean_score: 0.2 } } });
  });

  it('reads JSON as well', async () => {
    const f = await loadEvalFile(file('e.json', JSON.stringify({ name: 'j', data_source_config: { type: 'custom' }, testing_criteria: [{ type: 't', name: 'n' }], runs: [{ data_source: { type: 'jsonl', source: 'r.jsonl' } }] })));
    expect(f.name).toBe('j');
  });

  it('names the field of every mistake, an unknown one first', async () => {
    await expect(loadEvalFile(file('t.yaml', `${head}run: []\n`))).rejects.toThrow(/t\.yaml: the file: unknown field\(s\) 'run'/);
    await expect(loadEvalFile(file('g.yaml', `${head}runs: [{data_source: {type: jsonl, source: r.jsonl}}]\ngates: {min_pass_rate: 2}\n`))).rejects.toThrow(/gates\.min_pass_rate: /);
    await expect(loadEvalFile(file('d.yaml', `${head}runs: [{data_source: {type: jsonl}}]\n`))).rejects.toThrow(/runs\[0\]\.data_source\.source: missing/);
    await expect(loadEvalFile(file('y.yaml', 'name: [\n'))).rejects.toThrow(/is not valid YAML/);
    await expect(loadEvalFile(file('c.yaml', `${head}runs: []\n`))).rejects.toThrow(/runs: /);
  });
});
