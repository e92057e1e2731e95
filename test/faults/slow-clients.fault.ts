// Slow and hostile clients against short limits set through the environment: headers trickled a byte at a time and
// bodies trickled a byte a second are dropped on time, and leave no temp file (no multipart upload on S3) and no
// record. Then 200 trickling connections at once: /healthz and ordinary requests keep answering at once, an
// upload is answered too (503 with Retry-After while the upload cap is full, 200 once the tricklers are gone).
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { usesS3 } from '../support/backends.js';
import { requestHead, SlowClient, startUpload, type RawResponse } from '../support/slow-client.js';
import { eventually, startTestServer, TENANT_A, type TestServer } from '../support/server.js';
import { dropBucket } from './support/cleanup.js';
import { recordFigures, seconds } from './support/figures.js';
import { isEnvelope, uploadOne } from './support/http.js';
import { pngOf } from './support/random.js';

const HEADERS_S = 2;
const IDLE_S = 2;
const REQUEST_S = 5;
const MAX_UPLOADS = 32;
/** Node looks for late headers and requests once a second; a loaded machine adds a little. */
const SLACK_MS = 3000;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    env: {
      ASSETD_HEADERS_TIMEOUT_SECONDS: String(HEADERS_S),
      ASSETD_BODY_IDLE_TIMEOUT_SECONDS: String(IDLE_S),
      ASSETD_REQUEST_TIMEOUT_SECONDS: String(REQUEST_S),
      ASSETD_MAX_CONCURRENT_UPLOADS: String(MAX_UPLOADS),
    },
  });
});
afterAll(async () => {
  await t.close();
  await dropBucket(t.backend);
});

async function assetCount(): Promise<number> {
  return ((await (await t.api('/v3/assets?limit=100')).json()) as { data: unknown[] }).data.length;
}

/** Writes one byte at a time, every `everyMs`, from `bytes` (repeated), until the server closes the connection. */
async function trickle(client: SlowClient, bytes: Buffer, everyMs: number): Promise<number> {
  let sent = 0;
  while (client.isOpen) {
    await client.write(bytes.subarray(sent % bytes.length, (sent % bytes.length) + 1));
    sent += 1;
    await Promise.race([client.closed, delay(everyMs)]);
  }
  return sent;
}

/** Dropped: closed by the server, with our 408 in the envelope or with no answer at all. */
function expectDropped(answer: RawResponse | null): void {
  if (answer === null) return;
  expect(answer.status).toBe(408);
  expect(isEnvelope(answer.json)).toBe(true);
}

