// File inputs on every endpoint that takes files, through the real server, with a file origin on 127.0.0.1 that the
// server is allowed to reach (ASSETD_URL_FETCH_ALLOW_CIDRS=127.0.0.1/32, http allowed): formats, kinds, params,
// all-or-nothing, URL failures. A second server with the default policy proves loopback is refused in every spelling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { uploadFile } from '../support/multipart.js';
import { startOrigin, type Origin } from '../support/origin.js';
import { startTestServer, TENANT_A, TENANT_B, type TestServer } from '../support/server.js';

let t: TestServer;
let strict: TestServer;
let origin: Origin;

beforeAll(async () => {
  origin = await startOrigin();
  origin.file('/clip.mp4', media.mp4(), 'video/mp4');
  origin.file('/voice.wav', media.wav(), 'audio/wav');
  origin.file('/photo.png', media.png(), 'image/png');
  origin.file('/subs.srt', media.srt(), 'text/plain');
  origin.redirect('/hop1', '/hop2');
  origin.redirect('/hop2', '/hop3');
  origin.redirect('/hop3', '/clip.mp4');
  origin.redirect('/loop1', '/loop2');
  origin.redirect('/loop2', '/loop3');
  origin.redirect('/loop3', '/loop4');
  origin.redirect('/loop4', '/clip.mp4');
  origin.redirect('/to-other-loopback', `http://127.0.0.2:${origin.port}/clip.mp4`);
  t = await startTestServer({
    env: {
      ASSETD_URL_FETCH_ALLOW_HTTP: 'true',
      ASSETD_URL_FETCH_ALLOW_CIDRS: '127.0.0.1/32',
      ASSETD_URL_FETCH_TIMEOUT_SECONDS: '2',
    },
  });
  strict = await startTestServer({ env: { ASSETD_URL_FETCH_ALLOW_HTTP: 'true' } });
});

afterAll(async () => {
  await Promise.all([t.close(), strict.close()]);
  await origin.close();
});

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

