// The webhooks API through the real server: endpoints made, listed, changed, rotated and deleted by their tenant only
// (another tenant's endpoint is 404 on every route), bad input refused in the error envelope with the param named,
// endpoint URLs held to the URL-input address rules, the event-type catalogue, and the history filtered and paged.
// Deliveries go to a loopback receiver (the test config allows 127.0.0.1 over http) and are verified with the
// standardwebhooks package, as the README's receiver does.
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { uploadFile } from '../support/multipart.js';
import { startOrigin, type Origin } from '../support/origin.js';
import { callJson, verifyDelivery } from '../support/webhooks.js';
import { eventually, startTestServer, TENANT_A, TENANT_B, testClock, type TestServer } from '../support/server.js';
import platformSpec from '../conformance/platform-v3.json' with { type: 'json' };

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const clock = testClock();
let t: TestServer;
let origin: Origin;

beforeAll(async () => {
  origin = await startOrigin();
  t = await startTestServer({
    now: clock.now,
    env: { ASSETD_URL_FETCH_ALLOW_HTTP: 'true', ASSETD_URL_FETCH_ALLOW_CIDRS: '127.0.0.1/32' },
  });
});
afterAll(async () => {
  await t.close();
  await origin.close();
});

const call = (method: string, pathname: string, body?: unknown, key?: string) => callJson(t, method, pathname, body, key);

async function create(path: string, events: string[] | null = null, extra: Record<string, unknown> = {}) {
  origin.hook(path, []);
  const res = await call('POST', '/v3/webhooks/endpoints', { url: `${origin.url}${path}`, events, ...extra });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json.data as { endpoint_id: string; secret: string; url: string; events: string[] | null; status: string };
}

const to = (path: string) => origin.requests.filter((r) => r.path === path);

const verify = verifyDelivery;

