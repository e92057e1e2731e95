// better-sqlite3 behind Kysely with prepared statements kept. Kysely's SQLite driver calls `prepare` on every query,
// and preparing (parsing and planning the SQL) cost as much main-thread time as running it: a fifth of the database
// time of a small upload. The same few dozen SQL texts recur, so the last CACHE_SIZE are kept, least recently used
// dropped. Safe because the driver runs one query at a time on its one connection and never leaves a statement
// mid-iteration; a statement prepared before a schema change is re-prepared by SQLite itself.
import type { Database as SqliteHandle, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

const CACHE_SIZE = 256;

export function withStatementCache(database: SqliteHandle): SqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    prepare(sql: string): Statement {
      let statement = statements.get(sql);
      if (statement) {
        // Re-inserted: a Map iterates in insertion order, so its first key is the least recently used.
        statements.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (statements.size >= CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
    close(): void {
      statements.clear();
      database.close();
    },
  };
}
