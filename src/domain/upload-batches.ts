// Batches of direct uploads (initiate up to 100 at once, complete them together, read their state) and the
// status look-up for many assets at once.
import { randomBytes } from 'node:crypto';
import type { Asset, AssetRecords, AssetStatus } from './ports/index.js';
import type { DirectUploadRequest, DirectUploadService, InitiatedUpload } from './direct-uploads.js';
import { mapLimited } from './concurrency.js';
import { AppError, errors, isAppError } from './errors.js';

export const MAX_BATCH_FILES = 100;
export const MAX_STATUS_IDS = 100;
/** Completing verifies bytes (a full read each): a few at a time keeps one batch from hogging the disk. */
const COMPLETE_CONCURRENCY = 4;

export type BatchStatus = 'pending_upload' | 'completed' | 'failed' | 'partial';

export interface BatchItemResult {
  readonly asset: Asset;
  readonly error: AppError | null;
}

export interface BatchView {
  readonly batchId: string;
  readonly title: string | null;
  readonly status: BatchStatus;
  readonly createdAt: Date;
  readonly items: readonly BatchItemResult[];
}

/** A batch's state follows from its items': pending while any is, completed when all are. */
export function batchStatus(statuses: readonly AssetStatus[]): BatchStatus {
  if (statuses.some((s) => s === 'pending_upload')) return 'pending_upload';
  if (statuses.every((s) => s === 'completed')) return 'completed';
  if (statuses.every((s) => s !== 'completed')) return 'failed';
  return 'partial';
}

export interface UploadBatchOptions {
  readonly records: AssetRecords;
  readonly uploads: DirectUploadService;
  readonly now?: () => Date;
}

export class UploadBatchService {
  private readonly records: AssetRecords;
  private readonly uploads: DirectUploadService;
  private readonly now: () => Date;

  constructor(options: UploadBatchOptions) {
    this.records = options.records;
    this.uploads = options.uploads;
    this.now = options.now ?? (() => new Date());
  }

  async initiate(tenant: string, files: readonly DirectUploadRequest[], title: string | null) {
    if (files.length < 1 || files.length > MAX_BATCH_FILES) {
      throw errors.invalidParameter(`files must hold 1 to ${MAX_BATCH_FILES} uploads.`, 'files');
    }
    const batchId = `batch_${randomBytes(16).toString('hex')}`;
    // Every item is checked before anything is stored: a batch is accepted whole or not at all.
    const assets = files.map((file, i) => this.uploads.prepare(tenant, file, `files[${i}].`, batchId));
    await this.records.insertBatch({ batchId, tenant, title, createdAt: this.now() }, assets);
    const items: InitiatedUpload[] = [];
    for (const asset of assets) items.push(await this.uploads.describe(asset));
    return { batchId, items };
  }

  async complete(tenant: string, batchId: string): Promise<BatchView> {
    const { batch, assets } = await this.load(tenant, batchId);
    const items = await mapLimited(assets, COMPLETE_CONCURRENCY, async (asset): Promise<BatchItemResult> => {
      try {
        return { asset: await this.uploads.complete(tenant, asset.assetId), error: null };
      } catch (error) {
        if (!isAppError(error)) throw error;
        return { asset: (await this.records.findAsset(tenant, asset.assetId)) ?? asset, error };
      }
    });
    return { ...batch, status: batchStatus(items.map((i) => i.asset.status)), items };
  }

  async get(tenant: string, batchId: string): Promise<BatchView> {
    const { batch, assets } = await this.load(tenant, batchId);
    return { ...batch, status: batchStatus(assets.map((a) => a.status)), items: assets.map((asset) => ({ asset, error: null })) };
  }

  async statuses(tenant: string, assetIds: readonly string[]): Promise<Array<{ assetId: string; status: AssetStatus | 'not_found' }>> {
    if (assetIds.length < 1 || assetIds.length > MAX_STATUS_IDS) {
      throw errors.invalidParameter(`asset_ids must list 1 to ${MAX_STATUS_IDS} ids.`, 'asset_ids');
    }
    const found = new Map((await this.records.findAssets(tenant, assetIds)).map((a) => [a.assetId, a.status]));
    return assetIds.map((assetId) => ({ assetId, status: found.get(assetId) ?? 'not_found' }));
  }

  private async load(tenant: string, batchId: string) {
    const batch = await this.records.findBatch(tenant, batchId);
    if (!batch) throw errors.notFound('Batch', 'batch_id');
    return { batch, assets: await this.records.listBatchAssets(tenant, batchId) };
  }
}
