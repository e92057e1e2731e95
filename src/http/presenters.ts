// Domain records → the JSON shapes of the contract (snake_case, ISO times, public URLs). Each presenter returns the
// static type of its response schema, so a presenter that drifts from its schema does not compile.
import type { SearchResults } from '../domain/asset-search.js';
import type { AssetListing } from '../domain/assets.js';
import type { InitiatedUpload } from '../domain/direct-uploads.js';
import { AppError, errors, type ErrorCode } from '../domain/errors.js';
import { mediaTypeOf } from '../media/types.js';
import type { Asset, UploadBatch } from '../domain/ports/index.js';
import type { PublicUrls } from '../domain/public-urls.js';
import type { BatchView, StatusEntry } from '../domain/upload-batches.js';
import { envelope } from './errors.js';
import type { AssetJson, AssetPageJson, DeletedAssetJson, SearchResultsJson, UploadedAssetJson } from './schemas/assets.js';
import type { ErrorDetailJson } from './schemas/common.js';
import type {
  AssetStatusesJson,
  CompletedUploadJson,
  CompletionRequestedJson,
  DirectUploadJson,
  InitiatedBatchJson,
  UploadBatchJson,
} from './schemas/direct-uploads.js';

const unixSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

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
    id: asset.assetId,
    name: asset.filename ?? asset.assetId,
    type: mediaTypeOf(asset.mimeType)?.kind ?? 'document',
    owner: asset.tenant,
    space_id: asset.tenant,
    uploaded_at: unixSeconds(asset.completedAt ?? asset.createdAt),
    folder_id: null,
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

export function searchResultsJson(results: SearchResults, urls: PublicUrls): SearchResultsJson {
  return {
    data: results.hits.map(({ asset, type, orientation, score }) => ({
      id: asset.assetId,
      url: urls.fileUrl(asset.urlToken, asset.mimeType),
      type,
      width: asset.width,
      height: asset.height,
      orientation,
      is_transparent: null,
      asset_id: asset.assetId,
      name: asset.filename ?? asset.assetId,
      mime_type: asset.mimeType,
      score,
    })),
    has_more: results.nextToken !== null,
    next_token: results.nextToken,
  };
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

export function completionRequestedJson(batch: UploadBatch): CompletionRequestedJson {
  return { batch_id: batch.batchId };
}

export function initiatedBatchJson(batch: { batchId: string; items: readonly InitiatedUpload[] }): InitiatedBatchJson {
  return { batch_id: batch.batchId, items: batch.items.map(directUploadJson) };
}

/** Why an upload ended failed (or expired), as the error envelope's detail; null while it has not. */
function failureJson(asset: Asset): ErrorDetailJson | null {
  if (asset.status === 'expired') return envelope(errors.uploadExpired()).error;
  if (asset.status !== 'failed') return null;
  const code = (asset.failureCode ?? 'invalid_parameter') as ErrorCode;
  return envelope(new AppError(code, asset.failureMessage ?? 'The upload failed verification.')).error;
}

export function uploadBatchJson(view: BatchView, urls: PublicUrls): UploadBatchJson {
  return {
    batch_id: view.batch.batchId,
    status: view.status,
    title: view.batch.title,
    total_items: view.totalItems,
    counts_by_status: { ...view.countsByStatus },
    created_at: unixSeconds(view.batch.createdAt),
    items: view.items.map(({ index, asset, status }) => ({
      item_index: index,
      status,
      video_id: asset.assetId,
      error: failureJson(asset),
      asset_id: asset.assetId,
      asset_status: asset.status,
      filename: asset.filename,
      mime_type: asset.mimeType,
      size_bytes: asset.sizeBytes,
      url: urlOf(asset, urls),
    })),
    has_more: view.nextToken !== null,
    next_token: view.nextToken,
  };
}

export function assetStatusesJson(entries: readonly StatusEntry[]): AssetStatusesJson {
  return {
    data: entries.map((entry) => ({
      video_id: entry.assetId,
      status: entry.status,
      batch_id: entry.batchId,
      item_index: entry.itemIndex,
      error: entry.asset ? failureJson(entry.asset) : null,
      asset_id: entry.assetId,
    })),
    has_more: false,
    next_token: null,
  };
}