describe('endpoints', () => {
  it('creates an endpoint whose secret, answered once, verifies what it is sent', async () => {
    const ep = await create('/made', ['asset.completed']);
    expect(ep).toMatchObject({ url: `${origin.url}/made`, status: 'enabled', events: ['asset.completed'] });
    expect(ep.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const uploaded = await uploadFile(t.url, TENANT_A.key, media.png(), 'p.png');
    await eventually(async () => to('/made').length === 1);
    expect(verify(ep.secret, to('/made')[0]!)).toMatchObject({ event_type: 'asset.completed', event_data: { asset_id: uploaded.json.data.asset_id } });
    // Never shown again.
    const listed = await call('GET', '/v3/webhooks/endpoints?limit=100');
    expect(listed.json.data.find((e: Json) => e.endpoint_id === ep.endpoint_id)).toMatchObject({ secret: null, events: ['asset.completed'] });
  });

  it('an endpoint naming an entity hears only about it', async () => {
    const first = (await uploadFile(t.url, TENANT_A.key, media.png(), 'a.png')).json.data.asset_id as string;
    await create('/one-asset', ['asset.deleted'], { entity_id: first });
    const second = (await uploadFile(t.url, TENANT_A.key, media.png(), 'b.png')).json.data.asset_id as string;
    await call('DELETE', `/v3/assets/${second}`);
    await call('DELETE', `/v3/assets/${first}`);
    await eventually(async () => to('/one-asset').length === 1);
    await t.server.webhooks.runOnce();
    expect(to('/one-asset').map((r) => JSON.parse(r.body).event_data.asset_id)).toEqual([first]);
  });

  it('refuses bad input with the envelope, naming the parameter', async () => {
    const cases: [unknown, string][] = [
      [{}, 'url'],
      [{ url: 'ftp://example.com/hook' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ url: 'http://10.1.2.3/hook' }, 'url'],
      [{ url: 'http://169.254.169.254/latest' }, 'url'],
      [{ url: 'http://user:pw@127.0.0.1/hook' }, 'url'],
      [{ url: `${origin.url}/x`, events: ['asset.completed', 'video.done'] }, 'events[1]'],
      [{ url: `${origin.url}/x`, events: [1] }, 'events[0]'],
      [{ url: `${origin.url}/x`, entity_id: '' }, 'entity_id'],
      [{ url: `${origin.url}/x`, colour: 'red' }, 'colour'],
    ];
    for (const [body, param] of cases) {
      const res = await call('POST', '/v3/webhooks/endpoints', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe('invalid_parameter');
      expect(res.json.error.message.length).toBeGreaterThan(0);
      expect(res.json.error.param, JSON.stringify(body)).toBe(param);
    }
    const notJson = await t.api('/v3/webhooks/endpoints', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"url":' });
    expect(notJson.status).toBe(400);
  });

  it('lists newest first, a page at a time, with an opaque token', async () => {
    const a = await create('/list-a');
    const b = await create('/list-b');
    const first = await call('GET', '/v3/webhooks/endpoints?limit=1');
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ has_more: true, data: [{ endpoint_id: b.endpoint_id, events: null }] });
    const second = await call('GET', `/v3/webhooks/endpoints?limit=1&token=${first.json.next_token}`);
    expect(second.json.data[0].endpoint_id).toBe(a.endpoint_id);
    expect((await call('GET', '/v3/webhooks/endpoints?token=nope')).json.error).toMatchObject({ code: 'invalid_parameter', param: 'token' });
    expect((await call('GET', '/v3/webhooks/endpoints?limit=0')).status).toBe(400);
    expect((await call('GET', '/v3/webhooks/endpoints?limit=101')).status).toBe(400);
  });

  it('PATCH replaces url and events whole; null leaves a field as it is', async () => {
    const ep = await create('/patch-a', ['asset.completed', 'asset.deleted']);
    const res = await call('PATCH', `/v3/webhooks/endpoints/${ep.endpoint_id}`, { events: ['asset.failed'] });
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({ url: ep.url, events: ['asset.failed'], secret: null });
    origin.hook('/patch-b', []);
    const moved = await call('PATCH', `/v3/webhooks/endpoints/${ep.endpoint_id}`, { url: `${origin.url}/patch-b`, events: null });
    expect(moved.json.data).toMatchObject({ url: `${origin.url}/patch-b`, events: ['asset.failed'] });
    const all = await call('PATCH', `/v3/webhooks/endpoints/${ep.endpoint_id}`, { events: [] });
    expect(all.json.data.events).toBeNull();
    expect((await call('PATCH', `/v3/webhooks/endpoints/${ep.endpoint_id}`, { url: 'http://192.168.1.1/' })).json.error).toMatchObject({ code: 'invalid_parameter', param: 'url' });
    expect((await call('PATCH', `/v3/webhooks/endpoints/${ep.endpoint_id}`, { events: ['nope'] })).json.error).toMatchObject({ param: 'events[0]' });
    expect((await call('PATCH', `/v3/webhooks/endpoints/${ep.endpoint_id}`, { status: 'disabled' })).status).toBe(400);
    expect((await call('PATCH', '/v3/webhooks/endpoints/ep_missing', { events: ['asset.failed'] })).status).toBe(404);
    // A bodiless PATCH answers the endpoint as it is.
    expect((await call('PATCH', `/v3/webhooks/endpoints/${ep.endpoint_id}`)).json.data.url).toBe(`${origin.url}/patch-b`);
  });

  it('DELETE removes the endpoint: it hears nothing more, and a second DELETE is 404', async () => {
    const ep = await create('/deleted', ['asset.completed']);
    const res = await call('DELETE', `/v3/webhooks/endpoints/${ep.endpoint_id}`);
    expect(res).toEqual({ status: 200, json: { data: { endpoint_id: ep.endpoint_id, deleted: true } } });
    await uploadFile(t.url, TENANT_A.key, media.png(), 'p.png');
    await t.server.webhooks.runOnce();
    expect(to('/deleted')).toEqual([]);
    expect((await call('DELETE', `/v3/webhooks/endpoints/${ep.endpoint_id}`)).status).toBe(404);
  });

  it('rotate-secret: the new secret now, the old one signing beside it for 24 h, then the new alone', async () => {
    const ep = await create('/rotated', ['asset.completed']);
    const res = await call('POST', `/v3/webhooks/endpoints/${ep.endpoint_id}/rotate-secret`);
    expect(res.status).toBe(200);
    const { secret, previous_secret_expires_at: until } = res.json.data;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(ep.secret);
    expect(Date.parse(until) - clock.now().getTime()).toBeGreaterThan(23.9 * 3600_000);
    expect((await call('GET', '/v3/webhooks/endpoints?limit=100')).json.data.find((e: Json) => e.endpoint_id === ep.endpoint_id).previous_secret_expires_at).toBe(until);

    await uploadFile(t.url, TENANT_A.key, media.png(), 'p.png');
    await eventually(async () => to('/rotated').length === 1);
    const during = to('/rotated')[0]!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(secret, during).event_type).toBe('asset.completed');
    expect(verify(ep.secret, during).event_type).toBe('asset.completed');

    clock.advance(24 * 3600_000 + 1000);
    await uploadFile(t.url, TENANT_A.key, media.png(), 'p.png');
    await eventually(async () => to('/rotated').length === 2);
    const after = to('/rotated')[1]!;
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    // The receiver's verify checks the timestamp against its own clock, which the test clock has left behind.
    const [id, ts] = [String(after.headers['webhook-id']), new Date(Number(after.headers['webhook-timestamp']) * 1000)];
    expect(after.headers['webhook-signature']).toBe(new Webhook(secret).sign(id, ts, after.body));
    expect(after.headers['webhook-signature']).not.toBe(new Webhook(ep.secret).sign(id, ts, after.body));
  });

  it('another tenant’s endpoint is 404 on every route, and never listed', async () => {
    const ep = await create('/private', ['asset.completed']);
    const path = `/v3/webhooks/endpoints/${ep.endpoint_id}`;
    expect((await call('PATCH', path, { events: ['asset.failed'] }, TENANT_B.key)).status).toBe(404);
    expect((await call('POST', `${path}/rotate-secret`, undefined, TENANT_B.key)).status).toBe(404);
    expect((await call('DELETE', path, undefined, TENANT_B.key)).status).toBe(404);
    const listed = await call('GET', '/v3/webhooks/endpoints?limit=100', undefined, TENANT_B.key);
    expect(listed.json.data.map((e: Json) => e.endpoint_id)).not.toContain(ep.endpoint_id);
    // Still A's, unchanged.
    expect((await call('PATCH', path, {})).json.data).toMatchObject({ events: ['asset.completed'], status: 'enabled' });
    expect((await t.api('/v3/webhooks/endpoints', { key: null })).status).toBe(401);
  });
});