/** Headers that never end: a request line, then one header whose value goes on forever. */
const endlessHead = (path: string) => Buffer.from(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${TENANT_A.key}\r\nx-slow: ${'a'.repeat(4096)}`);

describe('slow and hostile clients', () => {
  it('drops headers trickled a byte at a time once the headers limit passes', async (context) => {
    const client = await SlowClient.connect(t.url);
    const started = Date.now();
    const sent = await trickle(client, endlessHead('/v3/assets'), 100);
    const took = Date.now() - started;
    expectDropped(await client.response());
    expect(took).toBeGreaterThanOrEqual(HEADERS_S * 1000 - 100);
    expect(took).toBeLessThan(HEADERS_S * 1000 + SLACK_MS);
    recordFigures(context, { 'dropped after': seconds(took), 'bytes sent': sent });
  });

  it('drops an upload body trickled a byte a second once the request limit passes, and keeps nothing', async (context) => {
    const before = await assetCount();
    const file = media.padTo(media.png(), 256 * 1024);
    const started = Date.now();
    const { client, rest } = await startUpload(t.url, TENANT_A.key, file, 64 * 1024);
    // Never quiet for the idle limit (2 s), never done either.
    await trickle(client, rest, 1000);
    const took = Date.now() - started;
    expectDropped(await client.response());
    expect(took).toBeGreaterThanOrEqual(REQUEST_S * 1000 - 100);
    expect(took).toBeLessThan(REQUEST_S * 1000 + SLACK_MS);
    await eventually(async () => (await t.pendingWrites()) === 0);
    expect(await assetCount()).toBe(before);
    recordFigures(context, { 'dropped after': seconds(took) });
  });

  // On S3 the signed PUT goes to the object store, not through assetd.
  it.skipIf(usesS3)(`drops a signed PUT trickled a byte a second, and leaves nothing staged${usesS3 ? ' (skipped: on S3 the PUT goes to the store)' : ''}`, async (context) => {
    const size = 256 * 1024;
    const init = await t.api('/v3/assets/direct-uploads', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'slow.png', content_type: 'image/png', size_bytes: size }),
    });
    const { upload_url: url, upload_headers: headers } = ((await init.json()) as { data: { upload_url: string; upload_headers: Record<string, string> } }).data;
    const file = media.padTo(media.png(), size);
    const client = await SlowClient.connect(t.url);
    const started = Date.now();
    await client.write(requestHead('PUT', url, headers, size));
    await client.write(file.subarray(0, 64 * 1024));
    await trickle(client, file.subarray(64 * 1024), 1000);
    const took = Date.now() - started;
    expectDropped(await client.response());
    expect(took).toBeLessThan(REQUEST_S * 1000 + SLACK_MS);
    await eventually(async () => (await t.pendingWrites()) === 0);
    expect(await t.objects('uploads/')).toEqual([]);
    recordFigures(context, { 'dropped after': seconds(took) });
  });

  it('keeps answering /healthz, reads and uploads under 200 trickling connections, and drops them all on time', async (context) => {
    const before = await assetCount();
    const file = media.padTo(media.png(), 256 * 1024);
    const started = Date.now();
    // Half trickle their headers, half their upload bodies; the uploads beyond the cap are refused at once.
    const headers = await Promise.all(Array.from({ length: 100 }, () => SlowClient.connect(t.url)));
    const uploads = await Promise.all(Array.from({ length: 100 }, () => startUpload(t.url, TENANT_A.key, file, 16 * 1024)));
    const tricklers = [
      ...headers.map((client) => ({ client, done: trickle(client, endlessHead('/v3/assets'), 500) })),
      ...uploads.map(({ client, rest }) => ({ client, done: trickle(client, rest, 1000) })),
    ];

    // While they trickle: liveness and reads answer at once; an upload is answered, whatever the answer.
    const healthMs: number[] = [];
    const duringUploads: number[] = [];
    let retryAfter: string | undefined;
    while (Date.now() - started < (REQUEST_S - 1) * 1000) {
      const asked = Date.now();
      const health = await fetch(`${t.url}/healthz`, { signal: AbortSignal.timeout(5000) });
      healthMs.push(Date.now() - asked);
      expect(health.status).toBe(200);
      expect((await t.api('/v3/assets?limit=1', { signal: AbortSignal.timeout(5000) })).status).toBe(200);
      const upload = await uploadOne(t.url, TENANT_A.key, pngOf(64 * 1024));
      expect(upload.answered).toBe(true);
      if (upload.answered) {
        expect([200, 503]).toContain(upload.status);
        expect(isEnvelope(upload.json) || upload.status === 200).toBe(true);
        if (upload.status === 503) retryAfter = upload.headers['retry-after'];
        duringUploads.push(upload.status);
      }
      await delay(250);
    }

    const answers = await Promise.all(tricklers.map(async ({ client, done }) => {
      await done;
      return client.response();
    }));
    const allDroppedAfter = Date.now() - started;
    const refusedByCap = answers.filter((a) => a?.status === 503).length;
    for (const answer of answers.filter((a) => a?.status === 503)) {
      expect(answer!.headers['retry-after']).toBe('5');
      expect(answer!.json.error.code).toBe('service_unavailable');
    }
    for (const answer of answers.filter((a) => a?.status !== 503)) expectDropped(answer);
    expect(allDroppedAfter).toBeLessThan(REQUEST_S * 1000 + SLACK_MS + 2000);
    // The cap was full while they trickled: an ordinary upload heard 503 with when to retry.
    expect(refusedByCap).toBe(100 - MAX_UPLOADS);
    expect(duringUploads).toContain(503);
    expect(retryAfter).toBe('5');

    // They are gone: uploads are taken again, and none of theirs left anything.
    const after = await uploadOne(t.url, TENANT_A.key, pngOf(64 * 1024));
    expect(after.answered && after.status).toBe(200);
    const kept = duringUploads.filter((s) => s === 200).length + 1;
    await eventually(async () => (await t.pendingWrites()) === 0, 10_000);
    expect(await assetCount()).toBe(before + kept);

    recordFigures(context, {
      tricklers: tricklers.length,
      'refused by the upload cap (503)': refusedByCap,
      'dropped by the timeouts': answers.length - refusedByCap,
      'all gone after': seconds(allDroppedAfter),
      '/healthz slowest': `${Math.max(...healthMs)} ms`,
      'uploads during (200/503)': `${duringUploads.filter((s) => s === 200).length}/${duringUploads.filter((s) => s === 503).length}`,
    });
  });
});
