import { sql } from 'kysely';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from './store.js';
import { postgresBackend } from './contract/postgres-backend.contract.js';
import { aGradedItem, anEval, aProject, aRun, T0, T0_MS } from './contract/factories.contract.js';
import { emptyStore } from './store.contract.js';

// Two stores on one database are two machines running engines: on PostgreSQL each has its own pool, so
// their claims really overlap in the server (FOR UPDATE SKIP LOCKED keeps them apart). On the PGlite
// fallback both use the one PGlite instance and take turns on it (its driver's mutex belongs to the
// instance), which checks the same outcome but not the locking.
const backend = await postgresBackend('workers.test.ts');
const PER_MACHINE = 4;
const machineA = await backend.open(PER_MACHINE);
const machineB = await backend.open(PER_MACHINE);
afterAll(async () => {
  await machineA.close();
  await machineB.close();
  await backend.dispose();
});
await machineA.migrate();
await machineB.migrate(); // a second migrate finds nothing to do, as a second server would

/** Claims until nothing is left, as an engine's claim loop does; returns the run ids it got. */
async function drain(store: Store, owner: string, leaseMs: number, nowMs: number): Promise<string[]> {
  const got: string[] = [];
  for (let run = await store.runs.claim(owner, leaseMs, nowMs); run; run = await store.runs.claim(owner, leaseMs, nowMs)) {
    expect(run.lease_owner).toBe(owner);
    got.push(run.id);
  }
  return got;
}

async function queuedRuns(store: Store, n: number) {
  const e = anEval(aProject());
  await store.evals.insert(e);
  const runs = Array.from({ length: n }, (_, i) => aRun(e, { created_at: T0 + i }));
  for (const r of runs) await store.runs.insert(r);
  return { evalRecord: e, runs };
}

describe(`two machines sharing runs on ${backend.description}`, () => {
  beforeEach(() => emptyStore(machineA));

  it('claims each of 20 queued runs exactly once, no run by both', async () => {
    const { runs } = await queuedRuns(machineA, 20);
    // Open every pooled connection first, so no machine gets a head start while the other connects.
    await Promise.all([machineA, machineB].flatMap((m) => Array.from({ length: PER_MACHINE }, () => sql`select 1`.execute(m.db))));

    const claimers = [machineA, machineB].flatMap((m, i) =>
      Array.from({ length: PER_MACHINE }, (_, j) => drain(m, `machine-${'ab'[i]}:${j}`, 60_000, T0_MS)));
    const claimed = await Promise.all(claimers);
    const all = claimed.flat();
    expect([...all].sort()).toEqual(runs.map((r) => r.id).sort());
    const byA = new Set(claimed.slice(0, PER_MACHINE).flat());
    expect(claimed.slice(PER_MACHINE).flat().filter((id) => byA.has(id))).toEqual([]);

    // What the store holds agrees with what each claimer was told.
    const owners = new Map(claimed.flatMap((ids, k) => ids.map((id) => [id, `machine-${k < PER_MACHINE ? 'a' : 'b'}:${k % PER_MACHINE}`] as const)));
    for (const r of runs) expect(await machineB.runs.byId(r.id)).toMatchObject({ status: 'in_progress', lease_owner: owners.get(r.id) });
    console.log(`[workers.test.ts] claims: machine a ${byA.size}, machine b ${all.length - byA.size}`);
  });

  it('hands the runs of a machine that stopped renewing to the other, resuming after its committed rows', async () => {
    const LEASE = 10_000;
    const { runs } = await queuedRuns(machineA, 6);
    const heldByA: string[] = [];
    const heldByB: string[] = [];
    for (let i = 0; i < 3; i++) {
      heldByA.push((await machineA.runs.claim('machine-a', LEASE, T0_MS))!.id);
      heldByB.push((await machineB.runs.claim('machine-b', LEASE, T0_MS))!.id);
    }
    expect([...heldByA, ...heldByB].sort()).toEqual(runs.map((r) => r.id).sort());
    const [resumed] = heldByA;
    const running = (await machineA.runs.byId(resumed!))!;
    const firstRows = [0, 1, 2, 3, 4].map((i) => aGradedItem(running, i, i === 3 ? 'failed' : 'passed'));
    expect(await machineA.runs.commitBatch(resumed!, 'machine-a', firstRows, T0 + 1)).toBe(true);

    // Machine b keeps renewing; machine a has stopped (its process died) and its leases run out.
    const later = T0_MS + LEASE + 1;
    for (const id of heldByB) expect(await machineB.runs.renewLease(id, 'machine-b', later + LEASE)).toBe('in_progress');
    const reclaimed = await drain(machineB, 'machine-b', LEASE, later);
    expect(reclaimed.sort()).toEqual([...heldByA].sort());

    expect(await machineB.runs.doneRows(resumed!)).toEqual(new Set([0, 1, 2, 3, 4]));
    expect((await machineB.runs.byId(resumed!))!.counts).toEqual({ total: 5, passed: 4, failed: 1, errored: 0 });
    // The old owner learns it lost the run, and nothing it still sends lands.
    expect(await machineA.runs.renewLease(resumed!, 'machine-a', later + LEASE)).toBeUndefined();
    expect(await machineA.runs.commitBatch(resumed!, 'machine-a', [aGradedItem(running, 5)], T0 + 12)).toBe(false);
    expect(await machineA.runs.finish(resumed!, 'machine-a', 'completed', null, T0 + 12)).toBe(false);

    // Machine b grades only the rows left (and a repeat of row 4 would not count twice) and finishes.
    const rest = [4, 5, 6, 7].map((i) => aGradedItem(running, i));
    expect(await machineB.runs.commitBatch(resumed!, 'machine-b', rest, T0 + 13)).toBe(true);
    expect(await machineB.runs.finish(resumed!, 'machine-b', 'completed', null, T0 + 14)).toBe(true);
    expect(await machineA.runs.byId(resumed!)).toMatchObject({
      status: 'completed', lease_owner: null, counts: { total: 8, passed: 7, failed: 1, errored: 0 },
    });
  });
});
