// The metadata port contracts (assets, jobs, idempotency keys) on a real PostgreSQL (from scripts/services-up.sh),
// plus what only a shared database has to get right: two processes migrating the same empty database at once.
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/metadata/postgres/open.js';
import { dropDatabase, freshDatabaseUrl, postgresAvailable } from '../support/backends.js';
import type { MetadataStores } from '../../src/domain/ports/index.js';
import { runAssetRecordsContract } from './asset-records.case.js';
import { portOf } from './fixtures.js';
import { runIdempotencyKeysContract } from './idempotency-keys.case.js';
import { runJobQueueContract } from './job-queue.case.js';
import { runWebhookRecordsContract } from './webhook-records.case.js';

const required = process.env.ASSETD_TEST_REQUIRE_SERVICES === '1';

if (postgresAvailable) {
  // A database of its own for each store, dropped when the store closes if it can be: the drop (WITH FORCE) is
  // refused while an autovacuum worker, which the test role may not terminate, is on the database, and the
  // throwaway cluster can keep it then.
  const open = async (): Promise<MetadataStores> => {
    const url = await freshDatabaseUrl();
    const store = await openPostgresStore({ connectionString: url, poolSize: 4 });
    return {
      ...store,
      close: async () => {
        await store.close();
        await dropDatabase(url).catch(() => {});
      },
    };
  };
  runAssetRecordsContract({ name: 'PostgreSQL', create: portOf(open, 'assets') });
  runJobQueueContract({ name: 'PostgreSQL', create: portOf(open, 'jobs') });
  runIdempotencyKeysContract({ name: 'PostgreSQL', create: portOf(open, 'idempotencyKeys') });
  runWebhookRecordsContract({ name: 'PostgreSQL', create: async () => { const store = await open(); return { port: store, close: () => store.close() }; } });

  it('PostgreSQL: the store answers ping', async () => {
    const store = await open();
    try {
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL: two processes migrating one empty database at once both succeed, each migration applied once', async () => {
    const url = await freshDatabaseUrl();
    try {
      const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore({ connectionString: url, poolSize: 2 })));
      const rows = await stores[0]!.db.selectFrom('kysely_migration' as never).selectAll().execute();
      expect(rows.map((r) => (r as { name: string }).name)).toEqual(['0001_assets', '0002_direct_uploads', '0003_jobs', '0004_claim_owners', '0005_media_facts', '0006_callback_outbox', '0007_batch_completion', '0009_finalization_holder', '0010_upload_receipts', '0011_webhooks', '0012_webhook_api', '0013_multipart_uploads', '0014_partial_indexes']);
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await dropDatabase(url);
    }
  });
} else {
  describe('MetadataStore contract: PostgreSQL', () => {
    it.skipIf(!required)('needs ASSETD_TEST_DATABASE_URL (scripts/services-up.sh)', () => {
      throw new Error('ASSETD_TEST_REQUIRE_SERVICES=1 but PostgreSQL is not configured');
    });
  });
}
