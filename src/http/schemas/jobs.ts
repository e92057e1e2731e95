// The bodies of the endpoints that take files. They carry the fields' types and `required`; the domain's plans
// (domain/job-plans.ts) do the finer checks, so the bodies keep accepting fields they do not list.
import { Type } from 'typebox';
import { ALL_FORMATS } from '../../domain/file-inputs.js';
import { RefOf, StringEnum } from './helpers.js';

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

const file = RefOf(FileInput);
const files = Type.Array(file);
const callbackUrl = Type.String({ maxLength: 2048, description: 'Gets a signed POST when the job completes or fails.' });

export const VideoAgentBody = Type.Object({
  prompt: Type.String(),
  files: Type.Optional(files),
  callback_url: Type.Optional(callbackUrl),
});

export const VideoAgentMessageBody = Type.Object({ message: Type.String(), files: Type.Optional(files) });

export const AvatarBody = Type.Object({
  type: StringEnum(['photo', 'digital_twin', 'prompt']),
  name: Type.Optional(Type.String()),
  file: Type.Optional(file),
  prompt: Type.Optional(Type.String()),
  reference_images: Type.Optional(files),
  callback_url: Type.Optional(callbackUrl),
});

export const VideoTranslationBody = Type.Object({
  video: file,
  audio: Type.Optional(file),
  srt: Type.Optional(file),
  output_languages: Type.Array(Type.String()),
  callback_url: Type.Optional(callbackUrl),
});

export const LipsyncBody = Type.Object({ video: file, audio: file, callback_url: Type.Optional(callbackUrl) });

export const JobParams = Type.Object({ id: Type.String({ maxLength: 128 }) });
