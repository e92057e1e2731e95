// Multipart (resumable) upload through the real server, on whichever backend this run uses: parts out of order and
// in parallel, a part sent again, a part of the wrong size, completing with parts missing, URLs paged and asked for
// by number, a part after completion, an expired URL, deleting and reaping (every part freed), tenants.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usesS3 } from '../support/backends.js';
import * as media from '../support/media.js';
import { putBytes } from '../support/put.js';
import { startTestServer, TENANT_B, testClock, type TestServer } from '../support/server.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const clock = testClock();
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    now: clock.now,
    env: { ASSETD_UPLOAD_URL_TTL_SECONDS: '600', ASSETD_MULTIPART_TTL_SECONDS: '7200' },
  });
});
afterAll(async () => {
  await t.close();
});

/** On S3 the parts go to the store itself: its refusals are its own (XML, no code of ours), and its clock is real. */
const ownEndpoint = !usesS3;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** An MP4 of `size` bytes: a real head, then filler. */
function mp4Of(size: number, fill = 0): Buffer {
  const head = media.mp4();
  return Buffer.concat([head, Buffer.alloc(size - head.length, fill)]);
}

async function call(method: string, pathname: string, body?: unknown, key?: string) {
  const res = await t.api(pathname, {
    method,
    ...(key ? { key } : {}),
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

async function initiate(bytes: Buffer, extra: Record<string, unknown> = {}) {
  const res = await call('POST', '/v3/assets/multipart-uploads', {
    filename: 'big.mp4',
    content_type: 'video/mp4',
    size_bytes: bytes.length,
    part_size_bytes: PART,
    ...extra,
  });
  expect(res.status).toBe(200);
  return res.json.data;
}

const sliceOf = (bytes: Buffer, n: number) => bytes.subarray((n - 1) * PART, Math.min(n * PART, bytes.length));
const putPart = (part: Json, bytes: Buffer) => putBytes(part.upload_url, part.upload_headers, bytes);
const state = (id: string, query = '') => call('GET', `/v3/assets/multipart-uploads/${id}${query}`);
const complete = (id: string, body: Record<string, unknown> = {}) => call('POST', `/v3/assets/${id}/complete`, body);

describe('multipart upload', () => {
  it('takes parts out of order and in parallel, and completes into the exact bytes', async () => {
    const bytes = mp4Of(2 * PART + 12_345);
    const init = await initiate(bytes, { checksum_sha256: sha256(bytes) });
    expect(init).toMatchObject({ status: 'pending_upload', part_size_bytes: PART, part_count: 3, parts_received: [], next_part_number_marker: null });
    expect(init.parts.map((p: Json) => [p.part_number, p.size_bytes])).toEqual([[1, PART], [2, PART], [3, 12_345]]);
    expect(init.expires_in_seconds).toBe(600);

    const results = await Promise.all([3, 1, 2].map((n) => putPart(init.parts[n - 1], sliceOf(bytes, n))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await t.objects('assets/')).toEqual([]);

    const seen = await state(init.asset_id);
    expect(seen.json.data.parts_received.map((p: Json) => [p.part_number, p.size_bytes])).toEqual([[1, PART], [2, PART], [3, 12_345]]);
    expect(seen.json.data.parts).toEqual([]);

    const done = await complete(init.asset_id);
    expect(done.status).toBe(200);
    expect(done.json.data).toMatchObject({ status: 'completed', mime_type: 'video/mp4', size_bytes: bytes.length });
    const asset = (await call('GET', `/v3/assets/${init.asset_id}`)).json.data;
    expect(asset.sha256).toBe(sha256(bytes));
    const served = Buffer.from(await (await fetch(asset.url)).arrayBuffer());
    expect(sha256(served)).toBe(sha256(bytes));
    expect(await t.pendingWrites()).toBe(0);
    // Completing again answers the same.
    expect((await complete(init.asset_id)).json.data).toEqual(done.json.data);
    await call('DELETE', `/v3/assets/${init.asset_id}`);
  });

  it('keeps the last good write of a part sent twice', async () => {
    const bytes = mp4Of(PART + 100);
    const init = await initiate(bytes);
    expect((await putPart(init.parts[0], Buffer.alloc(PART, 9))).status).toBe(200);
    expect((await putPart(init.parts[0], sliceOf(bytes, 1))).status).toBe(200);
    expect((await putPart(init.parts[1], sliceOf(bytes, 2))).status).toBe(200);
    const done = await complete(init.asset_id, { checksum_sha256: sha256(bytes) });
    expect(done.status).toBe(200);
    expect(await t.pendingWrites()).toBe(0);
    await call('DELETE', `/v3/assets/${init.asset_id}`);
  });

  it('refuses a part of another size than its URL was signed for, and keeps nothing of it', async () => {
    const bytes = mp4Of(PART + 100);
    const init = await initiate(bytes);
    const refused = await putPart(init.parts[1], Buffer.alloc(101));
    if (ownEndpoint) {
      expect(refused.status).toBe(400);
      expect(refused.json.error).toMatchObject({ code: 'part_size_mismatch', param: 'Content-Length' });
    } else {
      // S3 itself: the length is a signed header.
      expect(refused.status).toBe(403);
    }
    expect((await state(init.asset_id)).json.data.parts_received).toEqual([]);
    await call('DELETE', `/v3/assets/${init.asset_id}`);
  });

  it('refuses to complete with parts missing, naming them, and completes once they arrive', async () => {
    const bytes = mp4Of(2 * PART + 1);
    const init = await initiate(bytes);
    expect((await putPart(init.parts[1], sliceOf(bytes, 2))).status).toBe(200);
    const early = await complete(init.asset_id);
    expect(early.status).toBe(400);
    expect(early.json.error).toMatchObject({ code: 'parts_missing', param: 'parts' });
    expect(early.json.error.message).toContain('1, 3');
    // Still pending: the state hands out fresh URLs for exactly the missing parts.
    const resumed = (await state(init.asset_id)).json.data;
    expect(resumed.status).toBe('pending_upload');
    expect(resumed.parts.map((p: Json) => p.part_number)).toEqual([1, 3]);
    for (const part of resumed.parts) expect((await putPart(part, sliceOf(bytes, part.part_number))).status).toBe(200);
    expect((await complete(init.asset_id)).status).toBe(200);
    await call('DELETE', `/v3/assets/${init.asset_id}`);
  });

  it('pages the URLs of missing parts, and refuses part numbers out of range', async () => {
    const bytes = mp4Of(3 * PART);
    const init = await initiate(bytes);
    expect(init.part_checksums).toBe(false);
    const first = (await state(init.asset_id, '?limit=2')).json.data;
    expect(first.parts.map((p: Json) => p.part_number)).toEqual([1, 2]);
    expect(first.next_part_number_marker).toBe(2);
    const rest = (await state(init.asset_id, `?limit=2&part_number_marker=${first.next_part_number_marker}`)).json.data;
    expect(rest.parts.map((p: Json) => p.part_number)).toEqual([3]);
    expect(rest.next_part_number_marker).toBeNull();
    expect((await state(init.asset_id, '?part_numbers=3,1')).json.data.parts.map((p: Json) => p.part_number)).toEqual([3, 1]);

    const outOfRange = await state(init.asset_id, '?part_numbers=4');
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.json.error).toMatchObject({ code: 'part_number_out_of_range', param: 'part_number' });
    expect((await state(init.asset_id, '?part_numbers=0')).json.error.code).toBe('part_number_out_of_range');
    expect((await state(init.asset_id, '?part_numbers=x')).json.error.code).toBe('invalid_parameter');
    // Started without part_checksums: its parts take none (S3 would refuse one).
    const checksummed = await state(init.asset_id, `?part_numbers=1&checksums_sha256=${sha256(sliceOf(bytes, 1))}`);
    expect(checksummed.json.error).toMatchObject({ code: 'invalid_parameter', param: 'checksums_sha256' });
    await call('DELETE', `/v3/assets/${init.asset_id}`);
  });

  it('signs each part’s SHA-256 into its URL when the upload takes part checksums', async () => {
    const bytes = mp4Of(PART + 77);
    const init = await initiate(bytes, { part_checksums: true, checksum_sha256: sha256(bytes) });
    // Every URL is made with its part's SHA-256, so none comes unasked.
    expect(init).toMatchObject({ part_checksums: true, parts: [] });
    const [one, two] = [sliceOf(bytes, 1), sliceOf(bytes, 2)];
    expect((await state(init.asset_id, '?part_numbers=1')).json.error).toMatchObject({ code: 'invalid_parameter', param: 'checksums_sha256' });
    const asked = (await state(init.asset_id, `?part_numbers=1,2&checksums_sha256=${sha256(one)},${encodeURIComponent(Buffer.from(sha256(two), 'hex').toString('base64'))}`)).json.data.parts;
    expect(asked.map((p: Json) => p.part_number)).toEqual([1, 2]);
    expect(asked[0].upload_headers['x-amz-checksum-sha256']).toBe(Buffer.from(sha256(one), 'hex').toString('base64'));
    if (ownEndpoint) {
      // Other bytes of the right size: assetd checks the signed SHA-256 itself.
      const wrong = await putPart(asked[0], Buffer.alloc(PART, 3));
      expect(wrong.status).toBe(400);
      expect(wrong.json.error.code).toBe('checksum_mismatch');
    }
    expect((await putPart(asked[0], one)).status).toBe(200);
    expect((await putPart(asked[1], two)).status).toBe(200);
    const received = (await state(init.asset_id)).json.data.parts_received;
    expect(received.map((p: Json) => p.part_number)).toEqual([1, 2]);
    // On disk assetd keeps each part's SHA-256; a store keeps it only where it has flexible checksums.
    if (ownEndpoint) expect(received.map((p: Json) => p.checksum_sha256)).toEqual([sha256(one), sha256(two)]);
    const done = await complete(init.asset_id);
    expect(done.status).toBe(200);
    expect((await call('GET', `/v3/assets/${init.asset_id}`)).json.data.sha256).toBe(sha256(bytes));
    await call('DELETE', `/v3/assets/${init.asset_id}`);
  });

  it('refuses a part after completion', async () => {
    const bytes = mp4Of(PART - 1);
    const init = await initiate(bytes);
    expect((await putPart(init.parts[0], bytes)).status).toBe(200);
    expect((await complete(init.asset_id)).status).toBe(200);
    const late = await putPart(init.parts[0], bytes);
    if (ownEndpoint) {
      expect(late.status).toBe(409);
      expect(late.json.error.code).toBe('upload_completed');
    } else {
      expect(late.status).toBe(404); // NoSuchUpload: the store has no such upload any more
    }
    const asked = await state(init.asset_id, '?part_numbers=1');
    expect(asked.status).toBe(409);
    expect(asked.json.error.code).toBe('upload_completed');
    expect((await state(init.asset_id)).json.data).toMatchObject({ status: 'completed', parts: [], parts_received: [] });
    await call('DELETE', `/v3/assets/${init.asset_id}`);
  });

  it.runIf(ownEndpoint)('refuses an expired part URL with its own code, and hands out a fresh one', async () => {
    const bytes = mp4Of(PART - 1);
    const init = await initiate(bytes);
    clock.advance(601_000);
    const stale = await putPart(init.parts[0], bytes);
    expect(stale.status).toBe(403);
    expect(stale.json.error.code).toBe('url_expired');
    const fresh = (await state(init.asset_id)).json.data.parts[0];
    expect((await putPart(fresh, bytes)).status).toBe(200);
    expect((await complete(init.asset_id)).status).toBe(200);
    await call('DELETE', `/v3/assets/${init.asset_id}`);
  });

  it('judges the assembled bytes: another type fails the upload and keeps nothing', async () => {
    const bytes = Buffer.alloc(PART + 10, 0x41);
    const init = await initiate(bytes);
    for (const part of init.parts) expect((await putPart(part, sliceOf(bytes, part.part_number))).status).toBe(200);
    const done = await complete(init.asset_id);
    expect(done.status).toBe(400);
    expect(done.json.error.code).toBe('media_type_mismatch');
    expect(await t.objects('assets/')).toEqual([]);
    expect(await t.pendingWrites()).toBe(0);
    await call('DELETE', `/v3/assets/${init.asset_id}`);
  });

  it('aborts a pending upload on DELETE and frees every part', async () => {
    const bytes = mp4Of(2 * PART);
    const init = await initiate(bytes);
    expect((await putPart(init.parts[0], sliceOf(bytes, 1))).status).toBe(200);
    expect(await t.pendingWrites()).toBe(1);
    expect((await call('DELETE', `/v3/assets/${init.asset_id}`)).status).toBe(200);
    expect(await t.pendingWrites()).toBe(0);
    expect((await putPart(init.parts[1], sliceOf(bytes, 2))).status).toBe(404);
    expect((await state(init.asset_id)).status).toBe(404);
  });

  it('has the reaper abort an abandoned upload and free its parts, but not one still under way', async () => {
    const bytes = mp4Of(2 * PART);
    const abandoned = await initiate(bytes);
    expect((await putPart(abandoned.parts[0], sliceOf(bytes, 1))).status).toBe(200);
    // Idle for longer than any abandoned temporary write, yet within its own time: kept.
    await t.server.storage.removeAbandonedWrites(0, { spare: (keys) => t.server.metadata.assets.storageKeysInUse(keys) });
    expect((await state(abandoned.asset_id)).json.data.parts_received).toHaveLength(1);
    clock.advance(7201_000);
    const report = await t.server.reaper.runOnce();
    expect(report.expiredUploads).toBeGreaterThanOrEqual(1);
    expect((await call('GET', `/v3/assets/${abandoned.asset_id}`)).json.data.status).toBe('expired');
    expect(await t.pendingWrites()).toBe(0);
    await call('DELETE', `/v3/assets/${abandoned.asset_id}`);
  });

  it('keeps tenants apart and requires a key', async () => {
    const bytes = mp4Of(PART - 1);
    const init = await initiate(bytes);
    expect((await call('GET', `/v3/assets/multipart-uploads/${init.asset_id}`, undefined, TENANT_B.key)).status).toBe(404);
    expect((await call('POST', `/v3/assets/${init.asset_id}/complete`, {}, TENANT_B.key)).status).toBe(404);
    const anonymous = await t.api(`/v3/assets/multipart-uploads/${init.asset_id}`, { key: null });
    expect(anonymous.status).toBe(401);
    await call('DELETE', `/v3/assets/${init.asset_id}`);
  });

  it('refuses what it cannot take, each with a clear error', async () => {
    const big = await call('POST', '/v3/assets/multipart-uploads', { filename: 'a.mp4', content_type: 'video/mp4', size_bytes: 51 * 1024 ** 3 });
    expect(big.status).toBe(400);
    expect(big.json.error.param).toBe('size_bytes');
    const tiny = await call('POST', '/v3/assets/multipart-uploads', { filename: 'a.mp4', content_type: 'video/mp4', size_bytes: 100, part_size_bytes: 1000 });
    expect(tiny.json.error).toMatchObject({ code: 'invalid_parameter', param: 'part_size_bytes' });
    const type = await call('POST', '/v3/assets/multipart-uploads', { filename: 'a.txt', content_type: 'text/plain', size_bytes: 100 });
    expect(type.json.error.code).toBe('unsupported_media_type');
    // A direct upload is not a multipart one.
    const direct = await call('POST', '/v3/assets/direct-uploads', { filename: 'a.png', content_type: 'image/png', size_bytes: 10 });
    expect((await state(direct.json.data.asset_id)).status).toBe(404);
    await call('DELETE', `/v3/assets/${direct.json.data.asset_id}`);
  });
});
