// Database failures that are the server's, in the domain's words: no room (507 insufficient_storage) or a database
// that cannot be reached or is shutting down (503 service_unavailable). The dialect wrapper applies this to every
// query and transaction step, so no query module has to; everything else (a unique violation…) passes unchanged.
import type { DatabaseConnection, Dialect, Driver } from 'kysely';
import { errors, isAppError } from '../../domain/errors.js';

/** SQLite's and PostgreSQL's codes (SQLSTATE) for a full disk. */
const NO_ROOM = new Set(['SQLITE_FULL', '53100']);
const UNREACHABLE_CODES = new Set([
  'SQLITE_IOERR',
  'SQLITE_BUSY',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** What node-postgres says, without a code, when its connection dies or the pool cannot get one. */
const UNREACHABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection.*(closed|ended)/i,
  // A client whose connection died answers every later query (the ROLLBACK after the failure too) with this.
  /is not queryable/i,
];

export function databaseFault(error: unknown): unknown {
  if (isAppError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (NO_ROOM.has(code)) return errors.insufficientStorage(error);
    // SQLSTATE class 08 is every connection exception; SQLite's extended I/O codes share a prefix.
    if (UNREACHABLE_CODES.has(code) || code.startsWith('08') || code.startsWith('SQLITE_IOERR')) return unreachable(error);
  }
  const message = error instanceof Error ? error.message : '';
  return UNREACHABLE_MESSAGES.some((pattern) => pattern.test(message)) ? unreachable(error) : error;
}

const unreachable = (cause: unknown) => errors.serviceUnavailable('The database cannot be reached; retry later.', cause);

/** Runs a driver step, answering a server fault in the domain's words, whether it throws or rejects (better-sqlite3 throws). */
async function guarded<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw databaseFault(error);
  }
}

function translatingDriver(driver: Driver): Driver {
  const translated = new WeakSet<DatabaseConnection>();
  return {
    init: () => guarded(() => driver.init()),
    acquireConnection: async () => {
      const connection = await guarded(() => driver.acquireConnection());
      if (!translated.has(connection)) {
        const execute = connection.executeQuery.bind(connection);
        connection.executeQuery = (query) => guarded(() => execute(query));
        translated.add(connection);
      }
      return connection;
    },
    beginTransaction: (connection, settings) => guarded(() => driver.beginTransaction(connection, settings)),
    commitTransaction: (connection) => guarded(() => driver.commitTransaction(connection)),
    // A ROLLBACK runs because something already failed, and Kysely would throw the ROLLBACK's own error instead of
    // that failure. SQLite rolls back by itself on some failures (a full disk), so its ROLLBACK finds none; a
    // connection that died cannot roll back, and the database ends that transaction itself (the pool discards the
    // client). Either way the first failure is the one to answer.
    rollbackTransaction: (connection) =>
      guarded(() => driver.rollbackTransaction(connection)).catch((error: unknown) => {
        if (error instanceof Error && /no transaction is active/i.test(error.message)) return;
        if (isAppError(error) && error.code === 'service_unavailable') return;
        throw error;
      }),
    releaseConnection: (connection) => driver.releaseConnection(connection),
    destroy: () => driver.destroy(),
  };
}

/** `inner`, with every database failure that is the server's answered in the domain's words. */
export function translatingFaults(inner: Dialect): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createDriver: () => translatingDriver(inner.createDriver()),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
  };
}
