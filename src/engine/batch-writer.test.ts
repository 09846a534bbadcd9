import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { untilStored } from './batch-writer.js';

const full = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
/** A logger whose lines are kept as `level msg`. */
const logged = () => {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => { const l = JSON.parse(line) as { level: number; msg: string }; lines.push(`${l.level >= 40 ? 'warn' : 'info'} ${l.msg}`); } });
  return { lines, log };
};

describe('untilStored', () => {
  it('tries a write again while the store is full, and says the run paused and resumed', async () => {
    const { lines, log } = logged();
    let calls = 0;
    const value = await untilStored(async () => {
      calls += 1;
      if (calls < 3) throw full();
      return 'written';
    }, { runId: 'evalrun_1', log, stopped: null, what: 'the segment is claimed once it fits' });
    expect(value).toBe('written');
    expect(calls).toBe(3);
    expect(lines[0]).toMatch(/^warn run paused: .*full.*; the segment is claimed once it fits$/);
    expect(lines.at(-1)).toBe('info run resumed: the store has room again');
  });

  it('rethrows any other failure at once, and a full store once the run is stopped', async () => {
    const { log } = logged();
    let calls = 0;
    await expect(untilStored(async () => { calls += 1; throw new Error('constraint'); }, { runId: 'r', log, stopped: null, what: '' })).rejects.toThrow('constraint');
    expect(calls).toBe(1);
    const stopped = new AbortController();
    const waiting = untilStored(async () => { throw full(); }, { runId: 'r', log, stopped: stopped.signal, what: '' });
    setTimeout(() => stopped.abort('canceled'), 50);
    await expect(waiting).rejects.toMatchObject({ code: 'SQLITE_FULL' });
  });
});
