import path from 'node:path';
import { expect, it } from 'vitest';
import { openSqliteStore } from '../../src/metadata/sqlite/open.js';
import { makeDataDir } from '../support/server.js';
import { runMetadataContract } from './metadata.case.js';

runMetadataContract({
  name: 'SQLite',
  create: async () => openSqliteStore(path.join(await makeDataDir(), 'assetd.sqlite')),
});

it('SQLite: reopening an existing database applies no migration twice', async () => {
  const file = path.join(await makeDataDir(), 'assetd.sqlite');
  await (await openSqliteStore(file)).close();
  const again = await openSqliteStore(file);
  await expect(again.ping()).resolves.toBeUndefined();
  await again.close();
});
