// The presenter of the MultipartUpload shape: a multipart upload's state, with the part URLs of this answer.
import type { MultipartView } from '../domain/multipart-uploads.js';
import type { MultipartUploadJson } from './schemas/multipart-uploads.js';

export function multipartUploadJson(view: MultipartView, maxBytes: number): MultipartUploadJson {
  const { asset, plan } = view;
  return {
    asset_id: asset.assetId,
    status: asset.status,
    filename: asset.filename,
    content_type: asset.mimeType,
    size_bytes: asset.sizeBytes,
    part_size_bytes: plan.partSizeBytes,
    part_count: plan.partCount,
    part_checksums: asset.multipart?.partChecksums === true,
    parts_received: view.received.map((p) => ({
      part_number: p.partNumber,
      size_bytes: p.sizeBytes,
      etag: p.etag,
      checksum_sha256: p.sha256,
    })),
    parts: view.targets.map((t) => ({ part_number: t.partNumber, size_bytes: t.sizeBytes, upload_url: t.url, upload_headers: t.headers })),
    next_part_number_marker: view.nextMarker,
    expires_in_seconds: view.urlExpiresInSeconds,
    upload_expires_at: asset.expiresAt && asset.status === 'pending_upload' ? Math.floor(asset.expiresAt.getTime() / 1000) : null,
    max_bytes: maxBytes,
  };
}
