import { afterAll, beforeAll, expect, it } from 'vitest';
import OpenAI, { toFile } from 'openai';
import { sql } from 'kysely';
import { startFakeUpstream, type FakeUpstream } from '../../src/fake-upstream/index.js';
import { postgresBackend } from '../../src/storage/contract/postgres-backend.contract.js';
import { aClaimedRun, aGradedItem } from '../../src/storage/contract/factories.contract.js';
import { waitFor, waitForRun } from '../harness.js';
import { checkEval, describeEachBackend, startOn, type ReliabilityServer } from './backends.js';

const ROWS = 600;

/** Rows of every table that still name `ids` (an eval, its runs, a file). */
async function leftovers(server: ReliabilityServer, ids: string[]): Promise<Record<string, number>> {
  const db = server.store.db;
  const count = async (q: { executeTakeFirstOrThrow(): Promise<{ n: unknown }> }) => Number((await q.executeTakeFirstOrThrow()).n);
  const n = sql<number>`count(*)`.as('n');
  return {
    evals: await count(db.selectFrom('evals').select(n).where('id', 'in', ids)),
    runs: await count(db.selectFrom('runs').select(n).where((eb) => eb.or([eb('id', 'in', ids), eb('eval_id', 'in', ids)]))),
    output_items: await count(db.selectFrom('output_items').select(n).where((eb) => eb.or([eb('run_id', 'in', ids), eb('eval_id', 'in', ids)]))),
    files: await count(db.selectFrom('files').select(n).where('id', 'in', ids)),
    file_chunks: await count(db.selectFrom('file_chunks').select(n).where('file_id', 'in', ids)),
    item_facets: await count(db.selectFrom('item_facets').select(n).where('run_id', 'in', ids)),
    item_scores: await count(db.selectFrom('item_scores').select(n).where('run_id', 'in', ids)),
    run_logs: await count(db.selectFrom('run_logs').select(n).where('run_id', 'in', ids)),
    run_segments: await count(db.selectFrom('run_segments').select(n).where('run_id', 'in', ids)),
    run_deletions: await count(db.selectFrom('run_deletions').select(n).where('run_id', 'in', ids)),
    // SQLite's full-text rows name no run: any row without its item's facet row is one left behind.
    item_text: server.backend !== 'sqlite' ? 0
      : Number((await sql<{ n: number }>`select count(*) as n from item_text where rowid not in (select item_rowid from item_facets)`.execute(db)).rows[0]!.n),
  };
}
const NONE = { evals: 0, runs: 0, output_items: 0, files: 0, file_chunks: 0, item_facets: 0, item_scores: 0, run_logs: 0, run_segments: 0, run_deletions: 0, item_text: 0 };
const isNone = (left: Record<string, number>) => Object.values(left).every((n) => n === 0);

