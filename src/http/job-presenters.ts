// Jobs → the JSON of the four families (and of the worker API), one presenter per shape, each returning the static
// type of its response schema. The platform's fields come first, in its words and types (unix seconds, the family's
// status words); assetd's own follow: input and output files as {asset_id, url, mime_type}, callback_url, updated_at.
import { inputAssetIdsOf, type JobListing, type JobStatusLookup, type JobWithAssets } from '../domain/jobs.js';
import {
  AVATAR_STATUS,
  FAILURE_CODE,
  familyStatus,
  lookIdOf,
  progressOf,
  RUN_STATUS,
  SESSION_STATUS,
  sessionMessages,
  unixSeconds,
} from '../domain/job-views.js';
import type { PublicUrls } from '../domain/public-urls.js';
import type { Asset, Job } from '../domain/ports/index.js';
import { mediaTypeOf } from '../media/types.js';
import type {
  AvatarCreatedJson,
  AvatarGroupJson,
  AvatarLookJson,
  DeletedJobJson,
  FollowUpJson,
  JobFileJson,
  JobStatusesJson,
  LipsyncCreatedJson,
  LipsyncJson,
  LipsyncPageJson,
  SessionCreatedJson,
  SessionJson,
  SessionPageJson,
  StoppedSessionJson,
  TranslationsCreatedJson,
  VideoTranslationJson,
  VideoTranslationPageJson,
} from './schemas/jobs.js';

type Assets = ReadonlyMap<string, Asset>;

export function fileJson(assetId: string, assets: Assets, urls: PublicUrls, detailed = false) {
  const asset = assets.get(assetId);
  if (!asset) return { asset_id: assetId, url: null, mime_type: null };
  return {
    asset_id: assetId,
    url: urls.fileUrl(asset.urlToken, asset.mimeType),
    mime_type: asset.mimeType,
    ...(detailed ? { size_bytes: asset.sizeBytes, sha256: asset.sha256 } : {}),
  };
}

const jobFile = (assetId: string, assets: Assets, urls: PublicUrls): JobFileJson => fileJson(assetId, assets, urls);

/** The file in a single-file field of the request (an asset id), or null. */
function fieldFile(job: Job, field: string, assets: Assets, urls: PublicUrls): JobFileJson | null {
  const id = job.request[field];
  return typeof id === 'string' ? jobFile(id, assets, urls) : null;
}

const stringOf = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const failureOf = (job: Job) => (job.status === 'failed' ? { code: FAILURE_CODE, message: job.errorMessage ?? 'The job failed.' } : null);
const kindOf = (asset: Asset | undefined) => (asset ? mediaTypeOf(asset.mimeType)?.kind : undefined);

