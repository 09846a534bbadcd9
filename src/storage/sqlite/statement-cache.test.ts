import Sqlite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from './connect.js';

describe('withStatementCache', () => {
  let sqlite: Sqlite.Database;
  afterEach(() => { if (sqlite.open) sqlite.close(); });

  const open = () => {
    sqlite = new Sqlite(':memory:');
    sqlite.exec('create table t (id integer primary key, v text)');
    sqlite.exec("insert into t (v) values ('a'), ('b'), ('c')");
    return sqlite;
  };

  it('hands out the same prepared statement for the same SQL, and it still runs with new parameters', () => {
    const db = withStatementCache(open());
    const first = db.prepare('select v from t where id = ?');
    const again = db.prepare('select v from t where id = ?');
    expect(again).toBe(first);
    expect(again.all([2])).toEqual([{ v: 'b' }]);
    expect(db.prepare('select v from t where id = ?').all([3])).toEqual([{ v: 'c' }]);
  });

  it('prepares a fresh statement while the cached one is mid-iteration', () => {
    const db = withStatementCache(open());
    const sql = 'select v from t order by id';
    const outer = db.prepare(sql);
    const seen: string[] = [];
    for (const row of outer.iterate([]) as Iterable<{ v: string }>) {
      const inner = db.prepare(sql);
      expect(inner).not.toBe(outer);
      seen.push(`${row.v}:${(inner.all([]) as Array<{ v: string }>).length}`);
    }
    expect(seen).toEqual(['a:3', 'b:3', 'c:3']);
    expect(db.prepare(sql)).toBe(outer);
  });

  it('drops the least recently used statement past its size, and does not keep long SQL', () => {
    const db = withStatementCache(open(), 2);
    const a = db.prepare('select 1');
    const b = db.prepare('select 2');
    expect(db.prepare('select 1')).toBe(a); // now the most recently used
    db.prepare('select 3'); // evicts 'select 2'
    expect(db.prepare('select 1')).toBe(a);
    expect(db.prepare('select 2')).not.toBe(b);
    const long = `select length('${'x'.repeat(20_000)}') as n`;
    expect(db.prepare(long)).not.toBe(db.prepare(long));
    expect(db.prepare(long).all([])).toEqual([{ n: 20_000 }]);
  });

  it('close closes the database', () => {
    const db = withStatementCache(open());
    db.close();
    expect(sqlite.open).toBe(false);
  });
});