describeEachBackend('deletes during a run', (backend) => {
  let fake: FakeUpstream;
  let server: ReliabilityServer;
  beforeAll(async () => {
    // Every model call takes 25 ms and 16 run at once: a run of 600 rows lasts about a second and
    // commits a batch every 250 ms, so a delete lands while batches are being written.
    fake = await startFakeUpstream({ latencyMs: 25 });
    server = await startOn(backend, 'deletes.test.ts', { OPENAI_BASE_URL: fake.url, EVALD_CONCURRENCY: '16' });
  });
  afterAll(async () => { await server?.dispose(); await fake?.close(); });

  const sampledRun = (evalId: string, source: OpenAI.Evals.RunCreateParams['data_source']['source']) =>
    server.client.evals.runs.create(evalId, {
      data_source: {
        type: 'completions', model: 'gpt-4o-mini', source: source as never,
        input_messages: { type: 'template', template: [{ role: 'user', content: 'Say {{ item.expected }}' }] },
      },
    });
  const inline = { type: 'file_content' as const, content: Array.from({ length: ROWS }, (_, i) => ({ item: { expected: `a${i}` } })) };
  const started = (evalId: string, runId: string) => waitFor(async () => {
    const run = await server.client.evals.runs.retrieve(runId, { eval_id: evalId });
    return run.result_counts.total > 0 ? run : undefined;
  }, 30_000, 'the run to commit its first batch');

  it('keeps a deleted file readable until the run reading it ends, then removes it', async () => {
    const rows = Array.from({ length: ROWS }, (_, i) => JSON.stringify({ item: { expected: `a${i}`, pad: 'p'.repeat(2000) } })).join('\n');
    const file = await server.client.files.create({ file: await toFile(Buffer.from(rows), 'rows.jsonl'), purpose: 'evals' });
    const ev = await server.client.evals.create(checkEval);
    const run = await sampledRun(ev.id, { type: 'file_id', id: file.id });
    const during = await started(ev.id, run.id);
    expect(await server.client.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });
    expect(during.status).toBe('in_progress');
    await expect(server.client.files.retrieve(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(server.client.files.delete(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    // A new run cannot start on a file deleted for its project.
    await expect(sampledRun(ev.id, { type: 'file_id', id: file.id })).rejects.toMatchObject({ status: 400 });
    const done = await waitForRun(server.client, ev.id, run.id, 60_000);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.result_counts).toMatchObject({ total: ROWS, errored: 0 });
    await waitFor(async () => ((await leftovers(server, [file.id])).file_chunks === 0 ? true : undefined), 10_000, 'the file to be removed');
    expect(await leftovers(server, [file.id])).toEqual(NONE);
  }, 120_000);

  it('leaves nothing of an eval deleted while its runs commit batches', async () => {
    const ev = await server.client.evals.create(checkEval);
    const runs = [await sampledRun(ev.id, inline), await sampledRun(ev.id, inline)];
    await started(ev.id, runs[0]!.id);
    expect(await server.client.evals.delete(ev.id)).toMatchObject({ deleted: true, eval_id: ev.id });
    // Items in flight land (or are refused) within the run's next lease renewal, and the engine purges what
    // the runs left, in the background; then nothing may remain, and nothing comes back.
    const ids = [ev.id, ...runs.map((r) => r.id)];
    await waitFor(async () => (isNone(await leftovers(server, ids)) ? true : undefined), 20_000, 'the eval’s runs purged');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await leftovers(server, ids)).toEqual(NONE);
  }, 120_000);

  it('leaves nothing of a run deleted while it commits batches', async () => {
    const ev = await server.client.evals.create(checkEval);
    const run = await sampledRun(ev.id, inline);
    await started(ev.id, run.id);
    await server.client.evals.runs.delete(run.id, { eval_id: ev.id });
    await waitFor(async () => (isNone(await leftovers(server, [run.id])) ? true : undefined), 20_000, 'the run purged');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await leftovers(server, [run.id])).toEqual(NONE);
    await server.client.evals.delete(ev.id);
  }, 120_000);
});

// The interleaving that left output items behind on PostgreSQL, made exact: a batch commit holds the
// run's row lock and has inserted its items, and the eval is deleted before that commit ends.
const pg = await postgresBackend('deletes.test.ts');
it.skipIf(pg.kind !== 'postgres')('deleting an eval waits for a batch being committed and removes its items too (PostgreSQL)', async () => {
  const [engine, api] = [await pg.open(2), await pg.open(2)];
  try {
    await engine.migrate();
    const { evalRecord, run } = await aClaimedRun(engine, 'worker-a');
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let inserted!: () => void;
    const insertedOnce = new Promise<void>((resolve) => { inserted = resolve; });
    const commit = engine.db.transaction().execute(async (tx) => {
      await tx.selectFrom('runs').select('id').where('id', '=', run.id).forUpdate().execute();
      const item = aGradedItem(run, 0).record;
      await tx.insertInto('output_items').values({
        ...item, datasource_item: JSON.stringify(item.datasource_item), results: JSON.stringify(item.results), sample: JSON.stringify(item.sample),
      }).execute();
      inserted();
      await held;
    });
    await insertedOnce;
    const deleting = api.evals.delete(evalRecord.project, evalRecord.id);
    await new Promise((r) => setTimeout(r, 300));
    release();
    await commit;
    expect(await deleting).toBe(true);
    // The delete recorded the run for the purge, which takes the item the batch committed too.
    await api.runs.purgeDeleted();
    const left = await api.db.selectFrom('output_items').select(sql<number>`count(*)`.as('n')).where('eval_id', '=', evalRecord.id).executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
  } finally {
    await engine.close();
    await api.close();
    await pg.dispose();
  }
});
if (pg.kind !== 'postgres') await pg.dispose();
