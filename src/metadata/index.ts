// The metadata adapters: the domain's record ports (AssetRecords, JobQueue, IdempotencyKeys) over one Kysely handle,
// on SQLite (embedded) or PostgreSQL (scale-out), with versioned migrations. test/contract/*.case.ts holds both
// dialects to each port.
export type { KyselyStores } from './kysely/stores.js';
export { openPostgresStore } from './postgres/open.js';
export { openSqliteStore } from './sqlite/open.js';
