import { sql, type Kysely } from 'kysely';
import type { Database } from '../tables.js';
import type { GatewayUsageRow } from '../types.js';
import { num } from '../json.js';

/** The gateway's call and token counts per project, UTC day and model. */
export class GatewayUsageRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds counts to their (project, day, model) rows, creating the rows that do not exist yet. */
  async add(rows: GatewayUsageRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (const row of rows) {
        await tx.insertInto('gateway_usage').values(row).onConflict((oc) => oc.columns(['project', 'day', 'model']).doUpdateSet({
          requests: sql`gateway_usage.requests + excluded.requests`,
          errors: sql`gateway_usage.errors + excluded.errors`,
          prompt_tokens: sql`gateway_usage.prompt_tokens + excluded.prompt_tokens`,
          completion_tokens: sql`gateway_usage.completion_tokens + excluded.completion_tokens`,
          total_tokens: sql`gateway_usage.total_tokens + excluded.total_tokens`,
          cached_tokens: sql`gateway_usage.cached_tokens + excluded.cached_tokens`,
        })).execute();
      }
    });
  }

  /** One project's rows from day `fromDay` to `toDay` (inclusive, days since the epoch), by day then model. */
  async list(project: string, fromDay: number, toDay: number): Promise<GatewayUsageRow[]> {
    const rows = await this.db.selectFrom('gateway_usage').selectAll()
      .where('project', '=', project).where('day', '>=', fromDay).where('day', '<=', toDay)
      .orderBy('day').orderBy('model').execute();
    return rows.map((r) => ({
      project: r.project, model: r.model, day: num(r.day), requests: num(r.requests), errors: num(r.errors),
      prompt_tokens: num(r.prompt_tokens), completion_tokens: num(r.completion_tokens), total_tokens: num(r.total_tokens), cached_tokens: num(r.cached_tokens),
    }));
  }
}
