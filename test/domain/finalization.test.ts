// The finalization race between two processes, made deterministic: replica A is held mid-verification while a new
// PUT lands in staging and replica B is asked to complete. B must wait for A, never move the new bytes over the
// ones A verified, and what is published must be exactly what was verified.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { jpeg, padTo, png } from '../support/media.js';
import { makeDataDir } from '../support/server.js';
import { openSqliteStore } from '../../src/metadata/sqlite/open.js';
import { LocalDiskStorage } from '../../src/storage/local/local-disk.js';
import type { ReadOptions, ObjectStorage } from '../../src/domain/ports/index.js';
import { DirectUploadService } from '../../src/domain/direct-uploads.js';
import { stagingKeyFor } from '../../src/domain/ids.js';
import { PublicUrls } from '../../src/domain/public-urls.js';
import { UploadSigner } from '../../src/domain/upload-signature.js';

/** The real local-disk backend, except that reads of the asset's key wait for `open()`. */
function gated(storage: LocalDiskStorage) {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const waiting = new Promise<void>((resolve) => (reached = resolve));
  const backend: ObjectStorage = Object.assign(Object.create(storage) as LocalDiskStorage, {
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
    const common = { records: metadata.assets, signer: new UploadSigner('s'.repeat(32)), urls: new PublicUrls('http://127.0.0.1'), ttlSeconds: 600, maxBytes: 1e6 };
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
