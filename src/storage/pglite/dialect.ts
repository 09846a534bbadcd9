import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type DatabaseConnection, type DatabaseIntrospector, type Dialect, type Driver, type Kysely, type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * Kysely over PGlite: the PostgreSQL adapter and compiler (it is PostgreSQL, compiled to WebAssembly), with a
 * driver that hands out PGlite's one session to one caller at a time.
 *
 * PGlite is a single backend session: a `begin` issued by one Kysely transaction would swallow every query
 * any other caller sends until its `commit`. So acquireConnection takes a mutex that releaseConnection gives
 * back, and a Kysely transaction (which holds its connection from begin to commit) runs alone. The mutex
 * belongs to the PGlite instance, not to the driver, so several stores over one instance (the multi-worker
 * test's two "machines") queue behind each other instead of interleaving. The hazard this brings: code that
 * awaits a query on the store's own `db` inside one of its transactions waits forever; the repos always use
 * the transaction's `tx`. (PGlite's own `transaction()` was rejected: it takes a callback, while Kysely
 * drives begin/commit itself through the driver.)
 */
export class PgliteDialect implements Dialect {
  constructor(private readonly pg: PGlite, private readonly owned: boolean) {}

  createAdapter() { return new PostgresAdapter(); }
  createDriver(): Driver { return new PgliteDriver(this.pg, this.owned); }
  createQueryCompiler() { return new PostgresQueryCompiler(); }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector { return new PostgresIntrospector(db); }
}

const mutexes = new WeakMap<PGlite, Mutex>();

class PgliteDriver implements Driver {
  private readonly mutex: Mutex;
  private readonly connection: PgliteConnection;

  /** `owned`: destroy() closes the PGlite instance (openPglite); otherwise its opener closes it. */
  constructor(private readonly pg: PGlite, private readonly owned: boolean) {
    let mutex = mutexes.get(pg);
    if (!mutex) mutexes.set(pg, (mutex = new Mutex()));
    this.mutex = mutex;
    this.connection = new PgliteConnection(pg);
  }

  async init(): Promise<void> { await this.pg.waitReady; }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.mutex.lock();
    return this.connection;
  }

  async beginTransaction(c: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let text = 'begin';
    if (settings.isolationLevel) text += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode) text += ` ${settings.accessMode}`;
    await c.executeQuery(CompiledQuery.raw(text));
  }

  async commitTransaction(c: DatabaseConnection): Promise<void> { await c.executeQuery(CompiledQuery.raw('commit')); }
  async rollbackTransaction(c: DatabaseConnection): Promise<void> { await c.executeQuery(CompiledQuery.raw('rollback')); }
  async releaseConnection(): Promise<void> { this.mutex.unlock(); }

  async destroy(): Promise<void> {
    if (this.owned && !this.pg.closed) await this.pg.close();
  }
}

class PgliteConnection implements DatabaseConnection {
  constructor(private readonly pg: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pg.query<R>(query.sql, [...query.parameters]);
    // Same rule as Kysely's pg driver: only data-changing commands report affected rows.
    const changes = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(result.command ?? '');
    return { rows: result.rows, numAffectedRows: changes ? BigInt(result.rowCount ?? result.affectedRows ?? 0) : undefined };
  }

  // PGlite has no cursors over its wire; the repos never stream, so a whole result in chunks is enough.
  async *streamQuery<R>(query: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(query);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}

/** A FIFO lock: lock() resolves once every earlier holder has called unlock(). */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private holder: (() => void) | null = null;

  async lock(): Promise<void> {
    const previous = this.tail;
    let unlock!: () => void;
    this.tail = new Promise<void>((resolve) => { unlock = resolve; });
    await previous;
    this.holder = unlock;
  }

  unlock(): void {
    const unlock = this.holder;
    this.holder = null;
    unlock?.();
  }
}
