import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../storage/index.js';
import { JsonText, listOfJson, runToJson, runToWire } from './wire.js';

const run = (over: Partial<RunRecord> = {}): RunRecord => ({
  id: 'evalrun_1', eval_id: 'eval_1', project: 'p', name: 'n', model: 'm', status: 'completed',
  data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { q: '"},"data_source":{}}' } }] } },
  metadata: { tricky: '"data_source":null}' }, error: null,
  counts: { total: 1, passed: 1, failed: 0, errored: 0 }, per_criteria: { c: { passed: 1, failed: 0 } }, per_model_usage: null,
  created_at: 1, updated_at: 2, lease_owner: null, lease_expires_at: null, ...over,
});

describe('runToJson', () => {
  it('is the same JSON as the wire object, whether the data source is parsed or stored text', () => {
    const r = run();
    expect(JSON.parse(runToJson(r, 'http://h').text)).toEqual(runToWire(r, 'http://h'));
    const stored = Object.defineProperty(run(), 'data_source_json', { value: JSON.stringify(r.data_source) });
    expect(JSON.parse(runToJson(stored, 'http://h').text)).toEqual(runToWire(r, 'http://h'));
  });

  it('wraps runs in the list envelope', () => {
    const a = run({ id: 'evalrun_a' }), b = run({ id: 'evalrun_b' });
    const list = JSON.parse(listOfJson({ rows: [], hasMore: true }, [a.id, b.id], [runToJson(a, 'x'), runToJson(b, 'x')]).text);
    expect(list).toEqual({ object: 'list', first_id: 'evalrun_a', last_id: 'evalrun_b', has_more: true, data: [runToWire(a, 'x'), runToWire(b, 'x')] });
    expect(JSON.parse(listOfJson({ rows: [], hasMore: false }, [], []).text)).toEqual({ object: 'list', first_id: null, last_id: null, has_more: false, data: [] });
    expect(new JsonText('{}').text).toBe('{}');
  });
});
