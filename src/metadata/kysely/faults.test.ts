import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.js';
import { databaseFault, translatingFaults } from './faults.js';

const codeOf = (error: unknown) => (error instanceof AppError ? error.code : 'passed on');
const failure = (fields: Record<string, unknown>, message = 'x') => Object.assign(new Error(message), fields);

describe('databaseFault', () => {
  it('calls a full disk insufficient storage, on SQLite and PostgreSQL', () => {
    expect(codeOf(databaseFault(failure({ code: 'SQLITE_FULL' })))).toBe('insufficient_storage');
    expect(codeOf(databaseFault(failure({ code: '53100' })))).toBe('insufficient_storage');
  });

  it('calls a database that cannot be reached or is shutting down unavailable', () => {
    for (const code of ['ECONNREFUSED', '57P01', '57P03', '08006', 'SQLITE_IOERR_WRITE', 'SQLITE_BUSY']) {
      expect(codeOf(databaseFault(failure({ code }))), code).toBe('service_unavailable');
    }
    expect(codeOf(databaseFault(new Error('Connection terminated unexpectedly')))).toBe('service_unavailable');
    expect(codeOf(databaseFault(new Error('Client has encountered a connection error and is not queryable')))).toBe('service_unavailable');
  });

  it('answers the failure that ended a transaction, not a ROLLBACK that could not run on a dead connection', async () => {
    const database = new Sqlite(':memory:');
    // The connection "dies" between the failure and the ROLLBACK, as a PostgreSQL client does when its server stops.
    const dying = {
      prepare: (text: string) => {
        if (/^rollback/i.test(text)) throw new Error('Client has encountered a connection error and is not queryable');
        return database.prepare(text);
      },
      close: () => database.close(),
    };
    const db = new Kysely<unknown>({ dialect: translatingFaults(new SqliteDialect({ database: dying })) });
    const first = new Error('the insert failed first');
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        throw first;
      }),
    ).rejects.toBe(first);
    await db.destroy();
  });

  it('passes on what is not a fault of the server: a unique violation, a syntax error, anything unknown', () => {
    for (const error of [failure({ code: '23505' }), failure({ code: 'SQLITE_CONSTRAINT_UNIQUE' }), failure({ code: '42601' }), new Error('plain')]) {
      expect(databaseFault(error)).toBe(error);
    }
  });
});
