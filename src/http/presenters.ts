// Domain records → the JSON shapes of the contract (snake_case, ISO times, public URLs). Each presenter returns the
// static type of its response schema, so a presenter that drifts from its schema does not compile.
import type { AssetListing } from '../domain/assets.js';
import type { InitiatedUpload } from '../domain/direct-uploads.js';
import type { Asset, AssetStatus } from '../domain/ports/index.js';
import type { PublicUrls } from '../domain/public-urls.js';
import type { BatchView } from '../domain/upload-batches.js';
import { envelope } from './errors.js';
import type { AssetJson, AssetPageJson, DeletedAssetJson, UploadedAssetJson } from './schemas/assets.js';
import type {
  AssetStatusesJson,
  CompletedUploadJson,
  DirectUploadJson,
  InitiatedBatchJson,
  UploadBatchJson,
} from './schemas/direct-uploads.js';

/** The url of a completed asset's bytes; null before. */
const urlOf = (asset: Asset, urls: PublicUrls): string | null =>
  asset.status === 'completed' ? urls.fileUrl(asset.urlToken, asset.mimeType) : null;

export function uploadedAssetJson(asset: Asset, urls: PublicUrls): UploadedAssetJson {
  return {
    asset_id: asset.assetId,
    url: urls.fileUrl(asset.urlToken, asset.mimeType),
    mime_type: asset.mimeType,
    size_bytes: asset.sizeBytes,
  };
}

export function completedUploadJson(asset: Asset, urls: PublicUrls): CompletedUploadJson {
  return { ...uploadedAssetJson(asset, urls), status: asset.status };
}

export function assetJson(asset: Asset, urls: PublicUrls): AssetJson {
  return {
    asset_id: asset.assetId,
    status: asset.status,
    mime_type: asset.mimeType,
    size_bytes: asset.sizeBytes,
    sha256: asset.sha256,
    filename: asset.filename,
    created_at: asset.createdAt.toISOString(),
    completed_at: asset.completedAt?.toISOString() ?? null,
    url: urlOf(asset, urls),
    ...(asset.width !== null ? { width: asset.width } : {}),
    ...(asset.height !== null ? { height: asset.height } : {}),
    ...(asset.durationSeconds !== null ? { duration_seconds: asset.durationSeconds } : {}),
  };
}

export function assetPageJson(page: AssetListing, urls: PublicUrls): AssetPageJson {
  return { data: page.assets.map((a) => assetJson(a, urls)), has_more: page.nextToken !== null, next_token: page.nextToken };
}

export function deletedAssetJson(asset: Asset): DeletedAssetJson {
  return { id: asset.assetId, deleted: true };
}

export function directUploadJson(upload: InitiatedUpload): DirectUploadJson {
  return {
    asset_id: upload.asset.assetId,
    upload_url: upload.target.url,
    upload_headers: upload.target.headers,
    expires_in_seconds: upload.expiresInSeconds,
    max_bytes: upload.maxBytes,
    status: 'pending_upload',
  };
}

export function initiatedBatchJson(batch: { batchId: string; items: readonly InitiatedUpload[] }): InitiatedBatchJson {
  return { batch_id: batch.batchId, items: batch.items.map(directUploadJson) };
}

export function uploadBatchJson(batch: BatchView, urls: PublicUrls): UploadBatchJson {
  return {
    batch_id: batch.batchId,
    title: batch.title,
    status: batch.status,
    created_at: batch.createdAt.toISOString(),
    items: batch.items.map(({ asset, error }) => ({
      asset_id: asset.assetId,
      status: asset.status,
      filename: asset.filename,
      mime_type: asset.mimeType,
      size_bytes: asset.sizeBytes,
      url: urlOf(asset, urls),
      error: error ? envelope(error).error : null,
    })),
  };
}

export function assetStatusesJson(statuses: ReadonlyArray<{ assetId: string; status: AssetStatus | 'not_found' }>): AssetStatusesJson {
  return statuses.map((s) => ({ asset_id: s.assetId, status: s.status }));
}
