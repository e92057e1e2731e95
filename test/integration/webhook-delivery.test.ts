// Webhook delivery under trouble, through the real server: an endpoint whose every try fails for 5 days is disabled
// and the history says why; a receiver that is down while assetd restarts gets everything once it is up; two
// replicas on one database deliver each event once per attempt; the delivery metrics count what happened. Receivers
// are on loopback (the test config allows 127.0.0.1 over http).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssetEvents } from '../../src/domain/events.js';
import { WEBHOOK_RETRY_SECONDS } from '../../src/domain/webhook-delivery.js';
import { anAsset } from '../contract/asset-records.case.js';
import * as media from '../support/media.js';
import { uploadFile } from '../support/multipart.js';
import { startOrigin, type Origin, type OriginRequest } from '../support/origin.js';
import { eventually, startTestServer, TENANT_A, testClock, type TestServer } from '../support/server.js';
import { callJson, verifyDelivery } from '../support/webhooks.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const DAY = 86_400_000;
const LOOPBACK = { ASSETD_URL_FETCH_ALLOW_HTTP: 'true', ASSETD_URL_FETCH_ALLOW_CIDRS: '127.0.0.1/32' };
const clock = testClock();
let t: TestServer;
let origin: Origin;

beforeAll(async () => {
  origin = await startOrigin();
  t = await startTestServer({ now: clock.now, env: LOOPBACK });
});
afterAll(async () => {
  await t.close();
  await origin.close();
});

const call = callJson;

async function endpoint(server: TestServer, url: string, events: string[] | null) {
  const res = await call(server, 'POST', '/v3/webhooks/endpoints', { url, events });
  expect(res.status).toBe(200);
  return res.json.data as { endpoint_id: string; secret: string };
}

const to = (path: string) => origin.requests.filter((r) => r.path === path);

async function uploadAndDelete(): Promise<string> {
  const id = (await uploadFile(t.url, TENANT_A.key, media.png(), 'p.png')).json.data.asset_id as string;
  expect((await call(t, 'DELETE', `/v3/assets/${id}`)).status).toBe(200);
  return id;
}

/** A receiver on a port of our choosing, so it can be down and come back at the same URL. */
async function receiverOn(port: number) {
  const requests: OriginRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? 'POST', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('an endpoint that keeps failing', () => {
  it('is disabled once every try has failed for 5 days; the history and the other endpoints say why; PATCH re-enables it', async () => {
    origin.hook('/dying', Array.from({ length: 100 }, () => 500));
    origin.hook('/watcher', []);
    const dying = await endpoint(t, `${origin.url}/dying`, ['asset.deleted']);
    const watcher = await endpoint(t, `${origin.url}/watcher`, ['webhook_endpoint.disabled']);
    const find = async () => (await call(t, 'GET', '/v3/webhooks/endpoints?limit=100')).json.data.find((e: Json) => e.endpoint_id === dying.endpoint_id);

    await uploadAndDelete();
    // Settled (the streak recorded), not only received, before the clock moves.
    await eventually(async () => (await t.server.metadata.webhooks.findEndpoint(TENANT_A.tenant, dying.endpoint_id))?.failingSince !== null);
    clock.advance(5 * DAY - 60_000);
    await uploadAndDelete();
    await eventually(async () => to('/dying').length >= 2);
    await t.server.webhooks.runOnce();
    expect(await find()).toMatchObject({ status: 'enabled', disabled_reason: null }); // 4 days 23 h 59 min: not yet

    clock.advance(120_000);
    const last = await uploadAndDelete();
    await eventually(async () => (await find()).status === 'disabled');
    const disabled = await find();
    expect(disabled.disabled_reason).toMatch(/^every delivery since \S+ failed \(5 days\); the last: answered 500$/);
    const [why] = (await call(t, 'GET', `/v3/webhooks/events?event_type=webhook_endpoint.disabled&entity_id=${dying.endpoint_id}`)).json.data;
    expect(why.event_data).toEqual({ endpoint_id: dying.endpoint_id, url: `${origin.url}/dying`, status: 'disabled', reason: disabled.disabled_reason });
    await eventually(async () => to('/watcher').length === 1);
    expect(verifyDelivery(watcher.secret, to('/watcher')[0]!)).toMatchObject({ event_type: 'webhook_endpoint.disabled', event_id: why.event_id });

    // Nothing more is tried or owed while disabled: the deliveries it was owed are given up.
    const triedBefore = to('/dying').length;
    clock.advance(DAY);
    await uploadAndDelete();
    await t.server.webhooks.runOnce();
    expect(to('/dying')).toHaveLength(triedBefore);
    // (The try that disabled it may have been a retry of an earlier event, before `last` was even recorded.)
    const deleted = (await call(t, 'GET', '/v3/webhooks/events?event_type=asset.deleted&limit=100')).json.data as Json[];
    expect(deleted.map((e) => e.entity_id)).toContain(last);
    for (const e of deleted) {
      const owed = await t.server.metadata.webhooks.deliveriesOf(e.event_id);
      expect(owed.find((d) => d.endpointId === dying.endpoint_id && d.state === 'pending')).toBeUndefined();
    }
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^assetd_webhook_endpoints_disabled_total 1$/m);
    expect(metrics).toMatch(/^assetd_webhook_deliveries_total\{target="endpoint",outcome="retried"\} [1-9]/m);
    expect(metrics).toMatch(/^assetd_webhook_deliveries_total\{target="endpoint",outcome="delivered"\} [1-9]/m);
    expect(metrics).toMatch(/^assetd_webhook_delivery_delay_seconds_count\{target="endpoint"\} [1-9]/m);

    const enabled = await call(t, 'PATCH', `/v3/webhooks/endpoints/${dying.endpoint_id}`, { status: 'enabled' });
    expect(enabled.json.data).toMatchObject({ status: 'enabled', disabled_reason: null });
    origin.hook('/dying', []);
    await uploadAndDelete();
    await eventually(async () => to('/dying').length === triedBefore + 1);
  });
});

