// The MetadataStore contract: every adapter (SQLite now, PostgreSQL next) runs this same suite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAssetId, newUrlToken, storageKeyFor } from '../../src/domain/ids.js';
import type { Asset, Job, MetadataStores as MetadataStore } from '../../src/domain/ports/index.js';

export interface MetadataContractOptions {
  readonly name: string;
  readonly create: () => Promise<MetadataStore>;
}

function anAsset(tenant: string, overrides: Partial<Asset> = {}): Asset {
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
    ...overrides,
  };
}

export function runMetadataContract({ name, create }: MetadataContractOptions): void {
  describe(`MetadataStore contract: ${name}`, () => {
    let store: MetadataStore;
    const tenant = `t-${Date.now().toString(36)}`;
    beforeAll(async () => {
      store = await create();
    });
    afterAll(async () => {
      await store.close();
    });

    it('stores and finds an asset by tenant and id, and by url token, field for field', async () => {
      const asset = anAsset(tenant, { filename: null, completedAt: null, status: 'pending_upload' });
      await store.assets.insertAsset(asset);
      expect(await store.assets.findAsset(tenant, asset.assetId)).toEqual(asset);
      expect(await store.assets.findAssetByUrlToken(asset.urlToken)).toEqual(asset);
    });

    it('never finds another tenant’s asset', async () => {
      const asset = anAsset(tenant);
      await store.assets.insertAsset(asset);
      expect(await store.assets.findAsset(`${tenant}-other`, asset.assetId)).toBeNull();
      expect(await store.assets.deleteAsset(`${tenant}-other`, asset.assetId)).toBeNull();
      expect(await store.assets.findAsset(tenant, asset.assetId)).not.toBeNull();
    });

    it('refuses a duplicate asset id', async () => {
      const asset = anAsset(tenant);
      await store.assets.insertAsset(asset);
      await expect(store.assets.insertAsset({ ...asset, urlToken: newUrlToken() })).rejects.toThrow();
    });

    it('lists newest first in pages that cover everything once', async () => {
      const pageTenant = `${tenant}-pages`;
      const inserted: string[] = [];
      for (let i = 0; i < 7; i++) {
        const asset = anAsset(pageTenant);
        await store.assets.insertAsset(asset);
        inserted.push(asset.assetId);
      }
      const seen: string[] = [];
      let after: number | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const page = await store.assets.listAssets({ tenant: pageTenant, limit: 3, ...(after ? { after } : {}) });
        seen.push(...page.assets.map((a) => a.assetId));
        if (page.next === null) break;
        after = page.next;
      }
      expect(seen).toEqual(inserted.reverse());
      expect((await store.assets.listAssets({ tenant: `${tenant}-empty`, limit: 3 })).assets).toEqual([]);
    });

    it('deletes and returns the record', async () => {
      const asset = anAsset(tenant);
      await store.assets.insertAsset(asset);
      expect(await store.assets.deleteAsset(tenant, asset.assetId)).toEqual(asset);
      expect(await store.assets.findAsset(tenant, asset.assetId)).toBeNull();
      expect(await store.assets.deleteAsset(tenant, asset.assetId)).toBeNull();
    });

    it('transitions status by compare-and-set: exactly one of many concurrent callers wins', async () => {
      const asset = anAsset(tenant, { status: 'pending_upload', completedAt: null, sha256: null });
      await store.assets.insertAsset(asset);
      const completedAt = new Date(asset.createdAt.getTime() + 5000);
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          store.assets.transitionAsset({
            assetId: asset.assetId,
            from: 'pending_upload',
            to: 'completed',
            patch: { sha256: 'b'.repeat(64), completedAt },
          }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.assets.findAssetById(asset.assetId)).toEqual({ ...asset, status: 'completed', sha256: 'b'.repeat(64), completedAt });
      expect(await store.assets.transitionAsset({ assetId: asset.assetId, from: 'pending_upload', to: 'failed' })).toBe(false);
    });

    it('stores a batch with its assets, and finds assets by id lists', async () => {
      const batchId = `batch_${Date.now()}`;
      const assets = [1, 2, 3].map(() => anAsset(tenant, { batchId, status: 'pending_upload' }));
      await store.assets.insertBatch({ batchId, tenant, title: 'three', createdAt: assets[0]!.createdAt }, assets);
      expect(await store.assets.findBatch(tenant, batchId)).toEqual({ batchId, tenant, title: 'three', createdAt: assets[0]!.createdAt });
      expect(await store.assets.findBatch(`${tenant}-other`, batchId)).toBeNull();
      expect((await store.assets.listBatchAssets(tenant, batchId)).map((a) => a.assetId)).toEqual(assets.map((a) => a.assetId));
      const found = await store.assets.findAssets(tenant, [assets[2]!.assetId, 'asset_missing', assets[0]!.assetId]);
      expect(found.map((a) => a.assetId).sort()).toEqual([assets[0]!.assetId, assets[2]!.assetId].sort());
    });

    it('inserts a batch all or nothing', async () => {
      const taken = anAsset(tenant);
      await store.assets.insertAsset(taken);
      const batchId = `batch_dup_${Date.now()}`;
      const batch = { batchId, tenant, title: null, createdAt: new Date() };
      await expect(store.assets.insertBatch(batch, [anAsset(tenant, { batchId }), { ...taken, batchId }])).rejects.toThrow();
      expect(await store.assets.findBatch(tenant, batchId)).toBeNull();
      expect(await store.assets.listBatchAssets(tenant, batchId)).toEqual([]);
    });

    it('lists pending uploads past their expiry, oldest first', async () => {
      const base = Date.now() + 10 * 365 * 24 * 3600 * 1000;
      const early = anAsset(tenant, { status: 'pending_upload', expiresAt: new Date(base + 1000) });
      const late = anAsset(tenant, { status: 'pending_upload', expiresAt: new Date(base + 2000) });
      const done = anAsset(tenant, { status: 'completed', expiresAt: new Date(base + 500) });
      for (const a of [late, early, done]) await store.assets.insertAsset(a);
      const ids = (await store.assets.listExpiredUploads(new Date(base + 1500), 1000)).map((a) => a.assetId);
      expect(ids).toContain(early.assetId);
      expect(ids).not.toContain(late.assetId);
      expect(ids).not.toContain(done.assetId);

      const lapsed = (await store.assets.listLapsedUploads(new Date(base + 1500), 1000)).map((a) => a.assetId);
      expect(lapsed).toContain(done.assetId);
      expect(lapsed).not.toContain(early.assetId);
      await store.assets.clearUploadExpiry(done.assetId);
      expect((await store.assets.listLapsedUploads(new Date(base + 1500), 1000)).map((a) => a.assetId)).not.toContain(done.assetId);
    });

    it('claims an idempotency key once, replays, takes over stale claims, and purges', async () => {
      const now = new Date();
      const later = (ms: number) => new Date(now.getTime() + ms);
      const key = { tenant, scope: 'POST /v3/x', key: `k-${Date.now()}` };
      const claimBy = (claimId: string, at = now) => ({
        ...key,
        claimId,
        fingerprint: 'f1',
        now: at,
        lockUntil: new Date(at.getTime() + 1000),
        expiresAt: new Date(at.getTime() + 60_000),
      });

      const claims = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => store.idempotencyKeys.claim(claimBy(id))));
      expect(claims.filter((c) => c.claimed)).toHaveLength(1);
      expect(await store.idempotencyKeys.claim(claimBy('f'))).toEqual({ claimed: false, existing: { state: 'in_progress', fingerprint: 'f1' } });
      // The holder seems dead: after its lock runs out, one caller takes over...
      expect(await store.idempotencyKeys.claim(claimBy('new', later(2000)))).toEqual({ claimed: true });
      // ...and the old holder, still alive after all, can neither answer nor release for the new one.
      const winner = ['a', 'b', 'c', 'd', 'e'][claims.findIndex((c) => c.claimed)]!;
      await store.idempotencyKeys.complete({ ...key, claimId: winner, status: 201, body: '{"stale":true}' });
      await store.idempotencyKeys.release({ ...key, claimId: winner });
      expect(await store.idempotencyKeys.claim(claimBy('g', later(2500)))).toEqual({ claimed: false, existing: { state: 'in_progress', fingerprint: 'f1' } });

      await store.idempotencyKeys.complete({ ...key, claimId: 'new', status: 200, body: '{"data":1}' });
      expect(await store.idempotencyKeys.claim(claimBy('h', later(5000)))).toEqual({
        claimed: false,
        existing: { state: 'done', fingerprint: 'f1', status: 200, body: '{"data":1}' },
      });
      expect(await store.idempotencyKeys.purge(later(30_000))).toBe(0);
      // The takeover at +2 s keeps the answer until +62 s.
      expect(await store.idempotencyKeys.purge(later(63_000))).toBeGreaterThanOrEqual(1);
      expect(await store.idempotencyKeys.claim(claimBy('i', later(64_000)))).toEqual({ claimed: true });

      await store.idempotencyKeys.release({ ...key, claimId: 'i' });
      expect(await store.idempotencyKeys.claim(claimBy('j', later(64_500)))).toEqual({ claimed: true });
    });

    it('leases finalization of a pending upload to one caller at a time', async () => {
      const asset = anAsset(tenant, { status: 'pending_upload' });
      await store.assets.insertAsset(asset);
      const now = new Date();
      const until = new Date(now.getTime() + 60_000);
      const results = await Promise.all(Array.from({ length: 6 }, () => store.assets.claimFinalization({ assetId: asset.assetId, now, until })));
      expect(results.filter(Boolean)).toHaveLength(1);
      // While the lease lives, the reaper may not expire it; once it lapses, another caller may take it.
      expect(await store.assets.transitionAsset({ assetId: asset.assetId, from: 'pending_upload', to: 'expired', unlessFinalizingAt: now })).toBe(false);
      expect(await store.assets.claimFinalization({ assetId: asset.assetId, now: new Date(until.getTime() + 1), until: new Date(until.getTime() + 60_000) })).toBe(true);
      await store.assets.releaseFinalization(asset.assetId);
      expect(await store.assets.claimFinalization({ assetId: asset.assetId, now, until })).toBe(true);
      await store.assets.releaseFinalization(asset.assetId);
      expect(await store.assets.transitionAsset({ assetId: asset.assetId, from: 'pending_upload', to: 'expired', unlessFinalizingAt: now })).toBe(true);
      expect(await store.assets.claimFinalization({ assetId: asset.assetId, now, until })).toBe(false);
    });

    it('owes a finished job\'s callback in the same update, and leases each due callback to one deliverer', async () => {
      const base = Math.floor(Date.now() / 1000) * 1000;
      const at = (ms: number) => new Date(base + ms);
      const aJob = (n: number, callbackUrl: string | null): Job => ({
        jobId: `lipsync_${n}_${base.toString(36)}`, tenant, kind: 'lipsync', status: 'pending', request: {}, outputAssetId: null,
        errorMessage: null, callbackUrl, leaseId: null, leaseExpiresAt: null, attempts: 0, version: 0, createdAt: at(n),
        updatedAt: at(n), callback: null,
      });
      const hooked = aJob(1, 'https://receiver.example/hook');
      const silent = aJob(2, null);
      for (const job of [hooked, silent]) {
        await store.jobs.insertJob(job);
        const claimed = await store.jobs.claimJob({ kinds: ['lipsync'], now: at(500), leaseId: `L${job.jobId}`, leaseExpiresAt: at(60_000) });
        expect(claimed?.jobId).toBe(job.jobId);
        const finish = { jobId: job.jobId, leaseId: `L${job.jobId}`, now: at(1000), status: 'completed' as const, outputAssetId: null, errorMessage: null };
        expect(await store.jobs.finishJob(finish)).toBe(true);
      }
      expect((await store.jobs.findJobById(hooked.jobId))?.callback).toEqual({ state: 'pending', attempts: 0, dueAt: at(1000), leaseId: null, leaseUntil: null, lastError: null });
      expect((await store.jobs.findJobById(silent.jobId))?.callback).toBeNull();

      const claim = (now: number, leaseUntil: number, leaseId = `lease-${now}`) =>
        store.jobs.claimDueCallbacks({ now: at(now), leaseId, leaseUntil: at(leaseUntil), limit: 10 });
      const racing = await Promise.all(Array.from({ length: 6 }, (_, i) => claim(1000, 61_000, `racer-${i}`)));
      expect(racing.flat().map((job) => job.jobId)).toEqual([hooked.jobId]);
      const winner = racing.flat()[0]!.callback!.leaseId!;
      expect(await claim(2000, 62_000)).toEqual([]); // leased
      const settle = (leaseId: string, state: 'pending' | 'delivered', dueAt: number | null, error: string | null) =>
        store.jobs.settleCallback({ jobId: hooked.jobId, leaseId, state, dueAt: dueAt === null ? null : at(dueAt), error });
      expect(await settle('someone-else', 'delivered', null, null)).toBe(false);
      expect(await settle(winner, 'pending', 10_000, 'answered 500')).toBe(true);
      expect(await claim(5000, 65_000)).toEqual([]); // not due yet
      const again = await claim(10_000, 70_000, 'second');
      expect(again.map((job) => job.callback)).toEqual([
        { state: 'pending', attempts: 1, dueAt: at(10_000), leaseId: 'second', leaseUntil: at(70_000), lastError: 'answered 500' },
      ]);
      expect(await claim(70_001, 130_000, 'third')).toHaveLength(1); // the lease lapsed: another deliverer takes over
      expect(await settle('second', 'delivered', null, null)).toBe(false); // the lapsed holder can no longer settle
      expect(await settle('third', 'delivered', null, null)).toBe(true);
      expect((await store.jobs.findJobById(hooked.jobId))?.callback).toMatchObject({ state: 'delivered', attempts: 2, leaseId: null, leaseUntil: null });
      expect(await claim(999_999, 1_999_999)).toEqual([]);
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
