// The embedded metadata store: one SQLite file in the data directory, WAL mode, migrated on open.
import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { translatingFaults } from '../kysely/faults.js';
import { kyselyStores, type KyselyStores } from '../kysely/stores.js';
import { migrateToLatest } from '../migrations.js';
import type { Database } from '../schema.js';
import { withStatementCache } from './statement-cache.js';

export async function openSqliteStore(file: string): Promise<KyselyStores> {
  const database = new Sqlite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  // Another process (a CLI command next to a running server) may hold the write lock briefly.
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: translatingFaults(new SqliteDialect({ database: withStatementCache(database) })) });
  try {
    await migrateToLatest(db as Kysely<unknown>, 'sqlite');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return kyselyStores(db, 'sqlite');
}
