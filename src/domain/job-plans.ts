// What each endpoint that takes files accepts: which fields are file inputs, of which media kinds, in which formats,
// and which plain fields go with them. A plan is checked here; the resolver then turns its inputs into assets, and
// requestsOf() makes the stored request of each job from the plan and those assets.
import { randomBytes } from 'node:crypto';
import type { MediaKind } from '../media/types.js';
import { errors } from './errors.js';
import { ALL_FORMATS, parseFileInput, type FileInput, type FileInputFormat, type InputRule } from './file-inputs.js';
import type { JobKind } from './ports/index.js';

export const MAX_AGENT_FILES = 20;
export const MAX_REFERENCE_IMAGES = 3;
export const MAX_OUTPUT_LANGUAGES = 100;
export const SESSION_MODES = ['generate', 'chat'] as const;
export const AVATAR_TYPES = ['photo', 'digital_twin', 'prompt'] as const;
const URL_OR_ID: readonly FileInputFormat[] = ['url', 'asset_id'];
const AGENT_KINDS: readonly MediaKind[] = ['image', 'video', 'audio', 'document'];

export interface PlannedInput {
  /** The request field the asset id goes into; `index` says it is the n-th of a list. */
  readonly field: string;
  readonly index?: number;
  readonly input: FileInput;
  readonly rule: InputRule;
}

/** A video-agent message: its text, and the options sent with it (a follow-up's avatar_id, voice_id, …). */
export interface PlannedMessage {
  readonly text: string;
  readonly options: Record<string, unknown>;
}

export interface JobPlan {
  readonly kind: JobKind;
  /**
   * The request's plain fields, stored as they are (title, callback_id, folder_id, the render options, …). The HTTP
   * schema of each endpoint decides which fields exist; null ones are left out.
   */
  readonly fields: Record<string, unknown>;
  readonly inputs: readonly PlannedInput[];
  /** Where the job's callback goes, or null. */
  readonly callbackUrl: string | null;
  /** Video agents: the message the files go with. */
  readonly message?: PlannedMessage;
  /** One job per value, each with `field` set to its value (a video translation per output language). */
  readonly split?: { readonly field: string; readonly values: readonly string[] };
}

/** One stored message of a video-agent session (a user's, or the outcome of a run kept when the next one starts). */
export interface StoredMessage {
  readonly role?: 'user' | 'assistant';
  readonly type?: 'text' | 'resource' | 'error';
  readonly text: string;
  /** Asset ids: the files sent with a user message, the output of an assistant one. */
  readonly files: string[];
  /** ISO time. */
  readonly created_at: string;
  readonly run_id?: string;
  readonly [option: string]: unknown;
}

type Body = Record<string, unknown>;

export const newRunId = (): string => `run_${randomBytes(16).toString('hex')}`;

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

/** The body's fields but `except` (file fields, the message, callback_url), null and absent ones left out. */
function plain(body: Body, except: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k, v]) => !except.includes(k) && v !== undefined && v !== null));
}

function callbackUrlOf(body: Body): string | null {
  const value = body.callback_url;
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw errors.invalidParameter('callback_url must be a URL.', 'callback_url');
  return value;
}

function oneOf<const V extends readonly string[]>(body: Body, field: string, values: V, fallback?: V[number]): V[number] {
  const value = body[field] ?? fallback;
  if (typeof value !== 'string' || !values.includes(value)) {
    throw errors.invalidParameter(`${field} must be ${values.map((v) => `"${v}"`).join(' or ')}.`, field);
  }
  return value;
}

/** POST /v3/video-agents: a prompt and up to 20 files start a session (mode "generate" unless "chat" is asked). */
export function planVideoAgent(body: Body): JobPlan {
  const prompt = text(body, 'prompt', true)!;
  return {
    kind: 'video_agent',
    fields: { ...plain(body, ['prompt', 'files', 'callback_url']), mode: oneOf(body, 'mode', SESSION_MODES, 'generate') },
    inputs: list(body, 'files', AGENT_KINDS, ALL_FORMATS, MAX_AGENT_FILES),
    callbackUrl: callbackUrlOf(body),
    message: { text: prompt, options: {} },
  };
}

/** POST /v3/video-agents/{session_id}: a follow-up message, its files and options. */
export function planVideoAgentMessage(body: Body): JobPlan {
  return {
    kind: 'video_agent',
    fields: {},
    inputs: list(body, 'files', AGENT_KINDS, ALL_FORMATS, MAX_AGENT_FILES),
    callbackUrl: null,
    message: { text: text(body, 'message', true)!, options: plain(body, ['message', 'files']) },
  };
}

