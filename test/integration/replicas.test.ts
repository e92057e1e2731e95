// Two stateless replicas on one PostgreSQL database and one bucket (the pg-s3 configuration): any step of a direct
// upload may land on either, completes race across both, idempotency keys hold across them, and both reapers may
// run at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usesS3 } from '../support/backends.js';
import * as media from '../support/media.js';
import { putBytes } from '../support/put.js';
import { startTestServer, TENANT_A, testClock, type TestServer } from '../support/server.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.runIf(usesS3)('two replicas', () => {
  const clock = testClock();
  const shared = { ASSETD_SIGNING_SECRET: 'replica-signing-secret-0000000000000000', ASSETD_UPLOAD_URL_TTL_SECONDS: '600' };
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    a = await startTestServer({ now: clock.now, env: shared });
    b = await startTestServer({ now: clock.now, env: shared, backend: a.backend });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  async function post(server: TestServer, pathname: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await server.api(pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, json: (await res.json()) as Json };
  }

  async function uploaded(bytes: Buffer, type: string) {
    const init = await post(a, '/v3/assets/direct-uploads', { filename: 'f', content_type: type, size_bytes: bytes.length });
    expect(init.status).toBe(200);
    expect((await putBytes(init.json.data.upload_url, init.json.data.upload_headers, bytes)).status).toBe(200);
    return init.json.data.asset_id as string;
  }

  it('initiates on A, PUTs to the store, completes on B, and A sees it', async () => {
    const id = await uploaded(media.png(), 'image/png');
    const done = await post(b, `/v3/assets/${id}/complete`, {});
    expect(done.status).toBe(200);
    const seen = (await (await a.api(`/v3/assets/${id}`)).json()) as Json;
    expect(seen.data).toMatchObject({ status: 'completed', url: done.json.data.url.replace(b.url, a.url) });
  });

  it('serves one multipart upload from both: initiate on A, parts by URLs from A and B, state and complete on either', async () => {
    const part = 5 * 1024 * 1024;
    const head = media.mp4();
    const bytes = Buffer.concat([head, Buffer.alloc(2 * part + 7 - head.length, 1)]);
    const init = await post(a, '/v3/assets/multipart-uploads', { filename: 'r.mp4', content_type: 'video/mp4', size_bytes: bytes.length, part_size_bytes: part });
    expect(init.status).toBe(200);
    const id = init.json.data.asset_id as string;
    const fromB = ((await (await b.api(`/v3/assets/multipart-uploads/${id}?part_numbers=2,3`)).json()) as Json).data;
    const slice = (n: number) => bytes.subarray((n - 1) * part, Math.min(n * part, bytes.length));
    const puts = [init.json.data.parts[0], ...fromB.parts].map((p: Json) => putBytes(p.upload_url, p.upload_headers, slice(p.part_number)));
    expect((await Promise.all(puts)).map((r) => r.status)).toEqual([200, 200, 200]);
    const seenOnA = ((await (await a.api(`/v3/assets/multipart-uploads/${id}`)).json()) as Json).data;
    expect(seenOnA.parts_received.map((p: Json) => p.part_number)).toEqual([1, 2, 3]);
    const results = await Promise.all([post(a, `/v3/assets/${id}/complete`, {}), post(b, `/v3/assets/${id}/complete`, {})]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results[0]!.json.data.size_bytes).toBe(bytes.length);
    expect(await a.pendingWrites()).toBe(0);
  });

  it('finalizes once under 8 concurrent completes split across A and B', async () => {
    const id = await uploaded(media.mp4(), 'video/mp4');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => post(i % 2 ? b : a, `/v3/assets/${id}/complete`, {})));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    const bodies = results.map((r) => ({ ...r.json.data, url: new URL(r.json.data.url).pathname }));
    for (const body of bodies) expect(body).toEqual(bodies[0]);
  });

  it('replays an idempotency key on the other replica', async () => {
    const headers = { 'idempotency-key': `replica-${Date.now()}` };
    const body = { filename: 'i.png', content_type: 'image/png', size_bytes: 10 };
    const first = await post(a, '/v3/assets/direct-uploads', body, headers);
    const second = await post(b, '/v3/assets/direct-uploads', body, headers);
    expect(second.json).toEqual(first.json);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it('runs both reapers at once: each expired upload is expired exactly once', async () => {
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await uploaded(media.jpeg(), 'image/jpeg'));
    clock.advance(601_000);
    const [ra, rb] = await Promise.all([a.server.reaper.runOnce(), b.server.reaper.runOnce()]);
    expect(ra.expiredUploads + rb.expiredUploads).toBeGreaterThanOrEqual(4);
    const statuses = (await (await a.api(`/v3/assets/statuses?asset_ids=${ids.join(',')}`, { key: TENANT_A.key })).json()) as Json;
    // The platform's word for an expired upload is failed; the error says why.
    expect(statuses.data.map((s: Json) => s.status)).toEqual(Array(4).fill('failed'));
    expect(statuses.data.map((s: Json) => s.error?.code)).toEqual(Array(4).fill('upload_expired'));
    for (const id of ids) expect(((await (await a.api(`/v3/assets/${id}`)).json()) as Json).data.status).toBe('expired');
    expect(await a.objects('uploads/')).toEqual([]);
  });
});
