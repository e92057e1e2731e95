// The endpoints that take files: video agents (and their follow-up messages), avatars, video translations and
// lipsyncs. Each validates through its plan, resolves its files to assets, and records a job for the workers.
import type { FastifyInstance } from 'fastify';
import { planAvatar, planLipsync, planVideoAgent, planVideoTranslation, type JobPlan } from '../../domain/job-plans.js';
import type { JobService } from '../../domain/jobs.js';
import type { PublicUrls } from '../../domain/public-urls.js';
import type { JobKind } from '../../domain/ports/index.js';
import { jobJson } from '../job-presenters.js';

type Body = Record<string, unknown>;

const file = { $ref: 'FileInput#' };
const callbackUrl = { type: 'string', maxLength: 2048, description: 'Gets a signed POST when the job completes or fails.' };

interface Endpoint {
  readonly path: string;
  readonly kind: JobKind;
  readonly summary: string;
  readonly plan: (body: Body) => JobPlan;
  readonly properties: Record<string, unknown>;
  readonly required: readonly string[];
}

const ENDPOINTS: readonly Endpoint[] = [
  {
    path: '/v3/video-agents',
    kind: 'video_agent',
    summary: 'Start a video-agent session from a prompt and up to 20 files.',
    plan: (body) => planVideoAgent(body, 'prompt'),
    properties: { prompt: { type: 'string' }, files: { type: 'array', items: file }, callback_url: callbackUrl },
    required: ['prompt'],
  },
  {
    path: '/v3/avatars',
    kind: 'avatar',
    summary: 'Create an avatar from a photo, a video (digital twin) or a prompt with reference images.',
    plan: planAvatar,
    properties: {
      type: { type: 'string', enum: ['photo', 'digital_twin', 'prompt'] },
      name: { type: 'string' },
      file,
      prompt: { type: 'string' },
      reference_images: { type: 'array', items: file },
      callback_url: callbackUrl,
    },
    required: ['type'],
  },
  {
    path: '/v3/video-translations',
    kind: 'video_translation',
    summary: 'Translate a video (url or asset_id inputs) into other languages.',
    plan: planVideoTranslation,
    properties: {
      video: file,
      audio: file,
      srt: file,
      output_languages: { type: 'array', items: { type: 'string' } },
      callback_url: callbackUrl,
    },
    required: ['video', 'output_languages'],
  },
  {
    path: '/v3/lipsyncs',
    kind: 'lipsync',
    summary: 'Lip-sync a video to an audio track (url or asset_id inputs).',
    plan: planLipsync,
    properties: { video: file, audio: file, callback_url: callbackUrl },
    required: ['video', 'audio'],
  },
];

export async function jobRoutes(app: FastifyInstance, { jobs, urls }: { jobs: JobService; urls: PublicUrls }): Promise<void> {
  const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 128 } } };

  for (const endpoint of ENDPOINTS) {
    const tags = [endpoint.kind.replace('_', ' ')];
    app.post<{ Body: Body }>(
      endpoint.path,
      {
        schema: {
          summary: endpoint.summary,
          tags,
          body: { type: 'object', required: [...endpoint.required], properties: endpoint.properties },
        },
      },
      async (request) => {
        const callback = request.body.callback_url as string | undefined;
        const job = await jobs.create(request.tenant, endpoint.plan(request.body), callback);
        return { data: jobJson(await jobs.withAssets(job), urls) };
      },
    );
    app.get<{ Params: { id: string } }>(`${endpoint.path}/:id`, { schema: { summary: 'Read one.', tags, params: idParams } }, async (request) => {
      const job = await jobs.get(request.tenant, endpoint.kind, request.params.id);
      return { data: jobJson(await jobs.withAssets(job), urls) };
    });
  }

  app.post<{ Params: { id: string }; Body: Body }>(
    '/v3/video-agents/:id',
    {
      schema: {
        summary: 'Send a follow-up message (with up to 20 more files) to a video-agent session.',
        tags: ['video agent'],
        params: idParams,
        body: { type: 'object', required: ['message'], properties: { message: { type: 'string' }, files: { type: 'array', items: file } } },
      },
    },
    async (request) => {
      const job = await jobs.addMessage(request.tenant, request.params.id, planVideoAgent(request.body, 'message'));
      return { data: jobJson(await jobs.withAssets(job), urls) };
    },
  );
}
