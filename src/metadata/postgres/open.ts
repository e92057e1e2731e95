// The scale-out metadata store: PostgreSQL through a pg pool, migrated on open (Kysely's migrator holds an advisory
// lock, so replicas starting together apply each migration once). Every replica shares it.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { translatingFaults } from '../kysely/faults.js';
import { kyselyStores, type KyselyStores } from '../kysely/stores.js';
import { migrateToLatest } from '../migrations.js';
import type { Database } from '../schema.js';

export interface PostgresOptions {
  readonly connectionString: string;
  readonly poolSize: number;
  /** Off for `serve --no-migrate`: another process (`assetd migrate`) owns the schema. */
  readonly migrate?: boolean;
}

export async function openPostgresStore(options: PostgresOptions): Promise<KyselyStores> {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize });
  // An idle client that loses its connection must not take the process down.
  pool.on('error', () => {});
  // Nor may one that loses its connection while checked out (a restart, an administrator's terminate): its query
  // fails with the reason, and the client's own 'error' event, unheard, would otherwise be an uncaught exception.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: translatingFaults(new PostgresDialect({ pool })) });
  try {
    if (options.migrate !== false) await migrateToLatest(db as Kysely<unknown>, 'postgres');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return kyselyStores(db, 'postgres');
}
