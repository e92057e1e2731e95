// The four job families in the platform's shapes: video agents (sessions, follow-ups, stop, list), avatars (the
// group and its look), video translations and lipsyncs (create, read, list, statuses, rename, delete). A create
// validates through its plan, resolves its files to assets, and records the job(s) for the workers.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { errors } from '../../domain/errors.js';
import { planAvatar, planLipsync, planVideoAgent, planVideoAgentMessage, planVideoTranslation } from '../../domain/job-plans.js';
import { MAX_STATUS_IDS, type JobService } from '../../domain/jobs.js';
import type { JobKind } from '../../domain/ports/index.js';
import type { PublicUrls } from '../../domain/public-urls.js';
import {
  avatarCreatedJson,
  avatarGroupJson,
  avatarLookJson,
  deletedJobJson,
  followUpJson,
  jobStatusesJson,
  lipsyncCreatedJson,
  lipsyncJson,
  lipsyncPageJson,
  sessionCreatedJson,
  sessionJson,
  sessionPageJson,
  stoppedSessionJson,
  translationsCreatedJson,
  videoTranslationJson,
  videoTranslationPageJson,
} from '../job-presenters.js';
import { Data, errorResponses } from '../schemas/common.js';
import {
  AvatarBody,
  AvatarCreated,
  AvatarGroup,
  AvatarLook,
  DeletedJob,
  FollowUp,
  GroupParams,
  JobStatuses,
  LipsyncBody,
  Lipsync,
  LipsyncCreated,
  LipsyncPage,
  LipsyncParams,
  LipsyncStatusesQuery,
  ListQuery,
  LookParams,
  Session,
  SessionCreated,
  SessionPage,
  SessionParams,
  StopBody,
  StoppedSession,
  TitleBody,
  TranslationParams,
  TranslationsCreated,
  TranslationStatusesQuery,
  VideoAgentBody,
  VideoAgentMessageBody,
  VideoTranslation,
  VideoTranslationBody,
  VideoTranslationPage,
} from '../schemas/jobs.js';

const tagsOf = (kind: JobKind) => [kind.replace('_', ' ')];

