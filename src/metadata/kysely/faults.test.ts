import { describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.js';
import { databaseFault } from './faults.js';

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
  });

  it('passes on what is not a fault of the server: a unique violation, a syntax error, anything unknown', () => {
    for (const error of [failure({ code: '23505' }), failure({ code: 'SQLITE_CONSTRAINT_UNIQUE' }), failure({ code: '42601' }), new Error('plain')]) {
      expect(databaseFault(error)).toBe(error);
    }
  });
});