describe('event types and history', () => {
  it('lists every type of the platform’s enum, with descriptions, and ours beside them', async () => {
    const res = await call('GET', '/v3/webhooks/event-types');
    expect(res.status).toBe(200);
    const create = (platformSpec as Json[]).find((op) => op.method === 'POST' && op.path === '/v3/webhooks/endpoints');
    const platformTypes: string[] = create.request.properties.events.items.enum;
    const listed = res.json.data as { event_type: string; description: string; emitted: boolean; extension: boolean }[];
    expect(listed.filter((t) => !t.extension).map((t) => t.event_type)).toEqual(platformTypes);
    for (const type of listed) expect(type.description.length).toBeGreaterThan(20);
    expect(listed.filter((t) => t.emitted && !t.extension).map((t) => t.event_type)).toEqual([
      'video_translate.success',
      'video_translate.fail',
      'instant_avatar.success',
      'instant_avatar.fail',
      'photo_avatar_generation.success',
      'photo_avatar_generation.fail',
      'video_agent.success',
      'video_agent.fail',
    ]);
    expect(listed.filter((t) => t.extension).map((t) => t.event_type)).toContain('asset.completed');
  });

  it('the history filters by event_type and entity_id, pages, and shows nothing of another tenant', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await uploadFile(t.url, TENANT_A.key, media.png(), 'h.png')).json.data.asset_id);
    await call('DELETE', `/v3/assets/${ids[0]}`);
    const about = await call('GET', `/v3/webhooks/events?entity_id=${ids[0]}`);
    expect(about.status).toBe(200);
    expect(about.json.data.map((e: Json) => e.event_type)).toEqual(['asset.deleted', 'asset.completed']);
    expect(about.json.data[0]).toMatchObject({ entity_id: ids[0], event_data: { asset_id: ids[0], status: 'deleted' } });
    expect(Number.isNaN(Date.parse(about.json.data[0].created_at))).toBe(false);
    const deleted = await call('GET', `/v3/webhooks/events?event_type=asset.deleted&entity_id=${ids[0]}`);
    expect(deleted.json.data).toHaveLength(1);
    const page1 = await call('GET', '/v3/webhooks/events?event_type=asset.completed&limit=2');
    expect(page1.json.data.map((e: Json) => e.entity_id)).toEqual([ids[2], ids[1]]);
    expect(page1.json.has_more).toBe(true);
    const page2 = await call('GET', `/v3/webhooks/events?event_type=asset.completed&limit=2&token=${page1.json.next_token}`);
    expect(page2.json.data[0].entity_id).toBe(ids[0]);
    expect((await call('GET', `/v3/webhooks/events?entity_id=${ids[0]}`, undefined, TENANT_B.key)).json.data).toEqual([]);
    expect((await call('GET', '/v3/webhooks/events?event_type=video.done')).json.error).toMatchObject({ code: 'invalid_parameter', param: 'event_type' });
    expect((await call('GET', '/v3/webhooks/events?token=%%%')).status).toBe(400);
  });
});
