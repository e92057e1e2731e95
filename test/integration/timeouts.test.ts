// Slow and stalled clients through the real server, with short limits set through the environment: a body that
// goes quiet is dropped after ASSETD_BODY_IDLE_TIMEOUT_SECONDS, headers that never end after
// ASSETD_HEADERS_TIMEOUT_SECONDS, a steady trickle after ASSETD_REQUEST_TIMEOUT_SECONDS; what their uploads had
// written (temp file, multipart upload, staged object) is removed and no record appears.
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { usesS3 } from '../support/backends.js';
import { requestHead, SlowClient, startUpload } from '../support/slow-client.js';
import { eventually, startTestServer, TENANT_A, type TestServer } from '../support/server.js';

const IDLE_S = 2;
const HEADERS_S = 1;
const REQUEST_S = 3;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    env: { ASSETD_BODY_IDLE_TIMEOUT_SECONDS: String(IDLE_S), ASSETD_HEADERS_TIMEOUT_SECONDS: String(HEADERS_S) },
  });
});
afterAll(async () => {
  await t.close();
});

async function assetCount(): Promise<number> {
  return ((await (await t.api('/v3/assets?limit=100')).json()) as { data: unknown[] }).data.length;
}

/** A 12 MiB PNG-headed file: its first 9 MiB start an S3 multipart upload (8 MiB parts) as well as a temp file. */
const bigFile = () => media.padTo(media.png(), 12 * 1024 * 1024);

/** What a dropped connection got: nothing (a reset) or our 408 in the envelope. */
async function expectTimedOut(client: SlowClient): Promise<void> {
  const answer = await client.response();
  if (answer !== null) {
    expect(answer.status).toBe(408);
    expect(answer.json.error.code).toBe('request_timeout');
  }
  await client.closed;
}

describe('request timeouts', () => {
  it('keeps a body that sends a byte a second, drops it once it sends one every 3 s (idle limit 2 s), keeps nothing', async () => {
    const before = await assetCount();
    const file = bigFile();
    let offset = 9 * 1024 * 1024;
    const { client } = await startUpload(t.url, TENANT_A.key, file, offset);
    await eventually(async () => (await t.pendingWrites()) === 1, 10_000);
    const trickle = async (pauseMs: number) => {
      await Promise.race([client.closed, delay(pauseMs)]);
      if (!client.isOpen) return false;
      await client.write(file.subarray(offset, offset + 1));
      offset += 1;
      return true;
    };
    // Slow but never quiet for the limit: the upload lives on, its temp file with it.
    for (let i = 0; i < 3; i++) expect(await trickle(1000)).toBe(true);
    expect(await t.pendingWrites()).toBe(1);
    let lastByteAt = Date.now();
    while (await trickle(3000)) lastByteAt = Date.now();
    const quietFor = Date.now() - lastByteAt;
    expect(quietFor).toBeGreaterThanOrEqual(IDLE_S * 1000 - 100);
    expect(quietFor).toBeLessThan(IDLE_S * 1000 + 2500);
    await expectTimedOut(client);
    await eventually(async () => (await t.pendingWrites()) === 0);
    expect(await assetCount()).toBe(before);
  });

  it('drops many stalled uploads at once, and every temp file goes with them', async () => {
    const before = await assetCount();
    const file = media.padTo(media.png(), 1024 * 1024);
    const started = Date.now();
    const uploads = await Promise.all(Array.from({ length: 40 }, () => startUpload(t.url, TENANT_A.key, file, 64 * 1024)));
    if (!usesS3) await eventually(async () => (await t.pendingWrites()) === 40, 10_000);
    await Promise.all(uploads.map(({ client }) => expectTimedOut(client)));
    expect(Date.now() - started).toBeLessThan(IDLE_S * 1000 + 4000);
    await eventually(async () => (await t.pendingWrites()) === 0);
    expect(await assetCount()).toBe(before);
  });

  it('drops a client that never finishes its headers, and one that sends nothing', async () => {
    const partial = await SlowClient.connect(t.url);
    const silent = await SlowClient.connect(t.url);
    const started = Date.now();
    await partial.write(`POST /v3/assets HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${TENANT_A.key}\r\n`);
    const answer = await partial.response();
    expect(answer?.status).toBe(408);
    expect(answer?.json.error.code).toBe('request_timeout');
    await partial.closed;
    await silent.closed;
    // Node looks for late headers once a second.
    expect(Date.now() - started).toBeLessThan(HEADERS_S * 1000 + 2500);
  });

  it('drops a request that trickles steadily past the whole-request limit, and keeps nothing', async () => {
    const limited = await startTestServer({ env: { ASSETD_REQUEST_TIMEOUT_SECONDS: String(REQUEST_S), ASSETD_HEADERS_TIMEOUT_SECONDS: '1' } });
    try {
      const file = media.padTo(media.png(), 1024 * 1024);
      const { client } = await startUpload(limited.url, TENANT_A.key, file, 4096);
      const started = Date.now();
      // 1 KiB every 300 ms: never quiet for the idle limit, never done either.
      for (let offset = 4096; client.isOpen && offset < file.length; offset += 1024) {
        await Promise.race([client.closed, delay(300)]);
        await client.write(file.subarray(offset, offset + 1024));
      }
      await expectTimedOut(client);
      expect(Date.now() - started).toBeLessThan(REQUEST_S * 1000 + 2500);
      await eventually(async () => (await limited.pendingWrites()) === 0);
      const listed = (await (await limited.api('/v3/assets')).json()) as { data: unknown[] };
      expect(listed.data).toEqual([]);
    } finally {
      await limited.close();
    }
  });

  // On S3 the signed PUT goes to the object store, not through assetd.
  it.skipIf(usesS3)('drops a signed PUT that stalls half-way, and leaves nothing staged', async () => {
    const size = 4 * 1024 * 1024;
    const init = await t.api('/v3/assets/direct-uploads', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'stall.png', content_type: 'image/png', size_bytes: size }),
    });
    const { upload_url: url, upload_headers: headers } = ((await init.json()) as { data: { upload_url: string; upload_headers: Record<string, string> } }).data;
    const client = await SlowClient.connect(t.url);
    await client.write(requestHead('PUT', url, headers, size));
    await client.write(media.padTo(media.png(), size).subarray(0, size / 2));
    await eventually(async () => (await t.pendingWrites()) === 1, 10_000);
    await expectTimedOut(client);
    await eventually(async () => (await t.pendingWrites()) === 0);
    expect(await t.objects('uploads/')).toEqual([]);
  });
});
