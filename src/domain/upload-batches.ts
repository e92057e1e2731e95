// Batches of direct uploads, as the platform has them: initiate up to 100 at once (all accepted or none), ask for
// their completion (answered at once; every item is completed in the background, each on its own, and a repeat
// re-drives what is left), and read them back with per-item status in the platform's words. Also the status
// look-up for many assets or batches at once.
import { randomBytes } from 'node:crypto';
import { mapLimited } from './concurrency.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { DirectUploadRequest, DirectUploadService, InitiatedUpload } from './direct-uploads.js';
import { errors, isAppError } from './errors.js';
import type { Asset, AssetRecords, UploadBatch } from './ports/index.js';

export const MAX_BATCH_FILES = 100;
export const MAX_STATUS_IDS = 100;
/** Completing verifies bytes (a full read each): a few at a time keeps one batch from hogging the disk. */
const COMPLETE_CONCURRENCY = 4;

/** An item's state in the platform's words: waiting for completion to be asked, being completed, or settled. */
export type ItemStatus = 'queued' | 'processing' | 'completed' | 'failed';
export type BatchStatus = 'processing' | 'completed' | 'failed';

export interface BatchItem {
  readonly index: number;
  readonly asset: Asset;
  readonly status: ItemStatus;
}

export interface BatchView {
  readonly batch: UploadBatch;
  readonly status: BatchStatus;
  readonly totalItems: number;
  readonly countsByStatus: Readonly<Record<ItemStatus, number>>;
  /** One page of items. */
  readonly items: readonly BatchItem[];
  readonly nextToken: string | null;
}

export interface StatusEntry {
  /** The asset id asked for (or found in a batch); null for a batch id that was not found. */
  readonly assetId: string | null;
  readonly status: ItemStatus | 'not_found';
  readonly batchId: string | null;
  readonly itemIndex: number | null;
  readonly asset: Asset | null;
}

export interface UploadBatchOptions {
  readonly records: AssetRecords;
  readonly uploads: DirectUploadService;
  readonly now?: () => Date;
  /** Refuses a callback URL that could never be called (scheme, literal private address). */
  readonly checkCallbackUrl?: (url: string) => void;
  /** A background completion failed for a reason that is not the item's own (the store went away). */
  readonly onError?: (error: unknown) => void;
}

export function itemStatus(asset: Asset, batch: UploadBatch | null): ItemStatus {
  switch (asset.status) {
    case 'completed':
      return 'completed';
    case 'failed':
    case 'expired':
      return 'failed';
    case 'pending_upload':
      return batch?.completionRequestedAt ? 'processing' : 'queued';
  }
}

/** Processing while any item is; failed when every item failed; completed otherwise (counts say how many failed). */
export function batchStatus(statuses: readonly ItemStatus[]): BatchStatus {
  if (statuses.some((s) => s === 'queued' || s === 'processing')) return 'processing';
  if (statuses.length > 0 && statuses.every((s) => s === 'failed')) return 'failed';
  return 'completed';
}

