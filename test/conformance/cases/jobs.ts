// The job families' operations (video agents, avatars, video translations, lipsyncs), each called as the platform
// documents it, with the optional fields a real client sends. Where a case needs a job to run, it plays the worker
// through the server's own JobQueue (claim, then finish with an output uploaded as an asset), as the worker API does.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { JobKind } from '../../../src/domain/ports/index.js';
import * as media from '../../support/media.js';
import { TENANT_A, TENANT_B } from '../../support/server.js';
import type { ConformanceCase, ConformanceContext } from '../context.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

async function uploaded(ctx: ConformanceContext, bytes: Buffer, filename: string, key = TENANT_A.key): Promise<string> {
  const body = new FormData();
  body.append('file', new Blob([bytes]), filename);
  const res = await ctx.call('POST /v3/assets', { form: body, key });
  expect(res.status).toBe(200);
  return res.body.data.asset_id as string;
}

const byId = (assetId: string) => ({ type: 'asset_id', asset_id: assetId });
const b64 = (mediaType: string, bytes: Buffer) => ({ type: 'base64', media_type: mediaType, data: bytes.toString('base64') });
const nowSeconds = () => Math.floor(Date.now() / 1000);
/** A unix-seconds timestamp of this run (not milliseconds, not ISO). */
const recent = (value: unknown) => {
  expect(Number.isInteger(value)).toBe(true);
  expect(Math.abs((value as number) - nowSeconds())).toBeLessThan(120);
};

/**
 * Claims one of `jobIds` as a worker would, and returns it with its lease. Older waiting jobs of the kind (other
 * cases') are set aside (failed), so that one of these comes up.
 */
async function claimOne(ctx: ConformanceContext, kind: JobKind, jobIds: readonly string[]) {
  const queue = ctx.server.server.metadata.jobs;
  for (let i = 0; i < 500; i++) {
    const leaseId = `conformance-${randomUUID()}`;
    const now = new Date();
    const job = await queue.claimJob({ kinds: [kind], now, leaseId, leaseExpiresAt: new Date(now.getTime() + 600_000) });
    if (!job) throw new Error(`none of ${jobIds.join(', ')} is waiting`);
    if (jobIds.includes(job.jobId)) return { jobId: job.jobId, leaseId };
    await queue.finishJob({ jobId: job.jobId, leaseId, now, status: 'failed', outputAssetId: null, errorMessage: 'set aside by a conformance case' });
  }
  throw new Error('the queue never came to these jobs');
}

/** Runs a job to its end as a worker: completed with `output` (an asset id), or failed with `failure`. */
async function finish(ctx: ConformanceContext, kind: JobKind, jobId: string, outcome: { output: string } | { failure: string }) {
  const { leaseId } = await claimOne(ctx, kind, [jobId]);
  const done = await ctx.server.server.metadata.jobs.finishJob({
    jobId,
    leaseId,
    now: new Date(),
    status: 'output' in outcome ? 'completed' : 'failed',
    outputAssetId: 'output' in outcome ? outcome.output : null,
    errorMessage: 'failure' in outcome ? outcome.failure : null,
  });
  expect(done).toBe(true);
}

async function newSession(ctx: ConformanceContext, json: Record<string, unknown>, key = TENANT_A.key): Promise<string> {
  const res = await ctx.call('POST /v3/video-agents', { json, key });
  expect(res.status).toBe(200);
  return res.body.data.session_id as string;
}

const readSession = async (ctx: ConformanceContext, sessionId: string) =>
  (await ctx.call('GET /v3/video-agents/{session_id}', { params: { session_id: sessionId } })).body.data as Json;

/** A translation or lipsync request as a client sends it, with its documented options. */
const renderOptions = (title: string) => ({
  title,
  callback_id: `cb-${title}`,
  folder_id: 'folder_launch',
  mode: 'precision',
  enable_caption: true,
  enable_dynamic_duration: false,
  enable_speech_enhancement: true,
  enable_watermark: false,
  disable_music_track: false,
  keep_the_same_format: true,
  start_time: 0,
  end_time: 10.5,
  callback_url: null,
});

