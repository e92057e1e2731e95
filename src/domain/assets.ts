// The asset rules: how bytes become an asset (staged in storage, then published by one metadata insert), who may
// see an asset (its tenant only, everyone else gets "not found"), listing, deletion and reading the bytes back.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import type { Asset, AssetRecords, ByteRange, FinishedBatch, ObjectStorage } from './ports/index.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { targetOf } from './multipart-plan.js';
import { errors, isAppError } from './errors.js';
import type { AssetEvents } from './events.js';
import { cleanFilename } from './filenames.js';
import { newAssetId, newUrlToken, previewKeyPrefixFor, stagingKeyFor, storageKeyFor } from './ids.js';
import { UploadInspector } from './inspect.js';
import { mediaTypeOf } from '../media/types.js';

export interface AssetServiceOptions {
  readonly records: AssetRecords;
  readonly storage: ObjectStorage;
  readonly now?: () => Date;
  /** Makes the asset events recorded with each change (none when absent). */
  readonly events?: AssetEvents;
}

export interface StageOptions {
  readonly tenant: string;
  readonly filename: string | undefined;
  readonly body: Readable;
  readonly maxBytes: number;
  readonly accept: ReadonlySet<string>;
  /** Where the bytes came from, for error `param`s. */
  readonly param: string;
  readonly signal?: AbortSignal;
}

/** Bytes that are fully stored and checked but not yet an asset: nobody can see them until commit(). */
export interface StagedAsset {
  commit(): Promise<Asset>;
  discard(): Promise<void>;
}

export interface AssetListing {
  readonly assets: readonly Asset[];
  readonly nextToken: string | null;
}

export class AssetService {
  private readonly records: AssetRecords;
  private readonly storage: ObjectStorage;
  private readonly now: () => Date;
  private readonly events: AssetEvents | null;

  constructor(options: AssetServiceOptions) {
    this.records = options.records;
    this.storage = options.storage;
    this.now = options.now ?? (() => new Date());
    this.events = options.events ?? null;
  }

  async stage(options: StageOptions): Promise<StagedAsset> {
    const assetId = newAssetId();
    const storageKey = storageKeyFor(assetId);
    const inspector = new UploadInspector({ maxBytes: options.maxBytes, accept: options.accept, param: options.param });
    // pipeline() destroys the inspector with the source's error, so the storage write sees every failure.
    const inspected = pipeline(options.body, inspector, () => {});
    await this.storage.write({
      key: storageKey,
      body: inspected,
      contentType: 'application/octet-stream',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const { sizeBytes, sha256, media, facts } = inspector.result();
    if (!media) throw new Error('UploadInspector sniffed nothing though asked to');
    const createdAt = this.now();
    const asset: Asset = {
      assetId,
      tenant: options.tenant,
      status: 'completed',
      mimeType: media.mime,
      sizeBytes,
      sha256,
      filename: cleanFilename(options.filename),
      storageKey,
      urlToken: newUrlToken(),
      createdAt,
      completedAt: createdAt,
      declaredSha256: null,
      expiresAt: null,
      batchId: null,
      failureCode: null,
      failureMessage: null,
      ...facts,
      receipt: null,
    };
    let settled = false;
    return {
      commit: async () => {
        if (settled) throw new Error('StagedAsset settled twice');
        settled = true;
        try {
          // Inserted once its bytes are in place: asset.completed is true when it is delivered.
          await this.records.insertAsset(asset, this.events ? { event: this.events.asset('asset.completed', asset) } : {});
        } catch (error) {
          await this.storage.delete(storageKey);
          throw error;
        }
        this.events?.recorded();
        return asset;
      },
      discard: async () => {
        if (settled) return;
        settled = true;
        await this.storage.delete(storageKey);
      },
    };
  }

  async get(tenant: string, assetId: string): Promise<Asset> {
    const asset = await this.records.findAsset(tenant, assetId);
    if (!asset) throw errors.notFound('Asset', 'asset_id');
    return asset;
  }

  /**
   * The tenant's assets, newest first. `owner` (the platform's `username`) names the tenant whose assets to list:
   * another tenant's list is empty, as it is for any `folderId`, since assetd keeps no folders.
   */
  async list(
    tenant: string,
    options: { limit: number; token?: string | undefined; owner?: string | undefined; folderId?: string | undefined },
  ): Promise<AssetListing> {
    const after = options.token === undefined ? undefined : decodeCursor(options.token);
    if ((options.owner !== undefined && options.owner !== tenant) || options.folderId !== undefined) {
      return { assets: [], nextToken: null };
    }
    const page = await this.records.listAssets({ tenant, limit: options.limit, ...(after ? { after } : {}) });
    return { assets: page.assets, nextToken: page.next === null ? null : encodeCursor(page.next) };
  }

  /**
   * The record goes first, so the url stops serving at once; then the bytes, staged ones of a direct upload too. On
   * a full disk the record cannot be removed (its database needs room to write even a delete): the bytes go first
   * then, freeing the room, and the record after them. An image's previews go last (one made while this runs is
   * an orphan the reaper removes).
   */
  async delete(tenant: string, assetId: string): Promise<Asset> {
    let asset: Asset | null;
    const events = this.events;
    const options = events
      ? { event: (deleted: Asset) => events.asset('asset.deleted', deleted), batchFinished: (batch: FinishedBatch) => events.batchFinished(batch) }
      : {};
    try {
      asset = await this.records.deleteAsset(tenant, assetId, options);
    } catch (error) {
      if (!(isAppError(error) && error.code === 'insufficient_storage')) throw error;
      const found = await this.records.findAsset(tenant, assetId);
      if (!found) throw errors.notFound('Asset', 'asset_id');
      await this.storage.delete(found.storageKey);
      asset = await this.records.deleteAsset(tenant, assetId, options);
    }
    if (!asset) throw errors.notFound('Asset', 'asset_id');
    events?.recorded();
    // A multipart upload not completed: free every part it holds.
    if (asset.multipart && asset.status !== 'completed') await this.storage.multipart.abort(targetOf(asset, asset.multipart));
    await this.storage.delete(asset.storageKey);
    if (asset.expiresAt) await this.storage.delete(stagingKeyFor(assetId));
    if (asset.receipt) await this.storage.delete(asset.receipt.key);
    if (mediaTypeOf(asset.mimeType)?.kind === 'image') {
      for await (const preview of this.storage.list(previewKeyPrefixFor(assetId))) await this.storage.delete(preview.key);
    }
    return asset;
  }

  /** The asset behind a public url token, if it is there to be served. */
  async findPublic(urlToken: string): Promise<Asset | null> {
    const asset = await this.records.findAssetByUrlToken(urlToken);
    return asset && asset.status === 'completed' ? asset : null;
  }

  async openContent(asset: Asset, range?: ByteRange): Promise<Readable> {
    const stream = await this.storage.read({ key: asset.storageKey, ...(range ? { range } : {}) });
    if (!stream) throw errors.notFound('File');
    return stream;
  }
}
