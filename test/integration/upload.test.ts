// POST /v3/assets through the real server: type detection from bytes, the 32 MiB limit, refusals, and that no
// refused or interrupted upload leaves anything behind.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { abortUploadAfter, sendMultipart, uploadFile } from '../support/multipart.js';
import { eventually, startTestServer, TENANT_A, type TestServer } from '../support/server.js';

const LIMIT = 32 * 1024 * 1024;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

async function assetCount(): Promise<number> {
  const body = (await (await t.api('/v3/assets?limit=100')).json()) as { data: unknown[] };
  return body.data.length;
}

/** Nothing stored and nothing half-written: no objects, no temp files, no rows beyond `expected`. */
async function expectNothingLeft(expectedAssets: number): Promise<void> {
  await eventually(async () => (await t.pendingWrites()) === 0);
  expect(await t.objects()).toHaveLength(expectedAssets);
  expect(await assetCount()).toBe(expectedAssets);
}

/** sha256 of head followed by zeros up to size, computed without holding it whole. */
function paddedSha256(head: Buffer, size: number): string {
  const hash = createHash('sha256').update(head);
  const zeros = Buffer.alloc(1024 * 1024);
  for (let left = size - head.length; left > 0; left -= zeros.length) hash.update(zeros.subarray(0, Math.min(left, zeros.length)));
  return hash.digest('hex');
}

