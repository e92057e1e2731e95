// GET /v3/assets/{asset_id}/preview: a smaller picture of an image asset, made once and kept in storage under
// previews/, served with the /files/ safety and caching headers (private: it needs the key); bounded in width and in
// the pixels an input may declare; removed with its asset, and swept by the reaper when its asset is gone.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { startTestServer, TENANT_B, testClock, type TestServer } from '../support/server.js';

const clock = testClock();
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ now: clock.now });
});
afterAll(async () => {
  await t.close();
});

async function upload(bytes: Buffer, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const res = await t.api('/v3/assets', { method: 'POST', body: form });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { asset_id: string } }).data.asset_id;
}

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; param?: string } }).error;

describe('image previews', () => {
  it('makes a preview once, keeps it in storage, and serves it with the safety and caching headers of /files/', async () => {
    const id = await upload(media.png({ width: 300, height: 200 }), 'holiday photo.png');
    const first = await t.api(`/v3/assets/${id}/preview?width=100`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/webp');
    expect(first.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
    expect(first.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(first.headers.get('content-disposition')).toBe('inline; filename="holiday photo-128.webp"');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{64}-128\.webp"$/);
    const bytes = Buffer.from(await first.arrayBuffer());
    expect(first.headers.get('content-length')).toBe(String(bytes.length));
    // 100 is rounded up to the step of 64: 128 wide, the height in proportion.
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'webp', width: 128, height: 85 });
    expect(await t.objects('previews/')).toEqual([`previews/${id.slice(6, 8)}/${id}.128.webp`]);

    const again = await t.api(`/v3/assets/${id}/preview?width=128`);
    expect(Buffer.from(await again.arrayBuffer())).toEqual(bytes);
    const revalidated = await t.api(`/v3/assets/${id}/preview?width=128`, { headers: { 'if-none-match': etag } });
    expect(revalidated.status).toBe(304);

    const jpeg = await t.api(`/v3/assets/${id}/preview?format=jpeg`);
    expect(jpeg.headers.get('content-type')).toBe('image/jpeg');
    // The default width is 256, and a 300-wide image is not enlarged past its own width.
    expect(await sharp(Buffer.from(await jpeg.arrayBuffer())).metadata()).toMatchObject({ format: 'jpeg', width: 256 });
    const png = await t.api(`/v3/assets/${id}/preview?width=2048&format=png`);
    expect(await sharp(Buffer.from(await png.arrayBuffer())).metadata()).toMatchObject({ format: 'png', width: 300, height: 200 });
  });

  it('refuses widths and formats out of bounds, assets that are not images, and other tenants\' assets', async () => {
    const id = await upload(media.png(), 'p.png');
    for (const query of ['width=0', 'width=2049', 'width=wide', 'format=gif']) {
      const res = await t.api(`/v3/assets/${id}/preview?${query}`);
      expect(res.status, query).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'invalid_parameter', param: query.split('=')[0] });
    }
    const video = await upload(media.mp4({ video: { width: 64, height: 48 } }), 'v.mp4');
    const notImage = await t.api(`/v3/assets/${video}/preview`);
    expect(notImage.status).toBe(400);
    expect(await errorOf(notImage)).toMatchObject({ code: 'unsupported_media_type', param: 'asset_id' });
    expect((await t.api(`/v3/assets/${id}/preview`, { key: TENANT_B.key })).status).toBe(404);
    expect((await t.api(`/v3/assets/${id}/preview`, { key: null })).status).toBe(401);
    const pending = await t.api('/v3/assets/direct-uploads', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'later.png', content_type: 'image/png', size_bytes: 70 }),
    });
    const pendingId = ((await pending.json()) as { data: { asset_id: string } }).data.asset_id;
    expect((await t.api(`/v3/assets/${pendingId}/preview`)).status).toBe(409);
  });

  it('refuses a decompression bomb with 400 and stays up; an image that does not decode is a 400 too', async () => {
    const bomb = await upload(media.pngBomb(40_000, 40_000), 'bomb.png');
    const refused = await t.api(`/v3/assets/${bomb}/preview`);
    expect(refused.status).toBe(400);
    expect(await errorOf(refused)).toMatchObject({ code: 'invalid_parameter', param: 'asset_id' });
    expect(refused.headers.get('cache-control')).toBeNull();
    // A PNG that declares a modest size but whose pixels are not there.
    const broken = await upload(Buffer.concat([media.png({ width: 64, height: 64 }).subarray(0, 41), Buffer.alloc(30)]), 'broken.png');
    const undecodable = await t.api(`/v3/assets/${broken}/preview`);
    expect(undecodable.status).toBe(400);
    expect((await t.api('/healthz')).status).toBe(200);
  });

  it('deletes an asset\'s previews with it; the reaper sweeps previews whose asset is gone', async () => {
    const id = await upload(media.png({ width: 80, height: 80 }), 'gone.png');
    for (const query of ['width=64', 'width=64&format=png']) expect((await t.api(`/v3/assets/${id}/preview?${query}`)).status).toBe(200);
    const prefix = `previews/${id.slice(6, 8)}/${id}.`;
    expect((await t.objects('previews/')).filter((k) => k.startsWith(prefix))).toHaveLength(2);
    expect((await t.api(`/v3/assets/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await t.objects('previews/')).filter((k) => k.startsWith(prefix))).toEqual([]);

    const kept = await upload(media.png({ width: 80, height: 80 }), 'kept.png');
    expect((await t.api(`/v3/assets/${kept}/preview`)).status).toBe(200);
    const lost = `asset_${randomBytes(16).toString('hex')}`;
    const orphan = `previews/${lost.slice(6, 8)}/${lost}.256.webp`;
    await t.server.storage.write({ key: orphan, body: Readable.from([Buffer.from('left behind')]), contentType: 'image/webp' });
    clock.advance(60 * 60 * 1000 + 60_000);
    await t.server.reaper.runOnce();
    const left = await t.objects('previews/');
    expect(left).not.toContain(orphan);
    expect(left).toContain(`previews/${kept.slice(6, 8)}/${kept}.256.webp`);
  });
});
