// The finalization race between two processes, made deterministic: replica A is held mid-verification while a new
// PUT lands in staging and replica B is asked to complete. B must wait for A, never move the new bytes over the
// ones A verified, and what is published must be exactly what was verified.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { jpeg, padTo, png } from '../../test/support/media.js';
import { makeDataDir } from '../../test/support/server.js';
import { openSqliteStore } from '../metadata/sqlite/open.js';
import { LocalDiskStorage } from '../storage/local/local-disk.js';
import type { ReadOptions, StorageBackend } from '../storage/port.js';
import { DirectUploadService } from './direct-uploads.js';
import { stagingKeyFor } from './ids.js';
import { PublicUrls } from './public-urls.js';
import { UploadSigner } from './upload-signature.js';

/** The real local-disk backend, except that reads of the asset's key wait for `open()`. */
function gated(storage: LocalDiskStorage) {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const waiting = new Promise<void>((resolve) => (reached = resolve));
  const backend: StorageBackend = Object.assign(Object.create(storage) as LocalDiskStorage, {
    read: async (options: ReadOptions) => {
      if (options.key.startsWith('assets/')) {
        reached();
        await opened;
      }
      return storage.read(options);
    },
  });
  return { backend, open: release, waiting };
}

describe('DirectUploadService.complete across processes', () => {
  it('lets one process finalize at a time and publishes exactly the verified bytes', async () => {
    const dataDir = await makeDataDir();
    const metadata = await openSqliteStore(path.join(dataDir, 'assetd.sqlite'));
    const storage = await LocalDiskStorage.open({ dataDir });
    const gate = gated(storage);
    const common = { metadata, signer: new UploadSigner('s'.repeat(32)), urls: new PublicUrls('http://127.0.0.1'), ttlSeconds: 600, maxBytes: 1e6 };
    const a = new DirectUploadService({ ...common, storage: gate.backend });
    const b = new DirectUploadService({ ...common, storage });

    const good = padTo(png(), 4000);
    const other = padTo(jpeg(), 4000);
    const { asset } = await a.initiate('t', { filename: 'p.png', contentType: 'image/png', sizeBytes: good.length });
    await storage.write({ key: stagingKeyFor(asset.assetId), body: Readable.from([good]), contentType: 'image/png' });

    const completingOnA = a.complete('t', asset.assetId);
    await gate.waiting;
    // While A verifies, a late PUT replaces the staged bytes and B is asked to complete.
    await storage.write({ key: stagingKeyFor(asset.assetId), body: Readable.from([other]), contentType: 'image/png' });
    const completingOnB = b.complete('t', asset.assetId);
    await new Promise((resolve) => setTimeout(resolve, 200));
    gate.open();

    const [fromA, fromB] = await Promise.all([completingOnA, completingOnB]);
    expect(fromA.status).toBe('completed');
    expect(fromB).toEqual(fromA);
    expect(fromA.sha256).toBe(createHash('sha256').update(good).digest('hex'));
    const bytes = Buffer.concat(await (await storage.read({ key: fromA.storageKey }))!.toArray());
    expect(bytes.equals(good)).toBe(true);
    await metadata.close();
  });
});
