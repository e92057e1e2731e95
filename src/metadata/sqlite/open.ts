// The embedded metadata store: one SQLite file in the data directory, WAL mode, migrated on open, its WAL
// checkpointed by a worker thread (checkpointer.ts) rather than inside the commits of the main thread, and given
// room to grow on a full disk (wal-reserve.ts).
import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { translatingFaults } from '../kysely/faults.js';
import { kyselyStores, type KyselyStores } from '../kysely/stores.js';
import { migrateToLatest } from '../migrations.js';
import type { Database } from '../schema.js';
import { BACKSTOP_AUTOCHECKPOINT_PAGES, startCheckpointer, type Checkpointer } from './checkpointer.js';
import { withStatementCache } from './statement-cache.js';
import { reserveWalSpace } from './wal-reserve.js';

export interface SqliteStore extends KyselyStores {
  /** The background checkpointer (tests look at it). */
  readonly checkpointer: Checkpointer;
}

export async function openSqliteStore(file: string): Promise<SqliteStore> {
  const database = new Sqlite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  // Another process (a CLI command next to a running server) may hold the write lock briefly.
  database.pragma('busy_timeout = 5000');
  database.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
  reserveWalSpace(database, file);
  const checkpointer = startCheckpointer(file);
  const cached = withStatementCache(database);
  let closed: Promise<void> = Promise.resolve();
  const db = new Kysely<Database>({
    dialect: translatingFaults(
      new SqliteDialect({
        database: {
          prepare: (sql) => cached.prepare(sql),
          // The worker's connection goes first, so the main one, closing last, can tidy the WAL away.
          close: () => void (closed = checkpointer.stop().finally(() => cached.close())),
        },
      }),
    ),
  });
  try {
    await migrateToLatest(db as Kysely<unknown>, 'sqlite');
  } catch (error) {
    await db.destroy();
    await closed;
    throw error;
  }
  return {
    ...kyselyStores(db, 'sqlite'),
    checkpointer,
    close: async () => {
      await db.destroy();
      await closed;
    },
  };
}
