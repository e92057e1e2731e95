// Webhook delivery of asset events through the real server, to receivers on a loopback origin: signed by the
// Standard Webhooks scheme (verified with the standardwebhooks package, as the README's receiver does), recorded
// with the state change, retried with the same webhook-id across a restart, one slow receiver holding up only
// itself, a refused address never contacted. Endpoints are stored through the port until the webhooks API lands.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookEndpoint } from '../../src/domain/ports/index.js';
import { AssetEvents } from '../../src/domain/events.js';
import { WEBHOOK_RETRY_SECONDS } from '../../src/domain/webhook-delivery.js';
import { anAsset } from '../contract/asset-records.case.js';
import * as media from '../support/media.js';
import { uploadFile } from '../support/multipart.js';
import { startOrigin, type Origin } from '../support/origin.js';
import { verifyDelivery } from '../support/webhooks.js';
import { putBytes } from '../support/put.js';
import { eventually, startTestServer, TENANT_A, TENANT_B, testClock, type TestServer } from '../support/server.js';

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

const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

async function endpoint(tenant: string, url: string, events: string[] = []): Promise<WebhookEndpoint> {
  const stored: WebhookEndpoint = {
    endpointId: `ep_${randomUUID()}`,
    tenant,
    url,
    events,
    entityId: null,
    secret: newSecret(),
    previousSecret: null,
    previousSecretUntil: null,
    status: 'enabled',
    disabledReason: null,
    failingSince: null,
    createdAt: new Date(),
  };
  await t.server.metadata.webhooks.insertEndpoint(stored);
  return stored;
}

const to = (path: string) => origin.requests.filter((r) => r.path === path);

const verify = verifyDelivery;

async function post(pathname: string, body: unknown) {
  const res = await t.api(pathname, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json };
}

describe('asset events', () => {
  it('delivers asset.completed and asset.deleted signed for the endpoint, verified by the standardwebhooks package', async () => {
    origin.hook('/a', []);
    const ep = await endpoint(TENANT_A.tenant, `${origin.url}/a`, ['asset.completed', 'asset.deleted']);
    const other = await endpoint(TENANT_B.tenant, `${origin.url}/b`);
    origin.hook('/b', []);
    const uploaded = await uploadFile(t.url, TENANT_A.key, media.png(), 'p.png');
    const assetId: string = uploaded.json.data.asset_id;
    await eventually(async () => to('/a').length === 1);
    await t.server.webhooks.runOnce();
    expect(to('/a')).toHaveLength(1);
    const event = verify(ep.secret, to('/a')[0]!);
    expect(event).toMatchObject({ event_type: 'asset.completed', event_data: { asset_id: assetId, status: 'completed', mime_type: 'image/png', url: uploaded.json.data.url } });
    expect(to('/a')[0]!.headers['webhook-id']).toBe(event.event_id);
    // The url in the event serves the bytes already.
    expect((await fetch(event.event_data.url)).status).toBe(200);
    // Another endpoint's secret does not verify it.
    expect(() => verify(other.secret, to('/a')[0]!)).toThrow();

    expect((await t.api(`/v3/assets/${assetId}`, { method: 'DELETE' })).status).toBeLessThan(300);
    await eventually(async () => to('/a').length === 2);
    expect(verify(ep.secret, to('/a')[1]!)).toMatchObject({ event_type: 'asset.deleted', event_data: { asset_id: assetId, status: 'deleted' } });
    expect(to('/b')).toHaveLength(0); // another tenant's endpoint hears nothing of it
  });

  it('delivers only the types an endpoint subscribed to', async () => {
    origin.hook('/deleted-only', []);
    await endpoint(TENANT_A.tenant, `${origin.url}/deleted-only`, ['asset.deleted']);
    const assetId: string = (await uploadFile(t.url, TENANT_A.key, media.png(), 'p.png')).json.data.asset_id;
    await t.api(`/v3/assets/${assetId}`, { method: 'DELETE' });
    await eventually(async () => to('/deleted-only').length === 1);
    await t.server.webhooks.runOnce();
    expect(to('/deleted-only').map((r) => JSON.parse(r.body).event_type)).toEqual(['asset.deleted']);
  });

  it('reports a direct-upload batch: an item completed, then upload_batch.finished once the other expired', async () => {
    origin.hook('/batch', []);
    const ep = await endpoint(TENANT_A.tenant, `${origin.url}/batch`, ['asset.completed', 'asset.failed', 'upload_batch.finished']);
    const files = [media.png(), media.jpeg()];
    const res = await post('/v3/assets/direct-uploads/batches', {
      files: [
        { filename: 'a.png', content_type: 'image/png', size_bytes: files[0]!.length },
        { filename: 'b.jpg', content_type: 'image/jpeg', size_bytes: files[1]!.length }, // never PUT: it expires
      ],
    });
    expect(res.status).toBe(200);
    const { batch_id: batchId, items } = res.json.data;
    expect((await putBytes(items[0].upload_url, items[0].upload_headers, files[0]!)).status).toBe(200);
    expect((await post('/v3/assets/complete/batches', { batch_id: batchId })).status).toBe(202);
    await t.server.batches.settled();
    await eventually(async () => to('/batch').length === 1);
    // Settled before the clock jumps two days, or its lease would lapse under it and it would (rightly) go again.
    const completedId = String(to('/batch')[0]!.headers['webhook-id']);
    await eventually(async () => (await t.server.metadata.webhooks.deliveriesOf(completedId)).every((d) => d.state === 'delivered'));
    clock.advance(2 * 86_400_000);
    await t.server.reaper.runOnce();
    await eventually(async () => to('/batch').length === 2);
    await t.server.webhooks.runOnce();
    const events = to('/batch').map((r) => verify(ep.secret, r));
    expect(events.map((e: Json) => e.event_type)).toEqual(['asset.completed', 'upload_batch.finished']);
    expect(events[0].event_data.asset_id).toBe(items[0].asset_id);
    expect(events[1].event_data).toEqual({ batch_id: batchId, counts_by_status: { completed: 1, expired: 1 } });
  });

  it('reports an upload that expired, when the reaper expires it', async () => {
    origin.hook('/expired', []);
    await endpoint(TENANT_A.tenant, `${origin.url}/expired`, ['asset.expired']);
    const res = await post('/v3/assets/direct-uploads', { filename: 'x.png', content_type: 'image/png', size_bytes: 100 });
    expect(res.status).toBe(200);
    clock.advance(2 * 86_400_000);
    await t.server.reaper.runOnce();
    const mine = () => to('/expired').map((r) => JSON.parse(r.body)).filter((e: Json) => e.entity_id === undefined && e.event_data.asset_id === res.json.data.asset_id);
    await eventually(async () => mine().length === 1);
    expect(mine()[0]).toMatchObject({ event_type: 'asset.expired', event_data: { asset_id: res.json.data.asset_id, status: 'expired' } });
  });
});

