// The metadata ports over one Kysely handle: each adapter (sqlite/, postgres/) opens the connection and says which
// dialect it is; the queries are the same for both.
import { sql, type Kysely } from 'kysely';
import type { MetadataStores } from '../../domain/ports/index.js';
import type { Database } from '../schema.js';
import { KyselyAssetRecords } from './asset-records.js';
import { KyselyIdempotencyKeys } from './idempotency-keys.js';
import { KyselyJobQueue } from './job-queue.js';
import { KyselyWebhookRecords } from './webhook-records.js';

export interface KyselyStores extends MetadataStores {
  /** The handle itself, for migrations and for tests that look under the ports. */
  readonly db: Kysely<Database>;
}

export function kyselyStores(db: Kysely<Database>, dialect: MetadataStores['dialect']): KyselyStores {
  return {
    db,
    dialect,
    assets: new KyselyAssetRecords(db),
    jobs: new KyselyJobQueue(db),
    idempotencyKeys: new KyselyIdempotencyKeys(db),
    webhooks: new KyselyWebhookRecords(db),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
