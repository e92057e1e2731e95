// The endpoints that take files: video agents (and their follow-up messages), avatars, video translations and
// lipsyncs. Each validates through its plan, resolves its files to assets, and records a job for the workers.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { planAvatar, planLipsync, planVideoAgent, planVideoTranslation, type JobPlan } from '../../domain/job-plans.js';
import { JOB_KINDS, type JobService } from '../../domain/jobs.js';
import type { Job, JobKind } from '../../domain/ports/index.js';
import type { PublicUrls } from '../../domain/public-urls.js';
import { jobJson } from '../job-presenters.js';
import { AvatarBody, JobParams, LipsyncBody, VideoAgentBody, VideoAgentMessageBody, VideoTranslationBody } from '../schemas/jobs.js';

const PATHS: Readonly<Record<JobKind, string>> = {
  video_agent: '/v3/video-agents',
  avatar: '/v3/avatars',
  video_translation: '/v3/video-translations',
  lipsync: '/v3/lipsyncs',
};

const tagsOf = (kind: JobKind) => [kind.replace('_', ' ')];

export async function jobRoutes(fastify: FastifyInstance, { jobs, urls }: { jobs: JobService; urls: PublicUrls }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const present = async (job: Job) => ({ data: jobJson(await jobs.withAssets(job), urls) });
  const create = async (tenant: string, plan: JobPlan, callbackUrl: string | undefined) =>
    present(await jobs.create(tenant, plan, callbackUrl));

  app.post(
    PATHS.video_agent,
    {
      schema: {
        summary: 'Start a video-agent session from a prompt and up to 20 files.',
        tags: tagsOf('video_agent'),
        body: VideoAgentBody,
      },
    },
    async (request) => create(request.tenant, planVideoAgent(request.body, 'prompt'), request.body.callback_url),
  );

  app.post(
    PATHS.avatar,
    {
      schema: {
        summary: 'Create an avatar from a photo, a video (digital twin) or a prompt with reference images.',
        tags: tagsOf('avatar'),
        body: AvatarBody,
      },
    },
    async (request) => create(request.tenant, planAvatar(request.body), request.body.callback_url),
  );

  app.post(
    PATHS.video_translation,
    {
      schema: {
        summary: 'Translate a video (url or asset_id inputs) into other languages.',
        tags: tagsOf('video_translation'),
        body: VideoTranslationBody,
      },
    },
    async (request) => create(request.tenant, planVideoTranslation(request.body), request.body.callback_url),
  );

  app.post(
    PATHS.lipsync,
    {
      schema: {
        summary: 'Lip-sync a video to an audio track (url or asset_id inputs).',
        tags: tagsOf('lipsync'),
        body: LipsyncBody,
      },
    },
    async (request) => create(request.tenant, planLipsync(request.body), request.body.callback_url),
  );

  for (const kind of JOB_KINDS) {
    app.get(`${PATHS[kind]}/:id`, { schema: { summary: 'Read one.', tags: tagsOf(kind), params: JobParams } }, async (request) =>
      present(await jobs.get(request.tenant, kind, request.params.id)),
    );
  }

  app.post(
    `${PATHS.video_agent}/:id`,
    {
      schema: {
        summary: 'Send a follow-up message (with up to 20 more files) to a video-agent session.',
        tags: tagsOf('video_agent'),
        params: JobParams,
        body: VideoAgentMessageBody,
      },
    },
    async (request) => present(await jobs.addMessage(request.tenant, request.params.id, planVideoAgent(request.body, 'message'))),
  );
}