describe('a receiver that is down', () => {
  it('gets every event once it is up again, across a restart of assetd, each verified with its stable webhook-id', async () => {
    const probe = await receiverOn(0);
    const port = probe.port;
    await probe.close(); // nothing listens there now: every try is refused
    const ep = await endpoint(t, `http://127.0.0.1:${port}/later`, ['asset.completed']);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await uploadFile(t.url, TENANT_A.key, media.png(), 'p.png')).json.data.asset_id);
    const eventsOf = async () => (await call(t, 'GET', '/v3/webhooks/events?event_type=asset.completed&limit=5')).json.data as Json[];
    const events = await eventsOf();
    expect(events.map((e) => e.entity_id).sort()).toEqual([...ids].sort());
    const stateOf = async (eventId: string) => (await t.server.metadata.webhooks.deliveriesOf(eventId)).find((d) => d.endpointId === ep.endpoint_id);
    await eventually(async () => (await Promise.all(events.map((e) => stateOf(e.event_id)))).every((d) => d?.attempts === 1));
    expect(await stateOf(events[0].event_id)).toMatchObject({ state: 'pending', error: 'the connection was refused' });

    t = await t.restart();
    const receiver = await receiverOn(port);
    try {
      await t.server.webhooks.runOnce();
      expect(receiver.requests).toEqual([]); // not due yet
      clock.advance(WEBHOOK_RETRY_SECONDS[0]! * 1000 + 1);
      await t.server.webhooks.runOnce();
      const got = receiver.requests.map((r) => verifyDelivery(ep.secret, r));
      expect(got.map((e: Json) => e.event_id).sort()).toEqual(events.map((e) => e.event_id).sort());
      for (const r of receiver.requests) expect(r.headers['webhook-id']).toBe(JSON.parse(r.body).event_id);
      for (const e of events) expect(await stateOf(e.event_id)).toMatchObject({ state: 'delivered', attempts: 2 });
    } finally {
      await receiver.close();
    }
  });
});

describe('two replicas on one database', () => {
  it('deliver each event once per attempt: once when answered, twice when the first try failed', async () => {
    // The second replica shares the first's database (its data directory on SQLite) and is started after the events
    // are recorded; both then run passes at once.
    const events = new AssetEvents({ now: clock.now });
    const ep = await endpoint(t, `${origin.url}/replicas`, ['asset.completed']);
    const N = 60;
    origin.hook('/replicas', Array.from({ length: N }, () => 503));
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const asset = anAsset(TENANT_A.tenant);
      const event = events.asset('asset.completed', asset);
      await t.server.metadata.assets.insertAsset(asset, { event });
      ids.push(event.eventId);
    }
    /** Every delivery settled `attempts` times (the second replica's own pass at start may still be under way). */
    const settled = (attempts: number) =>
      eventually(async () => {
        const states = await Promise.all(ids.map(async (id) => (await t.server.metadata.webhooks.deliveriesOf(id)).find((d) => d.endpointId === ep.endpoint_id)));
        return states.every((d) => d?.attempts === attempts);
      });
    const b = await startTestServer({ now: clock.now, env: LOOPBACK, dataDir: t.dataDir, backend: t.backend });
    try {
      const passes = async () => Promise.all([t, b, t, b].map((s) => s.server.webhooks.runOnce()));
      await passes();
      await settled(1);
      const first = to('/replicas').map((r) => String(r.headers['webhook-id']));
      expect(first).toHaveLength(N);
      expect(new Set(first).size).toBe(N);
      clock.advance(WEBHOOK_RETRY_SECONDS[0]! * 1000 + 1);
      await passes();
      await settled(2);
      const all = to('/replicas').map((r) => verifyDelivery(ep.secret, r).event_id as string);
      const counts = new Map<string, number>();
      for (const id of all) counts.set(id, (counts.get(id) ?? 0) + 1);
      expect([...counts.values()]).toEqual(Array(N).fill(2));
      for (const id of counts.keys()) {
        const mine = (await b.server.metadata.webhooks.deliveriesOf(id)).filter((d) => d.endpointId === ep.endpoint_id);
        expect(mine).toEqual([{ endpointId: ep.endpoint_id, state: 'delivered', attempts: 2, error: null }]);
      }
    } finally {
      await b.close();
    }
  });
});
