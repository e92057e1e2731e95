// The metadata layer: asset records, batches, jobs and idempotency keys. MetadataStore is the port; one Kysely
// implementation serves SQLite (embedded) and PostgreSQL (scale-out), both held to test/contract/metadata.case.ts.
export type { MetadataStore } from './port.js';
export { openPostgresStore } from './postgres/open.js';
export { openSqliteStore } from './sqlite/open.js';
