// The shapes of the four job families (video agents, avatars, video translations, lipsyncs), as the platform
// publishes them. Each body lists exactly the platform's documented properties (nullable where it says) and no
// other, so an unknown field is 400 naming it; the domain's plans (domain/job-plans.ts) do the finer checks. Each
// answer has the platform's fields with its types, and assetd's own beside them where marked "assetd's own".
import { Type, type Static, type TSchema } from 'typebox';
import { ALL_FORMATS } from '../../domain/file-inputs.js';
import { AVATAR_TYPES, SESSION_MODES } from '../../domain/job-plans.js';
import { AVATAR_STATUSES, RUN_STATUSES, SESSION_STATUSES } from '../../domain/job-views.js';
import { Defaulted, Nullable, OptionalBody, RefOf, StringEnum } from './helpers.js';

/** A file given by asset id, url or base64 data; which fields it needs is checked by the domain. */
export const FileInput = Type.Object(
  {
    type: StringEnum(ALL_FORMATS),
    asset_id: Type.Optional(Type.String({ maxLength: 128 })),
    url: Type.Optional(Type.String({ maxLength: 8192 })),
    media_type: Type.Optional(Type.String({ maxLength: 255 })),
    data: Type.Optional(Type.String()),
  },
  { $id: 'FileInput', additionalProperties: false },
);
type FileInputJson = Static<typeof FileInput>;

/** A string enum that also takes null (the enum must list null, or ajv refuses it). */
function NullableEnum<const V extends readonly string[]>(values: V) {
  return Type.Unsafe<V[number] | null>({ type: ['string', 'null'], enum: [...values, null] });
}

const optional = <T extends TSchema>(schema: T) => Type.Optional(schema);
const nullableString = (maxLength = 255) => optional(Nullable(Type.String({ maxLength })));
const file = RefOf(FileInput);
const nullableFile = optional(Type.Unsafe<FileInputJson | null>({ anyOf: [{ $ref: 'FileInput#' }, { type: 'null' }] }));
const files = Type.Array(file);
const callbackUrl = optional(
  Nullable(Type.String({ maxLength: 2048, description: 'Gets a signed POST of the GET shape when the job completes or fails.' })),
);
const title = nullableString(1000);
const callbackId = nullableString(1000);

export const VideoAgentBody = Type.Object(
  {
    prompt: Type.String(),
    files: optional(Nullable(files)),
    mode: Defaulted(StringEnum(SESSION_MODES), 'generate'),
    avatar_id: nullableString(),
    voice_id: nullableString(),
    style_id: nullableString(),
    brand_kit_id: nullableString(),
    orientation: optional(NullableEnum(['landscape', 'portrait'])),
    incognito_mode: Defaulted(Type.Boolean(), false),
    callback_url: callbackUrl,
    callback_id: callbackId,
  },
  { additionalProperties: false },
);

export const VideoAgentMessageBody = Type.Object(
  {
    message: Type.String(),
    files: optional(Nullable(files)),
    avatar_id: nullableString(),
    voice_id: nullableString(),
    brand_kit_id: nullableString(),
  },
  { additionalProperties: false },
);

export const StopBody = OptionalBody(Type.Object({}, { additionalProperties: false }));

/** The platform's three shapes (photo, digital twin, prompt) in one: the domain checks which fields go together. */
export const AvatarBody = Type.Object(
  {
    type: StringEnum(AVATAR_TYPES),
    name: Type.String(),
    file: optional(file),
    prompt: optional(Type.String()),
    reference_images: optional(Nullable(files)),
    avatar_group_id: nullableString(),
    avatar_id: nullableString(),
  },
  { additionalProperties: false },
);

/** What video translations and lipsyncs both take besides their files. */
const renderOptions = {
  title,
  callback_url: callbackUrl,
  callback_id: callbackId,
  folder_id: nullableString(),
  mode: Defaulted(StringEnum(['speed', 'precision']), 'speed'),
  disable_music_track: Defaulted(Type.Boolean(), false),
  enable_caption: Defaulted(Type.Boolean(), false),
  enable_dynamic_duration: Defaulted(Type.Boolean(), true),
  enable_speech_enhancement: Defaulted(Type.Boolean(), false),
  enable_watermark: Defaulted(Type.Boolean(), false),
  keep_the_same_format: optional(Nullable(Type.Boolean())),
  start_time: optional(Nullable(Type.Number({ minimum: 0 }))),
  end_time: optional(Nullable(Type.Number({ minimum: 0 }))),
};

