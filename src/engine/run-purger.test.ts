import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aClaimedRun, aGradedItem, T0 } from '../storage/contract/factories.contract.js';
import { openSqlite, type RunRecord, type Store } from '../storage/index.js';
import { RunPurger } from './run-purger.js';

const silent = pino({ level: 'silent' });

describe('RunPurger on SQLite', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'evald-purger-'));
    store = openSqlite(join(dir, 'purge.sqlite'));
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function deletedRunOf(items: number): Promise<RunRecord> {
    const { evalRecord, run } = await aClaimedRun(store);
    for (let from = 0; from < items; from += 500) {
      await store.runs.commitBatch(run.id, 'worker-a', Array.from({ length: Math.min(500, items - from) }, (_, i) => aGradedItem(run, from + i)), T0 + 1);
    }
    expect(await store.runs.delete(evalRecord.project, evalRecord.id, run.id)).toBe(true);
    return run;
  }
  const itemsLeft = async (runId: string) =>
    Number((await store.db.selectFrom('output_items').select((eb) => eb.fn.countAll().as('n')).where('run_id', '=', runId).executeTakeFirstOrThrow()).n);

  it('purges a deleted run in steps, with turns of the event loop between them', async () => {
    const run = await deletedRunOf(3000);
    const purger = new RunPurger(store, silent, 200);
    // Counts the event loop's turns while the purge runs: one synchronous delete would leave it at 0 or 1.
    let turns = 0;
    let counting = true;
    const tick = () => { turns += 1; if (counting) setImmediate(tick); };
    setImmediate(tick);
    purger.kick();
    await purger.idle();
    counting = false;
    expect(await itemsLeft(run.id)).toBe(0);
    expect(await store.runs.deletedRuns()).toEqual([]);
    expect(turns).toBeGreaterThanOrEqual(3000 / 200);
  });

  it('stops between steps, and a purger started later finishes what was left', async () => {
    const run = await deletedRunOf(2000);
    const first = new RunPurger(store, silent, 100);
    first.kick();
    await new Promise((resolve) => setImmediate(resolve));
    await first.stop();
    const left = await itemsLeft(run.id);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(2000);
    first.kick();
    await first.idle();
    expect(await itemsLeft(run.id)).toBe(left);

    const next = new RunPurger(store, silent, 100);
    next.kick();
    await next.idle();
    expect(await itemsLeft(run.id)).toBe(0);
    expect(await store.runs.deletedRuns()).toEqual([]);
  });
});
