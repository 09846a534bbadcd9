import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { pino } from 'pino';
import { toFile } from 'openai';
import { tempDir, waitFor, waitForRun } from '../harness.js';
import { startFakeUpstream, type FakeUpstream } from '../../src/fake-upstream/index.js';
import { checkEval, envelopeOf, startOn, type ReliabilityServer } from './backends.js';

const ROWS = 600;

/**
 * A really full disk where the machine lets us make one (root: a 24 MiB tmpfs holding the SQLite file, then
 * filled up by a filler file), else a full database file (SQLite's max_page_count): both make SQLite
 * answer SQLITE_FULL. PostgreSQL's disk_full (53100) goes the same way through the same code.
 */
function fullDisk(): { dir: string; kind: 'tmpfs' | 'max_page_count'; fill(server: ReliabilityServer): Promise<void>; free(server: ReliabilityServer): Promise<void>; remove(): void } {
  const tmp = tempDir('evald-disk-full-');
  const mountPoint = join(tmp.dir, 'mnt');
  mkdirSync(mountPoint);
  let mounted = false;
  if (process.getuid?.() === 0 && !process.env.EVALD_TEST_NO_TMPFS) {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountPoint], { stdio: 'ignore' });
      mounted = true;
    } catch { /* not allowed here (no CAP_SYS_ADMIN): fall back to max_page_count */ }
  }
  const filler = join(mountPoint, 'filler');
  return {
    dir: mountPoint,
    kind: mounted ? 'tmpfs' : 'max_page_count',
    async fill(server) {
      if (mounted) {
        const { bavail, bsize } = statfsSync(mountPoint);
        writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 16 * 1024)));
      } else {
        const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(server.store.db);
        await sql.raw(`pragma max_page_count = ${Number(rows[0]!.page_count) + 2}`).execute(server.store.db);
      }
    },
    async free(server) {
      if (mounted) rmSync(filler, { force: true });
      else await sql.raw('pragma max_page_count = 1073741823').execute(server.store.db);
    },
    remove() {
      if (mounted) execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
      tmp.remove();
    },
  };
}

describe('a full disk (SQLite)', () => {
  const disk = fullDisk();
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
  let server: ReliabilityServer;
  let fake: FakeUpstream;
  beforeAll(async () => {
    // 25 ms a model call, 16 at once: 600 rows take a couple of seconds, committed every 250 ms.
    fake = await startFakeUpstream({ latencyMs: 25 });
    server = await startOn('sqlite', 'disk-full.test.ts', { EVALD_DB: join(disk.dir, 'evald.sqlite'), OPENAI_BASE_URL: fake.url }, pino({ level: 'info' }, sink));
  });
  afterAll(async () => {
    await server?.dispose();
    await fake?.close();
    disk.remove();
  });

  it(`pauses a run whose batch cannot be written, resumes it once space is freed, and refuses uploads with 507 (${disk.kind})`, async () => {
    const ev = await server.client.evals.create(checkEval);
    const rows = Array.from({ length: ROWS }, (_, i) => ({ item: { expected: `a${i}`, pad: 'p'.repeat(200) } }));
    const run = await server.client.evals.runs.create(ev.id, {
      data_source: {
        type: 'completions', model: 'gpt-4o-mini', source: { type: 'file_content', content: rows },
        input_messages: { type: 'template', template: [{ role: 'user', content: 'Say {{ item.expected }}' }] },
      },
    });
    // The disk fills up while the run is writing its batches.
    await waitFor(async () => ((await server.client.evals.runs.retrieve(run.id, { eval_id: ev.id })).result_counts.total > 0 ? true : undefined), 30_000, 'the first batch');
    await disk.fill(server);

    const paused = await waitFor(async () => lines.find((l) => l.cause === 'storage_full' && l.run_id === run.id), 20_000, 'the run to report a full store');
    expect(String(paused.msg)).toMatch(/full/);
    // Paused, not failed: the run stays in progress while the disk is full.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await server.client.evals.runs.retrieve(run.id, { eval_id: ev.id })).status).toBe('in_progress');

    const upload = await server.api('/files', { method: 'POST', body: await (async () => {
      const fd = new FormData();
      fd.append('purpose', 'evals');
      fd.append('file', new Blob([Buffer.alloc(3 * 1024 * 1024, 'x')]), 'big.jsonl');
      return fd;
    })() });
    expect(upload.status).toBe(507);
    expect(await envelopeOf(upload)).toMatchObject({ code: 'storage_full', type: 'server_error' });
    expect(lines.some((l) => l.cause === 'storage_full' && String(l.msg).includes('request refused'))).toBe(true);

    await disk.free(server);
    const done = await waitForRun(server.client, ev.id, run.id, 60_000);
    // The server's error lines say why, should the run have failed.
    expect(done.error, JSON.stringify(lines.filter((l) => Number(l.level) >= 50))).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.result_counts).toMatchObject({ total: ROWS, errored: 0 });
    const stored = await server.store.db.selectFrom('output_items').select(sql<number>`count(*)`.as('n')).where('run_id', '=', run.id).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(ROWS);
    const ok = await server.client.files.create({ file: await toFile(Buffer.from('{}\n'), 'after.jsonl'), purpose: 'evals' });
    expect(ok.bytes).toBe(3);
  }, 120_000);
});
