// The worker API through the real server: who may use it, claiming under a lease, heartbeats, completing with an
// output file, lease expiry handing a job to another worker, concurrent claims, and the signed job callback (through
// the webhook outbox: Standard Webhooks headers, and the older x-assetd-signature beside them for one release).
import { createHmac } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { uploadFile } from '../support/multipart.js';
import { startOrigin, type Origin } from '../support/origin.js';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_RETRY_SECONDS } from '../../src/domain/webhook-delivery.js';
import { callbackSecretWhsec } from '../../src/domain/webhook-signing.js';
import { eventually, startTestServer, TENANT_A, testClock, type TestServer } from '../support/server.js';

const WORKER_KEY = 'test-worker-key-000000000000';
const clock = testClock();
let t: TestServer;
let origin: Origin;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  origin = await startOrigin();
  t = await startTestServer({
    now: clock.now,
    env: { ASSETD_WORKER_KEYS: WORKER_KEY, ASSETD_URL_FETCH_ALLOW_HTTP: 'true', ASSETD_URL_FETCH_ALLOW_CIDRS: '127.0.0.1/32' },
  });
});
afterAll(async () => {
  await t.close();
  await origin.close();
});

async function call(pathname: string, body: unknown, key: string): Promise<{ status: number; json: Json }> {
  const res = await t.api(pathname, { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}
const worker = (pathname: string, body: unknown = {}) => call(`/v3/worker/jobs${pathname}`, body, WORKER_KEY);

async function newLipsync(extra: Record<string, unknown> = {}): Promise<string> {
  const video = (await uploadFile(t.url, TENANT_A.key, media.mp4(), 'v.mp4')).json.data.asset_id;
  const audio = (await uploadFile(t.url, TENANT_A.key, media.wav(), 'a.wav')).json.data.asset_id;
  const res = await call('/v3/lipsyncs', { video: { type: 'asset_id', asset_id: video }, audio: { type: 'asset_id', asset_id: audio }, ...extra }, TENANT_A.key);
  expect(res.status).toBe(200);
  return res.json.data.lipsync_id;
}

/** Claims until the queue is empty, so each test starts from a known queue. */
async function drainQueue(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const claimed = await worker('/claim', { lease_seconds: 3600 });
    if (claimed.json.data === null) return;
    await worker(`/${claimed.json.data.job_id}/fail`, { lease_id: claimed.json.data.lease_id, message: 'drained by test' });
  }
}

describe('who may use it', () => {
  it('refuses tenant keys on worker routes and worker keys on tenant routes', async () => {
    expect((await call('/v3/worker/jobs/claim', {}, TENANT_A.key)).status).toBe(401);
    expect((await t.api('/v3/assets', { key: WORKER_KEY })).status).toBe(401);
    expect((await worker('/claim')).status).toBe(200);
  });
});

describe('a job’s life', () => {
  it('claims, heartbeats, completes with an output, and the owner sees it', async () => {
    await drainQueue();
    const id = await newLipsync();
    const claimed = await worker('/claim', { kinds: ['lipsync'], lease_seconds: 60 });
    const job = claimed.json.data;
    expect(job).toMatchObject({ job_id: id, kind: 'lipsync', tenant: TENANT_A.tenant, status: 'processing', attempts: 1 });
    expect(job.inputs.map((i: Json) => i.mime_type)).toEqual(['video/mp4', 'audio/wav']);
    const input = await fetch(job.inputs[0].url);
    expect(Buffer.from(await input.arrayBuffer()).equals(media.mp4())).toBe(true);
    expect((await worker('/claim', { kinds: ['lipsync'] })).json.data).toBeNull();

    const beat = await worker(`/${id}/heartbeat`, { lease_id: job.lease_id, lease_seconds: 120 });
    expect(beat.status).toBe(200);
    expect(new Date(beat.json.data.lease_expires_at).getTime()).toBeGreaterThan(new Date(job.lease_expires_at).getTime());

    const output = { type: 'base64', media_type: 'video/mp4', data: media.mp4().toString('base64') };
    const done = await worker(`/${id}/complete`, { lease_id: job.lease_id, output });
    expect(done.status).toBe(200);
    expect(done.json.data.status).toBe('completed');

    const seen = (await (await t.api(`/v3/lipsyncs/${id}`)).json()) as Json;
    expect(seen.data).toMatchObject({ id, status: 'completed', failure_message: null, video_url: seen.data.output.url });
    expect(seen.data.output.mime_type).toBe('video/mp4');
    const served = await fetch(seen.data.video_url);
    expect(served.status).toBe(200);
    const record = (await (await t.api(`/v3/assets/${seen.data.output.asset_id}`)).json()) as Json;
    expect(record.data.status).toBe('completed');

    expect((await worker(`/${id}/complete`, { lease_id: job.lease_id, output })).status).toBe(409);
  });

  it('fails a job with a message, shown to its owner', async () => {
    await drainQueue();
    const id = await newLipsync();
    const job = (await worker('/claim')).json.data;
    const failed = await worker(`/${id}/fail`, { lease_id: job.lease_id, message: 'the audio is silent' });
    expect(failed.json.data.status).toBe('failed');
    const seen = (await (await t.api(`/v3/lipsyncs/${id}`)).json()) as Json;
    expect(seen.data).toMatchObject({ status: 'failed', failure_message: 'the audio is silent', video_url: null, output: null });
  });

  it('hands a job whose lease ran out to a second worker, and refuses the first one’s complete', async () => {
    await drainQueue();
    const id = await newLipsync();
    const first = (await worker('/claim', { lease_seconds: 10 })).json.data;
    expect((await worker('/claim')).json.data).toBeNull();
    clock.advance(11_000);
    const second = (await worker('/claim', { lease_seconds: 60 })).json.data;
    expect(second).toMatchObject({ job_id: id, attempts: 2 });
    expect(second.lease_id).not.toBe(first.lease_id);
    const late = await worker(`/${id}/complete`, { lease_id: first.lease_id, output: { type: 'base64', media_type: 'image/png', data: media.png().toString('base64') } });
    expect(late.status).toBe(409);
    expect((await worker(`/${id}/heartbeat`, { lease_id: first.lease_id })).status).toBe(409);
    expect((await worker(`/${id}/heartbeat`, { lease_id: second.lease_id })).status).toBe(200);
  });

  it('never gives the same job to two of many concurrent claimers', async () => {
    await drainQueue();
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await newLipsync());
    const claims = await Promise.all(Array.from({ length: 12 }, () => worker('/claim', { lease_seconds: 600 })));
    const got = claims.map((c) => c.json.data?.job_id).filter(Boolean);
    expect(got).toHaveLength(6);
    expect(new Set(got)).toEqual(new Set(ids));
  });
});

