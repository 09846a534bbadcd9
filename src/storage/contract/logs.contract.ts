import { describe, expect, it } from 'vitest';
import type { StoreUnderTest } from '../store.contract.js';
import type { LogRecord } from '../types.js';

const T0 = 1_760_000_000;

/** A stored chat completion log; `i` spreads created_at and picks metadata. */
export function aLog(i: number, over: Partial<LogRecord> = {}): LogRecord {
  return {
    project: 'p1', id: `chatcmpl-${String(i).padStart(4, '0')}`, kind: 'chat.completion', model: 'gpt-x-2025', request_model: 'gpt-x',
    created_at: T0 + Math.floor(i / 2), expires_at: null, metadata: JSON.stringify({ parity: i % 2 ? 'odd' : 'even', third: String(i % 3) }),
    user_id: `u${i % 2}`, instructions: i % 2 ? 'You are 100% a_coding assistant' : null, temperature: i % 2 ? 0.5 : null, top_p: null,
    reasoning_effort: null, tool_names: i % 2 ? ',get_weather,' : null, request: '{"model":"gpt-x","messages":[]}', response: '{}',
    ...over,
  };
}

/** Logs: idempotent inserts, keyset pages under tag and column filters, metadata updates, expiry, run selections. */
export function logsContract(t: StoreUnderTest): void {
  describe('logs', () => {
    const ids = (rows: LogRecord[]) => rows.map((r) => r.id);
    const seed = async (n: number) => {
      const logs = Array.from({ length: n }, (_, i) => aLog(i));
      expect(await t.store.logs.insert(logs)).toBe(n);
      return logs;
    };

    it('inserts idempotently by project and id', async () => {
      await seed(3);
      expect(await t.store.logs.insert([aLog(1), aLog(3)])).toBe(1);
      expect(await t.store.logs.insert([aLog(1, { project: 'p2' })])).toBe(1);
      expect(await t.store.logs.get('p1', 'chat.completion', aLog(3).id, T0)).toEqual(aLog(3));
      expect(await t.store.logs.get('p1', 'response', aLog(3).id, T0)).toBeUndefined();
    });

    it('stores a large batch once a log, with the tags of its first record, across stored and repeated ones', async () => {
      await seed(5);
      // 203 records: 200 new logs (more than one insert's worth, and not a power of two), 2 already stored,
      // and one new log named twice with different metadata.
      const batch = [aLog(2), ...Array.from({ length: 200 }, (_, i) => aLog(100 + i)), aLog(4), aLog(150, { metadata: '{"parity":"again"}' })];
      expect(await t.store.logs.insert(batch)).toBe(200);
      const all = await t.store.logs.list('p1', { kind: 'chat.completion' }, { limit: 500, order: 'asc' }, T0);
      expect(all.rows.length).toBe(205);
      expect((await t.store.logs.get('p1', 'chat.completion', aLog(150).id, T0))?.metadata).toBe(aLog(150).metadata);
      const again = await t.store.logs.list('p1', { kind: 'chat.completion', metadata: { parity: 'again' } }, { limit: 10, order: 'asc' }, T0);
      expect(again.rows).toEqual([]);
      const odd = await t.store.logs.list('p1', { kind: 'chat.completion', metadata: { parity: 'odd' }, model: 'gpt-x-2025' }, { limit: 500, order: 'asc' }, T0);
      expect(odd.rows.length).toBe(2 + 100);
    });

    it('pages in (created_at, id) order both ways, filtered by tags and columns', async () => {
      const logs = await seed(10);
      const f = { kind: 'chat.completion' as const };
      const page1 = await t.store.logs.list('p1', f, { limit: 4, order: 'asc' }, T0);
      expect(page1).toMatchObject({ hasMore: true });
      expect(ids(page1.rows)).toEqual(ids(logs.slice(0, 4)));
      const page2 = await t.store.logs.list('p1', f, { limit: 4, order: 'asc', after: logs[3]!.id }, T0);
      expect(ids(page2.rows)).toEqual(ids(logs.slice(4, 8)));
      const desc = await t.store.logs.list('p1', f, { limit: 3, order: 'desc', after: logs[5]!.id }, T0);
      expect(ids(desc.rows)).toEqual(ids(logs.slice(2, 5).reverse()));
      const odd = await t.store.logs.list('p1', { ...f, metadata: { parity: 'odd' } }, { limit: 2, order: 'asc', after: logs[3]!.id }, T0);
      expect(ids(odd.rows)).toEqual([logs[5]!.id, logs[7]!.id]);
      const two = await t.store.logs.list('p1', { ...f, metadata: { parity: 'odd', third: '0' }, model: 'gpt-x' }, { limit: 10, order: 'asc' }, T0);
      expect(ids(two.rows)).toEqual([logs[3]!.id, logs[9]!.id]);
      const cols = await t.store.logs.list('p1', {
        ...f, createdAfter: T0 + 1, createdBefore: T0 + 3, users: ['u1'], temperature: 0.5, instructionsSearch: '100% a_coding', tools: ['nope', 'get_weather'],
      }, { limit: 10, order: 'asc' }, T0);
      expect(ids(cols.rows)).toEqual([logs[3]!.id, logs[5]!.id, logs[7]!.id]);
      expect((await t.store.logs.list('p1', { ...f, instructionsSearch: '100%_a' }, { limit: 10, order: 'asc' }, T0)).rows).toEqual([]);
      expect((await t.store.logs.list('p2', f, { limit: 10, order: 'asc' }, T0)).rows).toEqual([]);
    });

    it('replaces metadata and its tags, deletes, and hides and purges expired logs', async () => {
      const logs = await seed(4);
      const updated = await t.store.logs.updateMetadata('p1', 'chat.completion', logs[0]!.id, { parity: 'odd' }, T0);
      expect(updated?.metadata).toBe('{"parity":"odd"}');
      const odd = await t.store.logs.list('p1', { kind: 'chat.completion', metadata: { parity: 'odd' } }, { limit: 10, order: 'asc' }, T0);
      expect(ids(odd.rows)).toEqual([logs[0]!.id, logs[1]!.id, logs[3]!.id]);
      expect(await t.store.logs.delete('p1', 'chat.completion', logs[1]!.id)).toBe(true);
      expect(await t.store.logs.delete('p1', 'chat.completion', logs[1]!.id)).toBe(false);
      await t.store.logs.insert([aLog(50, { expires_at: T0 + 10 })]);
      expect(await t.store.logs.get('p1', 'chat.completion', aLog(50).id, T0 + 9)).toBeDefined();
      expect(await t.store.logs.get('p1', 'chat.completion', aLog(50).id, T0 + 10)).toBeUndefined();
      expect(await t.store.logs.purgeExpired(T0 + 10)).toBe(1);
      const left = await t.store.logs.list('p1', { kind: 'chat.completion', model: 'gpt-x-2025' }, { limit: 10, order: 'asc' }, 0);
      expect(ids(left.rows)).toEqual([logs[0]!.id, logs[2]!.id, logs[3]!.id]);
    });

    it('fixes a run selection once, and pages it with deleted logs as null', async () => {
      const logs = await seed(7);
      const filter = { kind: 'chat.completion' as const, metadata: { parity: 'even' } };
      expect(await t.store.logs.fixRunSelection('run1', 'p1', filter, 3, T0)).toBe(3);
      await t.store.logs.insert([aLog(-2, { created_at: T0 - 1 })]);
      expect(await t.store.logs.fixRunSelection('run1', 'p1', filter, 3, T0)).toBe(3);
      await t.store.logs.delete('p1', 'chat.completion', logs[2]!.id);
      const page = await t.store.logs.runLogs('run1', 'p1', -1, 10);
      expect(page.map((r) => [r.seq, r.logId, r.log?.id ?? null])).toEqual([
        [0, logs[0]!.id, logs[0]!.id], [1, logs[2]!.id, null], [2, logs[4]!.id, logs[4]!.id],
      ]);
      expect((await t.store.logs.runLogs('run1', 'p1', 1, 10)).map((r) => r.seq)).toEqual([2]);
      expect(await t.store.logs.fixRunSelection('run2', 'p1', { kind: 'response' }, null, T0)).toBe(0);
      await t.store.logs.releaseRunSelection('run1');
      expect(await t.store.logs.runLogs('run1', 'p1', -1, 10)).toEqual([]);
    });

    it('adds gateway usage to its day and model', async () => {
      const row = { project: 'p1', model: 'm', day: 20000, requests: 1, errors: 0, prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, cached_tokens: 0 };
      await t.store.gatewayUsage.add([row]);
      await t.store.gatewayUsage.add([{ ...row, errors: 1 }, { ...row, day: 20001 }]);
      expect(await t.store.gatewayUsage.list('p1', 20000, 20000)).toEqual([{ ...row, requests: 2, errors: 1, prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 }]);
      expect(await t.store.gatewayUsage.list('p2', 0, 30000)).toEqual([]);
    });
  });
}
