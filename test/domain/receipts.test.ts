// assetd's own signed PUT records what it learned from the bytes (size, SHA-256, type, picture size and length) in
// a receipt, one staging object per PUT; complete judges that receipt and publishes the frozen object without
// reading it again. Real SQLite and local disk; the storage only counts reads.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { makeDataDir } from '../support/server.js';
import { DirectUploadService } from '../../src/domain/direct-uploads.js';
import type { ObjectStorage, ReadOptions } from '../../src/domain/ports/index.js';
import { PublicUrls } from '../../src/domain/public-urls.js';
import { SignedUploadReceiver } from '../../src/domain/upload-receiver.js';
import { UploadSigner } from '../../src/domain/upload-signature.js';
import { openSqliteStore } from '../../src/metadata/sqlite/open.js';
import { LocalDiskStorage } from '../../src/storage/local/local-disk.js';

async function setUp() {
  const dataDir = await makeDataDir();
  const metadata = await openSqliteStore(path.join(dataDir, 'assetd.sqlite'));
  const disk = await LocalDiskStorage.open({ dataDir });
  const reads: string[] = [];
  const storage: ObjectStorage = Object.assign(Object.create(disk) as LocalDiskStorage, {
    read: (options: ReadOptions) => {
      reads.push(options.key);
      return disk.read(options);
    },
  });
  const signer = new UploadSigner('s'.repeat(32));
  const uploads = new DirectUploadService({
    records: metadata.assets,
    storage,
    signer,
    urls: new PublicUrls('http://127.0.0.1'),
    ttlSeconds: 600,
    maxBytes: 1e8,
  });
  const receiver = new SignedUploadReceiver({ records: metadata.assets, storage, signer });
  const put = async (assetId: string, url: string, bytes: Buffer, type: string) => {
    const query = Object.fromEntries(new URL(url).searchParams);
    return receiver.receive({
      assetId,
      query,
      contentType: type,
      contentLength: String(bytes.length),
      checksumHeader: undefined,
      body: Readable.from([bytes]),
    });
  };
  return { metadata, disk, reads, uploads, put };
}

describe('receipts of the signed PUT', () => {
  it('complete publishes the received bytes and their facts without reading them again', async () => {
    const { metadata, disk, reads, uploads, put } = await setUp();
    const bytes = media.mp4({ video: { width: 640, height: 360 }, durationSeconds: 3, moovLast: true, mdatBytes: 300_000 });
    const { asset, target } = await uploads.initiate('t', { filename: 'v.mp4', contentType: 'video/mp4', sizeBytes: bytes.length });
    await put(asset.assetId, target.url, bytes, 'video/mp4');
    const done = await uploads.complete('t', asset.assetId);
    expect(done).toMatchObject({ status: 'completed', sha256: createHash('sha256').update(bytes).digest('hex'), width: 640, height: 360, durationSeconds: 3 });
    expect(reads).toEqual([]);
    expect(Buffer.concat(await (await disk.read({ key: done.storageKey }))!.toArray()).equals(bytes)).toBe(true);
    await metadata.close();
  });

  it('a second PUT replaces the first: its bytes are published, the first ones are gone', async () => {
    const { metadata, disk, uploads, put } = await setUp();
    const first = media.padTo(media.png(), 5000);
    const second = media.padTo(media.png({ width: 7, height: 3 }), 5000);
    const { asset, target } = await uploads.initiate('t', { filename: 'p.png', contentType: 'image/png', sizeBytes: 5000 });
    await put(asset.assetId, target.url, first, 'image/png');
    await put(asset.assetId, target.url, second, 'image/png');
    const staged = [];
    for await (const object of disk.list(`uploads/${asset.assetId}`)) staged.push(object.key);
    expect(staged).toHaveLength(1);
    const done = await uploads.complete('t', asset.assetId);
    expect(done).toMatchObject({ sha256: createHash('sha256').update(second).digest('hex'), width: 7, height: 3 });
    const left = [];
    for await (const object of disk.list(`uploads/${asset.assetId}`)) left.push(object.key);
    expect(left).toEqual([]);
    await metadata.close();
  });

  it('bytes of another type are taken at PUT and fail the asset at complete, as before', async () => {
    const { metadata, uploads, put } = await setUp();
    const jpeg = media.padTo(media.jpeg(), 4000);
    const { asset, target } = await uploads.initiate('t', { filename: 'p.png', contentType: 'image/png', sizeBytes: 4000 });
    await put(asset.assetId, target.url, jpeg, 'image/png');
    await expect(uploads.complete('t', asset.assetId)).rejects.toMatchObject({ code: 'media_type_mismatch' });
    expect((await metadata.assets.findAssetById(asset.assetId))?.status).toBe('failed');
    await metadata.close();
  });
});
