// Every webhook event type an endpoint may subscribe to: the platform's (its schema's enum, in its order), each with
// whether assetd emits it, then assetd's own, which the platform does not have. Which platform type a finished job
// reports is decided here too (jobEventType), so the catalogue and what is emitted cannot disagree.
import type { Job } from './ports/index.js';

export interface EventTypeInfo {
  readonly eventType: string;
  readonly description: string;
  /** False for the platform's types of families assetd does not serve: listed, subscribable, never sent. */
  readonly emitted: boolean;
  /** True for assetd's own types (not in the platform's enum). */
  readonly extension: boolean;
}

const NOT_SERVED = 'assetd does not serve this family, so never sends it.';

/** The platform's event types, in its enum's order, with what each reports and whether assetd sends it. */
const PLATFORM: ReadonlyArray<readonly [string, string, boolean]> = [
  ['avatar_video.success', `An avatar video finished rendering. ${NOT_SERVED}`, false],
  ['avatar_video.fail', `An avatar video failed. ${NOT_SERVED}`, false],
  ['avatar_video_gif.success', `An avatar video's GIF is ready. ${NOT_SERVED}`, false],
  ['avatar_video_gif.fail', `An avatar video's GIF failed. ${NOT_SERVED}`, false],
  ['video_translate.success', 'A video translation (one output language) completed; event_data is the translation as GET /v3/video-translations/{id} shows it.', true],
  ['video_translate.fail', 'A video translation failed; event_data is the translation as its GET shows it, failure_message says why.', true],
  ['video_translate.preflight.validation_failed', `A translation's inputs failed the platform's preflight. assetd checks inputs when the job is created (a 400), so never sends it.`, false],
  ['video_translate.preflight.download_failed', `A translation's input could not be downloaded in the platform's preflight. assetd downloads url inputs when the job is created (a 400), so never sends it.`, false],
  ['personalized_video', `A personalized video is ready. ${NOT_SERVED}`, false],
  ['instant_avatar.success', 'A digital-twin avatar (POST /v3/avatars type digital_twin) completed; event_data is the avatar group as its GET shows it.', true],
  ['instant_avatar.fail', 'A digital-twin avatar failed; event_data is the avatar group as its GET shows it.', true],
  ['photo_avatar_generation.success', 'A photo avatar (POST /v3/avatars type photo or prompt) completed; event_data is the avatar group as its GET shows it.', true],
  ['photo_avatar_generation.fail', 'A photo avatar (type photo or prompt) failed; event_data is the avatar group as its GET shows it.', true],
  ['photo_avatar_train.success', `A photo avatar group finished training. ${NOT_SERVED}`, false],
  ['photo_avatar_train.fail', `A photo avatar group's training failed. ${NOT_SERVED}`, false],
  ['photo_avatar_add_motion.success', `Motion was added to a photo avatar. ${NOT_SERVED}`, false],
  ['photo_avatar_add_motion.fail', `Adding motion to a photo avatar failed. ${NOT_SERVED}`, false],
  ['proofread_creation.success', `A translation proofread was created. assetd's proofreads are not jobs that finish later, so never sends it.`, false],
  ['proofread_creation.fail', `A translation proofread failed. assetd's proofreads are not jobs that finish later, so never sends it.`, false],
  ['live_avatar.success', `A live avatar session ended. ${NOT_SERVED}`, false],
  ['live_avatar.fail', `A live avatar session failed. ${NOT_SERVED}`, false],
  ['avatar_video_caption.success', `An avatar video's captions are ready. ${NOT_SERVED}`, false],
  ['avatar_video_caption.fail', `An avatar video's captions failed. ${NOT_SERVED}`, false],
  ['video_agent.success', "A video-agent session's run completed; event_data is the session as GET /v3/video-agents/{id} shows it.", true],
  ['video_agent.fail', "A video-agent session's run failed or was stopped; event_data is the session as its GET shows it.", true],
  ['hyperframes_video.success', `A HyperFrames video finished. ${NOT_SERVED}`, false],
  ['hyperframes_video.fail', `A HyperFrames video failed. ${NOT_SERVED}`, false],
  ['ai_clipping.success', `AI clipping finished. ${NOT_SERVED}`, false],
  ['ai_clipping.fail', `AI clipping failed. ${NOT_SERVED}`, false],
  ['batch.finished', "A batch of video translations or lipsyncs finished. assetd has no job batches, so never sends it; a direct-upload batch's end is upload_batch.finished.", false],
];

/** assetd's own types, beside the platform's. */
export const ASSETD_EVENT_TYPES = {
  'asset.completed': 'An asset is completed: its bytes are stored, verified and readable at its url.',
  'asset.failed': 'A direct upload failed verification (size, checksum or type); failure_code says why.',
  'asset.deleted': 'An asset was deleted: its url no longer serves it.',
  'asset.expired': 'A direct upload was not completed before its upload URL expired.',
  'upload_batch.finished': 'No item of a direct-upload batch is pending any more; counts_by_status says how each ended. Also sent to the batch callback_url.',
  'lipsync.success': 'A lipsync completed; event_data is the lipsync as GET /v3/lipsyncs/{id} shows it (the platform has no lipsync event type).',
  'lipsync.fail': 'A lipsync failed; event_data is the lipsync as its GET shows it.',
  'webhook_endpoint.disabled': 'An endpoint of this tenant was disabled because every delivery to it failed for 5 days; event_data.reason says why.',
} as const;

export type AssetdEventType = keyof typeof ASSETD_EVENT_TYPES;

export const EVENT_TYPES: readonly EventTypeInfo[] = [
  ...PLATFORM.map(([eventType, description, emitted]) => ({ eventType, description, emitted, extension: false })),
  ...Object.entries(ASSETD_EVENT_TYPES).map(([eventType, description]) => ({ eventType, description, emitted: true, extension: true })),
];

const KNOWN = new Set(EVENT_TYPES.map((t) => t.eventType));

export const isEventType = (value: string): boolean => KNOWN.has(value);

/** The event type a finished job reports: its family's success or fail. */
export function jobEventType(job: Pick<Job, 'kind' | 'request'>, outcome: 'completed' | 'failed'): string {
  const suffix = outcome === 'completed' ? 'success' : 'fail';
  switch (job.kind) {
    case 'video_agent':
      return `video_agent.${suffix}`;
    case 'video_translation':
      return `video_translate.${suffix}`;
    case 'lipsync':
      return `lipsync.${suffix}`;
    case 'avatar':
      return job.request.type === 'digital_twin' ? `instant_avatar.${suffix}` : `photo_avatar_generation.${suffix}`;
  }
}
