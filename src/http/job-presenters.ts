// Jobs → the JSON of the endpoints that take files (and of the worker API). File fields show the asset id with its
// url and type; video-agent sessions speak of `thinking` and `generating` where other jobs say pending/processing.
import { inputAssetIdsOf, type JobWithAssets } from '../domain/jobs.js';
import type { PublicUrls } from '../domain/public-urls.js';
import type { Asset, Job, JobKind } from '../domain/ports/index.js';

const ID_FIELD: Readonly<Record<JobKind, string>> = {
  video_agent: 'session_id',
  avatar: 'avatar_id',
  video_translation: 'video_translation_id',
  lipsync: 'lipsync_id',
};

const AGENT_STATUS = { pending: 'thinking', processing: 'generating', completed: 'completed', failed: 'failed' } as const;

export function fileJson(assetId: string, assets: ReadonlyMap<string, Asset>, urls: PublicUrls, detailed = false) {
  const asset = assets.get(assetId);
  if (!asset) return { asset_id: assetId, url: null, mime_type: null };
  return {
    asset_id: assetId,
    url: urls.fileUrl(asset.urlToken, asset.mimeType),
    mime_type: asset.mimeType,
    ...(detailed ? { size_bytes: asset.sizeBytes, sha256: asset.sha256 } : {}),
  };
}

/** The request with every asset id in a file field expanded to a file object. */
function expandedRequest(job: Job, assets: ReadonlyMap<string, Asset>, urls: PublicUrls, detailed: boolean) {
  const ids = new Set(inputAssetIdsOf(job));
  const expand = (value: unknown): unknown => {
    if (typeof value === 'string' && ids.has(value)) return fileJson(value, assets, urls, detailed);
    if (Array.isArray(value)) return value.map(expand);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
    }
    return value;
  };
  const { input_asset_ids: _ids, ...rest } = job.request;
  return expand(rest) as Record<string, unknown>;
}

export function jobJson({ job, assets }: JobWithAssets, urls: PublicUrls) {
  const output = job.outputAssetId ? fileJson(job.outputAssetId, assets, urls) : null;
  const common = {
    [ID_FIELD[job.kind]]: job.jobId,
    status: job.kind === 'video_agent' ? AGENT_STATUS[job.status] : job.status,
    ...expandedRequest(job, assets, urls, false),
    error: job.errorMessage ? { message: job.errorMessage } : null,
    callback_url: job.callbackUrl,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
  };
  if (job.kind === 'video_agent') return { ...common, video_id: job.outputAssetId, video_url: output?.url ?? null };
  return { ...common, output };
}

export function workerJobJson({ job, assets }: JobWithAssets, urls: PublicUrls) {
  const inputs = inputAssetIdsOf(job).map((id) => fileJson(id, assets, urls, true));
  return {
    job_id: job.jobId,
    kind: job.kind,
    tenant: job.tenant,
    status: job.status,
    request: expandedRequest(job, assets, urls, true),
    inputs,
    lease_id: job.leaseId,
    lease_expires_at: job.leaseExpiresAt?.toISOString() ?? null,
    attempts: job.attempts,
    output: job.outputAssetId ? fileJson(job.outputAssetId, assets, urls, true) : null,
    created_at: job.createdAt.toISOString(),
  };
}
