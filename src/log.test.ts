import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } }), { isTTY });
  return { stream, text: () => chunks.join('') };
}

describe('createLogger', () => {
  it('writes JSON lines when the output is not a terminal', async () => {
    const out = sink(false);
    (await createLogger('info', 'auto', out.stream)).info({ run_id: 'evalrun_1', items_per_s: 12 }, 'run completed');
    expect(JSON.parse(out.text())).toMatchObject({ level: 30, service: 'evald', run_id: 'evalrun_1', items_per_s: 12, msg: 'run completed' });
  });

  it('writes readable lines on a terminal, or when asked to', async () => {
    for (const [isTTY, format] of [[true, 'auto'], [false, 'pretty']] as const) {
      const out = sink(isTTY);
      (await createLogger('info', format, out.stream)).warn({ provider: 'default', status: '401' }, 'upstream call failed');
      const line = out.text().replace(/\x1b\[[0-9;]*m/g, '');
      expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: upstream call failed \{"provider":"default","status":"401"\}\n$/);
    }
  });

  it('keeps to its level', async () => {
    const out = sink(false);
    const log = await createLogger('warn', 'json', out.stream);
    log.info('not shown');
    expect(out.text()).toBe('');
  });
});
