import fs from 'node:fs/promises';
import path from 'node:path';
import { LocalDiskStorage } from '../../src/storage/local/local-disk.js';
import { makeDataDir } from '../support/server.js';
import { runStorageContract } from './storage.case.js';

runStorageContract({
  name: 'local disk',
  create: async () => LocalDiskStorage.open({ dataDir: await makeDataDir() }),
  pendingWrites: async (backend) => (await fs.readdir((backend as LocalDiskStorage).tempDir)).length,
  abandonWrite: async (backend) => {
    const file = path.join((backend as LocalDiskStorage).tempDir, 'killed-write.part');
    await fs.writeFile(file, 'half a file');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await fs.utimes(file, hourAgo, hourAgo);
  },
});
