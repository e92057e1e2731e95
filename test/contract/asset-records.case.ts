// The AssetRecords contract: every metadata adapter (SQLite, PostgreSQL) runs this same block.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { newAssetId, newUrlToken, storageKeyFor } from '../../src/domain/ids.js';
import type { Asset, AssetRecords } from '../../src/domain/ports/index.js';
import { declareCases, type ContractOptions, type Subject } from './fixtures.js';

export function anAsset(tenant: string, overrides: Partial<Asset> = {}): Asset {
  const assetId = newAssetId();
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  return {
    assetId,
    tenant,
    status: 'completed',
    mimeType: 'image/png',
    sizeBytes: 5_000_000_000,
    sha256: 'a'.repeat(64),
    filename: 'photo.png',
    storageKey: storageKeyFor(assetId),
    urlToken: newUrlToken(),
    createdAt: now,
    completedAt: now,
    declaredSha256: null,
    expiresAt: null,
    batchId: null,
    failureCode: null,
    failureMessage: null,
    width: 1920,
    height: 1080,
    durationSeconds: 12.5,
    receipt: null,
    ...overrides,
  };
}

export function runAssetRecordsContract({ name, create, skip }: ContractOptions<Subject<AssetRecords>>): void {
  describe(`AssetRecords contract: ${name}`, () => {
    let subject: Subject<AssetRecords>;
    let records: AssetRecords;
    const tenant = `t-${Date.now().toString(36)}`;
    beforeAll(async () => {
      subject = await create();
      records = subject.port;
    });
    afterAll(async () => {
      await subject?.close();
    });

    declareCases(`AssetRecords contract: ${name}`, skip, (contractCase) => {
      contractCase('stores and finds an asset by tenant and id, and by url token, field for field', async () => {
        const asset = anAsset(tenant, { filename: null, completedAt: null, status: 'pending_upload' });
        await records.insertAsset(asset);
        expect(await records.findAsset(tenant, asset.assetId)).toEqual(asset);
        expect(await records.findAssetByUrlToken(asset.urlToken)).toEqual(asset);
      });

      contractCase('never finds another tenant’s asset', async () => {
        const asset = anAsset(tenant);
        await records.insertAsset(asset);
        expect(await records.findAsset(`${tenant}-other`, asset.assetId)).toBeNull();
        expect(await records.deleteAsset(`${tenant}-other`, asset.assetId)).toBeNull();
        expect(await records.findAsset(tenant, asset.assetId)).not.toBeNull();
      });

      contractCase('refuses a duplicate asset id', async () => {
        const asset = anAsset(tenant);
        await records.insertAsset(asset);
        await expect(records.insertAsset({ ...asset, urlToken: newUrlToken() })).rejects.toThrow();
      });

      contractCase('lists newest first in pages that cover everything once', async () => {
        const pageTenant = `${tenant}-pages`;
        const inserted: string[] = [];
        for (let i = 0; i < 7; i++) {
          const asset = anAsset(pageTenant);
          await records.insertAsset(asset);
          inserted.push(asset.assetId);
        }
        const seen: string[] = [];
        let after: number | undefined;
        for (let guard = 0; guard < 10; guard++) {
          const page = await records.listAssets({ tenant: pageTenant, limit: 3, ...(after ? { after } : {}) });
          seen.push(...page.assets.map((a) => a.assetId));
          if (page.next === null) break;
          after = page.next;
        }
        expect(seen).toEqual(inserted.reverse());
        expect((await records.listAssets({ tenant: `${tenant}-empty`, limit: 3 })).assets).toEqual([]);
      });

      contractCase('deletes and returns the record', async () => {
        const asset = anAsset(tenant);
        await records.insertAsset(asset);
        expect(await records.deleteAsset(tenant, asset.assetId)).toEqual(asset);
        expect(await records.findAsset(tenant, asset.assetId)).toBeNull();
        expect(await records.deleteAsset(tenant, asset.assetId)).toBeNull();
      });

      contractCase('transitions status by compare-and-set: exactly one of many concurrent callers wins', async () => {
        const asset = anAsset(tenant, { status: 'pending_upload', completedAt: null, sha256: null });
        await records.insertAsset(asset);
        const completedAt = new Date(asset.createdAt.getTime() + 5000);
        const results = await Promise.all(
          Array.from({ length: 8 }, () =>
            records.transitionAsset({
              assetId: asset.assetId,
              from: 'pending_upload',
              to: 'completed',
              patch: { sha256: 'b'.repeat(64), completedAt },
            }),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await records.findAssetById(asset.assetId)).toEqual({ ...asset, status: 'completed', sha256: 'b'.repeat(64), completedAt });
        expect(await records.transitionAsset({ assetId: asset.assetId, from: 'pending_upload', to: 'failed' })).toBe(false);
      });

      contractCase('stores a batch with its assets, and finds assets by id lists', async () => {
        const batchId = `batch_${Date.now()}`;
        const assets = [1, 2, 3].map(() => anAsset(tenant, { batchId, status: 'pending_upload' }));
        const batch = { batchId, tenant, title: 'three', callbackUrl: 'https://example.com/hook', createdAt: assets[0]!.createdAt, completionRequestedAt: null };
        await records.insertBatch(batch, assets);
        expect(await records.findBatch(tenant, batchId)).toEqual(batch);
        expect(await records.findBatch(`${tenant}-other`, batchId)).toBeNull();
        expect(await records.findBatches(tenant, [batchId, 'batch_missing'])).toEqual([batch]);
        expect(await records.findBatches(`${tenant}-other`, [batchId])).toEqual([]);
        expect((await records.listBatchAssets(tenant, batchId)).map((a) => a.assetId)).toEqual(assets.map((a) => a.assetId));
        const found = await records.findAssets(tenant, [assets[2]!.assetId, 'asset_missing', assets[0]!.assetId]);
        expect(found.map((a) => a.assetId).sort()).toEqual([assets[0]!.assetId, assets[2]!.assetId].sort());
      });

      contractCase('records the first request to complete a batch, and keeps it', async () => {
        const batchId = `batch_req_${Date.now()}`;
        const createdAt = new Date(Math.floor(Date.now() / 1000) * 1000);
        await records.insertBatch({ batchId, tenant, title: null, callbackUrl: null, createdAt, completionRequestedAt: null }, [anAsset(tenant, { batchId })]);
        const first = new Date(createdAt.getTime() + 1000);
        await records.markBatchCompletionRequested(batchId, first);
        await records.markBatchCompletionRequested(batchId, new Date(createdAt.getTime() + 2000));
        expect((await records.findBatch(tenant, batchId))?.completionRequestedAt).toEqual(first);
      });

      contractCase('lists the newest completed assets of given types, for one tenant', async () => {
        const own = `${tenant}-recent`;
        const png = anAsset(own, { mimeType: 'image/png' });
        const jpeg = anAsset(own, { mimeType: 'image/jpeg' });
        const pending = anAsset(own, { mimeType: 'image/png', status: 'pending_upload' });
        const audio = anAsset(own, { mimeType: 'audio/wav' });
        for (const asset of [png, jpeg, pending, audio, anAsset(`${own}-other`, { mimeType: 'image/png' })]) await records.insertAsset(asset);
        const ids = async (limit: number) =>
          (await records.listRecentCompleted({ tenant: own, mimeTypes: ['image/png', 'image/jpeg'], limit })).map((a) => a.assetId);
        expect(await ids(10)).toEqual([jpeg.assetId, png.assetId]);
        expect(await ids(1)).toEqual([jpeg.assetId]);
        expect(await records.listRecentCompleted({ tenant: own, mimeTypes: [], limit: 10 })).toEqual([]);
      });

      contractCase('tells which storage keys and asset ids a record holds, across tenants', async () => {
        const mine = anAsset(tenant);
        const theirs = anAsset(`${tenant}-other`);
        await records.insertAsset(mine);
        await records.insertAsset(theirs);
        const keys = await records.storageKeysInUse([mine.storageKey, theirs.storageKey, 'assets/zz/asset_none']);
        expect(keys).toEqual(new Set([mine.storageKey, theirs.storageKey]));
        expect(await records.assetIdsInUse([mine.assetId, 'asset_none', theirs.assetId])).toEqual(new Set([mine.assetId, theirs.assetId]));
        expect(await records.storageKeysInUse([])).toEqual(new Set());
      });

      contractCase('records PUT receipts by compare-and-set: racing PUTs each land once, in turn, never on a settled upload', async () => {
        const asset = anAsset(tenant, { status: 'pending_upload', sha256: null, completedAt: null });
        await records.insertAsset(asset);
        const receipt = (n: number) => ({
          key: `uploads/${asset.assetId}.r${n}`,
          sizeBytes: 10,
          sha256: String(n).repeat(64),
          mimeType: 'image/png',
          width: n,
          height: null,
          durationSeconds: null,
        });
        expect(await records.recordReceipt({ assetId: asset.assetId, receipt: receipt(1), previous: null })).toBe(true);
        expect((await records.findAssetById(asset.assetId))?.receipt).toEqual(receipt(1));
        // Two PUTs that both read receipt 1: one wins; the other must read again and go on top of it.
        const raced = await Promise.all([2, 3].map((n) => records.recordReceipt({ assetId: asset.assetId, receipt: receipt(n), previous: receipt(1) })));
        expect(raced.filter(Boolean)).toHaveLength(1);
        const winner = raced[0] ? receipt(2) : receipt(3);
        const loser = raced[0] ? receipt(3) : receipt(2);
        expect(await records.recordReceipt({ assetId: asset.assetId, receipt: loser, previous: winner })).toBe(true);
        expect((await records.findAssetById(asset.assetId))?.receipt).toEqual(loser);
        await records.transitionAsset({ assetId: asset.assetId, from: 'pending_upload', to: 'completed' });
        expect(await records.recordReceipt({ assetId: asset.assetId, receipt: receipt(4), previous: loser })).toBe(false);
      });

      contractCase('inserts a batch all or nothing', async () => {
        const taken = anAsset(tenant);
        await records.insertAsset(taken);
        const batchId = `batch_dup_${Date.now()}`;
        const batch = { batchId, tenant, title: null, callbackUrl: null, createdAt: new Date(), completionRequestedAt: null };
        await expect(records.insertBatch(batch, [anAsset(tenant, { batchId }), { ...taken, batchId }])).rejects.toThrow();
        expect(await records.findBatch(tenant, batchId)).toBeNull();
        expect(await records.listBatchAssets(tenant, batchId)).toEqual([]);
      });

      contractCase('lists pending uploads past their expiry, oldest first', async () => {
        const base = Date.now() + 10 * 365 * 24 * 3600 * 1000;
        const early = anAsset(tenant, { status: 'pending_upload', expiresAt: new Date(base + 1000) });
        const late = anAsset(tenant, { status: 'pending_upload', expiresAt: new Date(base + 2000) });
        const done = anAsset(tenant, { status: 'completed', expiresAt: new Date(base + 500) });
        for (const a of [late, early, done]) await records.insertAsset(a);
        const ids = (await records.listExpiredUploads(new Date(base + 1500), 1000)).map((a) => a.assetId);
        expect(ids).toContain(early.assetId);
        expect(ids).not.toContain(late.assetId);
        expect(ids).not.toContain(done.assetId);

        const lapsed = (await records.listLapsedUploads(new Date(base + 1500), 1000)).map((a) => a.assetId);
        expect(lapsed).toContain(done.assetId);
        expect(lapsed).not.toContain(early.assetId);
        await records.clearUploadExpiry(done.assetId);
        expect((await records.listLapsedUploads(new Date(base + 1500), 1000)).map((a) => a.assetId)).not.toContain(done.assetId);
      });

      contractCase('keeps a multipart upload’s state with its asset, through every query and transition', async () => {
        const base = Date.now() + 20 * 365 * 24 * 3600 * 1000;
        const multipart = { uploadId: `2~${'x'.repeat(40)}`, partSizeBytes: 64 * 1024 * 1024 };
        const asset = anAsset(tenant, { status: 'pending_upload', sizeBytes: 50 * 1024 ** 3, expiresAt: new Date(base), multipart });
        await records.insertAsset(asset);
        expect(await records.findAsset(tenant, asset.assetId)).toEqual(asset);
        expect(await records.findAssetById(asset.assetId)).toEqual(asset);
        expect((await records.listExpiredUploads(new Date(base + 1), 1000)).find((a) => a.assetId === asset.assetId)).toEqual(asset);
        expect(await records.transitionAsset({ assetId: asset.assetId, from: 'pending_upload', to: 'expired' })).toBe(true);
        expect((await records.findAsset(tenant, asset.assetId))?.multipart).toEqual(multipart);
        expect((await records.deleteAsset(tenant, asset.assetId))?.multipart).toEqual(multipart);
        // Every other asset has none.
        const plain = anAsset(tenant);
        await records.insertAsset(plain);
        expect((await records.findAsset(tenant, plain.assetId))?.multipart ?? null).toBeNull();
      });

      contractCase('leases finalization of a pending upload to one holder at a time', async () => {
        const asset = anAsset(tenant, { status: 'pending_upload' });
        await records.insertAsset(asset);
        const { assetId } = asset;
        const now = new Date();
        const until = new Date(now.getTime() + 10_000);
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) => records.claimFinalization({ assetId, holder: `h${i}`, now, until })),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = `h${results.indexOf(true)}`;
        // While the lease lives, the reaper may not expire it; once it lapses, another holder may take it.
        expect(await records.transitionAsset({ assetId, from: 'pending_upload', to: 'expired', unlessFinalizingAt: now })).toBe(false);
        const later = new Date(until.getTime() + 1);
        expect(await records.claimFinalization({ assetId, holder: 'next', now: later, until: new Date(later.getTime() + 10_000) })).toBe(true);
        // The first holder lost it: it can neither renew, nor release, nor settle the status under the successor.
        expect(await records.renewFinalization({ assetId, holder: winner, now: later, until: new Date(later.getTime() + 10_000) })).toBe(false);
        await records.releaseFinalization({ assetId, holder: winner });
        expect(await records.claimFinalization({ assetId, holder: 'third', now: later, until })).toBe(false);
        expect(await records.transitionAsset({ assetId, from: 'pending_upload', to: 'completed', finalizedBy: winner })).toBe(false);
        await records.releaseFinalization({ assetId, holder: 'next' });
        expect(await records.claimFinalization({ assetId, holder: 'third', now, until })).toBe(true);
        await records.releaseFinalization({ assetId, holder: 'third' });
        expect(await records.transitionAsset({ assetId, from: 'pending_upload', to: 'expired', unlessFinalizingAt: now })).toBe(true);
        expect(await records.claimFinalization({ assetId, holder: 'fourth', now, until })).toBe(false);
      });

      contractCase('renews a live finalization lease for its holder only, and settles under it', async () => {
        const asset = anAsset(tenant, { status: 'pending_upload', sha256: null, completedAt: null });
        await records.insertAsset(asset);
        const { assetId } = asset;
        const t0 = new Date();
        const at = (ms: number) => new Date(t0.getTime() + ms);
        expect(await records.claimFinalization({ assetId, holder: 'me', now: t0, until: at(10_000) })).toBe(true);
        expect(await records.renewFinalization({ assetId, holder: 'other', now: at(5_000), until: at(15_000) })).toBe(false);
        expect(await records.renewFinalization({ assetId, holder: 'me', now: at(5_000), until: at(15_000) })).toBe(true);
        // Renewed: still live past the first expiry, so nobody else may claim it there.
        expect(await records.claimFinalization({ assetId, holder: 'other', now: at(12_000), until: at(22_000) })).toBe(false);
        expect(await records.transitionAsset({ assetId, from: 'pending_upload', to: 'completed', patch: { sha256: 'c'.repeat(64) }, finalizedBy: 'me' })).toBe(true);
        expect((await records.findAssetById(assetId))?.status).toBe('completed');
      });
    });
  });
}
