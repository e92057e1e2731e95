// Job and batch events through the real server: each job family's finish reports its platform event type (or
// assetd's lipsync.*) with the job as its GET shows it, to subscribed endpoints and to the job's callback_url from
// the same outbox; a direct-upload batch's callback_url hears upload_batch.finished, also when its last pending item
// is deleted. Receivers are on a loopback origin; deliveries are verified with the standardwebhooks package.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackSecretWhsec } from '../../src/domain/webhook-signing.js';
import * as media from '../support/media.js';
import { uploadFile } from '../support/multipart.js';
import { startOrigin, type Origin } from '../support/origin.js';
import { callJson, verifyDelivery } from '../support/webhooks.js';
import { putBytes } from '../support/put.js';
import { eventually, startTestServer, TENANT_A, TENANT_B, type TestServer } from '../support/server.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const WORKER_KEY = 'test-worker-key-000000000000';
let t: TestServer;
let origin: Origin;

beforeAll(async () => {
  origin = await startOrigin();
  t = await startTestServer({
    env: { ASSETD_WORKER_KEYS: WORKER_KEY, ASSETD_URL_FETCH_ALLOW_HTTP: 'true', ASSETD_URL_FETCH_ALLOW_CIDRS: '127.0.0.1/32' },
  });
});
afterAll(async () => {
  await t.server.batches.settled();
  await t.close();
  await origin.close();
});

const call = (method: string, pathname: string, body?: unknown, key?: string) => callJson(t, method, pathname, body, key);

const to = (path: string) => origin.requests.filter((r) => r.path === path);

const verify = verifyDelivery;

/** Claims the job (the oldest waiting one must be it) and completes it with a PNG, or fails it. */
async function finish(jobId: string, outcome: 'complete' | 'fail'): Promise<void> {
  const claimed = await call('POST', '/v3/worker/jobs/claim', { lease_seconds: 60 }, WORKER_KEY);
  expect(claimed.json.data?.job_id).toBe(jobId);
  const leaseId = claimed.json.data.lease_id;
  const body =
    outcome === 'complete'
      ? { lease_id: leaseId, output: { type: 'base64', media_type: 'image/png', data: media.png().toString('base64') } }
      : { lease_id: leaseId, message: 'no faces found' };
  const res = await call('POST', `/v3/worker/jobs/${jobId}/${outcome}`, body, WORKER_KEY);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
}

const byId = (assetId: string) => ({ type: 'asset_id', asset_id: assetId });

