// The MetadataStore contract: every adapter (SQLite now, PostgreSQL next) runs this same suite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAssetId, newUrlToken, storageKeyFor } from '../../src/domain/ids.js';
import type { Asset, MetadataStore } from '../../src/metadata/port.js';

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
      await store.insertAsset(asset);
      expect(await store.findAsset(tenant, asset.assetId)).toEqual(asset);
      expect(await store.findAssetByUrlToken(asset.urlToken)).toEqual(asset);
    });

    it('never finds another tenant’s asset', async () => {
      const asset = anAsset(tenant);
      await store.insertAsset(asset);
      expect(await store.findAsset(`${tenant}-other`, asset.assetId)).toBeNull();
      expect(await store.deleteAsset(`${tenant}-other`, asset.assetId)).toBeNull();
      expect(await store.findAsset(tenant, asset.assetId)).not.toBeNull();
    });

    it('refuses a duplicate asset id', async () => {
      const asset = anAsset(tenant);
      await store.insertAsset(asset);
      await expect(store.insertAsset({ ...asset, urlToken: newUrlToken() })).rejects.toThrow();
    });

    it('lists newest first in pages that cover everything once', async () => {
      const pageTenant = `${tenant}-pages`;
      const inserted: string[] = [];
      for (let i = 0; i < 7; i++) {
        const asset = anAsset(pageTenant);
        await store.insertAsset(asset);
        inserted.push(asset.assetId);
      }
      const seen: string[] = [];
      let after: number | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const page = await store.listAssets({ tenant: pageTenant, limit: 3, ...(after ? { after } : {}) });
        seen.push(...page.assets.map((a) => a.assetId));
        if (page.next === null) break;
        after = page.next;
      }
      expect(seen).toEqual(inserted.reverse());
      expect((await store.listAssets({ tenant: `${tenant}-empty`, limit: 3 })).assets).toEqual([]);
    });

    it('deletes and returns the record', async () => {
      const asset = anAsset(tenant);
      await store.insertAsset(asset);
      expect(await store.deleteAsset(tenant, asset.assetId)).toEqual(asset);
      expect(await store.findAsset(tenant, asset.assetId)).toBeNull();
      expect(await store.deleteAsset(tenant, asset.assetId)).toBeNull();
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