describe('what a worker’s outcome shows in each family', () => {
  const asJson = async (pathname: string) => ((await (await t.api(pathname)).json()) as Json).data;
  const b64 = (mediaType: string, bytes: Buffer) => ({ type: 'base64', media_type: mediaType, data: bytes.toString('base64') });

  it('a session: the output is its video_id and an assistant message; a follow-up hands it to the next run; a stop takes the lease', async () => {
    await drainQueue();
    origin.hook('/session-hook', []);
    const created = await call('/v3/video-agents', { prompt: 'A teaser', mode: 'chat', callback_url: `${origin.url}/session-hook`, callback_id: 'teaser' }, TENANT_A.key);
    const id = created.json.data.session_id;
    const job = (await worker('/claim', { kinds: ['video_agent'] })).json.data;
    expect(job.request).toMatchObject({ mode: 'chat', callback_id: 'teaser', messages: [{ role: 'user', text: 'A teaser' }] });
    expect((await asJson(`/v3/video-agents/${id}`)).status).toBe('generating');
    const done = await worker(`/${id}/complete`, { lease_id: job.lease_id, output: b64('video/mp4', media.mp4({ durationSeconds: 3 })) });
    const output = done.json.data.output.asset_id;
    const session = await asJson(`/v3/video-agents/${id}`);
    expect(session).toMatchObject({ status: 'completed', progress: 100, video_id: output, video_url: done.json.data.output.url });
    expect(session.messages[1]).toMatchObject({ role: 'assistant', type: 'resource', resource_ids: [output] });
    await eventually(async () => origin.requests.some((r) => r.path === '/session-hook'));
    const hook = JSON.parse(origin.requests.find((r) => r.path === '/session-hook')!.body);
    expect(hook).toMatchObject({ session_id: id, status: 'completed', video_id: output, callback_id: 'teaser', progress: 100 });

    const followUp = await call(`/v3/video-agents/${id}`, { message: 'Shorter, please' }, TENANT_A.key);
    expect(followUp.status).toBe(200);
    const next = (await worker('/claim', { kinds: ['video_agent'] })).json.data;
    expect(next.request.messages.map((m: Json) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(next.request.messages[1].files).toEqual([expect.objectContaining({ asset_id: output, mime_type: 'video/mp4' })]);
    expect(next.inputs.map((i: Json) => i.asset_id)).toContain(output);
    expect(next.request.messages[2]).toMatchObject({ text: 'Shorter, please', run_id: followUp.json.data.run_id });

    expect((await call(`/v3/video-agents/${id}/stop`, {}, TENANT_A.key)).json.data).toEqual({ session_id: id });
    const late = await worker(`/${id}/complete`, { lease_id: next.lease_id, output: b64('video/mp4', media.mp4()) });
    expect(late.status).toBe(409);
    expect((await worker(`/${id}/heartbeat`, { lease_id: next.lease_id })).status).toBe(409);
    const stopped = await asJson(`/v3/video-agents/${id}`);
    expect(stopped).toMatchObject({ status: 'failed', video_id: null });
    expect(stopped.messages.at(-1)).toMatchObject({ role: 'assistant', type: 'error', content: 'stopped by the caller' });
  });

  it('an avatar: an image output is its preview image and its look’s size; a failure is its error', async () => {
    await drainQueue();
    const made = await call('/v3/avatars', { type: 'photo', name: 'Ada', file: b64('image/png', media.png()) }, TENANT_A.key);
    const group = made.json.data.avatar_group.id;
    const job = (await worker('/claim', { kinds: ['avatar'] })).json.data;
    expect(job).toMatchObject({ job_id: group, request: { type: 'photo', name: 'Ada' } });
    await worker(`/${group}/complete`, { lease_id: job.lease_id, output: b64('image/png', media.png({ width: 64, height: 64 })) });
    expect(await asJson(`/v3/avatars/${group}`)).toMatchObject({ status: 'completed', preview_video_url: null, preview_image_url: expect.stringMatching(/\.png$/) });
    expect(await asJson(`/v3/avatars/looks/${made.json.data.avatar_item.id}`)).toMatchObject({
      status: 'completed',
      image_width: 64,
      image_height: 64,
      preferred_orientation: 'square',
    });

    const other = await call('/v3/avatars', { type: 'photo', name: 'Blur', file: b64('image/png', media.png()) }, TENANT_A.key);
    const failing = (await worker('/claim', { kinds: ['avatar'] })).json.data;
    await worker(`/${failing.job_id}/fail`, { lease_id: failing.lease_id, message: 'no face found' });
    expect(await asJson(`/v3/avatars/${other.json.data.avatar_group.id}`)).toMatchObject({
      status: 'failed',
      error: { code: 'processing_failed', message: 'no face found' },
    });
  });

  it('a translation: a job per language; a video output is video_url, audio audio_url, subtitles srt_caption_url', async () => {
    await drainQueue();
    const video = (await uploadFile(t.url, TENANT_A.key, media.mp4(), 'v.mp4')).json.data.asset_id;
    const made = await call('/v3/video-translations', { video: { type: 'asset_id', asset_id: video }, output_languages: ['fr', 'de', 'es'], title: 'Talk' }, TENANT_A.key);
    const ids: string[] = made.json.data.video_translation_ids;
    const outputs: Record<string, { type: string; media_type: string; data: string }> = {
      fr: b64('video/mp4', media.mp4({ durationSeconds: 3 })),
      de: b64('audio/wav', media.wav()),
      es: { type: 'base64', media_type: 'application/x-subrip', data: media.srt().toString('base64') },
    };
    for (let i = 0; i < 3; i++) {
      const job = (await worker('/claim', { kinds: ['video_translation'] })).json.data;
      expect(job.request).toMatchObject({ title: 'Talk', video: { asset_id: video } });
      expect(job.request.output_languages).toBeUndefined();
      const done = await worker(`/${job.job_id}/complete`, { lease_id: job.lease_id, output: outputs[job.request.output_language] });
      expect(done.status).toBe(200);
    }
    const read = await Promise.all(ids.map((id) => asJson(`/v3/video-translations/${id}`)));
    expect(read.map((r) => r.output_language)).toEqual(['fr', 'de', 'es']);
    const [fr, de, es] = read;
    expect(fr).toMatchObject({ status: 'completed', duration: 3, audio_url: null, srt_caption_url: null, video_url: fr.output.url });
    expect(de).toMatchObject({ status: 'completed', video_url: null, srt_caption_url: null, audio_url: de.output.url });
    expect(de.duration).toBeGreaterThan(0);
    expect(es).toMatchObject({ status: 'completed', video_url: null, audio_url: null, srt_caption_url: es.output.url, duration: null });
  });
});

describe('job callbacks', () => {
  it('POSTs the finished job to callback_url, signed by Standard Webhooks and by the older x-assetd-signature', async () => {
    await drainQueue();
    const callback = `${origin.url}/hook`;
    const id = await newLipsync({ callback_url: callback });
    const job = (await worker('/claim')).json.data;
    await worker(`/${id}/fail`, { lease_id: job.lease_id, message: 'no faces found' });
    await eventually(async () => origin.requests.some((r) => r.path === '/hook'));
    const hook = origin.requests.find((r) => r.path === '/hook')!;
    expect(JSON.parse(hook.body)).toMatchObject({ id, status: 'failed', failure_message: 'no faces found', callback_url: callback });
    const secret = (await fs.readFile(path.join(t.dataDir, 'webhook-secret'), 'utf8')).trim();
    const [, timestamp, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(hook.headers['x-assetd-signature']))!;
    expect(mac).toBe(createHmac('sha256', secret).update(`${timestamp}.${hook.body}`).digest('hex'));
    // The receiver's way from this release: the standardwebhooks package with the secret's whsec_ form.
    const verified = new Webhook(callbackSecretWhsec(secret)).verify(hook.body, {
      'webhook-id': String(hook.headers['webhook-id']),
      'webhook-timestamp': String(hook.headers['webhook-timestamp']),
      'webhook-signature': String(hook.headers['webhook-signature']),
    });
    expect(verified).toMatchObject({ id, status: 'failed' });
    const [event] = (await t.server.metadata.webhooks.listEvents({ tenant: TENANT_A.tenant, limit: 1, entityId: id })).events;
    expect(event).toMatchObject({ eventId: hook.headers['webhook-id'], eventType: 'lipsync.fail', entityId: id });
  });

  const hooksTo = (path: string) => origin.requests.filter((r) => r.path === path).length;
  /** The delivery to the job's callback_url of the event its finish recorded. */
  const callbackOf = async (id: string) => {
    const [event] = (await t.server.metadata.webhooks.listEvents({ tenant: TENANT_A.tenant, limit: 1, entityId: id })).events;
    if (!event) return undefined;
    const deliveries = await t.server.metadata.webhooks.deliveriesOf(event.eventId);
    return deliveries.find((d) => d.endpointId.startsWith('callback:'));
  };

  it('retries a refused callback on a schedule kept in the database, so a restart loses nothing', async () => {
    await drainQueue();
    origin.hook('/flaky', [500]);
    const id = await newLipsync({ callback_url: `${origin.url}/flaky` });
    const job = (await worker('/claim')).json.data;
    expect((await worker(`/${id}/fail`, { lease_id: job.lease_id, message: 'no faces found' })).status).toBe(200);
    await eventually(async () => (await callbackOf(id))?.attempts === 1);
    expect(await callbackOf(id)).toMatchObject({ state: 'pending', error: 'answered 500' });

    t = await t.restart();
    expect(await t.server.webhooks.runOnce()).toBe(0); // not due for another 10 s
    clock.advance(WEBHOOK_RETRY_SECONDS[0]! * 1000 + 1);
    expect(await t.server.webhooks.runOnce()).toBe(1);
    expect(await callbackOf(id)).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(hooksTo('/flaky')).toBe(2);
    clock.advance(86_400_000);
    expect(await t.server.webhooks.runOnce()).toBe(0); // delivered once is done
  });

  it('does not hold a callback back behind a slow receiver', async () => {
    await drainQueue();
    origin.hook('/slow', [], 3000);
    const slow = await newLipsync({ callback_url: `${origin.url}/slow` });
    const fast = await newLipsync({ callback_url: `${origin.url}/fast-hook` });
    origin.hook('/fast-hook', []);
    for (const [id, path] of [[slow, '/slow'], [fast, '/fast-hook']] as const) {
      const job = (await worker('/claim')).json.data;
      expect(job.job_id).toBe(id);
      await worker(`/${id}/fail`, { lease_id: job.lease_id, message: 'nope' });
      await eventually(async () => hooksTo(path) === 1);
    }
    await eventually(async () => (await callbackOf(fast))?.state === 'delivered', 2000);
    expect(await callbackOf(slow)).toMatchObject({ state: 'pending', attempts: 0 }); // its POST still waits on the receiver
    await eventually(async () => (await callbackOf(slow))?.state === 'delivered', 6000);
  });

  it('gives a callback up after its last try, at the pauses the README gives', async () => {
    await drainQueue();
    origin.hook('/down', Array.from({ length: 20 }, () => 503));
    const id = await newLipsync({ callback_url: `${origin.url}/down` });
    const job = (await worker('/claim')).json.data;
    await worker(`/${id}/fail`, { lease_id: job.lease_id, message: 'nope' });
    await eventually(async () => (await callbackOf(id))?.attempts === 1);
    for (const seconds of WEBHOOK_RETRY_SECONDS) {
      clock.advance(seconds * 1000 - 1000);
      expect(await t.server.webhooks.runOnce()).toBe(0); // a second early
      clock.advance(1000);
      expect(await t.server.webhooks.runOnce()).toBe(1);
    }
    expect(await callbackOf(id)).toMatchObject({ state: 'failed', attempts: WEBHOOK_RETRY_SECONDS.length + 1, error: 'answered 503' });
    expect(hooksTo('/down')).toBe(WEBHOOK_RETRY_SECONDS.length + 1);
  });

  it('refuses a callback_url that could never be called', async () => {
    const res = await call('/v3/lipsyncs', {
      video: { type: 'url', url: `${origin.url}/nothing` },
      audio: { type: 'url', url: `${origin.url}/nothing` },
      callback_url: 'http://169.254.169.254/latest',
    }, TENANT_A.key);
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('callback_url');
  });
});