export class UploadBatchService {
  private readonly records: AssetRecords;
  private readonly uploads: DirectUploadService;
  private readonly now: () => Date;
  /** Completions running in the background in this process, one per batch. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly options: UploadBatchOptions) {
    this.records = options.records;
    this.uploads = options.uploads;
    this.now = options.now ?? (() => new Date());
  }

  async initiate(
    tenant: string,
    files: readonly DirectUploadRequest[],
    options: { title?: string | null | undefined; callbackUrl?: string | null | undefined } = {},
  ): Promise<{ batchId: string; items: InitiatedUpload[] }> {
    if (files.length < 1 || files.length > MAX_BATCH_FILES) {
      throw errors.invalidParameter(`files must hold 1 to ${MAX_BATCH_FILES} uploads.`, 'files');
    }
    if (options.callbackUrl) {
      try {
        this.options.checkCallbackUrl?.(options.callbackUrl);
      } catch (error) {
        throw errors.invalidParameter(`callback_url cannot be called: ${(error as Error).message}.`, 'callback_url');
      }
    }
    const batchId = `batch_${randomBytes(16).toString('hex')}`;
    // Every item is checked before anything is stored: a batch is accepted whole or not at all.
    const assets = files.map((file, i) => this.uploads.prepare(tenant, file, `files[${i}].`, batchId));
    const batch: UploadBatch = {
      batchId,
      tenant,
      title: options.title ?? null,
      callbackUrl: options.callbackUrl ?? null,
      createdAt: this.now(),
      completionRequestedAt: null,
    };
    await this.records.insertBatch(batch, assets);
    const items: InitiatedUpload[] = [];
    for (const asset of assets) items.push(await this.uploads.describe(asset));
    return { batchId, items };
  }

  /**
   * Asks for every pending item to be completed, in the background; resolves once that is recorded. An item whose
   * bytes are not there yet stays pending (a repeat re-drives it); a bad item fails alone.
   */
  async requestCompletion(tenant: string, batchId: string): Promise<UploadBatch> {
    const batch = await this.records.findBatch(tenant, batchId);
    if (!batch) throw errors.notFound('Batch', 'batch_id');
    await this.records.markBatchCompletionRequested(batchId, this.now());
    if (!this.running.has(batchId)) {
      const run = this.completeAll(tenant, batchId)
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => this.running.delete(batchId));
      this.running.set(batchId, run);
    }
    return batch;
  }

  /** Waits for every background completion of this process (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  async get(tenant: string, batchId: string, page: { limit?: number | undefined; token?: string | undefined } = {}): Promise<BatchView> {
    const batch = await this.records.findBatch(tenant, batchId);
    if (!batch) throw errors.notFound('Batch', 'batch_id');
    const all = (await this.records.listBatchAssets(tenant, batchId)).map((asset, index) => ({
      index,
      asset,
      status: itemStatus(asset, batch),
    }));
    const countsByStatus = { queued: 0, processing: 0, completed: 0, failed: 0 };
    for (const item of all) countsByStatus[item.status] += 1;
    const limit = page.limit ?? MAX_BATCH_FILES;
    // Positions are 1-based in tokens (a token never encodes 0).
    const start = page.token === undefined ? 0 : decodeCursor(page.token) - 1;
    const items = all.slice(start, start + limit);
    return {
      batch,
      status: batchStatus(all.map((i) => i.status)),
      totalItems: all.length,
      countsByStatus,
      items,
      nextToken: start + limit < all.length ? encodeCursor(start + limit + 1) : null,
    };
  }

  /** Entries for each asset id asked for, then every item of each batch asked for, in the order asked. */
  async statuses(tenant: string, query: { assetIds: readonly string[]; batchIds: readonly string[] }): Promise<StatusEntry[]> {
    const { assetIds, batchIds } = query;
    if (assetIds.length + batchIds.length < 1 || assetIds.length > MAX_STATUS_IDS || batchIds.length > MAX_STATUS_IDS) {
      throw errors.invalidParameter(`Give asset_ids or batch_ids (up to ${MAX_STATUS_IDS} of each).`, assetIds.length > MAX_STATUS_IDS ? 'asset_ids' : 'batch_ids');
    }
    const assets = new Map((await this.records.findAssets(tenant, assetIds)).map((a) => [a.assetId, a]));
    const wantedBatches = [...new Set([...batchIds, ...[...assets.values()].flatMap((a) => (a.batchId ? [a.batchId] : []))])];
    const batches = new Map((await this.records.findBatches(tenant, wantedBatches)).map((b) => [b.batchId, b]));
    const itemsOf = new Map<string, Asset[]>();
    for (const batchId of batches.keys()) itemsOf.set(batchId, await this.records.listBatchAssets(tenant, batchId));
    const entry = (asset: Asset): StatusEntry => {
      const batch = asset.batchId ? (batches.get(asset.batchId) ?? null) : null;
      const index = batch ? (itemsOf.get(batch.batchId) ?? []).findIndex((a) => a.assetId === asset.assetId) : -1;
      return { assetId: asset.assetId, status: itemStatus(asset, batch), batchId: batch?.batchId ?? null, itemIndex: index >= 0 ? index : null, asset };
    };
    const notFound = { status: 'not_found' as const, itemIndex: null, asset: null };
    return [
      ...assetIds.map((assetId) => {
        const asset = assets.get(assetId);
        return asset ? entry(asset) : { ...notFound, assetId, batchId: null };
      }),
      ...batchIds.flatMap((batchId) =>
        batches.has(batchId) ? (itemsOf.get(batchId) ?? []).map(entry) : [{ ...notFound, assetId: null, batchId }],
      ),
    ];
  }

  private async completeAll(tenant: string, batchId: string): Promise<void> {
    const pending = (await this.records.listBatchAssets(tenant, batchId)).filter((a) => a.status === 'pending_upload');
    await mapLimited(pending, COMPLETE_CONCURRENCY, async (asset) => {
      try {
        await this.uploads.complete(tenant, asset.assetId);
      } catch (error) {
        // The item's own verdict (failed verification, bytes not there yet) is recorded on it; anything else is ours.
        if (!isAppError(error)) throw error;
      }
    });
  }
}