export const VideoTranslationBody = Type.Object(
  {
    video: file,
    audio: nullableFile,
    srt: nullableFile,
    output_languages: Type.Array(Type.String()),
    ...renderOptions,
    input_language: nullableString(35),
    brand_glossary_id: nullableString(),
    brand_voice_id: nullableString(),
    fps_mode: optional(NullableEnum(['vfr', 'cfr', 'passthrough'])),
    speaker_num: optional(Nullable(Type.Integer({ minimum: 1, maximum: 100 }))),
    srt_role: optional(NullableEnum(['input', 'output'])),
    translate_audio_only: Defaulted(Type.Boolean(), false),
    stock_voice_config: optional(
      Nullable(
        Type.Object(
          {
            preferred_stock_voice_ids: optional(Type.Array(Type.String({ maxLength: 255 }))),
            use_stock_voice: Defaulted(Type.Boolean(), false),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

export const LipsyncBody = Type.Object(
  { video: file, audio: file, ...renderOptions, fps_mode: nullableString() },
  { additionalProperties: false },
);

export const TitleBody = Type.Object({ title: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });

const id = Type.String({ minLength: 1, maxLength: 128 });
export const SessionParams = Type.Object({ session_id: id });
export const GroupParams = Type.Object({ group_id: id });
export const LookParams = Type.Object({ look_id: id });
export const TranslationParams = Type.Object({ video_translation_id: id });
export const LipsyncParams = Type.Object({ lipsync_id: id });

export const ListQuery = Type.Object({
  limit: Defaulted(Type.Integer({ minimum: 1, maximum: 100 }), 20),
  token: optional(Type.String({ maxLength: 256 })),
});

// Up to 100 ids of up to 128 characters, and their commas.
const idList = optional(Type.String({ maxLength: 100 * 129 }));
export const LipsyncStatusesQuery = Type.Object({ lipsync_ids: idList, batch_ids: idList });
export const TranslationStatusesQuery = Type.Object({ video_translation_ids: idList, batch_ids: idList });

// Answers.

const ours = (description: string) => ({ description: `assetd's own: ${description}` });
const unix = (description = 'Unix seconds.') => Type.Integer({ description });
const updatedAt = Type.String({ format: 'date-time', ...ours('when the job last changed (ISO 8601, to the millisecond).') });
const callbackUrlOut = Nullable(Type.String(ours('where the job calls back.')));
const FailureError = Type.Object({ code: Type.String(), message: Type.String() });

/** An input or output file of a job (assetd's own): the asset, its url and type. */
export const JobFile = Type.Object(
  { asset_id: Type.String(), url: Nullable(Type.String()), mime_type: Nullable(Type.String()) },
  ours('a file of the job: its asset id, url and type.'),
);
export type JobFileJson = Static<typeof JobFile>;

export const SessionCreated = Type.Object({
  session_id: Type.String(),
  status: StringEnum(SESSION_STATUSES),
  video_id: Nullable(Type.String()),
  created_at: unix(),
});
export type SessionCreatedJson = Static<typeof SessionCreated>;

export const SessionMessage = Type.Object({
  role: StringEnum(['user', 'assistant']),
  type: StringEnum(['text', 'resource', 'error']),
  content: Type.String(),
  created_at: Nullable(unix()),
  resource_ids: Nullable(Type.Array(Type.String(), { description: 'Asset ids: the files of a user message, the output of a run.' })),
  run_id: Nullable(Type.String(ours('the run this message started or closed.'))),
  files: Type.Array(JobFile, ours('the resources as files.')),
});
export type SessionMessageJson = Static<typeof SessionMessage>;

export const Session = Type.Object({
  session_id: Type.String(),
  status: StringEnum(SESSION_STATUSES),
  title: Nullable(Type.String()),
  video_id: Nullable(Type.String({ description: 'The asset id of the output.' })),
  progress: Type.Integer({ description: '0 thinking, 50 generating, 100 finished.' }),
  created_at: unix(),
  messages: Type.Array(SessionMessage),
  mode: Type.Unsafe<(typeof SESSION_MODES)[number]>({ ...StringEnum(SESSION_MODES), ...ours('generate, or chat (takes follow-ups).') }),
  video_url: Nullable(Type.String(ours("the output's url."))),
  callback_id: Nullable(Type.String(ours('as given at creation.'))),
  callback_url: callbackUrlOut,
  updated_at: updatedAt,
});
export type SessionJson = Static<typeof Session>;

export const SessionPage = Type.Object({
  data: Type.Array(
    Type.Object({
      session_id: Type.String(),
      title: Nullable(Type.String()),
      created_at: unix(),
      status: Type.Unsafe<(typeof SESSION_STATUSES)[number]>({ ...StringEnum(SESSION_STATUSES), ...ours('as in the session.') }),
    }),
  ),
  has_more: Type.Boolean(),
  next_token: Nullable(Type.String()),
});
export type SessionPageJson = Static<typeof SessionPage>;

export const FollowUp = Type.Object({ run_id: Type.String(), session_id: Type.String(), title: Nullable(Type.String()) });
export type FollowUpJson = Static<typeof FollowUp>;

export const StoppedSession = Type.Object({ session_id: Type.String() });
export type StoppedSessionJson = Static<typeof StoppedSession>;

export const AvatarGroup = Type.Object({
  id: Type.String(),
  name: Type.String(),
  created_at: unix(),
  looks_count: Type.Integer(),
  status: StringEnum(AVATAR_STATUSES),
  error: Nullable(FailureError),
  preview_image_url: Nullable(Type.String()),
  preview_video_url: Nullable(Type.String()),
  consent_status: Nullable(Type.String()),
  default_voice_id: Nullable(Type.String()),
  gender: Nullable(Type.String()),
  type: Type.Unsafe<(typeof AVATAR_TYPES)[number]>({ ...StringEnum(AVATAR_TYPES), ...ours('how it was made.') }),
  file: Nullable(JobFile),
  reference_images: Type.Array(JobFile, ours('the reference images of a prompt avatar.')),
  updated_at: updatedAt,
});
export type AvatarGroupJson = Static<typeof AvatarGroup>;

export const AvatarLook = Type.Object({
  id: Type.String(),
  name: Type.String(),
  avatar_type: StringEnum(['studio_avatar', 'digital_twin', 'photo_avatar']),
  group_id: Nullable(Type.String()),
  status: StringEnum(AVATAR_STATUSES),
  error: Nullable(FailureError),
  preview_image_url: Nullable(Type.String()),
  preview_video_url: Nullable(Type.String()),
  image_width: Nullable(Type.Integer()),
  image_height: Nullable(Type.Integer()),
  // Left out while unknown: the platform's enum does not list null, so a null would not be one of its values.
  preferred_orientation: optional(StringEnum(['portrait', 'landscape', 'square'])),
  supported_api_engines: Type.Array(Type.String()),
  tags: Type.Array(Type.String()),
  default_voice_id: Nullable(Type.String()),
  gender: Nullable(Type.String()),
  created_at: unix("assetd's own: unix seconds."),
});
export type AvatarLookJson = Static<typeof AvatarLook>;

export const AvatarCreated = Type.Object({ avatar_group: AvatarGroup, avatar_item: AvatarLook });
export type AvatarCreatedJson = Static<typeof AvatarCreated>;

/** What lipsyncs and video translations both read as. */
const runFields = {
  id: Type.String(),
  status: StringEnum(RUN_STATUSES),
  title: Nullable(Type.String()),
  video_url: Nullable(Type.String()),
  failure_message: Nullable(Type.String()),
  duration: Nullable(Type.Number({ description: "The output's length in seconds, where its bytes tell." })),
  created_at: unix(),
  callback_id: Nullable(Type.String()),
  video: Nullable(JobFile),
  output: Nullable(JobFile),
  callback_url: callbackUrlOut,
  updated_at: updatedAt,
};

export const Lipsync = Type.Object({ ...runFields, caption_url: Nullable(Type.String()), audio: Nullable(JobFile) });
export type LipsyncJson = Static<typeof Lipsync>;

export const VideoTranslation = Type.Object({
  ...runFields,
  audio_url: Nullable(Type.String()),
  srt_caption_url: Nullable(Type.String()),
  vtt_caption_url: Nullable(Type.String()),
  input_language: Nullable(Type.String()),
  output_language: Nullable(Type.String()),
  translate_audio_only: Nullable(Type.Boolean()),
  audio: Nullable(JobFile),
  srt: Nullable(JobFile),
});
export type VideoTranslationJson = Static<typeof VideoTranslation>;

const page = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), has_more: Type.Boolean(), next_token: Nullable(Type.String()) });
export const LipsyncPage = page(Lipsync);
export type LipsyncPageJson = Static<typeof LipsyncPage>;
export const VideoTranslationPage = page(VideoTranslation);
export type VideoTranslationPageJson = Static<typeof VideoTranslationPage>;

export const LipsyncCreated = Type.Object({ lipsync_id: Type.String() });
export type LipsyncCreatedJson = Static<typeof LipsyncCreated>;
export const TranslationsCreated = Type.Object({
  video_translation_ids: Type.Array(Type.String(), { description: 'One per output language, in their order.' }),
});
export type TranslationsCreatedJson = Static<typeof TranslationsCreated>;

export const DeletedJob = Type.Object({ id: Type.String() });
export type DeletedJobJson = Static<typeof DeletedJob>;

export const JobStatuses = Type.Object({
  data: Type.Array(
    Type.Object({
      video_id: Nullable(Type.String({ description: 'The job id asked about.' })),
      status: Type.String({ description: "The family's status word, or not_found." }),
      batch_id: Nullable(Type.String()),
      item_index: Nullable(Type.Integer()),
      error: Nullable(FailureError),
    }),
  ),
  has_more: Type.Boolean(),
  next_token: Nullable(Type.String()),
});
export type JobStatusesJson = Static<typeof JobStatuses>;