describe('POST /v3/assets', () => {
  const cases: Array<[string, () => Buffer, string]> = [
    ['png', () => media.png(), 'image/png'],
    ['jpeg', () => media.jpeg(), 'image/jpeg'],
    ['wav', () => media.wav(), 'audio/wav'],
    ['mp3', () => media.mp3(), 'audio/mpeg'],
    ['mp3 with ID3', () => media.mp3({ id3: true }), 'audio/mpeg'],
    ['mp4', () => media.mp4(), 'video/mp4'],
    ['webm', () => media.webm(), 'video/webm'],
    ['pdf', () => media.pdf(), 'application/pdf'],
  ];

  it.each(cases)('detects %s from the bytes, whatever the declared type and name', async (_name, build, mime) => {
    const bytes = build();
    const res = await uploadFile(t.url, TENANT_A.key, bytes, 'notes.txt', 'text/plain');
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({ mime_type: mime, size_bytes: bytes.length });
    expect(res.json.data.asset_id).toMatch(/^asset_[0-9a-f]{32}$/);

    const file = await fetch(res.json.data.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe(mime);
    expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);

    const record = (await (await t.api(`/v3/assets/${res.json.data.asset_id}`)).json()) as { data: Record<string, unknown> };
    expect(record.data).toMatchObject({
      asset_id: res.json.data.asset_id,
      status: 'completed',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      filename: 'notes.txt',
      url: res.json.data.url,
    });
  });

  it('records pixel sizes and lengths where the bytes tell', async () => {
    const image = await uploadFile(t.url, TENANT_A.key, media.png({ width: 3, height: 5 }), 'a.png');
    const sound = await uploadFile(t.url, TENANT_A.key, media.wav({ samples: 12_000 }), 'a.wav');
    const song = await uploadFile(t.url, TENANT_A.key, media.mp3({ frames: 40 }), 'a.mp3');
    const clip = media.mp4({ video: { width: 1280, height: 720 }, durationSeconds: 9.5, moovLast: true, mdatBytes: 2 * 1024 * 1024 });
    const video = await uploadFile(t.url, TENANT_A.key, clip, 'a.mp4');
    const web = await uploadFile(t.url, TENANT_A.key, media.webm({ durationSeconds: 2.5, video: { width: 320, height: 240 } }), 'a.webm');
    const silent = await uploadFile(t.url, TENANT_A.key, media.mp4(), 'b.mp4');
    const read = async (id: string) => ((await (await t.api(`/v3/assets/${id}`)).json()) as { data: Record<string, unknown> }).data;
    expect(await read(image.json.data.asset_id)).toMatchObject({ width: 3, height: 5 });
    expect(await read(sound.json.data.asset_id)).toMatchObject({ duration_seconds: 1.5 });
    expect(await read(song.json.data.asset_id)).toMatchObject({ duration_seconds: 1.045 });
    expect(await read(video.json.data.asset_id)).toMatchObject({ width: 1280, height: 720, duration_seconds: 9.5 });
    expect(await read(web.json.data.asset_id)).toMatchObject({ width: 320, height: 240, duration_seconds: 2.5 });
    const unknown = await read(silent.json.data.asset_id);
    expect(unknown).not.toHaveProperty('width');
    expect(unknown).not.toHaveProperty('duration_seconds');
  });

  it('accepts exactly 32 MiB and hashes it while streaming', async () => {
    const before = await assetCount();
    const head = media.png();
    const res = await uploadFile(t.url, TENANT_A.key, media.sizedStream(head, LIMIT), 'big.png', 'image/png');
    expect(res.status).toBe(200);
    expect(res.json.data.size_bytes).toBe(LIMIT);
    const record = (await (await t.api(`/v3/assets/${res.json.data.asset_id}`)).json()) as { data: { sha256: string } };
    expect(record.data.sha256).toBe(paddedSha256(head, LIMIT));
    expect(await assetCount()).toBe(before + 1);
    await t.api(`/v3/assets/${res.json.data.asset_id}`, { method: 'DELETE' });
  });

  it('refuses 32 MiB + 1 byte with 413 and keeps nothing', async () => {
    const before = await assetCount();
    const res = await uploadFile(t.url, TENANT_A.key, media.sizedStream(media.png(), LIMIT + 1), 'big.png');
    expect(res.status).toBe(413);
    expect(res.json.error).toMatchObject({ code: 'payload_too_large', param: 'file' });
    await expectNothingLeft(before);
  });

  it.each([
    ['text', () => media.text()],
    ['zip', () => media.zip()],
    ['random bytes', () => media.randomBytes(4096)],
    ['empty file', () => Buffer.alloc(0)],
  ])('refuses %s with a clear error and keeps nothing', async (name, build) => {
    const before = await assetCount();
    const res = await uploadFile(t.url, TENANT_A.key, build(), 'x.png', 'image/png');
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe(name === 'empty file' ? 'invalid_parameter' : 'unsupported_media_type');
    expect(res.json.error.param).toBe('file');
    await expectNothingLeft(before);
  });

  it('refuses a large unsupported file without storing it', async () => {
    const before = await assetCount();
    const res = await uploadFile(t.url, TENANT_A.key, media.sizedStream(media.text(), 8 * 1024 * 1024));
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('unsupported_media_type');
    await expectNothingLeft(before);
  });

  it('requires a part named file', async () => {
    const res = await sendMultipart(`${t.url}/v3/assets`, TENANT_A.key, [{ name: 'title', body: 'hello' }]);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid_parameter', param: 'file' });
  });

  it('refuses a file under another field name', async () => {
    const res = await sendMultipart(`${t.url}/v3/assets`, TENANT_A.key, [
      { name: 'upload', filename: 'a.png', body: media.png() },
    ]);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid_parameter', param: 'upload' });
  });

  it('refuses two file parts and keeps neither', async () => {
    const before = await assetCount();
    const res = await sendMultipart(`${t.url}/v3/assets`, TENANT_A.key, [
      { name: 'file', filename: 'a.png', body: media.png() },
      { name: 'file', filename: 'b.png', body: media.png() },
    ]);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid_parameter', param: 'file' });
    await expectNothingLeft(before);
  });

  it('refuses a body that is not multipart', async () => {
    const json = await t.api('/v3/assets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ file: 'x' }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: { param: string } }).error.param).toBe('Content-Type');

    const octets = await t.api('/v3/assets', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: media.png(),
    });
    expect(octets.status).toBe(400);
    expect(((await octets.json()) as { error: { code: string } }).error.code).toBe('invalid_parameter');
  });

  it('answers a malformed multipart body with 400, not 500', async () => {
    const res = await t.api('/v3/assets', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_parameter');
  });

  it('leaves nothing behind when the client hangs up mid-upload', async () => {
    const before = await assetCount();
    await abortUploadAfter(t.url, TENANT_A.key, media.png(), 2 * 1024 * 1024);
    await expectNothingLeft(before);
  });
});
