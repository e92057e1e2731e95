// Domain records → the JSON shapes of the contract (snake_case, ISO times, public URLs).
import type { PublicUrls } from '../domain/public-urls.js';
import type { Asset } from '../metadata/port.js';

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
  };
}