describe('job events', () => {
  it('each family reports its platform type with the job as its GET shows it, to endpoints and the callback_url alike', async () => {
    origin.hook('/jobs', []);
    origin.hook('/job-callback', []);
    const jobTypes = ['video_translate.success', 'video_translate.fail', 'lipsync.success', 'lipsync.fail', 'photo_avatar_generation.success', 'photo_avatar_generation.fail', 'instant_avatar.success', 'instant_avatar.fail', 'video_agent.success', 'video_agent.fail'];
    const ep = (await call('POST', '/v3/webhooks/endpoints', { url: `${origin.url}/jobs`, events: jobTypes })).json.data;
    origin.hook('/b-jobs', []);
    await call('POST', '/v3/webhooks/endpoints', { url: `${origin.url}/b-jobs` }, TENANT_B.key);
    const png = (await uploadFile(t.url, TENANT_A.key, media.png(), 'face.png')).json.data.asset_id;
    const mp4 = (await uploadFile(t.url, TENANT_A.key, media.mp4(), 'v.mp4')).json.data.asset_id;
    const wav = (await uploadFile(t.url, TENANT_A.key, media.wav(), 'a.wav')).json.data.asset_id;

    const translation = (await call('POST', '/v3/video-translations', { video: byId(mp4), output_languages: ['fr'], callback_url: `${origin.url}/job-callback` })).json.data.video_translation_ids[0];
    await finish(translation, 'complete');
    const lipsync = (await call('POST', '/v3/lipsyncs', { video: byId(mp4), audio: byId(wav) })).json.data.lipsync_id;
    await finish(lipsync, 'fail');
    const photo = (await call('POST', '/v3/avatars', { type: 'photo', name: 'Ada', file: byId(png) })).json.data.avatar_group.id;
    await finish(photo, 'complete');
    const twin = (await call('POST', '/v3/avatars', { type: 'digital_twin', name: 'Twin', file: byId(mp4) })).json.data.avatar_group.id;
    await finish(twin, 'fail');
    const session = (await call('POST', '/v3/video-agents', { prompt: 'A teaser' })).json.data.session_id;
    expect((await call('POST', `/v3/video-agents/${session}/stop`, {})).status).toBe(200);

    await eventually(async () => to('/jobs').length === 5);
    await eventually(async () => to('/job-callback').length === 1);
    const events = to('/jobs').map((r) => verify(ep.secret, r));
    const byEntity = new Map(events.map((e: Json) => [e.event_data.id ?? e.event_data.session_id, e]));
    expect(byEntity.get(translation)).toMatchObject({ event_type: 'video_translate.success', event_data: { status: 'completed' } });
    expect(byEntity.get(lipsync)).toMatchObject({ event_type: 'lipsync.fail', event_data: { status: 'failed', failure_message: 'no faces found' } });
    expect(byEntity.get(photo)).toMatchObject({ event_type: 'photo_avatar_generation.success' });
    expect(byEntity.get(twin)).toMatchObject({ event_type: 'instant_avatar.fail' });
    expect(byEntity.get(session)).toMatchObject({ event_type: 'video_agent.fail', event_data: { status: 'failed' } });
    // The event data is what the family's GET answers.
    const read = (await call('GET', `/v3/video-translations/${translation}`)).json.data;
    expect(byEntity.get(translation).event_data).toEqual(read);

    // The callback_url got the same event: its data as the body, the same webhook-id, signed with the service secret.
    const hook = to('/job-callback')[0]!;
    const secret = (await import('node:fs/promises')).readFile(`${t.dataDir}/webhook-secret`, 'utf8');
    expect(verify(callbackSecretWhsec((await secret).trim()), hook)).toEqual(byEntity.get(translation).event_data);
    expect(hook.headers['webhook-id']).toBe(byEntity.get(translation).event_id);
    expect(hook.headers['x-assetd-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(to('/b-jobs')).toEqual([]);
    // The history lists them by type.
    const history = await call('GET', `/v3/webhooks/events?event_type=video_translate.success&entity_id=${translation}`);
    expect(history.json.data.map((e: Json) => e.event_id)).toEqual([byEntity.get(translation).event_id]);
  });
});

describe('batch events', () => {
  it('a batch’s callback_url hears upload_batch.finished once its items settle', async () => {
    origin.hook('/batch-callback', []);
    const bytes = media.png();
    const res = await call('POST', '/v3/assets/direct-uploads/batches', {
      callback_url: `${origin.url}/batch-callback`,
      files: [{ filename: 'a.png', content_type: 'image/png', size_bytes: bytes.length }],
    });
    expect(res.status).toBe(200);
    const { batch_id: batchId, items } = res.json.data;
    expect((await putBytes(items[0].upload_url, items[0].upload_headers, bytes)).status).toBe(200);
    expect((await call('POST', '/v3/assets/complete/batches', { batch_id: batchId })).status).toBe(202);
    await t.server.batches.settled();
    await eventually(async () => to('/batch-callback').length === 1);
    const hook = to('/batch-callback')[0]!;
    expect(JSON.parse(hook.body)).toEqual({ batch_id: batchId, counts_by_status: { completed: 1 } });
    const [event] = (await call('GET', `/v3/webhooks/events?entity_id=${batchId}`)).json.data;
    expect(event).toMatchObject({ event_type: 'upload_batch.finished', event_id: hook.headers['webhook-id'] });
  });

  it('deleting a batch’s last pending item finishes the batch', async () => {
    origin.hook('/batch-deleted', []);
    const files = [media.png(), media.jpeg()];
    const res = await call('POST', '/v3/assets/direct-uploads/batches', {
      callback_url: `${origin.url}/batch-deleted`,
      files: [
        { filename: 'a.png', content_type: 'image/png', size_bytes: files[0]!.length },
        { filename: 'b.jpg', content_type: 'image/jpeg', size_bytes: files[1]!.length },
      ],
    });
    const { batch_id: batchId, items } = res.json.data;
    expect((await putBytes(items[0].upload_url, items[0].upload_headers, files[0]!)).status).toBe(200);
    expect((await call('POST', `/v3/assets/${items[0].asset_id}/complete`, {})).status).toBe(200);
    await t.server.webhooks.runOnce();
    expect(to('/batch-deleted')).toEqual([]);
    expect((await call('DELETE', `/v3/assets/${items[1].asset_id}`)).status).toBe(200);
    await eventually(async () => to('/batch-deleted').length === 1);
    expect(JSON.parse(to('/batch-deleted')[0]!.body)).toEqual({ batch_id: batchId, counts_by_status: { completed: 1 } });
  });

  it('refuses a batch callback_url that could never be called', async () => {
    const res = await call('POST', '/v3/assets/direct-uploads/batches', {
      callback_url: 'http://169.254.169.254/latest',
      files: [{ filename: 'a.png', content_type: 'image/png', size_bytes: 100 }],
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid_parameter', param: 'callback_url' });
  });
});
