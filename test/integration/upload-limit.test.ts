// ASSETD_MAX_CONCURRENT_UPLOADS through the real server: beyond N uploads under way, POST /v3/assets and the signed
// PUT are refused with 503 service_unavailable and Retry-After before their bodies are read; other requests are
// not limited; once an upload ends, its slot takes the next one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { uploadFile } from '../support/multipart.js';
import { putBytes } from '../support/put.js';
import { usesS3 } from '../support/backends.js';
import { startUpload } from '../support/slow-client.js';
import { eventually, startTestServer, TENANT_A, TENANT_B, type TestServer } from '../support/server.js';

const MAX = 2;
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ env: { ASSETD_MAX_CONCURRENT_UPLOADS: String(MAX) } });
});
afterAll(async () => {
  await t.close();
});

/** The in-flight gauge of /metrics, summed over flows. */
async function uploadsInFlight(): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  return [...text.matchAll(/^assetd_uploads_in_flight\{flow="\w+"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

async function initiate(size: number): Promise<{ upload_url: string; upload_headers: Record<string, string> }> {
  const res = await t.api('/v3/assets/direct-uploads', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ filename: 'a.png', content_type: 'image/png', size_bytes: size }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { upload_url: string; upload_headers: Record<string, string> } }).data;
}

describe('the concurrent upload cap', () => {
  it('answers 503 with Retry-After beyond N uploads under way, and takes uploads again once one ends', async () => {
    const file = media.padTo(media.png(), 256 * 1024);
    const held = await Promise.all([startUpload(t.url, TENANT_A.key, file, 1024), startUpload(t.url, TENANT_B.key, file, 1024)]);
    await eventually(async () => (await uploadsInFlight()) === MAX);

    const refused = await uploadFile(t.url, TENANT_A.key, media.png(), 'third.png', 'image/png');
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.headers.connection).toBe('close');
    expect(refused.json).toMatchObject({ error: { code: 'service_unavailable' } });
    expect(refused.json.error.message).toMatch(/2 uploads at once/);
    // Answered before the body is read: this client has sent 1 KiB of 8 MiB, and the connection is closed after.
    const early = await startUpload(t.url, TENANT_A.key, media.padTo(media.png(), 8 * 1024 * 1024), 1024);
    expect(await early.client.response()).toMatchObject({ status: 503, headers: { connection: 'close', 'retry-after': '5' } });
    await early.client.closed;

    // Only uploads are limited.
    expect((await t.api('/v3/assets')).status).toBe(200);
    const init = await initiate(media.png().length);
    if (!usesS3) {
      // assetd's own signed PUT is an upload too (on S3 the PUT goes to the store).
      const put = await putBytes(init.upload_url, init.upload_headers, media.png());
      expect(put.status).toBe(503);
      expect(put.headers['retry-after']).toBe('5');
      expect(put.json).toMatchObject({ error: { code: 'service_unavailable' } });
    }

    // One upload finishes: its slot is free for the next.
    await held[0]!.client.write(held[0]!.rest);
    expect((await held[0]!.client.response())?.status).toBe(200);
    const next = await uploadFile(t.url, TENANT_A.key, media.png(), 'next.png', 'image/png');
    expect(next.status).toBe(200);
    // The other hangs up: its slot is freed as well, and nothing of it is kept.
    held[1]!.client.destroy();
    await eventually(async () => (await uploadsInFlight()) === 0);
    const [a, b] = await Promise.all([
      uploadFile(t.url, TENANT_A.key, media.png(), 'a.png', 'image/png'),
      usesS3 ? uploadFile(t.url, TENANT_B.key, media.png(), 'b.png', 'image/png') : putBytes(init.upload_url, init.upload_headers, media.png()),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await eventually(async () => (await t.pendingWrites()) === 0);
    const listed = (await (await t.api('/v3/assets?limit=100', { key: TENANT_B.key })).json()) as { data: unknown[] };
    expect(listed.data).toHaveLength(usesS3 ? 1 : 0);
  });
});