describe('delivery', () => {
  const deliveryTo = async (eventId: string, endpointId: string) =>
    (await t.server.metadata.webhooks.deliveriesOf(eventId)).filter((d) => d.endpointId === endpointId);

  it('retries a refused delivery on a schedule kept in the database, across a restart, with the same webhook-id', async () => {
    origin.hook('/flaky', [500]);
    const ep = await endpoint(TENANT_A.tenant, `${origin.url}/flaky`, ['asset.completed']);
    await uploadFile(t.url, TENANT_A.key, media.png(), 'p.png');
    await eventually(async () => to('/flaky').length === 1);
    const eventId = String(to('/flaky')[0]!.headers['webhook-id']);
    await eventually(async () => (await deliveryTo(eventId, ep.endpointId))[0]?.attempts === 1);
    expect(await deliveryTo(eventId, ep.endpointId)).toEqual([{ endpointId: ep.endpointId, state: 'pending', attempts: 1, error: 'answered 500' }]);

    t = await t.restart();
    await t.server.webhooks.runOnce();
    expect(to('/flaky')).toHaveLength(1); // not due for another 10 s
    clock.advance(WEBHOOK_RETRY_SECONDS[0]! * 1000 + 1);
    await t.server.webhooks.runOnce();
    expect(to('/flaky')).toHaveLength(2);
    expect(to('/flaky')[1]!.headers['webhook-id']).toBe(eventId);
    expect(verify(ep.secret, to('/flaky')[1]!).event_id).toBe(eventId);
    expect(await deliveryTo(eventId, ep.endpointId)).toMatchObject([{ state: 'delivered', attempts: 2 }]);
    clock.advance(86_400_000);
    await t.server.webhooks.runOnce();
    expect(to('/flaky')).toHaveLength(2); // delivered once is done
  });

  it('does not hold other endpoints back behind a slow receiver', async () => {
    origin.hook('/slow', [], 3000);
    origin.hook('/quick', []);
    await endpoint(TENANT_A.tenant, `${origin.url}/slow`, ['asset.deleted']);
    await endpoint(TENANT_A.tenant, `${origin.url}/quick`, ['asset.deleted']);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await uploadFile(t.url, TENANT_A.key, media.png(), 'p.png')).json.data.asset_id);
    const started = Date.now();
    for (const id of ids) await t.api(`/v3/assets/${id}`, { method: 'DELETE' });
    await eventually(async () => to('/quick').length === 6, 2500);
    expect(Date.now() - started).toBeLessThan(2500);
    await eventually(async () => to('/slow').length === 6, 15_000);
  }, 30_000);

  it('one pass delivers a burst of events to a fast receiver, whatever finishes during its claims', async () => {
    origin.hook('/burst', []);
    await endpoint(TENANT_A.tenant, `${origin.url}/burst`, ['asset.completed']);
    const events = new AssetEvents({ now: clock.now });
    for (let i = 0; i < 200; i++) {
      const asset = anAsset(TENANT_A.tenant);
      await t.server.metadata.assets.insertAsset(asset, { event: events.asset('asset.completed', asset) });
    }
    await t.server.webhooks.runOnce();
    expect(new Set(to('/burst').map((r) => r.headers['webhook-id'])).size).toBe(200);
  });

  it('never contacts an endpoint on a refused address; the refusal is the delivery’s error', async () => {
    const ep = await endpoint(TENANT_A.tenant, 'http://10.255.255.1/hook', ['asset.completed']);
    await uploadFile(t.url, TENANT_A.key, media.png(), 'p.png');
    const [event] = (await t.server.metadata.webhooks.listEvents({ tenant: TENANT_A.tenant, limit: 1 })).events;
    await eventually(async () => (await t.server.metadata.webhooks.deliveriesOf(event!.eventId)).some((d) => d.endpointId === ep.endpointId && d.attempts === 1));
    const mine = (await t.server.metadata.webhooks.deliveriesOf(event!.eventId)).find((d) => d.endpointId === ep.endpointId);
    expect(mine).toMatchObject({ state: 'pending' });
    expect(mine?.error).toMatch(/address|not allowed|refused|public/i);
  });
});