async function post(server: TestServer, pathname: string, body: unknown, key = TENANT_A.key): Promise<{ status: number; json: Json }> {
  const res = await server.api(pathname, {
    method: 'POST',
    key,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function uploadedId(bytes: Buffer, key = TENANT_A.key): Promise<string> {
  const res = await uploadFile(t.url, key, bytes, 'x.bin');
  expect(res.status).toBe(200);
  return res.json.data.asset_id as string;
}

const b64 = (mediaType: string, bytes: Buffer) => ({ type: 'base64', media_type: mediaType, data: bytes.toString('base64') });
const byUrl = (path: string) => ({ type: 'url', url: `${origin.url}${path}` });
const byId = (assetId: string) => ({ type: 'asset_id', asset_id: assetId });

async function assetCount(): Promise<number> {
  return ((await (await t.api('/v3/assets?limit=100')).json()) as { data: unknown[] }).data.length;
}

describe('every format on every endpoint', () => {
  it('video agents: asset_id, url and base64 files, then a follow-up message', async () => {
    const photo = await uploadedId(media.png());
    const created = await post(t, '/v3/video-agents', {
      prompt: 'A product teaser',
      mode: 'chat',
      files: [byId(photo), byUrl('/clip.mp4'), b64('audio/wav', media.wav())],
    });
    expect(created.status).toBe(200);
    const session = created.json.data;
    expect(session.session_id).toMatch(/^session_[0-9a-f]{32}$/);
    expect(session.status).toBe('thinking');
    expect(session.video_id).toBeNull();
    const first = ((await (await t.api(`/v3/video-agents/${session.session_id}`)).json()) as Json).data.messages[0];
    expect(first).toMatchObject({ role: 'user', type: 'text', content: 'A product teaser' });
    const files = first.files;
    expect(files.map((f: Json) => f.mime_type)).toEqual(['image/png', 'video/mp4', 'audio/wav']);
    expect(first.resource_ids).toEqual(files.map((f: Json) => f.asset_id));
    expect(files[0].asset_id).toBe(photo);
    const fetched = await fetch(files[1].url);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(media.mp4())).toBe(true);

    const followUp = await post(t, `/v3/video-agents/${session.session_id}`, { message: 'Add the deck', files: [b64('application/pdf', media.pdf())] });
    expect(followUp.status).toBe(200);
    expect(followUp.json.data).toMatchObject({ session_id: session.session_id, run_id: expect.stringMatching(/^run_[0-9a-f]{32}$/) });

    const read = await (await t.api(`/v3/video-agents/${session.session_id}`)).json() as Json;
    expect(read.data.messages).toHaveLength(2);
    expect(read.data.messages[1]).toMatchObject({ content: 'Add the deck', run_id: followUp.json.data.run_id, files: [{ mime_type: 'application/pdf' }] });
    expect((await t.api(`/v3/video-agents/${session.session_id}`, { key: TENANT_B.key })).status).toBe(404);
  });

  it('avatars: photo (base64), digital twin (url), prompt with reference images (asset_id)', async () => {
    const photo = await post(t, '/v3/avatars', { type: 'photo', name: 'Ada', file: b64('image/png', media.png()) });
    expect(photo.status).toBe(200);
    expect(photo.json.data.avatar_group).toMatchObject({ type: 'photo', name: 'Ada', status: 'processing', file: { mime_type: 'image/png' } });
    expect(photo.json.data.avatar_group.id).toMatch(/^avatar_/);

    const twin = await post(t, '/v3/avatars', { type: 'digital_twin', name: 'Twin', file: byUrl('/clip.mp4') });
    expect(twin.status).toBe(200);
    expect(twin.json.data.avatar_group.file.mime_type).toBe('video/mp4');

    const ref = await uploadedId(media.jpeg());
    const prompted = await post(t, '/v3/avatars', { type: 'prompt', name: 'Host', prompt: 'a friendly host', reference_images: [byId(ref)] });
    expect(prompted.status).toBe(200);
    expect(prompted.json.data.avatar_group.reference_images).toEqual([expect.objectContaining({ asset_id: ref, mime_type: 'image/jpeg' })]);
  });

  it('video translations: url and asset_id (with audio and srt), never base64', async () => {
    const audio = await uploadedId(media.mp3());
    const ok = await post(t, '/v3/video-translations', {
      video: byUrl('/clip.mp4'),
      audio: byId(audio),
      srt: byUrl('/subs.srt'),
      output_languages: ['fr', 'de'],
    });
    expect(ok.status).toBe(200);
    const ids = ok.json.data.video_translation_ids;
    expect(ids).toHaveLength(2);
    for (const [i, language] of ['fr', 'de'].entries()) {
      const read = ((await (await t.api(`/v3/video-translations/${ids[i]}`)).json()) as Json).data;
      expect(read).toMatchObject({
        status: 'pending',
        output_language: language,
        video: { mime_type: 'video/mp4' },
        audio: { asset_id: audio },
        srt: { mime_type: 'application/x-subrip' },
        output: null,
        video_url: null,
      });
    }
    const base64 = await post(t, '/v3/video-translations', { video: b64('video/mp4', media.mp4()), output_languages: ['fr'] });
    expect(base64.status).toBe(400);
    expect(base64.json.error.param).toBe('video.type');
  });

  it('lipsyncs: url and asset_id, both required, never base64', async () => {
    const video = await uploadedId(media.webm());
    const ok = await post(t, '/v3/lipsyncs', { video: byId(video), audio: byUrl('/voice.wav') });
    expect(ok.status).toBe(200);
    expect(ok.json.data.lipsync_id).toMatch(/^lipsync_/);
    const missing = await post(t, '/v3/lipsyncs', { video: byId(video) });
    expect(missing.status).toBe(400);
    expect(missing.json.error.param).toBe('audio');
    const base64 = await post(t, '/v3/lipsyncs', { video: byId(video), audio: b64('audio/wav', media.wav()) });
    expect(base64.json.error.param).toBe('audio.type');
  });
});

describe('refusals name the input', () => {
  it('refuses the wrong media kind for a field', async () => {
    const video = await uploadedId(media.mp4());
    const photoWithVideo = await post(t, '/v3/avatars', { type: 'photo', name: 'A', file: byId(video) });
    expect(photoWithVideo.status).toBe(400);
    expect(photoWithVideo.json.error).toMatchObject({ code: 'unsupported_media_type', param: 'file.asset_id' });

    const audioWithImage = await post(t, '/v3/lipsyncs', { video: byId(video), audio: byUrl('/photo.png') });
    expect(audioWithImage.status).toBe(400);
    expect(audioWithImage.json.error).toMatchObject({ code: 'unsupported_media_type', param: 'audio.url' });

    const refWithVideo = await post(t, '/v3/avatars', { type: 'prompt', name: 'A', prompt: 'x', reference_images: [b64('image/png', media.png()), byId(video)] });
    expect(refWithVideo.json.error.param).toBe('reference_images[1].asset_id');
  });

  it('names a field the platform does not document, top-level or inside a file input or an option', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['/v3/lipsyncs', { video: byUrl('/clip.mp4'), audio: byUrl('/voice.wav'), colour: 'red' }, 'colour'],
      ['/v3/video-agents', { prompt: 'p', files: [{ ...byUrl('/photo.png'), colour: 'red' }] }, 'files[0].colour'],
      ['/v3/video-translations', { video: byUrl('/clip.mp4'), audio: { ...byUrl('/voice.wav'), colour: 'red' }, output_languages: ['fr'] }, 'audio.colour'],
      [
        '/v3/video-translations',
        { video: byUrl('/clip.mp4'), output_languages: ['fr'], stock_voice_config: { use_stock_voice: true, colour: 'red' } },
        'stock_voice_config.colour',
      ],
      ['/v3/avatars', { type: 'photo', name: 'A', file: byUrl('/photo.png'), callback_url: `${origin.url}/hook` }, 'callback_url'],
    ];
    for (const [path, body, param] of cases) {
      const res = await post(t, path, body);
      expect(res.status, param).toBe(400);
      expect(res.json.error, param).toMatchObject({ code: 'invalid_parameter', param });
    }
    // A field of another avatar type's shape is refused by name too.
    const stray = await post(t, '/v3/avatars', { type: 'photo', name: 'A', file: byUrl('/photo.png'), prompt: 'smiling' });
    expect(stray.json.error).toMatchObject({ code: 'invalid_parameter', param: 'prompt' });
  });

  it('takes null for every field the platform documents as nullable', async () => {
    const nulls = { title: null, callback_url: null, callback_id: null, folder_id: null, start_time: null, end_time: null, keep_the_same_format: null };
    const lipsync = await post(t, '/v3/lipsyncs', { video: byUrl('/clip.mp4'), audio: byUrl('/voice.wav'), ...nulls, fps_mode: null });
    expect(lipsync.status).toBe(200);
    const translation = await post(t, '/v3/video-translations', {
      video: byUrl('/clip.mp4'),
      audio: null,
      srt: null,
      output_languages: ['fr'],
      ...nulls,
      input_language: null,
      fps_mode: null,
      srt_role: null,
      speaker_num: null,
      stock_voice_config: null,
      brand_glossary_id: null,
      brand_voice_id: null,
    });
    expect(translation.status).toBe(200);
    const read = ((await (await t.api(`/v3/video-translations/${translation.json.data.video_translation_ids[0]}`)).json()) as Json).data;
    expect(read).toMatchObject({ title: null, callback_id: null, callback_url: null, audio: null, srt: null });
    const agent = await post(t, '/v3/video-agents', {
      prompt: 'p',
      files: null,
      avatar_id: null,
      voice_id: null,
      style_id: null,
      brand_kit_id: null,
      orientation: null,
      callback_url: null,
      callback_id: null,
    });
    expect(agent.status).toBe(200);
  });

  it('refuses base64 whose bytes are not its media_type, and malformed base64', async () => {
    const wrongType = await post(t, '/v3/video-agents', { prompt: 'p', files: [b64('image/jpeg', media.png())] });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.error).toMatchObject({ code: 'media_type_mismatch', param: 'files[0].media_type' });
    const malformed = await post(t, '/v3/video-agents', { prompt: 'p', files: [{ type: 'base64', media_type: 'image/png', data: 'not base64!' }] });
    expect(malformed.json.error).toMatchObject({ code: 'invalid_parameter', param: 'files[0].data' });
    const missingData = await post(t, '/v3/video-agents', { prompt: 'p', files: [{ type: 'base64', media_type: 'image/png' }] });
    expect(missingData.json.error.param).toBe('files[0].data');
  });

  it('refuses more than 20 files', async () => {
    const photo = await uploadedId(media.png());
    const res = await post(t, '/v3/video-agents', { prompt: 'p', files: Array.from({ length: 21 }, () => byId(photo)) });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('files');
  });

  it('refuses another tenant’s asset and a pending one', async () => {
    const theirs = await uploadedId(media.png(), TENANT_B.key);
    const other = await post(t, '/v3/video-agents', { prompt: 'p', files: [byId(theirs)] });
    expect(other.status).toBe(400);
    expect(other.json.error).toMatchObject({ code: 'not_found', param: 'files[0].asset_id' });

    const pending = await post(t, '/v3/assets/direct-uploads', { filename: 'p.png', content_type: 'image/png', size_bytes: 10 });
    const res = await post(t, '/v3/video-agents', { prompt: 'p', files: [byId(pending.json.data.asset_id)] });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('files[0].asset_id');
    expect(res.json.error.message).toContain('pending_upload');
  });

  it('is all or nothing: assets made for good inputs are removed when another fails', async () => {
    const before = await assetCount();
    const res = await post(t, '/v3/video-agents', {
      prompt: 'p',
      files: [b64('image/png', media.png()), byUrl('/clip.mp4'), byUrl('/missing.png')],
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'download_failed', param: 'files[2].url' });
    expect(await assetCount()).toBe(before);
  });
});

