// What each endpoint that takes files accepts: which fields are file inputs, of which media kinds, in which formats,
// and which plain fields go with them. A plan is checked here; the resolver then turns its inputs into assets.
import type { MediaKind } from '../media/types.js';
import { errors } from './errors.js';
import { ALL_FORMATS, parseFileInput, type FileInput, type FileInputFormat, type InputRule } from './file-inputs.js';
import type { JobKind } from './ports/index.js';

export const MAX_AGENT_FILES = 20;
export const MAX_REFERENCE_IMAGES = 3;
const URL_OR_ID: readonly FileInputFormat[] = ['url', 'asset_id'];
const AGENT_KINDS: readonly MediaKind[] = ['image', 'video', 'audio', 'document'];

export interface PlannedInput {
  /** The request field the asset id goes into; `index` says it is the n-th of a list. */
  readonly field: string;
  readonly index?: number;
  readonly input: FileInput;
  readonly rule: InputRule;
}

export interface JobPlan {
  readonly kind: JobKind;
  /** The request's plain fields, stored as they are. */
  readonly fields: Record<string, unknown>;
  readonly inputs: readonly PlannedInput[];
}

type Body = Record<string, unknown>;

function single(body: Body, field: string, kinds: readonly MediaKind[], formats: readonly FileInputFormat[], required: boolean): PlannedInput[] {
  const raw = body[field];
  if (raw === undefined || raw === null) {
    if (required) throw errors.invalidParameter(`${field} is required.`, field);
    return [];
  }
  return [{ field, input: parseFileInput(raw, field), rule: { param: field, kinds, formats } }];
}

function list(body: Body, field: string, kinds: readonly MediaKind[], formats: readonly FileInputFormat[], max: number): PlannedInput[] {
  const raw = body[field] ?? [];
  if (!Array.isArray(raw)) throw errors.invalidParameter(`${field} must be a list of file inputs.`, field);
  if (raw.length > max) throw errors.invalidParameter(`${field} takes at most ${max} files.`, field);
  return raw.map((item, index) => {
    const param = `${field}[${index}]`;
    return { field, index, input: parseFileInput(item, param), rule: { param, kinds, formats } };
  });
}

function text(body: Body, field: string, required: boolean, max = 10_000): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw errors.invalidParameter(`${field} is required.`, field);
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw errors.invalidParameter(`${field} must be a non-empty string of at most ${max} characters.`, field);
  }
  return value;
}

export function planVideoAgent(body: Body, messageField: 'prompt' | 'message'): JobPlan {
  const message = text(body, messageField, true)!;
  return { kind: 'video_agent', fields: { text: message }, inputs: list(body, 'files', AGENT_KINDS, ALL_FORMATS, MAX_AGENT_FILES) };
}

export function planAvatar(body: Body): JobPlan {
  const name = text(body, 'name', false, 255);
  switch (body.type) {
    case 'photo':
      return { kind: 'avatar', fields: { type: 'photo', name }, inputs: single(body, 'file', ['image'], ALL_FORMATS, true) };
    case 'digital_twin':
      return { kind: 'avatar', fields: { type: 'digital_twin', name }, inputs: single(body, 'file', ['video'], ALL_FORMATS, true) };
    case 'prompt':
      return {
        kind: 'avatar',
        fields: { type: 'prompt', name, prompt: text(body, 'prompt', true) },
        inputs: list(body, 'reference_images', ['image'], ALL_FORMATS, MAX_REFERENCE_IMAGES),
      };
    default:
      throw errors.invalidParameter('type must be "photo", "digital_twin" or "prompt".', 'type');
  }
}

export function planVideoTranslation(body: Body): JobPlan {
  const languages = body.output_languages;
  if (!Array.isArray(languages) || languages.length === 0 || !languages.every((l) => typeof l === 'string' && l.length > 0 && l.length <= 35)) {
    throw errors.invalidParameter('output_languages must list at least one language.', 'output_languages');
  }
  return {
    kind: 'video_translation',
    fields: { output_languages: languages },
    inputs: [
      ...single(body, 'video', ['video'], URL_OR_ID, true),
      ...single(body, 'audio', ['audio'], URL_OR_ID, false),
      ...single(body, 'srt', ['subtitle'], URL_OR_ID, false),
    ],
  };
}

export function planLipsync(body: Body): JobPlan {
  return {
    kind: 'lipsync',
    fields: {},
    inputs: [...single(body, 'video', ['video'], URL_OR_ID, true), ...single(body, 'audio', ['audio'], URL_OR_ID, true)],
  };
}
