// Domain records → the JSON shapes of the contract (snake_case, ISO times, public URLs).
import type { InitiatedUpload } from '../domain/direct-uploads.js';
import type { PublicUrls } from '../domain/public-urls.js';
import type { BatchView } from '../domain/upload-batches.js';
import { envelope } from './errors.js';
import type { Asset } from '../domain/ports/index.js';

export function uploadedAssetJson(asset: Asset, urls: PublicUrls) {
  return {
    asset_id: asset.assetId,
    url: urls.fileUrl(asset.urlToken, asset.mimeType),
    mime_type: asset.mimeType,
    size_bytes: asset.sizeBytes,
  };
}

export function assetJson(asset: Asset, urls: PublicUrls) {
  return {
    asset_id: asset.assetId,
    status: asset.status,
    mime_type: asset.mimeType,
    size_bytes: asset.sizeBytes,
    sha256: asset.sha256,
    filename: asset.filename,
    created_at: asset.createdAt.toISOString(),
    completed_at: asset.completedAt?.toISOString() ?? null,
    url: asset.status === 'completed' ? urls.fileUrl(asset.urlToken, asset.mimeType) : null,
    ...(asset.width !== null ? { width: asset.width } : {}),
    ...(asset.height !== null ? { height: asset.height } : {}),
    ...(asset.durationSeconds !== null ? { duration_seconds: asset.durationSeconds } : {}),
  };
}

export function directUploadJson(upload: InitiatedUpload) {
  return {
    asset_id: upload.asset.assetId,
    upload_url: upload.target.url,
    upload_headers: upload.target.headers,
    expires_in_seconds: upload.expiresInSeconds,
    max_bytes: upload.maxBytes,
    status: 'pending_upload' as const,
  };
}

export function completedUploadJson(asset: Asset, urls: PublicUrls) {
  return { ...uploadedAssetJson(asset, urls), status: asset.status };
}

export function batchJson(batch: BatchView, urls: PublicUrls) {
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
      url: asset.status === 'completed' ? urls.fileUrl(asset.urlToken, asset.mimeType) : null,
      error: error ? envelope(error).error : null,
    })),
  };
}