describe('size limits', () => {
  it('takes a 32 MiB base64 file (a ~43 MiB JSON body) and refuses one byte more', async () => {
    const limit = 32 * 1024 * 1024;
    const full = media.padTo(media.png(), limit);
    const ok = await post(t, '/v3/avatars', { type: 'photo', name: 'Big', file: b64('image/png', full) });
    expect(ok.status).toBe(200);
    expect(ok.json.data.avatar_group.file.mime_type).toBe('image/png');
    const over = await post(t, '/v3/avatars', { type: 'photo', name: 'Bigger', file: b64('image/png', media.padTo(media.png(), limit + 1)) });
    expect(over.status).toBe(413);
    expect(over.json.error).toMatchObject({ code: 'payload_too_large', param: 'file.data' });
  });

  it('refuses a JSON body over ASSETD_MAX_JSON_BYTES with 413', async () => {
    const res = await t.api('/v3/video-agents', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'x'.repeat(49 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as Json).error.code).toBe('payload_too_large');
  });
});

describe('URL inputs', () => {
  const agent = (url: string, server = t) => post(server, '/v3/video-agents', { prompt: 'p', files: [{ type: 'url', url }] });

  it('follows up to 3 redirects, and refuses a 4th', async () => {
    expect((await agent(`${origin.url}/hop1`)).status).toBe(200);
    const tooMany = await agent(`${origin.url}/loop1`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.message).toContain('redirects');
  });

  it.each([
    ['a 404', '/missing.png', 'answered 404'],
    ['an announced 33 MiB body', '/huge', 'larger than'],
    ['an unannounced 33 MiB body', '/huge-unannounced', 'larger than'],
    ['a stalled body', '/stall', 'timed out'],
    ['a redirect to an address that is not allowed', '/to-other-loopback', 'loopback'],
  ])('refuses %s with download_failed and the reason', async (_name, path, reason) => {
    const before = await assetCount();
    const res = await agent(`${origin.url}${path}`);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'download_failed', param: 'files[0].url' });
    expect(res.json.error.message).toContain(reason);
    expect(await assetCount()).toBe(before);
  });

  it('refuses every spelling of loopback by default, without connecting', async () => {
    const served = origin.requests.length;
    const p = origin.port;
    for (const url of [
      `http://127.0.0.1:${p}/clip.mp4`,
      `http://127.1:${p}/clip.mp4`,
      `http://0x7f000001:${p}/clip.mp4`,
      `http://2130706433:${p}/clip.mp4`,
      `http://0177.0.0.1:${p}/clip.mp4`,
      `http://[::ffff:127.0.0.1]:${p}/clip.mp4`,
      `http://[::1]:${p}/clip.mp4`,
      `http://localhost:${p}/clip.mp4`,
    ]) {
      const res = await agent(url, strict);
      expect(res.status, url).toBe(400);
      expect(res.json.error.code, url).toBe('download_failed');
    }
    expect(origin.requests.length).toBe(served);
  });

  it('requires https unless http is allowed', async () => {
    const https = await startTestServer();
    try {
      const res = await agent(`${origin.url}/clip.mp4`, https);
      expect(res.json.error).toMatchObject({ code: 'download_failed' });
      expect(res.json.error.message).toContain('https');
    } finally {
      await https.close();
    }
  });
});
