// The metadata port contracts (assets, jobs, idempotency keys, webhooks) on SQLite, plus migrating an existing file
// and what migration 0012 moves.
import path from 'node:path';
import { expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { moveOwedCallbacks, type LegacyCallbackTables } from '../../src/metadata/migrations.js';
import { openSqliteStore } from '../../src/metadata/sqlite/open.js';
import { makeDataDir } from '../support/server.js';
import { runAssetRecordsContract } from './asset-records.case.js';
import { portOf } from './fixtures.js';
import { runIdempotencyKeysContract } from './idempotency-keys.case.js';
import { runJobQueueContract } from './job-queue.case.js';
import { runWebhookRecordsContract } from './webhook-records.case.js';

const open = async () => openSqliteStore(path.join(await makeDataDir(), 'assetd.sqlite'));

runAssetRecordsContract({ name: 'SQLite', create: portOf(open, 'assets') });
runJobQueueContract({ name: 'SQLite', create: portOf(open, 'jobs') });
runIdempotencyKeysContract({ name: 'SQLite', create: portOf(open, 'idempotencyKeys') });
runWebhookRecordsContract({ name: 'SQLite', create: async () => { const store = await open(); return { port: store, close: () => store.close() }; } });

it('SQLite: the store answers ping', async () => {
  const store = await open();
  await expect(store.ping()).resolves.toBeUndefined();
  await store.close();
});

it('SQLite: reopening an existing database applies no migration twice', async () => {
  const file = path.join(await makeDataDir(), 'assetd.sqlite');
  await (await openSqliteStore(file)).close();
  const again = await openSqliteStore(file);
  await expect(again.ping()).resolves.toBeUndefined();
  await again.close();
});

it('SQLite: migration 0012 moves the callbacks the jobs’ own outbox still owed into the webhook outbox, tries kept', async () => {
  const store = await openSqliteStore(path.join(await makeDataDir(), 'assetd.sqlite'));
  const db = store.db as unknown as Kysely<LegacyCallbackTables>;
  const job = { tenant: 'acme', kind: 'avatar', status: 'completed', request: '{"type":"digital_twin"}', output_asset_id: 'asset_out', error_message: null, updated_at: 5000 };
  await db
    .insertInto('jobs' as never)
    .values([
      { ...job, job_id: 'avatar_owed', callback_url: 'https://receiver.example/cb', callback_state: 'pending', callback_attempts: 2, callback_due_at: 9000, version: 0, attempts: 1, created_at: 1000 },
      { ...job, job_id: 'avatar_done', callback_url: 'https://receiver.example/cb', callback_state: 'delivered', callback_attempts: 1, callback_due_at: null, version: 0, attempts: 1, created_at: 1000 },
    ] as never)
    .execute();
  await moveOwedCallbacks(db);
  const { events } = await store.webhooks.listEvents({ tenant: 'acme', limit: 10 });
  expect(events.map((e) => [e.eventType, e.entityId, e.data.status])).toEqual([['instant_avatar.success', 'avatar_owed', 'completed']]);
  expect(await store.webhooks.deliveriesOf(events[0]!.eventId)).toEqual([
    { endpointId: 'callback:https://receiver.example', state: 'pending', attempts: 2, error: null },
  ]);
  await moveOwedCallbacks(db); // moved once: the job no longer owes it
  expect((await store.webhooks.listEvents({ tenant: 'acme', limit: 10 })).events).toHaveLength(1);
  await store.close();
});

it('SQLite: a migration numbered below one already applied (0012 after 0014) is still applied', async () => {
  const file = path.join(await makeDataDir(), 'assetd.sqlite');
  const store = await openSqliteStore(file);
  // The database as one that took main's 0014 before this branch's 0012 arrived.
  const db = store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  for (const index of ['webhook_deliveries_endpoint', 'webhook_events_type', 'webhook_events_entity']) await db.schema.dropIndex(index).execute();
  for (const column of ['entity_id', 'previous_secret', 'previous_secret_until', 'disabled_reason', 'failing_since']) {
    await db.schema.alterTable('webhook_endpoints').dropColumn(column).execute();
  }
  await db.schema.alterTable('webhook_deliveries').dropColumn('callback_url').execute();
  await db.deleteFrom('kysely_migration').where('name', '=', '0012_webhook_api').execute();
  await store.close();
  const again = await openSqliteStore(file);
  const names = (await (again.db as unknown as Kysely<Record<string, { name: string }>>).selectFrom('kysely_migration').select('name').execute()).map((r) => r.name);
  expect(names).toContain('0012_webhook_api');
  expect(await again.webhooks.listEndpoints({ tenant: 'acme', limit: 1 })).toEqual({ endpoints: [], next: null });
  await again.close();
});
