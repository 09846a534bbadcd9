import type { Kysely } from 'kysely';
import type { Database } from '../tables.js';
import type { Dialect } from '../types.js';
import { num } from '../json.js';

/** Per-minute limits of one provider as the caller knows them (undefined: not limited on that resource). */
export interface BudgetLimits {
  rpm?: number | undefined;
  tpm?: number | undefined;
}

const MINUTE_MS = 60_000;

/**
 * Rate budgets shared by every process on this database, and the processes alive to share them. A take
 * refills the provider's row by the time since the last one (capped at a minute's worth, as a token bucket)
 * and hands out what it holds, up to what was asked, inside one transaction that locks the row: N workers
 * together never take more than the limit allows.
 */
export class BudgetsRepo {
  constructor(private readonly db: Kysely<Database>, private readonly dialect: Dialect) {}

  /** Takes up to `want` requests and tokens from `name`'s bucket at `nowMs`; returns what was granted. */
  async take(name: string, limits: BudgetLimits, want: { requests: number; tokens: number }, nowMs: number): Promise<{ requests: number; tokens: number }> {
    const rpm = limits.rpm ?? 0;
    const tpm = limits.tpm ?? 0;
    return this.db.transaction().execute(async (tx) => {
      await tx.insertInto('provider_budgets').values({ name, requests: rpm, tokens: tpm, updated_ms: nowMs })
        .onConflict((oc) => oc.column('name').doNothing()).execute();
      let q = tx.selectFrom('provider_budgets').selectAll().where('name', '=', name);
      if (this.dialect === 'postgres') q = q.forUpdate();
      const row = await q.executeTakeFirstOrThrow();
      const elapsed = Math.max(0, nowMs - num(row.updated_ms));
      const requests = Math.min(rpm, Number(row.requests) + (elapsed * rpm) / MINUTE_MS);
      const tokens = Math.min(tpm, Number(row.tokens) + (elapsed * tpm) / MINUTE_MS);
      // Whole requests only: a fraction of one is no use to anybody, and stays for the next taker.
      const grant = {
        requests: limits.rpm === undefined ? want.requests : Math.max(0, Math.min(want.requests, Math.floor(requests))),
        tokens: limits.tpm === undefined ? want.tokens : Math.max(0, Math.min(want.tokens, Math.floor(tokens))),
      };
      await tx.updateTable('provider_budgets')
        .set({ requests: requests - (limits.rpm === undefined ? 0 : grant.requests), tokens: tokens - (limits.tpm === undefined ? 0 : grant.tokens), updated_ms: Math.max(nowMs, num(row.updated_ms)) })
        .where('name', '=', name).execute();
      return grant;
    });
  }

  /** Records that `owner` is alive at `nowMs`, and returns how many owners were seen since `sinceMs` (itself included). */
  async beat(owner: string, nowMs: number, sinceMs: number): Promise<number> {
    await this.db.insertInto('workers').values({ owner, seen_ms: nowMs })
      .onConflict((oc) => oc.column('owner').doUpdateSet({ seen_ms: nowMs })).execute();
    // Long-dead owners are removed by whoever beats, so the table stays as small as the fleet.
    await this.db.deleteFrom('workers').where('seen_ms', '<', sinceMs - 10 * MINUTE_MS).execute();
    const row = await this.db.selectFrom('workers').select((eb) => eb.fn.countAll().as('n')).where('seen_ms', '>=', sinceMs).executeTakeFirstOrThrow();
    return Math.max(1, Number(row.n));
  }

  /** Forgets `owner` (a clean shutdown), so the others' shares grow at once. */
  async leave(owner: string): Promise<void> {
    await this.db.deleteFrom('workers').where('owner', '=', owner).execute();
  }
}
