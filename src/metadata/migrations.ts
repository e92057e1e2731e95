// Versioned schema migrations, applied in name order by Kysely's Migrator (which also holds a lock, so two
// processes starting at once apply each migration exactly once). Append new ones; never edit a shipped one.
import { randomUUID } from 'node:crypto';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

function migrations(dialect: Dialect): Record<string, Migration> {
  // Epoch-millisecond and byte-count columns outgrow 32 bits.
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    '0001_assets': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('assets')
          .addColumn('seq', big, (c) =>
            dialect === 'postgres'
              ? c.primaryKey().generatedAlwaysAsIdentity()
              : c.primaryKey().autoIncrement(),
          )
          .addColumn('asset_id', 'text', (c) => c.notNull().unique())
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('mime_type', 'text', (c) => c.notNull())
          .addColumn('size_bytes', big, (c) => c.notNull())
          .addColumn('sha256', 'text')
          .addColumn('filename', 'text')
          .addColumn('storage_key', 'text', (c) => c.notNull())
          .addColumn('url_token', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('completed_at', big)
          .execute();
        await db.schema.createIndex('assets_tenant_seq').on('assets').columns(['tenant', 'seq']).execute();
      },
    },
    '0002_direct_uploads': {
      async up(db: Kysely<unknown>) {
        // SQLite adds one column per statement.
        for (const [name, type] of [
          ['declared_sha256', 'text'],
          ['expires_at', big],
          ['batch_id', 'text'],
          ['failure_code', 'text'],
          ['failure_message', 'text'],
        ] as const) {
          await db.schema.alterTable('assets').addColumn(name, type).execute();
        }
        await db.schema.createIndex('assets_pending_expiry').on('assets').columns(['status', 'expires_at']).execute();
        await db.schema.createIndex('assets_batch').on('assets').columns(['batch_id']).execute();
        await db.schema
          .createTable('upload_batches')
          .addColumn('batch_id', 'text', (c) => c.primaryKey())
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('title', 'text')
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('idempotency_keys')
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('response_status', 'integer')
          .addColumn('response_body', 'text')
          .addColumn('locked_until', big, (c) => c.notNull())
          .addColumn('expires_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant', 'scope', 'key'])
          .execute();
        await db.schema.createIndex('idempotency_keys_expiry').on('idempotency_keys').columns(['expires_at']).execute();
      },
    },
    '0003_jobs': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('jobs')
          .addColumn('job_id', 'text', (c) => c.primaryKey())
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('request', 'text', (c) => c.notNull())
          .addColumn('output_asset_id', 'text')
          .addColumn('error_message', 'text')
          .addColumn('callback_url', 'text')
          .addColumn('lease_id', 'text')
          .addColumn('lease_expires_at', big)
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('jobs_queue').on('jobs').columns(['status', 'kind', 'created_at']).execute();
        await db.schema.createIndex('jobs_tenant').on('jobs').columns(['tenant', 'created_at']).execute();
      },
    },
    '0004_claim_owners': {
      async up(db: Kysely<unknown>) {
        // Who may finalize a direct upload right now (a lease), and which request holds an idempotency key.
        await db.schema.alterTable('assets').addColumn('finalizing_until', big).execute();
        await db.schema.alterTable('idempotency_keys').addColumn('claim_id', 'text').execute();
      },
    },
    '0005_media_facts': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('assets').addColumn('width', 'integer').execute();
        await db.schema.alterTable('assets').addColumn('height', 'integer').execute();
        await db.schema.alterTable('assets').addColumn('duration_seconds', dialect === 'postgres' ? 'double precision' : 'real').execute();
      },
    },
    '0006_callback_outbox': {
      async up(db: Kysely<unknown>) {
        // A finished job's callback is owed in the same row update that finishes it, so no crash can lose it.
        await db.schema.alterTable('jobs').addColumn('callback_state', 'text').execute();
        await db.schema.alterTable('jobs').addColumn('callback_attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.alterTable('jobs').addColumn('callback_due_at', big).execute();
        await db.schema.alterTable('jobs').addColumn('callback_lease_id', 'text').execute();
        await db.schema.alterTable('jobs').addColumn('callback_lease_until', big).execute();
        await db.schema.alterTable('jobs').addColumn('callback_error', 'text').execute();
        await db.schema.createIndex('jobs_callbacks_due').on('jobs').columns(['callback_state', 'callback_due_at']).execute();
      },
    },
    '0007_batch_completion': {
      async up(db: Kysely<unknown>) {
        // A batch keeps its callback_url, and when its completion was first asked for (its items are then processing).
        await db.schema.alterTable('upload_batches').addColumn('callback_url', 'text').execute();
        await db.schema.alterTable('upload_batches').addColumn('completion_requested_at', big).execute();
      },
    },
    '0009_finalization_holder': {
      async up(db: Kysely<unknown>) {
        // Who holds a finalization lease: leases are short and renewed, so a holder must tell its own from a successor's.
        await db.schema.alterTable('assets').addColumn('finalizing_by', 'text').execute();
        // The reaper asks which stored objects a record still points to.
        await db.schema.createIndex('assets_storage_key').on('assets').columns(['storage_key']).execute();
      },
    },
    '0010_upload_receipts': {
      async up(db: Kysely<unknown>) {
        // What the last accepted PUT of a direct upload stored and learned (JSON), so complete need not read it again.
        await db.schema.alterTable('assets').addColumn('receipt', 'text').execute();
      },
    },
    '0011_webhooks': {
      async up(db: Kysely<unknown>) {
        // Webhook endpoints, the events recorded with the state changes they report, and the deliveries owed.
        await db.schema
          .createTable('webhook_endpoints')
          .addColumn('endpoint_id', 'text', (c) => c.primaryKey())
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('events', 'text', (c) => c.notNull())
          .addColumn('secret', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('webhook_endpoints_tenant').on('webhook_endpoints').columns(['tenant', 'created_at']).execute();
        await db.schema
          .createTable('webhook_events')
          .addColumn('seq', big, (c) =>
            dialect === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
          )
          .addColumn('event_id', 'text', (c) => c.notNull().unique())
          .addColumn('tenant', 'text', (c) => c.notNull())
          .addColumn('event_type', 'text', (c) => c.notNull())
          .addColumn('entity_id', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('webhook_events_tenant').on('webhook_events').columns(['tenant', 'seq']).execute();
        await db.schema
          .createTable('webhook_deliveries')
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('endpoint_id', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('due_at', big)
          .addColumn('lease_id', 'text')
          .addColumn('lease_until', big)
          .addColumn('error', 'text')
          .addPrimaryKeyConstraint('webhook_deliveries_pk', ['event_id', 'endpoint_id'])
          .execute();
        await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['state', 'due_at']).execute();
        // A batch's upload_batch.finished is recorded once: by the transition that leaves no item pending.
        await db.schema.alterTable('upload_batches').addColumn('finished_at', big).execute();
      },
    },
    '0012_webhook_api': {
      async up(db: Kysely<unknown>) {
        // The webhooks API: an endpoint's entity filter, the secret before a rotation (signing beside the new one
        // for a while), why it was disabled and since when its tries fail; deliveries to a job's or batch's
        // callback_url (endpoint_id `callback:<origin>`); the history's filters.
        for (const [name, type] of [
          ['entity_id', 'text'],
          ['previous_secret', 'text'],
          ['previous_secret_until', big],
          ['disabled_reason', 'text'],
          ['failing_since', big],
        ] as const) {
          await db.schema.alterTable('webhook_endpoints').addColumn(name, type).execute();
        }
        await db.schema.alterTable('webhook_deliveries').addColumn('callback_url', 'text').execute();
        await db.schema.createIndex('webhook_deliveries_endpoint').on('webhook_deliveries').columns(['endpoint_id', 'state']).execute();
        await db.schema.createIndex('webhook_events_type').on('webhook_events').columns(['tenant', 'event_type', 'seq']).execute();
        await db.schema.createIndex('webhook_events_entity').on('webhook_events').columns(['tenant', 'entity_id', 'seq']).execute();
        await moveOwedCallbacks(db as Kysely<LegacyCallbackTables>);
      },
    },
    '0013_multipart_uploads': {
      async up(db: Kysely<unknown>) {
        // A multipart upload's store upload id and part size (JSON), on its pending asset's row.
        await db.schema.alterTable('assets').addColumn('multipart', 'text').execute();
      },
    },
    '0014_partial_indexes': {
      async up(db: Kysely<unknown>) {
        // Most assets have no batch and no expiry: indexing only the rows that have one spares every such insert two
        // index-page writes. Every query on these columns compares them, which implies IS NOT NULL, so both engines
        // still use the indexes.
        await db.schema.dropIndex('assets_batch').execute();
        await db.schema.createIndex('assets_batch').on('assets').columns(['batch_id']).where(sql.ref('batch_id'), 'is not', null).execute();
        await db.schema.dropIndex('assets_pending_expiry').execute();
        await db.schema
          .createIndex('assets_pending_expiry')
          .on('assets')
          .columns(['status', 'expires_at'])
          .where(sql.ref('expires_at'), 'is not', null)
          .execute();
      },
    },
  };
}

/** The tables as 0012 finds them: the jobs' callback outbox of earlier releases, and the webhook outbox. */
export interface LegacyCallbackTables {
  jobs: {
    job_id: string;
    tenant: string;
    kind: string;
    status: string;
    request: string;
    output_asset_id: string | null;
    error_message: string | null;
    callback_url: string | null;
    callback_state: string | null;
    callback_attempts: number;
    callback_due_at: number | string | null;
    updated_at: number | string;
  };
  webhook_events: { event_id: string; tenant: string; event_type: string; entity_id: string; data: string; created_at: number };
  webhook_deliveries: { event_id: string; endpoint_id: string; state: string; attempts: number; due_at: number | null; callback_url: string | null };
}

/**
 * Callbacks the jobs' own outbox still owed move to the webhook outbox as job events (data: the job's ids, status,
 * output and error, not its GET shape, which only the running service can make), keeping their tries and due time.
 * Written out here rather than imported, so this migration stays what it was when it shipped.
 */
export async function moveOwedCallbacks(db: Kysely<LegacyCallbackTables>): Promise<void> {
  const owed = await db.selectFrom('jobs').selectAll().where('callback_state', '=', 'pending').where('callback_url', 'is not', null).execute();
  const family: Record<string, string> = { video_agent: 'video_agent', video_translation: 'video_translate', lipsync: 'lipsync' };
  for (const job of owed) {
    const suffix = job.status === 'completed' ? 'success' : 'fail';
    const request = JSON.parse(job.request) as { type?: string };
    const prefix = family[job.kind] ?? (request.type === 'digital_twin' ? 'instant_avatar' : 'photo_avatar_generation');
    const eventId = `evt_${randomUUID().replace(/-/g, '')}`;
    const updatedAt = Number(job.updated_at);
    let origin = job.callback_url!;
    try {
      origin = new URL(origin).origin;
    } catch {
      // Kept as it is: the delivery's own try will say why it cannot be called.
    }
    await db
      .insertInto('webhook_events')
      .values({
        event_id: eventId,
        tenant: job.tenant,
        event_type: `${prefix}.${suffix}`,
        entity_id: job.job_id,
        data: JSON.stringify({
          id: job.job_id,
          kind: job.kind,
          status: job.status,
          output_asset_id: job.output_asset_id,
          failure_message: job.error_message,
          updated_at: new Date(updatedAt).toISOString(),
        }),
        created_at: updatedAt,
      })
      .execute();
    await db
      .insertInto('webhook_deliveries')
      .values({
        event_id: eventId,
        endpoint_id: `callback:${origin}`,
        state: 'pending',
        attempts: Number(job.callback_attempts),
        due_at: Number(job.callback_due_at ?? updatedAt),
        callback_url: job.callback_url,
      })
      .execute();
    await db.updateTable('jobs').set({ callback_state: 'moved' }).where('job_id', '=', job.job_id).execute();
  }
}

export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  // Numbers are handed out to changes made side by side (0012, 0013, 0014), so a database may already have a later
  // one when an earlier one arrives: each migration stands alone, and every one not yet applied is applied.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new Error('Database migration failed', { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

