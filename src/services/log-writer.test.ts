import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { LogRecord, Store } from '../storage/index.js';
import { LOG_FLUSH_MS, LogWriter } from './log-writer.js';

const record = (id: string): LogRecord => ({
  project: 'p', id, kind: 'chat.completion', model: 'm', request_model: 'm', created_at: 1, expires_at: null, metadata: '{}',
  user_id: null, instructions: null, temperature: null, top_p: null, reasoning_effort: null, tool_names: null, request: '{}', response: '{}',
});

/** A store whose logs.insert records its batches, takes `ms` each, and refuses any batch holding a refused id. */
function fakeStore(ms = 0, refused = new Set<string>()) {
  const batches: string[][] = [];
  const stored: string[] = [];
  const store = {
    logs: {
      insert: async (logs: LogRecord[]) => {
        batches.push(logs.map((l) => l.id));
        await new Promise((resolve) => setTimeout(resolve, ms));
        if (logs.some((l) => refused.has(l.id))) throw new Error('refused');
        stored.push(...logs.map((l) => l.id));
        return logs.length;
      },
    },
  } as unknown as Store;
  return { store, batches, stored };
}

const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LogWriter', () => {
  it('writes the logs of a burst in one batch a few milliseconds later', async () => {
    const { store, batches, stored } = fakeStore();
    const writer = new LogWriter(store, silent);
    for (let i = 0; i < 10; i++) writer.add(record(`l${i}`));
    expect(stored).toEqual([]);
    await sleep(LOG_FLUSH_MS + 20);
    expect(batches).toEqual([Array.from({ length: 10 }, (_, i) => `l${i}`)]);
  });

  it('flush resolves once every log added before it is written, without waiting for later ones', async () => {
    const { store, stored } = fakeStore(20);
    const writer = new LogWriter(store, silent);
    writer.add(record('a'));
    const first = writer.flush();
    writer.add(record('b')); // while 'a' is being written
    await first;
    expect(stored).toEqual(['a']);
    await writer.flush();
    expect(stored).toEqual(['a', 'b']);
    await expect(writer.flush()).resolves.toBeUndefined();
  });

  it('loses nothing queued when closed', async () => {
    const { store, stored } = fakeStore(5);
    const writer = new LogWriter(store, silent);
    for (let i = 0; i < 1200; i++) writer.add(record(`l${i}`));
    await writer.close();
    expect(stored.length).toBe(1200);
    expect(new Set(stored).size).toBe(1200);
  });

  it('keeps the rest of a batch when the store refuses one of its logs', async () => {
    const { store, stored } = fakeStore(0, new Set(['bad']));
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'error' }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>); } });
    const writer = new LogWriter(store, log);
    for (const id of ['a', 'bad', 'c']) writer.add(record(id));
    await writer.flush();
    expect(stored).toEqual(['a', 'c']);
    expect(lines).toMatchObject([{ log_id: 'bad', msg: 'a gateway log could not be stored' }]);
  });
});
