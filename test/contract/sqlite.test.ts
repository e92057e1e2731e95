// The metadata port contracts (assets, jobs, idempotency keys) on SQLite, plus migrating an existing file.
import path from 'node:path';
import { expect, it } from 'vitest';
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
