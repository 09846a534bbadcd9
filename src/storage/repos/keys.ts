import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, Database } from '../tables.js';
import type { KeyRecord } from '../types.js';
import { num } from '../json.js';

const toRecord = (r: Selectable<ApiKeysTable>): KeyRecord => ({
  id: r.id, project: r.project, name: r.name, prefix: r.prefix,
  created_at: num(r.created_at), revoked_at: r.revoked_at === null ? null : num(r.revoked_at),
});

/** API keys, stored as SHA-256 hashes: the key itself is shown once and never kept. */
export class KeysRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(key: KeyRecord & { key_hash: string }): Promise<void> {
    await this.db.insertInto('api_keys').values(key).execute();
  }

  /** The active key with this hash, or undefined. */
  async findActiveByHash(hash: string): Promise<KeyRecord | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll()
      .where('key_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
    return row && toRecord(row);
  }

  async list(): Promise<KeyRecord[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toRecord);
  }

  /** Revokes by id or by the key's shown prefix; returns how many keys it revoked. */
  async revoke(idOrPrefix: string, now: number): Promise<number> {
    const result = await this.db.updateTable('api_keys').set({ revoked_at: now })
      .where((eb) => eb.or([eb('id', '=', idOrPrefix), eb('prefix', '=', idOrPrefix)]))
      .where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Keys ever made, revoked ones included (a revoke keeps the row): once this is above 0, open local mode
   * is over for this store (KeysService.isOpenMode).
   */
  async countEver(): Promise<number> {
    const row = await this.db.selectFrom('api_keys').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return num(row.n);
  }

  async countActive(): Promise<number> {
    const row = await this.db.selectFrom('api_keys').select((eb) => eb.fn.countAll().as('n'))
      .where('revoked_at', 'is', null).executeTakeFirstOrThrow();
    return num(row.n);
  }
}