/** Which fields belong to which avatar type: the platform's three request shapes. */
const AVATAR_ONLY: Readonly<Record<(typeof AVATAR_TYPES)[number], readonly string[]>> = {
  photo: ['file'],
  digital_twin: ['file'],
  prompt: ['prompt', 'reference_images', 'avatar_id'],
};

export function planAvatar(body: Body): JobPlan {
  const type = oneOf(body, 'type', AVATAR_TYPES);
  const name = text(body, 'name', true, 255)!;
  const own = AVATAR_ONLY[type];
  const stray = Object.values(AVATAR_ONLY)
    .flat()
    .find((f) => !own.includes(f) && body[f] !== undefined && body[f] !== null);
  if (stray) throw errors.invalidParameter(`${stray} does not go with type "${type}".`, stray);
  const fields = { ...plain(body, ['file', 'reference_images', 'callback_url']), type, name };
  switch (type) {
    case 'photo':
      return { kind: 'avatar', fields, inputs: single(body, 'file', ['image'], ALL_FORMATS, true), callbackUrl: null };
    case 'digital_twin':
      return { kind: 'avatar', fields, inputs: single(body, 'file', ['video'], ALL_FORMATS, true), callbackUrl: null };
    case 'prompt':
      text(body, 'prompt', true);
      return {
        kind: 'avatar',
        fields,
        inputs: list(body, 'reference_images', ['image'], ALL_FORMATS, MAX_REFERENCE_IMAGES),
        callbackUrl: null,
      };
  }
}

/** POST /v3/video-translations: one job per output language, sharing the inputs. */
export function planVideoTranslation(body: Body): JobPlan {
  const languages = body.output_languages;
  if (
    !Array.isArray(languages) ||
    languages.length === 0 ||
    languages.length > MAX_OUTPUT_LANGUAGES ||
    !languages.every((l) => typeof l === 'string' && l.length > 0 && l.length <= 35)
  ) {
    throw errors.invalidParameter(`output_languages must list 1 to ${MAX_OUTPUT_LANGUAGES} languages.`, 'output_languages');
  }
  return {
    kind: 'video_translation',
    fields: plain(body, ['video', 'audio', 'srt', 'output_languages', 'callback_url']),
    inputs: [
      ...single(body, 'video', ['video'], URL_OR_ID, true),
      ...single(body, 'audio', ['audio'], URL_OR_ID, false),
      ...single(body, 'srt', ['subtitle'], URL_OR_ID, false),
    ],
    callbackUrl: callbackUrlOf(body),
    split: { field: 'output_language', values: languages as string[] },
  };
}

export function planLipsync(body: Body): JobPlan {
  return {
    kind: 'lipsync',
    fields: plain(body, ['video', 'audio', 'callback_url']),
    inputs: [...single(body, 'video', ['video'], URL_OR_ID, true), ...single(body, 'audio', ['audio'], URL_OR_ID, true)],
    callbackUrl: callbackUrlOf(body),
  };
}

/** A user message as stored: its text, its files' asset ids, the run it starts, and the options sent with it. */
export function userMessage(message: PlannedMessage, assetIds: readonly string[], now: Date, runId: string): StoredMessage {
  return { ...message.options, role: 'user', type: 'text', text: message.text, files: [...assetIds], created_at: now.toISOString(), run_id: runId };
}

/**
 * The stored request of each job a plan makes (one, or one per split value): the plain fields, each file field
 * holding its asset id (or a list of them), `input_asset_ids` listing them all in request order; a session's holds
 * its messages.
 */
export function requestsOf(plan: JobPlan, assetIds: readonly string[], now: Date): Record<string, unknown>[] {
  const request: Record<string, unknown> = { ...plan.fields };
  if (plan.message) {
    request.messages = [userMessage(plan.message, assetIds, now, newRunId())];
  } else {
    plan.inputs.forEach((planned, i) => {
      const id = assetIds[i]!;
      if (planned.index === undefined) request[planned.field] = id;
      else request[planned.field] = [...((request[planned.field] as string[] | undefined) ?? []), id];
    });
  }
  request.input_asset_ids = [...assetIds];
  const { split } = plan;
  return split ? split.values.map((value) => ({ ...request, [split.field]: value })) : [request];
}
