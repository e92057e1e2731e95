import fs from 'node:fs/promises';
import { LocalDiskStorage } from '../../src/storage/local/local-disk.js';
import { makeDataDir } from '../support/server.js';
import { runStorageContract } from './storage.case.js';

runStorageContract({
  name: 'local disk',
  create: async () => LocalDiskStorage.open({ dataDir: await makeDataDir() }),
  pendingWrites: async (backend) => (await fs.readdir((backend as LocalDiskStorage).tempDir)).length,
});