/** A comma-separated id list of a statuses query: at most MAX_STATUS_IDS ids. */
function idsOf(value: string | undefined, param: string): string[] {
  const ids = (value ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (ids.length > MAX_STATUS_IDS) throw errors.invalidParameter(`${param} takes at most ${MAX_STATUS_IDS} ids.`, param);
  return ids;
}

export async function jobRoutes(fastify: FastifyInstance, { jobs, urls }: { jobs: JobService; urls: PublicUrls }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  // Video agents.
  const agents = { tags: tagsOf('video_agent') };
  app.post(
    '/v3/video-agents',
    {
      schema: {
        summary: 'Start a video-agent session from a prompt and up to 20 files.',
        ...agents,
        body: VideoAgentBody,
        response: { 200: Data(SessionCreated), ...errorResponses },
      },
    },
    async (request) => {
      const [job] = await jobs.create(request.tenant, planVideoAgent(request.body));
      return { data: sessionCreatedJson(job!) };
    },
  );

  app.get(
    '/v3/video-agents',
    {
      schema: { summary: 'List sessions, newest first.', ...agents, querystring: ListQuery, response: { 200: SessionPage, ...errorResponses } },
    },
    async (request) => sessionPageJson(await jobs.list(request.tenant, 'video_agent', request.query)),
  );

  app.get(
    '/v3/video-agents/:session_id',
    {
      schema: {
        summary: 'Read a session: status, progress, messages, output.',
        ...agents,
        params: SessionParams,
        response: { 200: Data(Session), ...errorResponses },
      },
    },
    async (request) => ({
      data: sessionJson(await jobs.withAssets(await jobs.get(request.tenant, 'video_agent', request.params.session_id)), urls),
    }),
  );

  app.post(
    '/v3/video-agents/:session_id',
    {
      schema: {
        summary: 'Send a follow-up message (with up to 20 more files) to a chat session; it starts a new run.',
        ...agents,
        params: SessionParams,
        body: VideoAgentMessageBody,
        response: { 200: Data(FollowUp), ...errorResponses },
      },
    },
    async (request) => {
      const { job, runId } = await jobs.addMessage(request.tenant, request.params.session_id, planVideoAgentMessage(request.body));
      return { data: followUpJson(job, runId) };
    },
  );

  app.post(
    '/v3/video-agents/:session_id/stop',
    {
      schema: {
        summary: 'Stop a session: a running one ends failed ("stopped by the caller"); a finished one is left as it is.',
        ...agents,
        params: SessionParams,
        body: StopBody,
        response: { 200: Data(StoppedSession), ...errorResponses },
      },
    },
    async (request) => ({ data: stoppedSessionJson(await jobs.stop(request.tenant, request.params.session_id)) }),
  );

  // Avatars.
  const avatars = { tags: tagsOf('avatar') };
  app.post(
    '/v3/avatars',
    {
      schema: {
        summary: 'Create an avatar (a group with one look) from a photo, a video (digital twin) or a prompt with reference images.',
        ...avatars,
        body: AvatarBody,
        response: { 200: Data(AvatarCreated), ...errorResponses },
      },
    },
    async (request) => {
      const [job] = await jobs.create(request.tenant, planAvatar(request.body));
      return { data: avatarCreatedJson(await jobs.withAssets(job!), urls) };
    },
  );

  app.get(
    '/v3/avatars/:group_id',
    {
      schema: { summary: 'Read an avatar group.', ...avatars, params: GroupParams, response: { 200: Data(AvatarGroup), ...errorResponses } },
    },
    async (request) => ({
      data: avatarGroupJson(await jobs.withAssets(await jobs.get(request.tenant, 'avatar', request.params.group_id)), urls),
    }),
  );

  app.get(
    '/v3/avatars/looks/:look_id',
    {
      schema: { summary: 'Read an avatar look.', ...avatars, params: LookParams, response: { 200: Data(AvatarLook), ...errorResponses } },
    },
    async (request) => ({ data: avatarLookJson(await jobs.withAssets(await jobs.getLook(request.tenant, request.params.look_id)), urls) }),
  );

  // Video translations.
  const translations = { tags: tagsOf('video_translation') };
  const translation = async (tenant: string, id: string) => jobs.withAssets(await jobs.get(tenant, 'video_translation', id));
  app.post(
    '/v3/video-translations',
    {
      schema: {
        summary: 'Translate a video (url or asset_id inputs): one job per output language.',
        ...translations,
        body: VideoTranslationBody,
        response: { 200: Data(TranslationsCreated), ...errorResponses },
      },
    },
    async (request) => ({ data: translationsCreatedJson(await jobs.create(request.tenant, planVideoTranslation(request.body))) }),
  );

  app.get(
    '/v3/video-translations',
    {
      schema: {
        summary: 'List video translations, newest first.',
        ...translations,
        querystring: ListQuery,
        response: { 200: VideoTranslationPage, ...errorResponses },
      },
    },
    async (request) => videoTranslationPageJson(await jobs.list(request.tenant, 'video_translation', request.query), urls),
  );

  app.get(
    '/v3/video-translations/statuses',
    {
      schema: {
        summary: `The status of up to ${MAX_STATUS_IDS} video translations (not_found for ids the caller does not have).`,
        ...translations,
        querystring: TranslationStatusesQuery,
        response: { 200: JobStatuses, ...errorResponses },
      },
    },
    async (request) =>
      jobStatusesJson(
        await jobs.statuses(request.tenant, 'video_translation', {
          jobIds: idsOf(request.query.video_translation_ids, 'video_translation_ids'),
          batchIds: idsOf(request.query.batch_ids, 'batch_ids'),
        }),
      ),
  );

  app.get(
    '/v3/video-translations/:video_translation_id',
    {
      schema: {
        summary: 'Read a video translation.',
        ...translations,
        params: TranslationParams,
        response: { 200: Data(VideoTranslation), ...errorResponses },
      },
    },
    async (request) => ({ data: videoTranslationJson(await translation(request.tenant, request.params.video_translation_id), urls) }),
  );

  app.patch(
    '/v3/video-translations/:video_translation_id',
    {
      schema: {
        summary: 'Set the title of a video translation (nothing is redone).',
        ...translations,
        params: TranslationParams,
        body: TitleBody,
        response: { 200: Data(VideoTranslation), ...errorResponses },
      },
    },
    async (request) => {
      const job = await jobs.rename(request.tenant, 'video_translation', request.params.video_translation_id, request.body.title);
      return { data: videoTranslationJson(await jobs.withAssets(job), urls) };
    },
  );

  app.delete(
    '/v3/video-translations/:video_translation_id',
    {
      schema: {
        summary: 'Delete a video translation (its input and output assets stay).',
        ...translations,
        params: TranslationParams,
        response: { 200: Data(DeletedJob), ...errorResponses },
      },
    },
    async (request) => ({
      data: deletedJobJson(await jobs.delete(request.tenant, 'video_translation', request.params.video_translation_id)),
    }),
  );

  // Lipsyncs.
  const lipsyncs = { tags: tagsOf('lipsync') };
  app.post(
    '/v3/lipsyncs',
    {
      schema: {
        summary: 'Lip-sync a video to an audio track (url or asset_id inputs).',
        ...lipsyncs,
        body: LipsyncBody,
        response: { 200: Data(LipsyncCreated), ...errorResponses },
      },
    },
    async (request) => {
      const [job] = await jobs.create(request.tenant, planLipsync(request.body));
      return { data: lipsyncCreatedJson(job!) };
    },
  );

  app.get(
    '/v3/lipsyncs',
    {
      schema: { summary: 'List lipsyncs, newest first.', ...lipsyncs, querystring: ListQuery, response: { 200: LipsyncPage, ...errorResponses } },
    },
    async (request) => lipsyncPageJson(await jobs.list(request.tenant, 'lipsync', request.query), urls),
  );

  app.get(
    '/v3/lipsyncs/statuses',
    {
      schema: {
        summary: `The status of up to ${MAX_STATUS_IDS} lipsyncs (not_found for ids the caller does not have).`,
        ...lipsyncs,
        querystring: LipsyncStatusesQuery,
        response: { 200: JobStatuses, ...errorResponses },
      },
    },
    async (request) =>
      jobStatusesJson(
        await jobs.statuses(request.tenant, 'lipsync', {
          jobIds: idsOf(request.query.lipsync_ids, 'lipsync_ids'),
          batchIds: idsOf(request.query.batch_ids, 'batch_ids'),
        }),
      ),
  );

  app.get(
    '/v3/lipsyncs/:lipsync_id',
    {
      schema: { summary: 'Read a lipsync.', ...lipsyncs, params: LipsyncParams, response: { 200: Data(Lipsync), ...errorResponses } },
    },
    async (request) => ({
      data: lipsyncJson(await jobs.withAssets(await jobs.get(request.tenant, 'lipsync', request.params.lipsync_id)), urls),
    }),
  );

  app.patch(
    '/v3/lipsyncs/:lipsync_id',
    {
      schema: {
        summary: 'Set the title of a lipsync (nothing is redone).',
        ...lipsyncs,
        params: LipsyncParams,
        body: TitleBody,
        response: { 200: Data(Lipsync), ...errorResponses },
      },
    },
    async (request) => {
      const job = await jobs.rename(request.tenant, 'lipsync', request.params.lipsync_id, request.body.title);
      return { data: lipsyncJson(await jobs.withAssets(job), urls) };
    },
  );

  app.delete(
    '/v3/lipsyncs/:lipsync_id',
    {
      schema: {
        summary: 'Delete a lipsync (its input and output assets stay).',
        ...lipsyncs,
        params: LipsyncParams,
        response: { 200: Data(DeletedJob), ...errorResponses },
      },
    },
    async (request) => ({ data: deletedJobJson(await jobs.delete(request.tenant, 'lipsync', request.params.lipsync_id)) }),
  );
}
