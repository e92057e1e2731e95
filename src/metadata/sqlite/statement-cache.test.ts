import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.js';

describe('withStatementCache', () => {
  it('prepares a SQL text once and hands back the same statement, which still sees later writes', () => {
    const raw = new Sqlite(':memory:');
    const db = withStatementCache(raw);
    db.prepare('create table t (n integer)').run([]);
    const insert = db.prepare('insert into t (n) values (?)');
    expect(db.prepare('insert into t (n) values (?)')).toBe(insert);
    insert.run([1]);
    db.prepare('insert into t (n) values (?)').run([2]);
    expect(db.prepare('select sum(n) as total from t').all([])).toEqual([{ total: 3 }]);
    db.close();
    expect(raw.open).toBe(false);
  });

  it('keeps the 256 most recently used statements and prepares an evicted one afresh', () => {
    const db = withStatementCache(new Sqlite(':memory:'));
    const first = db.prepare('select 0');
    for (let i = 1; i <= 256; i++) db.prepare(`select ${i}`);
    // 257 texts seen, 256 kept: the least recently used, "select 0", was dropped.
    expect(db.prepare('select 0')).not.toBe(first);
    const recent = db.prepare('select 256');
    expect(db.prepare('select 256')).toBe(recent);
    db.close();
  });
});