async function newLipsync(ctx: ConformanceContext, title: string, key = TENANT_A.key): Promise<string> {
  const [video, audio] = [await uploaded(ctx, media.mp4(), 'face.mp4', key), await uploaded(ctx, media.wav(), 'voice.wav', key)];
  const res = await ctx.call('POST /v3/lipsyncs', { json: { video: byId(video), audio: byId(audio), ...renderOptions(title), fps_mode: 'cfr' }, key });
  expect(res.status).toBe(200);
  return res.body.data.lipsync_id as string;
}

async function newTranslations(ctx: ConformanceContext, languages: string[], title: string, key = TENANT_A.key): Promise<string[]> {
  const video = await uploaded(ctx, media.mp4(), 'talk.mp4', key);
  const res = await ctx.call('POST /v3/video-translations', {
    json: { video: byId(video), output_languages: languages, input_language: 'en', ...renderOptions(title) },
    key,
  });
  expect(res.status).toBe(200);
  return res.body.data.video_translation_ids as string[];
}

const videoOutput = (ctx: ConformanceContext) => uploaded(ctx, media.mp4({ durationSeconds: 12.5, video: { width: 640, height: 360 } }), 'out.mp4');

export const jobCases: readonly ConformanceCase[] = [
  // Video agents.
  {
    operation: 'POST /v3/video-agents',
    name: 'starts a session from a prompt, files and every documented option; answers thinking with a unix created_at',
    async run(ctx) {
      const deck = await uploaded(ctx, media.pdf(), 'deck.pdf');
      const res = await ctx.call('POST /v3/video-agents', {
        json: {
          prompt: 'A 30 second teaser for the launch',
          files: [byId(deck), b64('image/png', media.png())],
          mode: 'generate',
          avatar_id: 'avatar_host',
          voice_id: 'voice_warm',
          style_id: null,
          brand_kit_id: 'brand_1',
          orientation: 'portrait',
          incognito_mode: false,
          callback_url: `${ctx.originUrl}/hook`,
          callback_id: 'teaser-1',
        },
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ status: 'thinking', video_id: null });
      expect(res.body.data.session_id).toMatch(/^session_[0-9a-f]{32}$/);
      recent(res.body.data.created_at);
      const session = await readSession(ctx, res.body.data.session_id);
      expect(session).toMatchObject({ callback_id: 'teaser-1', callback_url: `${ctx.originUrl}/hook`, mode: 'generate' });
      expect(session.messages[0].resource_ids).toHaveLength(2);
      expect(session.messages[0].resource_ids[0]).toBe(deck);
    },
  },
  {
    operation: 'GET /v3/video-agents/{session_id}',
    name: 'reads the prompt as a user message and progress 0, then the output as an assistant resource and progress 100',
    async run(ctx) {
      const photo = await uploaded(ctx, media.png(), 'product.png');
      const id = await newSession(ctx, { prompt: 'Show the product', files: [byId(photo)] });
      const thinking = await readSession(ctx, id);
      expect(thinking).toMatchObject({ session_id: id, status: 'thinking', progress: 0, title: null, video_id: null });
      recent(thinking.created_at);
      expect(thinking.messages).toEqual([
        expect.objectContaining({ role: 'user', type: 'text', content: 'Show the product', resource_ids: [photo] }),
      ]);
      recent(thinking.messages[0].created_at);

      const output = await videoOutput(ctx);
      await finish(ctx, 'video_agent', id, { output });
      const done = await readSession(ctx, id);
      expect(done).toMatchObject({ status: 'completed', progress: 100, video_id: output });
      expect(done.video_url).toMatch(/\/files\/.+\.mp4$/);
      expect(done.messages[1]).toMatchObject({ role: 'assistant', type: 'resource', resource_ids: [output] });

      const failing = await newSession(ctx, { prompt: 'Impossible' });
      await finish(ctx, 'video_agent', failing, { failure: 'no footage matches the prompt' });
      const failed = await readSession(ctx, failing);
      expect(failed).toMatchObject({ status: 'failed', progress: 100, video_id: null });
      expect(failed.messages[1]).toMatchObject({ role: 'assistant', type: 'error', content: 'no footage matches the prompt' });
      expect((await ctx.call('GET /v3/video-agents/{session_id}', { params: { session_id: id }, key: TENANT_B.key })).status).toBe(404);
    },
  },
  {
    operation: 'GET /v3/video-agents',
    name: "lists the caller's sessions newest first, with limit and an opaque token",
    async run(ctx) {
      const ids = [];
      for (const prompt of ['first', 'second', 'third']) {
        ids.push(await newSession(ctx, { prompt }, TENANT_B.key));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const first = await ctx.call('GET /v3/video-agents', { query: { limit: 2 }, key: TENANT_B.key });
      expect(first.status).toBe(200);
      expect(first.body.data.map((s: Json) => s.session_id)).toEqual([ids[2], ids[1]]);
      expect(first.body.data[0]).toMatchObject({ title: null, status: 'thinking' });
      recent(first.body.data[0].created_at);
      expect(first.body.has_more).toBe(true);
      const second = await ctx.call('GET /v3/video-agents', { query: { limit: 2, token: first.body.next_token }, key: TENANT_B.key });
      expect(second.body.data.map((s: Json) => s.session_id)).toEqual([ids[0]]);
      expect(second.body).toMatchObject({ has_more: false, next_token: null });
      const bad = await ctx.call('GET /v3/video-agents', { query: { token: 'not-a-token' }, key: TENANT_B.key });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'invalid_parameter', param: 'token' });
    },
  },
  {
    operation: 'POST /v3/video-agents/{session_id}',
    name: 'sends a follow-up to a chat session: {run_id, session_id, title}; the session thinks again, the last run kept',
    async run(ctx) {
      const id = await newSession(ctx, { prompt: 'Draft a teaser', mode: 'chat' });
      const output = await videoOutput(ctx);
      await finish(ctx, 'video_agent', id, { output });
      const logo = await uploaded(ctx, media.png(), 'logo.png');
      const res = await ctx.call('POST /v3/video-agents/{session_id}', {
        params: { session_id: id },
        json: { message: 'Add the logo at the end', files: [byId(logo)], avatar_id: null, voice_id: 'voice_calm', brand_kit_id: 'brand_1' },
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ session_id: id, title: null });
      expect(res.body.data.run_id).toMatch(/^run_[0-9a-f]{32}$/);
      const session = await readSession(ctx, id);
      expect(session).toMatchObject({ status: 'thinking', progress: 0, video_id: null });
      expect(session.messages.map((m: Json) => [m.role, m.type])).toEqual([
        ['user', 'text'],
        ['assistant', 'resource'],
        ['user', 'text'],
      ]);
      expect(session.messages[1].resource_ids).toEqual([output]);
      expect(session.messages[2]).toMatchObject({ content: 'Add the logo at the end', resource_ids: [logo], run_id: res.body.data.run_id });

      const generate = await newSession(ctx, { prompt: 'One shot' });
      const refused = await ctx.call('POST /v3/video-agents/{session_id}', { params: { session_id: generate }, json: { message: 'More' } });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'invalid_parameter', param: 'session_id' });
      expect(refused.body.error.message).toContain('not a chat session');
    },
  },
  {
    operation: 'POST /v3/video-agents/{session_id}/stop',
    name: 'stops a waiting or running session (failed, its worker loses the lease); a finished one is left as it is',
    async run(ctx) {
      const waiting = await newSession(ctx, { prompt: 'Wait for me' });
      const res = await ctx.call('POST /v3/video-agents/{session_id}/stop', { params: { session_id: waiting }, json: {} });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ session_id: waiting });
      const stopped = await readSession(ctx, waiting);
      expect(stopped).toMatchObject({ status: 'failed', progress: 100 });
      expect(stopped.messages.at(-1)).toMatchObject({ role: 'assistant', type: 'error', content: 'stopped by the caller' });

      const running = await newSession(ctx, { prompt: 'Run' });
      const { leaseId } = await claimOne(ctx, 'video_agent', [running]);
      expect((await readSession(ctx, running)).status).toBe('generating');
      expect((await ctx.call('POST /v3/video-agents/{session_id}/stop', { params: { session_id: running } })).status).toBe(200);
      const queue = ctx.server.server.metadata.jobs;
      const late = { jobId: running, leaseId, now: new Date(), status: 'completed' as const, outputAssetId: null, errorMessage: null };
      expect(await queue.finishJob(late)).toBe(false);
      expect((await readSession(ctx, running)).status).toBe('failed');

      const done = await newSession(ctx, { prompt: 'Done already' });
      const output = await videoOutput(ctx);
      await finish(ctx, 'video_agent', done, { output });
      expect((await ctx.call('POST /v3/video-agents/{session_id}/stop', { params: { session_id: done }, json: {} })).status).toBe(200);
      expect(await readSession(ctx, done)).toMatchObject({ status: 'completed', video_id: output });
    },
  },

  // Avatars.
  {
    operation: 'POST /v3/avatars',
    name: 'creates a group and its look from a photo, a video (digital twin) or a prompt with reference images',
    async run(ctx) {
      const photo = await ctx.call('POST /v3/avatars', {
        json: { type: 'photo', name: 'Ada', file: b64('image/png', media.png()), avatar_group_id: null },
      });
      expect(photo.status).toBe(200);
      const { avatar_group: group, avatar_item: item } = photo.body.data;
      expect(group).toMatchObject({ name: 'Ada', looks_count: 1, status: 'processing', error: null });
      expect(group.id).toMatch(/^avatar_[0-9a-f]{32}$/);
      recent(group.created_at);
      expect(item).toMatchObject({ id: group.id.replace(/^avatar_/, 'look_'), name: 'Ada', avatar_type: 'photo_avatar', group_id: group.id });

      const clip = await uploaded(ctx, media.mp4(), 'me.mp4');
      const twin = await ctx.call('POST /v3/avatars', { json: { type: 'digital_twin', name: 'Twin', file: byId(clip) } });
      expect(twin.body.data.avatar_item.avatar_type).toBe('digital_twin');

      const reference = await uploaded(ctx, media.jpeg(), 'ref.jpg');
      const prompted = await ctx.call('POST /v3/avatars', {
        json: { type: 'prompt', name: 'Host', prompt: 'a friendly host in a studio', reference_images: [byId(reference)], avatar_id: null },
      });
      expect(prompted.status).toBe(200);
      expect(prompted.body.data.avatar_item.avatar_type).toBe('photo_avatar');
      expect(prompted.body.data.avatar_group.reference_images).toEqual([expect.objectContaining({ asset_id: reference })]);
    },
  },
  {
    operation: 'GET /v3/avatars/{group_id}',
    name: 'reads processing, then completed with the output as its preview image, or failed with an error',
    async run(ctx) {
      const created = await ctx.call('POST /v3/avatars', { json: { type: 'photo', name: 'Grace', file: b64('image/png', media.png()) } });
      const id = created.body.data.avatar_group.id as string;
      const read = async () => (await ctx.call('GET /v3/avatars/{group_id}', { params: { group_id: id } })).body.data;
      expect(await read()).toMatchObject({ id, name: 'Grace', status: 'processing', looks_count: 1, preview_image_url: null });
      const output = await uploaded(ctx, media.png({ width: 40, height: 30 }), 'portrait.png');
      await finish(ctx, 'avatar', id, { output });
      const done = await read();
      expect(done).toMatchObject({ status: 'completed', error: null, preview_video_url: null });
      expect(done.preview_image_url).toMatch(/\/files\/.+\.png$/);

      const other = await ctx.call('POST /v3/avatars', { json: { type: 'photo', name: 'Blurry', file: b64('image/png', media.png()) } });
      const otherId = other.body.data.avatar_group.id as string;
      await finish(ctx, 'avatar', otherId, { failure: 'no face found' });
      const failed = (await ctx.call('GET /v3/avatars/{group_id}', { params: { group_id: otherId } })).body.data;
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'processing_failed', message: 'no face found' } });
    },
  },
  {
    operation: 'GET /v3/avatars/looks/{look_id}',
    name: "reads the look: the output's preview, pixel size and orientation",
    async run(ctx) {
      const created = await ctx.call('POST /v3/avatars', { json: { type: 'photo', name: 'Lin', file: b64('image/png', media.png()) } });
      const lookId = created.body.data.avatar_item.id as string;
      const groupId = created.body.data.avatar_group.id as string;
      await finish(ctx, 'avatar', groupId, { output: await uploaded(ctx, media.png({ width: 30, height: 40 }), 'look.png') });
      const res = await ctx.call('GET /v3/avatars/looks/{look_id}', { params: { look_id: lookId } });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        id: lookId,
        group_id: groupId,
        name: 'Lin',
        avatar_type: 'photo_avatar',
        status: 'completed',
        image_width: 30,
        image_height: 40,
        preferred_orientation: 'portrait',
        preview_video_url: null,
      });
      expect(res.body.data.preview_image_url).toMatch(/\.png$/);

      const clip = await uploaded(ctx, media.mp4(), 'twin.mp4');
      const twin = await ctx.call('POST /v3/avatars', { json: { type: 'digital_twin', name: 'Twin', file: byId(clip) } });
      await finish(ctx, 'avatar', twin.body.data.avatar_group.id, { output: await videoOutput(ctx) });
      const video = await ctx.call('GET /v3/avatars/looks/{look_id}', { params: { look_id: twin.body.data.avatar_item.id } });
      expect(video.body.data).toMatchObject({ avatar_type: 'digital_twin', preview_image_url: null, image_width: 640, image_height: 360 });
      expect(video.body.data.preview_video_url).toMatch(/\.mp4$/);
      expect((await ctx.call('GET /v3/avatars/looks/{look_id}', { params: { look_id: 'look_missing' } })).status).toBe(404);
    },
  },

  // Video translations.
  {
    operation: 'POST /v3/video-translations',
    name: 'makes one job per output language, in their order, each with the options given',
    async run(ctx) {
      const [video, audio, srt] = [
        await uploaded(ctx, media.mp4(), 'talk.mp4'),
        await uploaded(ctx, media.mp3(), 'voice.mp3'),
        await uploaded(ctx, media.srt(), 'talk.srt'),
      ];
      const json = {
        video: byId(video),
        audio: byId(audio),
        srt: byId(srt),
        srt_role: 'input',
        output_languages: ['fr', 'de', 'ja'],
        input_language: 'en',
        speaker_num: 2,
        fps_mode: 'passthrough',
        translate_audio_only: false,
        brand_glossary_id: null,
        brand_voice_id: null,
        stock_voice_config: { use_stock_voice: true, preferred_stock_voice_ids: ['voice_fr_1'] },
        ...renderOptions('Keynote'),
      };
      const res = await ctx.call('POST /v3/video-translations', { json });
      expect(res.status).toBe(200);
      const ids = res.body.data.video_translation_ids as string[];
      expect(ids).toHaveLength(3);
      expect(new Set(ids).size).toBe(3);
      for (const [i, language] of ['fr', 'de', 'ja'].entries()) {
        const read = await ctx.call('GET /v3/video-translations/{video_translation_id}', { params: { video_translation_id: ids[i]! } });
        expect(read.body.data).toMatchObject({
          id: ids[i],
          status: 'pending',
          output_language: language,
          input_language: 'en',
          title: 'Keynote',
          callback_id: 'cb-Keynote',
          translate_audio_only: false,
          audio: { asset_id: audio },
          srt: { asset_id: srt },
        });
      }
    },
  },
  {
    operation: 'GET /v3/video-translations/{video_translation_id}',
    name: "reads pending, running, then completed with the output's url and duration, or failed with its message",
    async run(ctx) {
      const [id, failing] = [...(await newTranslations(ctx, ['es'], 'Demo')), ...(await newTranslations(ctx, ['it'], 'Broken'))];
      const read = async (jobId: string) =>
        (await ctx.call('GET /v3/video-translations/{video_translation_id}', { params: { video_translation_id: jobId } })).body.data;
      const pending = await read(id!);
      expect(pending).toMatchObject({ id, status: 'pending', video_url: null, failure_message: null, duration: null, output_language: 'es' });
      recent(pending.created_at);
      const { leaseId } = await claimOne(ctx, 'video_translation', [id!]);
      expect((await read(id!)).status).toBe('running');
      const output = await videoOutput(ctx);
      const queue = ctx.server.server.metadata.jobs;
      expect(await queue.finishJob({ jobId: id!, leaseId, now: new Date(), status: 'completed', outputAssetId: output, errorMessage: null })).toBe(true);
      const done = await read(id!);
      expect(done).toMatchObject({ status: 'completed', duration: 12.5, failure_message: null, audio_url: null, output: { asset_id: output } });
      expect(done.video_url).toBe(done.output.url);

      await finish(ctx, 'video_translation', failing!, { failure: 'no speech found' });
      expect(await read(failing!)).toMatchObject({ status: 'failed', failure_message: 'no speech found', video_url: null });
    },
  },
  {
    operation: 'GET /v3/video-translations',
    name: "lists the caller's translations newest first, a page at a time",
    async run(ctx) {
      const older = await newTranslations(ctx, ['fr'], 'Older', TENANT_B.key);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const newer = await newTranslations(ctx, ['de', 'pt'], 'Newer', TENANT_B.key);
      const first = await ctx.call('GET /v3/video-translations', { query: { limit: 2 }, key: TENANT_B.key });
      expect(first.status).toBe(200);
      expect(new Set(first.body.data.map((t: Json) => t.id))).toEqual(new Set(newer));
      expect(first.body.data[0]).toMatchObject({ title: 'Newer', status: 'pending' });
      expect(first.body.has_more).toBe(true);
      const rest = await ctx.call('GET /v3/video-translations', { query: { limit: 2, token: first.body.next_token }, key: TENANT_B.key });
      expect(rest.body.data.map((t: Json) => t.id)).toEqual(older);
      expect(rest.body).toMatchObject({ has_more: false, next_token: null });
    },
  },
  {
    operation: 'GET /v3/video-translations/statuses',
    name: 'answers each id asked in the platform words (not_found for others), and not_found for each batch id',
    async run(ctx) {
      const ids = await newTranslations(ctx, ['fr', 'de'], 'Statuses');
      // The two share one created_at: whichever a worker claims first fails.
      const { jobId: failed, leaseId } = await claimOne(ctx, 'video_translation', ids);
      const waiting = ids.find((id) => id !== failed)!;
      const outcome = { status: 'failed' as const, outputAssetId: null, errorMessage: 'the video has no audio track' };
      expect(await ctx.server.server.metadata.jobs.finishJob({ jobId: failed, leaseId, now: new Date(), ...outcome })).toBe(true);
      const res = await ctx.call('GET /v3/video-translations/statuses', {
        query: { video_translation_ids: `${failed},${waiting},vtr_missing`, batch_ids: 'batch_unknown' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        data: [
          { video_id: failed, status: 'failed', batch_id: null, item_index: null, error: { code: 'processing_failed', message: 'the video has no audio track' } },
          { video_id: waiting, status: 'pending', batch_id: null, item_index: null, error: null },
          { video_id: 'vtr_missing', status: 'not_found', batch_id: null, item_index: null, error: null },
          { video_id: null, status: 'not_found', batch_id: 'batch_unknown', item_index: null, error: null },
        ],
        has_more: false,
        next_token: null,
      });
    },
  },
  {
    operation: 'PATCH /v3/video-translations/{video_translation_id}',
    name: 'renames a finished translation; nothing is redone',
    async run(ctx) {
      const [id] = await newTranslations(ctx, ['nl'], 'Draft');
      const output = await videoOutput(ctx);
      await finish(ctx, 'video_translation', id!, { output });
      const res = await ctx.call('PATCH /v3/video-translations/{video_translation_id}', { params: { video_translation_id: id! }, json: { title: 'Final cut' } });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ id, title: 'Final cut', status: 'completed', output: { asset_id: output } });
      const read = await ctx.call('GET /v3/video-translations/{video_translation_id}', { params: { video_translation_id: id! } });
      expect(read.body.data).toMatchObject({ title: 'Final cut', status: 'completed', video_url: res.body.data.video_url });
    },
  },
  {
    operation: 'DELETE /v3/video-translations/{video_translation_id}',
    name: 'deletes and answers {id}; the job is gone, its input asset stays',
    async run(ctx) {
      const [id] = await newTranslations(ctx, ['sv'], 'Gone');
      const before = await ctx.call('GET /v3/video-translations/{video_translation_id}', { params: { video_translation_id: id! } });
      const input = before.body.data.video.asset_id as string;
      const res = await ctx.call('DELETE /v3/video-translations/{video_translation_id}', { params: { video_translation_id: id! } });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ id });
      expect((await ctx.call('GET /v3/video-translations/{video_translation_id}', { params: { video_translation_id: id! } })).status).toBe(404);
      expect((await ctx.call('DELETE /v3/video-translations/{video_translation_id}', { params: { video_translation_id: id! } })).status).toBe(404);
      expect((await ctx.server.api(`/v3/assets/${input}`)).status).toBe(200);
    },
  },

  // Lipsyncs.
  {
    operation: 'POST /v3/lipsyncs',
    name: 'takes video, audio and every documented option; answers {lipsync_id}',
    async run(ctx) {
      const id = await newLipsync(ctx, 'Promo');
      expect(id).toMatch(/^lipsync_[0-9a-f]{32}$/);
      const read = await ctx.call('GET /v3/lipsyncs/{lipsync_id}', { params: { lipsync_id: id } });
      expect(read.body.data).toMatchObject({ id, status: 'pending', title: 'Promo', callback_id: 'cb-Promo', callback_url: null });
      expect(read.body.data.video.mime_type).toBe('video/mp4');
      expect(read.body.data.audio.mime_type).toBe('audio/wav');
    },
  },
  {
    operation: 'GET /v3/lipsyncs/{lipsync_id}',
    name: "reads pending, running, then completed with the output's url and duration, or failed with its message",
    async run(ctx) {
      const id = await newLipsync(ctx, 'Sync');
      const read = async (jobId: string) => (await ctx.call('GET /v3/lipsyncs/{lipsync_id}', { params: { lipsync_id: jobId } })).body.data;
      const pending = await read(id);
      expect(pending).toMatchObject({ status: 'pending', video_url: null, duration: null, failure_message: null, caption_url: null });
      recent(pending.created_at);
      const output = await videoOutput(ctx);
      await finish(ctx, 'lipsync', id, { output });
      const done = await read(id);
      expect(done).toMatchObject({ status: 'completed', duration: 12.5, output: { asset_id: output, mime_type: 'video/mp4' } });
      expect(done.video_url).toBe(done.output.url);

      const failing = await newLipsync(ctx, 'NoFace');
      const { leaseId } = await claimOne(ctx, 'lipsync', [failing]);
      expect((await read(failing)).status).toBe('running');
      const queue = ctx.server.server.metadata.jobs;
      await queue.finishJob({ jobId: failing, leaseId, now: new Date(), status: 'failed', outputAssetId: null, errorMessage: 'no face found' });
      expect(await read(failing)).toMatchObject({ status: 'failed', failure_message: 'no face found', video_url: null });
    },
  },
  {
    operation: 'GET /v3/lipsyncs',
    name: "lists the caller's lipsyncs newest first, a page at a time",
    async run(ctx) {
      const ids = [];
      for (const title of ['one', 'two', 'three']) {
        ids.push(await newLipsync(ctx, title, TENANT_B.key));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const first = await ctx.call('GET /v3/lipsyncs', { query: { limit: 2 }, key: TENANT_B.key });
      expect(first.status).toBe(200);
      expect(first.body.data.map((l: Json) => l.id)).toEqual([ids[2], ids[1]]);
      expect(first.body.data.map((l: Json) => l.title)).toEqual(['three', 'two']);
      const rest = await ctx.call('GET /v3/lipsyncs', { query: { limit: 2, token: first.body.next_token }, key: TENANT_B.key });
      expect(rest.body.data.map((l: Json) => l.id)).toEqual([ids[0]]);
      expect(rest.body).toMatchObject({ has_more: false, next_token: null });
    },
  },
  {
    operation: 'GET /v3/lipsyncs/statuses',
    name: 'answers each id asked in the platform words (not_found for another tenant’s), and not_found for each batch id',
    async run(ctx) {
      const [done, waiting] = [await newLipsync(ctx, 'Done'), await newLipsync(ctx, 'Waiting')];
      const theirs = await newLipsync(ctx, 'Theirs', TENANT_B.key);
      await finish(ctx, 'lipsync', done, { output: await videoOutput(ctx) });
      const res = await ctx.call('GET /v3/lipsyncs/statuses', { query: { lipsync_ids: [done, waiting, theirs].join(','), batch_ids: 'batch_a,batch_b' } });
      expect(res.status).toBe(200);
      expect(res.body.data.map((e: Json) => [e.video_id, e.batch_id, e.status, e.error])).toEqual([
        [done, null, 'completed', null],
        [waiting, null, 'pending', null],
        [theirs, null, 'not_found', null],
        [null, 'batch_a', 'not_found', null],
        [null, 'batch_b', 'not_found', null],
      ]);
      expect(res.body).toMatchObject({ has_more: false, next_token: null });
    },
  },
  {
    operation: 'PATCH /v3/lipsyncs/{lipsync_id}',
    name: 'renames a waiting lipsync; it stays waiting, and only title is taken',
    async run(ctx) {
      const id = await newLipsync(ctx, 'Before');
      const res = await ctx.call('PATCH /v3/lipsyncs/{lipsync_id}', { params: { lipsync_id: id }, json: { title: 'After' } });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ id, title: 'After', status: 'pending', callback_id: 'cb-Before' });
      const extra = await ctx.server.api(`/v3/lipsyncs/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'x', status: 'completed' }),
      });
      expect(extra.status).toBe(400);
      expect(((await extra.json()) as Json).error).toMatchObject({ code: 'invalid_parameter', param: 'status' });
    },
  },
  {
    operation: 'DELETE /v3/lipsyncs/{lipsync_id}',
    name: 'deletes and answers {id}; the job is gone, its input assets stay',
    async run(ctx) {
      const id = await newLipsync(ctx, 'Delete me');
      const before = await ctx.call('GET /v3/lipsyncs/{lipsync_id}', { params: { lipsync_id: id } });
      const res = await ctx.call('DELETE /v3/lipsyncs/{lipsync_id}', { params: { lipsync_id: id } });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ id });
      expect((await ctx.call('GET /v3/lipsyncs/{lipsync_id}', { params: { lipsync_id: id } })).status).toBe(404);
      expect((await ctx.server.api(`/v3/assets/${before.body.data.audio.asset_id}`)).status).toBe(200);
    },
  },
];
