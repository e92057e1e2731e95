// Direct upload through the real server: initiate → PUT to the presigned URL → complete, and every way it can go
// wrong: early complete, wrong size/type/signature/checksum, expiry, concurrency, tenants, batches, statuses.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { putBytes } from '../support/put.js';
import { storageKeyFor } from '../../src/domain/ids.js';
import { FINALIZE_LEASE_MS } from '../../src/domain/upload-finalizer.js';
import type { KyselyStores } from '../../src/metadata/index.js';
import { usesS3 } from '../support/backends.js';
import { eventually, startTestServer, TENANT_A, TENANT_B, testClock, type TestServer } from '../support/server.js';

interface Initiated {
  asset_id: string;
  upload_url: string;
  upload_headers: Record<string, string>;
  expires_in_seconds: number;
  max_bytes: number;
  status: string;
}

const clock = testClock();
const TTL_SECONDS = 600;
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ now: clock.now, env: { ASSETD_UPLOAD_URL_TTL_SECONDS: String(TTL_SECONDS) } });
});
afterAll(async () => {
  await t.close();
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function post(pathname: string, body: unknown, init: { key?: string; headers?: Record<string, string> } = {}) {
  const res = await t.api(pathname, {
    method: 'POST',
    key: init.key ?? TENANT_A.key,
    headers: { 'content-type': 'application/json', ...init.headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function initiate(body: Record<string, unknown>, key = TENANT_A.key): Promise<Initiated> {
  const res = await post('/v3/assets/direct-uploads', body, { key });
  expect(res.status).toBe(200);
  return res.json.data as Initiated;
}

const complete = (assetId: string, body: Record<string, unknown> = {}, key = TENANT_A.key) =>
  post(`/v3/assets/${assetId}/complete`, body, { key });

async function getAsset(assetId: string) {
  return ((await (await t.api(`/v3/assets/${assetId}`)).json()) as { data: Record<string, unknown> }).data;
}

const stagingFiles = async () => t.objects('uploads/');
/** On S3 the PUT goes to the object store itself: its refusals are S3's (XML, no `param`), and its clock is real. */
const ownEndpoint = !usesS3;

describe('the whole flow', () => {
  it('moves a 40 MiB file: initiate, complete too early (409), PUT, complete, serve', async () => {
    const size = 40 * 1024 * 1024;
    const head = media.mp4({ video: { width: 1280, height: 720 }, durationSeconds: 30 });
    const hash = createHash('sha256').update(head);
    const zeros = Buffer.alloc(size - head.length);
    hash.update(zeros);
    const checksum = hash.digest('hex');

    const init = await initiate({ filename: 'clip.mp4', content_type: 'video/mp4', size_bytes: size, checksum_sha256: checksum });
    expect(init).toMatchObject({ status: 'pending_upload', expires_in_seconds: TTL_SECONDS, max_bytes: 5 * 1024 ** 3 });
    expect(init.upload_headers['content-type']).toBe('video/mp4');
    expect(init.upload_headers['x-amz-checksum-sha256']).toBe(Buffer.from(checksum, 'hex').toString('base64'));

    const early = await complete(init.asset_id);
    expect(early.status).toBe(409);
    expect(early.json.error).toMatchObject({
      code: 'conflict',
      message: 'Uploaded object not found yet. Retry after upload PUT returns 200.',
    });
    expect((await getAsset(init.asset_id)).status).toBe('pending_upload');
    expect((await getAsset(init.asset_id)).url).toBeNull();

    const put = await putBytes(init.upload_url, init.upload_headers, media.sizedStream(head, size), size);
    expect(put.status).toBe(200);
    if (ownEndpoint) expect(put.headers.etag).toBe(`"${checksum}"`);

    const done = await complete(init.asset_id, { checksum_sha256: checksum });
    expect(done.status).toBe(200);
    expect(done.json.data).toMatchObject({ asset_id: init.asset_id, mime_type: 'video/mp4', size_bytes: size, status: 'completed' });
    expect(await getAsset(init.asset_id)).toMatchObject({
      status: 'completed', sha256: checksum, filename: 'clip.mp4', width: 1280, height: 720, duration_seconds: 30,
    });

    const served = await fetch(done.json.data.url, { method: 'HEAD' });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-length')).toBe(String(size));
    expect(await stagingFiles()).toEqual([]);
  });

  it('accepts mime_type as an alias of content_type, and zip bundles', async () => {
    const bytes = media.zip();
    const init = await initiate({ filename: 'bundle.zip', mime_type: 'application/zip', size_bytes: bytes.length });
    expect((await putBytes(init.upload_url, init.upload_headers, bytes)).status).toBe(200);
    const done = await complete(init.asset_id);
    expect(done.status).toBe(200);
    expect(done.json.data.mime_type).toBe('application/zip');
  });
});

describe('initiate refuses', () => {
  it.each([
    [{ filename: 'a.txt', content_type: 'text/plain', size_bytes: 10 }, 400, 'unsupported_media_type', 'content_type'],
    [{ filename: 'a.png', content_type: 'image/png', size_bytes: 0 }, 400, 'invalid_parameter', 'size_bytes'],
    [{ filename: 'a.png', content_type: 'image/png', size_bytes: 5 * 1024 ** 3 + 1 }, 400, 'invalid_parameter', 'size_bytes'],
    [{ filename: 'a.png', content_type: 'image/png', size_bytes: 10, checksum_sha256: 'xyz' }, 400, 'invalid_parameter', 'checksum_sha256'],
    [{ filename: 'a.png', size_bytes: 10 }, 400, 'invalid_parameter', 'content_type'],
    [{ content_type: 'image/png', size_bytes: 10 }, 400, 'invalid_parameter', 'filename'],
    [{ filename: 'a.png', content_type: 'image/png', size_bytes: 10, extra: 1 }, 400, 'invalid_parameter', 'extra'],
  ])('%j', async (body, status, code, param) => {
    const res = await post('/v3/assets/direct-uploads', body);
    expect(res.status).toBe(status);
    expect(res.json.error).toMatchObject({ code, param });
  });
});

describe('the presigned PUT', () => {
  const bytes = media.png();
  let init: Initiated;
  beforeAll(async () => {
    init = await initiate({ filename: 'p.png', content_type: 'image/png', size_bytes: bytes.length });
  });

  it.each([
    ['one byte more', Buffer.concat([bytes, Buffer.from([0])])],
    ['one byte less', bytes.subarray(0, bytes.length - 1)],
  ])('refuses a body %s than signed with 403, storing nothing', async (_name, body) => {
    const res = await putBytes(init.upload_url, init.upload_headers, body);
    expect(res.status).toBe(403);
    if (ownEndpoint) expect(res.json.error).toMatchObject({ code: 'forbidden', param: 'Content-Length' });
    expect(await stagingFiles()).toEqual([]);
  });

  it('refuses a tampered signature, a tampered size, and a missing signature', async () => {
    const url = new URL(init.upload_url);
    const name = url.searchParams.has('signature') ? 'signature' : 'X-Amz-Signature';
    const signature = url.searchParams.get(name)!;
    url.searchParams.set(name, `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`);
    expect((await putBytes(url.toString(), init.upload_headers, bytes)).status).toBe(403);

    const resized = new URL(init.upload_url);
    resized.searchParams.set('size', String(bytes.length + 1));
    expect((await putBytes(resized.toString(), init.upload_headers, Buffer.concat([bytes, Buffer.from([0])]))).status).toBe(403);

    const unsigned = new URL(init.upload_url);
    unsigned.searchParams.delete('signature');
    unsigned.searchParams.delete('X-Amz-Signature');
    const res = await putBytes(unsigned.toString(), init.upload_headers, bytes);
    expect(res.status).toBe(403);
    if (ownEndpoint) expect(res.json.error.message).toContain('signature');
    expect(await stagingFiles()).toEqual([]);
  });

  it('deleting a pending upload removes its staged bytes too', async () => {
    const staged = await initiate({ filename: 's.png', content_type: 'image/png', size_bytes: bytes.length });
    expect((await putBytes(staged.upload_url, staged.upload_headers, bytes)).status).toBe(200);
    // uploads/<id> on S3; uploads/<id>.<receipt> on assetd's own endpoint, one object per PUT.
    const stagedHere = async () => (await stagingFiles()).filter((key) => key.startsWith(`uploads/${staged.asset_id}`));
    expect(await stagedHere()).toHaveLength(1);
    expect((await t.api(`/v3/assets/${staged.asset_id}`, { method: 'DELETE' })).status).toBe(200);
    expect(await stagedHere()).toEqual([]);
  });

  it('discards a body cut short by a client that hangs up', async () => {
    const { default: http } = await import('node:http');
    const big = 4 * 1024 * 1024;
    const cut = await initiate({ filename: 'cut.png', content_type: 'image/png', size_bytes: big });
    await new Promise<void>((resolve) => {
      const request = http.request(cut.upload_url, {
        method: 'PUT',
        headers: { ...cut.upload_headers, 'content-length': String(big) },
      });
      request.on('error', () => resolve());
      request.write(media.padTo(media.png(), big / 2), () => setTimeout(() => (request.destroy(), resolve()), 100));
    });
    await eventually(async () => (await t.pendingWrites()) === 0);
    expect(await stagingFiles()).toEqual([]);
    expect((await complete(cut.asset_id)).status).toBe(409);
  });

  it('refuses a Content-Type other than the signed one', async () => {
    const res = await putBytes(init.upload_url, { 'Content-Type': 'image/jpeg' }, bytes);
    expect(res.status).toBe(403);
    if (ownEndpoint) expect(res.json.error.param).toBe('Content-Type');
  });

  it('refuses a URL used for another asset', async () => {
    const other = await initiate({ filename: 'q.png', content_type: 'image/png', size_bytes: bytes.length });
    const swapped = init.upload_url.replace(init.asset_id, other.asset_id);
    expect((await putBytes(swapped, init.upload_headers, bytes)).status).toBe(403);
  });

  it('replaces an earlier PUT, then refuses PUTs after completion', async () => {
    const first = media.padTo(media.png({ width: 3 }), bytes.length);
    expect((await putBytes(init.upload_url, init.upload_headers, first)).status).toBe(200);
    expect((await putBytes(init.upload_url, init.upload_headers, bytes)).status).toBe(200);
    const done = await complete(init.asset_id);
    expect(done.status).toBe(200);
    expect(await getAsset(init.asset_id)).toMatchObject({ sha256: sha256(bytes), width: 2, height: 2 });

    // Our endpoint refuses; S3 takes the bytes into the staging key, where they can never become this asset's.
    const late = await putBytes(init.upload_url, init.upload_headers, first);
    expect(late.status).toBe(ownEndpoint ? 409 : 200);
    const served = Buffer.from(await (await fetch(done.json.data.url)).arrayBuffer());
    expect(served.equals(bytes)).toBe(true);
  });
});

describe('verification at complete', () => {
  it('refuses a body whose SHA-256 differs from the signed checksum at PUT (400), keeping nothing', async () => {
    const bytes = media.wav();
    const init = await initiate({ filename: 's.wav', content_type: 'audio/wav', size_bytes: bytes.length, checksum_sha256: 'ab'.repeat(32) });
    const res = await putBytes(init.upload_url, init.upload_headers, bytes);
    if (res.status === 200) {
      // An S3 store that does not check x-amz-checksum-sha256 (Ceph before Reef) takes the bytes; complete must not.
      expect(usesS3).toBe(true);
      const completed = await complete(init.asset_id);
      expect(completed.status).toBe(400);
      expect(completed.json.error.code).toBe('checksum_mismatch');
      expect((await getAsset(init.asset_id)).status).toBe('failed');
    } else {
      expect(res.status).toBe(400);
      if (ownEndpoint) expect(res.json.error.code).toBe('checksum_mismatch');
      expect(await stagingFiles()).toEqual([]);
      expect((await complete(init.asset_id)).status).toBe(409);
    }
  });

  it('fails the asset when the checksum given at complete differs, deletes its bytes, and says so again', async () => {
    const bytes = media.mp3();
    const init = await initiate({ filename: 'a.mp3', content_type: 'audio/mpeg', size_bytes: bytes.length });
    expect((await putBytes(init.upload_url, init.upload_headers, bytes)).status).toBe(200);
    const res = await complete(init.asset_id, { checksum_sha256: 'cd'.repeat(32) });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('checksum_mismatch');
    expect((await getAsset(init.asset_id)).status).toBe('failed');
    // Its own key: other assets may share the fan-out prefix.
    expect(await t.objects(`assets/${init.asset_id.slice(6, 8)}/`)).not.toContain(storageKeyFor(init.asset_id));
    const again = await complete(init.asset_id);
    expect(again.status).toBe(400);
    expect(again.json.error.code).toBe('checksum_mismatch');
  });

  it('fails an upload declared image/png that holds MP4 bytes', async () => {
    const bytes = media.mp4();
    const init = await initiate({ filename: 'fake.png', content_type: 'image/png', size_bytes: bytes.length });
    expect((await putBytes(init.upload_url, init.upload_headers, bytes)).status).toBe(200);
    const res = await complete(init.asset_id);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'media_type_mismatch', param: 'content_type' });
    expect((await getAsset(init.asset_id)).status).toBe('failed');
  });
});

describe('completing', () => {
  async function uploaded() {
    const bytes = media.webm();
    const init = await initiate({ filename: 'v.webm', content_type: 'video/webm', size_bytes: bytes.length });
    expect((await putBytes(init.upload_url, init.upload_headers, bytes)).status).toBe(200);
    return init;
  }

  it('is idempotent: twice gives the same body (with or without an empty JSON body)', async () => {
    const init = await uploaded();
    const first = await complete(init.asset_id);
    const bodiless = await t.api(`/v3/assets/${init.asset_id}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(bodiless.status).toBe(200);
    expect(await bodiless.json()).toEqual(first.json);
    const second = await complete(init.asset_id);
    expect(first.status).toBe(200);
    expect(second.json).toEqual(first.json);
  });

  it('finalizes once under 8 concurrent calls, all answered alike', async () => {
    const init = await uploaded();
    const results = await Promise.all(Array.from({ length: 8 }, () => complete(init.asset_id)));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    for (const r of results) expect(r.json).toEqual(results[0]!.json);
  });

  it('takes over at once from a finalizer that died, once its short lease lapses (seconds, not minutes)', async () => {
    const init = await uploaded();
    const now = clock.now();
    // A finalizer in a process that was killed: its lease, never renewed again.
    const claimed = await t.server.metadata.assets.claimFinalization({
      assetId: init.asset_id,
      holder: 'killed-process',
      now,
      until: new Date(now.getTime() + FINALIZE_LEASE_MS),
    });
    expect(claimed).toBe(true);
    const completing = complete(init.asset_id);
    await new Promise((resolve) => setTimeout(resolve, 150));
    clock.advance(FINALIZE_LEASE_MS + 1);
    const res = await completing;
    expect(res.status).toBe(200);
    expect(res.json.data.status).toBe('completed');
  });

  it('is not found for another tenant', async () => {
    const init = await uploaded();
    const res = await complete(init.asset_id, {}, TENANT_B.key);
    expect(res.status).toBe(404);
    expect((await getAsset(init.asset_id)).status).toBe('pending_upload');
  });
});

describe('expiry and the reaper', () => {
  it('refuses an expired URL, answers complete with 410, and reaps the bytes', async () => {
    const bytes = media.jpeg();
    const init = await initiate({ filename: 'j.jpg', content_type: 'image/jpeg', size_bytes: bytes.length });
    expect((await putBytes(init.upload_url, init.upload_headers, bytes)).status).toBe(200);
    const lateBytes = media.jpeg();
    const late = await initiate({ filename: 'late.jpg', content_type: 'image/jpeg', size_bytes: lateBytes.length });
    clock.advance((TTL_SECONDS + 1) * 1000);

    if (ownEndpoint) {
      const put = await putBytes(late.upload_url, late.upload_headers, lateBytes);
      expect(put.status).toBe(403);
      expect(put.json.error.code).toBe('url_expired');
      expect(put.json.error.message).toContain('expired');
    }

    const report = await t.server.reaper.runOnce();
    expect(report.expiredUploads).toBeGreaterThanOrEqual(2);
    expect((await getAsset(init.asset_id)).status).toBe('expired');
    expect(await stagingFiles()).toEqual([]);
    const res = await complete(init.asset_id);
    expect(res.status).toBe(410);
    expect(res.json.error.code).toBe('upload_expired');
  });

  it.skipIf(usesS3)('removes temporary files a killed process left, and keeps fresh ones (local disk)', async () => {
    const tmp = path.join(t.dataDir, 'tmp');
    const stale = path.join(tmp, 'killed-write.part');
    const fresh = path.join(tmp, 'live-write.part');
    await fs.writeFile(stale, 'half a file');
    await fs.writeFile(fresh, 'still arriving');
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
    await fs.utimes(stale, hourAgo, hourAgo);
    const report = await t.server.reaper.runOnce();
    expect(report.abandonedWrites).toBe(1);
    expect(await fs.readdir(tmp)).toEqual(['live-write.part']);
    await fs.rm(fresh);
  });
});

describe('Idempotency-Key', () => {
  const body = { filename: 'i.png', content_type: 'image/png', size_bytes: 100 };

  it('replays the first answer for a repeat', async () => {
    const headers = { 'idempotency-key': `replay-${Date.now()}` };
    const first = await post('/v3/assets/direct-uploads', body, { headers });
    const second = await post('/v3/assets/direct-uploads', body, { headers });
    expect(second.status).toBe(first.status);
    expect(second.json).toEqual(first.json);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it('replays the first answer for the same key with a different body, saying so, and scopes keys per tenant', async () => {
    const headers = { 'idempotency-key': `reuse-${Date.now()}` };
    const first = await post('/v3/assets/direct-uploads', body, { headers });
    const same = await post('/v3/assets/direct-uploads', body, { headers });
    expect(same.headers.get('idempotency-body-mismatch')).toBe('false');
    const other = await post('/v3/assets/direct-uploads', { ...body, size_bytes: 101 }, { headers });
    expect(other.status).toBe(200);
    expect(other.json).toEqual(first.json);
    expect(other.headers.get('idempotent-replayed')).toBe('true');
    expect(other.headers.get('idempotency-body-mismatch')).toBe('true');
    const tenantB = await post('/v3/assets/direct-uploads', body, { headers, key: TENANT_B.key });
    expect(tenantB.status).toBe(200);
    expect(tenantB.json.data.asset_id).not.toBe(first.json.data.asset_id);
  });

  it('answers 409 request_in_progress while the first request runs', async () => {
    const { sendMultipart } = await import('../support/multipart.js');
    const { PassThrough } = await import('node:stream');
    const slow = new PassThrough();
    slow.write(media.png());
    const key = `inflight-${Date.now()}`;
    const url = `${t.url}/v3/assets`;
    const running = sendMultipart(url, TENANT_A.key, [{ name: 'file', filename: 'slow.png', body: slow }], { 'idempotency-key': key });
    // The first request holds the key once its claim is in the store.
    const db = (t.server.metadata as KyselyStores).db;
    await eventually(async () => (await db.selectFrom('idempotency_keys').select('key').where('key', '=', key).execute()).length === 1);
    const second = await sendMultipart(url, TENANT_A.key, [{ name: 'file', filename: 'x.png', body: media.png() }], { 'idempotency-key': key });
    expect(second.status).toBe(409);
    expect(second.json.error.code).toBe('request_in_progress');
    slow.end();
    const first = await running;
    expect(first.status).toBe(200);
    const replay = await sendMultipart(url, TENANT_A.key, [{ name: 'file', filename: 'x.png', body: media.png() }], { 'idempotency-key': key });
    expect(replay.json).toEqual(first.json);
  });

  it('does not keep a 409: complete too early, PUT, then the same key completes', async () => {
    const bytes = media.png();
    const init = await initiate({ filename: 'k.png', content_type: 'image/png', size_bytes: bytes.length });
    const headers = { 'idempotency-key': `early-${Date.now()}` };
    expect((await post(`/v3/assets/${init.asset_id}/complete`, {}, { headers })).status).toBe(409);
    expect((await putBytes(init.upload_url, init.upload_headers, bytes)).status).toBe(200);
    const done = await post(`/v3/assets/${init.asset_id}/complete`, {}, { headers });
    expect(done.status).toBe(200);
    expect(done.json.data.status).toBe('completed');
  });

  it('refuses a malformed key', async () => {
    const res = await post('/v3/assets/direct-uploads', body, { headers: { 'idempotency-key': 'has spaces' } });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('Idempotency-Key');
  });
});

describe('batches and statuses', () => {
  it('initiates, completes and reports a batch item by item', async () => {
    const files = [media.png(), media.jpeg(), media.pdf()];
    const types = ['image/png', 'image/jpeg', 'application/pdf'];
    const res = await post('/v3/assets/direct-uploads/batches', {
      title: 'three',
      files: files.map((f, i) => ({ filename: `f${i}`, content_type: types[i], size_bytes: f.length })),
    });
    expect(res.status).toBe(200);
    const { batch_id: batchId, items } = res.json.data as { batch_id: string; items: Initiated[] };
    expect(items).toHaveLength(3);
    for (const i of [0, 1]) expect((await putBytes(items[i]!.upload_url, items[i]!.upload_headers, files[i]!)).status).toBe(200);

    const batchOf = async () => ((await (await t.api(`/v3/assets/batches/${batchId}`)).json()) as { data: any }).data; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect((await batchOf()).items.map((i: { status: string }) => i.status)).toEqual(['queued', 'queued', 'queued']);
    const partial = await post('/v3/assets/complete/batches', { batch_id: batchId });
    expect(partial.status).toBe(202);
    expect(partial.json.data).toEqual({ batch_id: batchId });
    await t.server.batches.settled();
    const afterFirst = await batchOf();
    // The third item's bytes were not there yet: it stays processing until a repeat re-drives it.
    expect(afterFirst.status).toBe('processing');
    expect(afterFirst.items.map((i: { status: string }) => i.status)).toEqual(['completed', 'completed', 'processing']);
    expect(afterFirst.counts_by_status).toEqual({ queued: 0, processing: 1, completed: 2, failed: 0 });

    expect((await putBytes(items[2]!.upload_url, items[2]!.upload_headers, files[2]!)).status).toBe(200);
    expect((await post('/v3/assets/complete/batches', { batch_id: batchId })).status).toBe(202);
    await t.server.batches.settled();

    const read = await batchOf();
    expect(read.status).toBe('completed');
    expect(read.title).toBe('three');
    expect(read.items.map((i: { video_id: string }) => i.video_id)).toEqual(items.map((i) => i.asset_id));
    expect(read.items.every((i: { url: string }) => i.url.startsWith(t.url))).toBe(true);
    expect((await t.api(`/v3/assets/batches/${batchId}`, { key: TENANT_B.key })).status).toBe(404);
  });

  it('refuses a batch with one bad item whole, naming the item', async () => {
    const before = ((await (await t.api('/v3/assets?limit=100')).json()) as { data: unknown[] }).data.length;
    const res = await post('/v3/assets/direct-uploads/batches', {
      files: [
        { filename: 'ok.png', content_type: 'image/png', size_bytes: 10 },
        { filename: 'bad.txt', content_type: 'text/plain', size_bytes: 10 },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('files[1].content_type');
    const after = ((await (await t.api('/v3/assets?limit=100')).json()) as { data: unknown[] }).data.length;
    expect(after).toBe(before);
  });

  it('reports statuses, with not_found for unknown and other tenants’ ids', async () => {
    const mine = await initiate({ filename: 'm.png', content_type: 'image/png', size_bytes: 10 });
    const theirs = await initiate({ filename: 't.png', content_type: 'image/png', size_bytes: 10 }, TENANT_B.key);
    const ids = [mine.asset_id, theirs.asset_id, 'asset_unknown'];
    const res = await t.api(`/v3/assets/statuses?asset_ids=${ids.join(',')}`);
    const entry = (id: string, status: string) => ({ video_id: id, asset_id: id, status, batch_id: null, item_index: null, error: null });
    expect(((await res.json()) as { data: unknown }).data).toEqual([
      entry(mine.asset_id, 'queued'),
      entry(theirs.asset_id, 'not_found'),
      entry('asset_unknown', 'not_found'),
    ]);
    const tooMany = await t.api(`/v3/assets/statuses?asset_ids=${Array.from({ length: 101 }, (_, i) => `a${i}`).join(',')}`);
    expect(tooMany.status).toBe(400);
  });
});
