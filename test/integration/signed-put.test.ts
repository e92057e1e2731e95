// assetd's own presigned PUT (local-disk storage) is held to what S3 does with its presigned URLs: one spelling of
// every signed number, and a checksum header honoured even when the URL did not sign one.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { usesS3 } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

const png = media.padTo(media.png(), 3000);

async function initiate() {
  const res = await t.api('/v3/assets/direct-uploads', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ filename: 'p.png', content_type: 'image/png', size_bytes: png.length }),
  });
  return ((await res.json()) as { data: { asset_id: string; upload_url: string } }).data;
}

const put = async (url: string, headers: Record<string, string>, body: Buffer) => {
  const res = await fetch(url, { method: 'PUT', headers, body });
  return { status: res.status, json: (await res.json()) as { error?: { code: string; param?: string } } };
};

describe.skipIf(usesS3)('the signed PUT (local disk)', () => {
  it('refuses size or expires spelled with leading zeros (403), though they name the signed values', async () => {
    for (const field of ['size', 'expires']) {
      const { upload_url: url } = await initiate();
      const u = new URL(url);
      u.searchParams.set(field, `0${u.searchParams.get(field)}`);
      const res = await put(u.toString(), { 'content-type': 'image/png' }, png);
      expect(res.status, field).toBe(403);
      expect(res.json.error?.code).toBe('forbidden');
    }
  });

  it('holds the bytes to an unsigned x-amz-checksum-sha256 header, as S3 does', async () => {
    const { upload_url: url, asset_id: assetId } = await initiate();
    const wrong = createHash('sha256').update('other').digest('base64');
    const refused = await put(url, { 'content-type': 'image/png', 'x-amz-checksum-sha256': wrong }, png);
    expect(refused.status).toBe(400);
    expect(refused.json.error?.code).toBe('checksum_mismatch');
    expect(await t.objects(`uploads/`)).not.toContainEqual(expect.stringContaining(assetId));
    const right = createHash('sha256').update(png).digest('base64');
    expect((await put(url, { 'content-type': 'image/png', 'x-amz-checksum-sha256': right }, png)).status).toBe(200);
    const garbled = await put(url, { 'content-type': 'image/png', 'x-amz-checksum-sha256': 'not-a-checksum' }, png);
    expect(garbled.status).toBe(400);
    expect(garbled.json.error?.param).toBe('x-amz-checksum-sha256');
  });
});