/** The request with every asset id in a file field expanded to a file object. */
function expandedRequest(job: Job, assets: Assets, urls: PublicUrls, detailed: boolean) {
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

// Video agents.

export function sessionCreatedJson(job: Job): SessionCreatedJson {
  return { session_id: job.jobId, status: SESSION_STATUS[job.status], video_id: job.outputAssetId, created_at: unixSeconds(job.createdAt) };
}

export function sessionJson({ job, assets }: JobWithAssets, urls: PublicUrls): SessionJson {
  return {
    session_id: job.jobId,
    status: SESSION_STATUS[job.status],
    title: stringOf(job.request.title),
    video_id: job.outputAssetId,
    progress: progressOf(job.status),
    created_at: unixSeconds(job.createdAt),
    messages: sessionMessages(job).map((m) => ({
      role: m.role,
      type: m.type,
      content: m.content,
      created_at: m.createdAt ? unixSeconds(m.createdAt) : null,
      resource_ids: m.resourceIds,
      run_id: m.runId,
      files: m.resourceIds.map((id) => jobFile(id, assets, urls)),
    })),
    mode: job.request.mode === 'chat' ? 'chat' : 'generate',
    video_url: job.outputAssetId ? jobFile(job.outputAssetId, assets, urls).url : null,
    callback_id: stringOf(job.request.callback_id),
    callback_url: job.callbackUrl,
    updated_at: job.updatedAt.toISOString(),
  };
}

export function sessionPageJson(page: JobListing): SessionPageJson {
  return {
    data: page.jobs.map(({ job }) => ({
      session_id: job.jobId,
      title: stringOf(job.request.title),
      created_at: unixSeconds(job.createdAt),
      status: SESSION_STATUS[job.status],
    })),
    has_more: page.nextToken !== null,
    next_token: page.nextToken,
  };
}

export function followUpJson(job: Job, runId: string): FollowUpJson {
  return { run_id: runId, session_id: job.jobId, title: stringOf(job.request.title) };
}

export function stoppedSessionJson(job: Job): StoppedSessionJson {
  return { session_id: job.jobId };
}

// Avatars: the job is the group, and its one look.

/** The output's url, as a preview of its kind (an image or a video). */
function previews({ job, assets }: JobWithAssets, urls: PublicUrls) {
  const output = job.outputAssetId ? assets.get(job.outputAssetId) : undefined;
  const url = job.outputAssetId ? jobFile(job.outputAssetId, assets, urls).url : null;
  const kind = kindOf(output);
  return { preview_image_url: kind === 'image' ? url : null, preview_video_url: kind === 'video' ? url : null, output };
}

export function avatarGroupJson(view: JobWithAssets, urls: PublicUrls): AvatarGroupJson {
  const { job, assets } = view;
  const { preview_image_url, preview_video_url } = previews(view, urls);
  const references = (job.request.reference_images as string[] | undefined) ?? [];
  return {
    id: job.jobId,
    name: stringOf(job.request.name) ?? '',
    created_at: unixSeconds(job.createdAt),
    looks_count: 1,
    status: AVATAR_STATUS[job.status],
    error: failureOf(job),
    preview_image_url,
    preview_video_url,
    consent_status: null,
    default_voice_id: null,
    gender: null,
    type: job.request.type === 'digital_twin' ? 'digital_twin' : job.request.type === 'prompt' ? 'prompt' : 'photo',
    file: fieldFile(job, 'file', assets, urls),
    reference_images: references.map((id) => jobFile(id, assets, urls)),
    updated_at: job.updatedAt.toISOString(),
  };
}

/** Portrait, landscape or square, from the output's pixel size; undefined where the bytes do not tell. */
function orientationOf(asset: Asset | undefined): AvatarLookJson['preferred_orientation'] {
  if (!asset || asset.width === null || asset.height === null) return undefined;
  return asset.width === asset.height ? 'square' : asset.width > asset.height ? 'landscape' : 'portrait';
}

export function avatarLookJson(view: JobWithAssets, urls: PublicUrls): AvatarLookJson {
  const { job } = view;
  const { preview_image_url, preview_video_url, output } = previews(view, urls);
  const orientation = orientationOf(output);
  return {
    id: lookIdOf(job.jobId),
    name: stringOf(job.request.name) ?? '',
    avatar_type: job.request.type === 'digital_twin' ? 'digital_twin' : 'photo_avatar',
    group_id: job.jobId,
    status: AVATAR_STATUS[job.status],
    error: failureOf(job),
    preview_image_url,
    preview_video_url,
    image_width: output?.width ?? null,
    image_height: output?.height ?? null,
    ...(orientation ? { preferred_orientation: orientation } : {}),
    supported_api_engines: [],
    tags: [],
    default_voice_id: null,
    gender: null,
    created_at: unixSeconds(job.createdAt),
  };
}

export function avatarCreatedJson(view: JobWithAssets, urls: PublicUrls): AvatarCreatedJson {
  return { avatar_group: avatarGroupJson(view, urls), avatar_item: avatarLookJson(view, urls) };
}

// Lipsyncs and video translations.

/** Where the worker's output shows: subtitles as captions, audio as audio (where the family has it), else video. */
function outputUrls({ job, assets }: JobWithAssets, urls: PublicUrls) {
  const output = job.outputAssetId ? assets.get(job.outputAssetId) : undefined;
  const url = job.outputAssetId ? jobFile(job.outputAssetId, assets, urls).url : null;
  const kind = kindOf(output);
  return {
    url,
    kind,
    duration: output?.durationSeconds ?? null,
    output: job.outputAssetId ? jobFile(job.outputAssetId, assets, urls) : null,
  };
}

function runJson(view: JobWithAssets, urls: PublicUrls, videoUrl: string | null) {
  const { job, assets } = view;
  const { duration, output } = outputUrls(view, urls);
  return {
    id: job.jobId,
    status: RUN_STATUS[job.status],
    title: stringOf(job.request.title),
    video_url: videoUrl,
    failure_message: job.status === 'failed' ? (job.errorMessage ?? 'The job failed.') : null,
    duration,
    created_at: unixSeconds(job.createdAt),
    callback_id: stringOf(job.request.callback_id),
    video: fieldFile(job, 'video', assets, urls),
    output,
    callback_url: job.callbackUrl,
    updated_at: job.updatedAt.toISOString(),
  };
}

export function lipsyncJson(view: JobWithAssets, urls: PublicUrls): LipsyncJson {
  const { url, kind } = outputUrls(view, urls);
  return {
    ...runJson(view, urls, kind === 'subtitle' ? null : url),
    caption_url: kind === 'subtitle' ? url : null,
    audio: fieldFile(view.job, 'audio', view.assets, urls),
  };
}

export function videoTranslationJson(view: JobWithAssets, urls: PublicUrls): VideoTranslationJson {
  const { job, assets } = view;
  const { url, kind } = outputUrls(view, urls);
  return {
    ...runJson(view, urls, kind === 'subtitle' || kind === 'audio' ? null : url),
    audio_url: kind === 'audio' ? url : null,
    srt_caption_url: kind === 'subtitle' ? url : null,
    vtt_caption_url: null,
    input_language: stringOf(job.request.input_language),
    output_language: stringOf(job.request.output_language),
    translate_audio_only: typeof job.request.translate_audio_only === 'boolean' ? job.request.translate_audio_only : null,
    audio: fieldFile(job, 'audio', assets, urls),
    srt: fieldFile(job, 'srt', assets, urls),
  };
}

export function lipsyncPageJson(page: JobListing, urls: PublicUrls): LipsyncPageJson {
  return { data: page.jobs.map((view) => lipsyncJson(view, urls)), has_more: page.nextToken !== null, next_token: page.nextToken };
}

export function videoTranslationPageJson(page: JobListing, urls: PublicUrls): VideoTranslationPageJson {
  return {
    data: page.jobs.map((view) => videoTranslationJson(view, urls)),
    has_more: page.nextToken !== null,
    next_token: page.nextToken,
  };
}

export function lipsyncCreatedJson(job: Job): LipsyncCreatedJson {
  return { lipsync_id: job.jobId };
}

export function translationsCreatedJson(jobs: readonly Job[]): TranslationsCreatedJson {
  return { video_translation_ids: jobs.map((job) => job.jobId) };
}

export function deletedJobJson(job: Job): DeletedJobJson {
  return { id: job.jobId };
}

/** The jobs asked for in their family's words, then each batch asked for: assetd has no job batches. */
export function jobStatusesJson(lookup: JobStatusLookup): JobStatusesJson {
  return {
    data: [
      ...lookup.jobs.map(({ jobId, job }) => ({
        video_id: jobId,
        status: job ? familyStatus(job.kind, job.status) : 'not_found',
        batch_id: null,
        item_index: null,
        error: job ? failureOf(job) : null,
      })),
      ...lookup.batchIds.map((batchId) => ({ video_id: null, status: 'not_found', batch_id: batchId, item_index: null, error: null })),
    ],
    has_more: false,
    next_token: null,
  };
}

/** A job in its family's GET shape: what its callback POSTs. */
export function jobJson(view: JobWithAssets, urls: PublicUrls): SessionJson | AvatarGroupJson | VideoTranslationJson | LipsyncJson {
  switch (view.job.kind) {
    case 'video_agent':
      return sessionJson(view, urls);
    case 'avatar':
      return avatarGroupJson(view, urls);
    case 'video_translation':
      return videoTranslationJson(view, urls);
    case 'lipsync':
      return lipsyncJson(view, urls);
  }
}

// The worker API.

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
