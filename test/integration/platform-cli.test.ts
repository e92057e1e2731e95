// The platform's own CLI, reproduced: it starts a direct upload with an Idempotency-Key, PUTs with
// `{ "content-type": <type>, ...upload_headers }` through fetch, and completes; re-running the same command replays
// the same key. Both runs must succeed against assetd, on local disk (assetd's own signed PUT) and on S3.
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

const bundle = media.padTo(media.zip(), 200_000);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');

async function postJson(pathname: string, body: unknown, idempotencyKey: string) {
  const res = await t.api(pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { data: Record<string, any> } }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** What the CLI does for one bundle: initiate, PUT (its header object spread over ours), complete. */
async function cliUpload(key: string, bytes: Buffer) {
  const init = await postJson(
    '/v3/assets/direct-uploads',
    { filename: 'project.zip', content_type: 'application/zip', size_bytes: bytes.length, checksum_sha256: sha256(bytes) },
    `${key}-init`,
  );
  expect(init.status).toBe(200);
  const { asset_id: assetId, upload_url: url, upload_headers: uploadHeaders } = init.json.data;
  const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/zip', ...uploadHeaders }, body: bytes });
  const putText = await put.text();
  expect(put.status, putText).toBe(200);
  const done = await postJson(`/v3/assets/${assetId}/complete`, {}, `${key}-complete`);
  expect(done.status).toBe(200);
  return done.json.data;
}

describe("the platform CLI's direct upload", () => {
  it('succeeds, and succeeds again when re-run with the same Idempotency-Key', async () => {
    const key = randomUUID();
    const first = await cliUpload(key, bundle);
    expect(first).toMatchObject({ status: 'completed', mime_type: 'application/zip', size_bytes: bundle.length });
    const again = await cliUpload(key, bundle);
    expect(again).toEqual(first);
    const read = (await (await t.api(`/v3/assets/${first.asset_id}`)).json()) as { data: { sha256: string } };
    expect(read.data.sha256).toBe(createHash('sha256').update(bundle).digest('hex'));
  });

  it('a PUT of other bytes to a completed upload changes nothing', async () => {
    const done = await cliUpload(randomUUID(), bundle);
    const init = await postJson(
      '/v3/assets/direct-uploads',
      { filename: 'other.zip', content_type: 'application/zip', size_bytes: bundle.length },
      randomUUID(),
    );
    const { asset_id: assetId, upload_url: url, upload_headers: headers } = init.json.data;
    const put = (body: Buffer) => fetch(url, { method: 'PUT', headers, body }).then(async (r) => (await r.text(), r.status));
    expect(await put(bundle)).toBe(200);
    expect((await postJson(`/v3/assets/${assetId}/complete`, {}, randomUUID())).status).toBe(200);
    const other = Buffer.from(bundle);
    other[other.length - 1] = other.at(-1)! ^ 0xff;
    const status = await put(other);
    // assetd's own endpoint refuses other bytes; an S3 store takes them into staging, where they never become the asset.
    if (!usesS3) expect(status).toBe(409);
    if (!usesS3) expect(await put(bundle)).toBe(200);
    const read = (await (await t.api(`/v3/assets/${assetId}`)).json()) as { data: { sha256: string; status: string } };
    expect(read.data).toMatchObject({ status: 'completed', sha256: createHash('sha256').update(bundle).digest('hex') });
    expect(done.asset_id).not.toBe(assetId);
  });
});

describe.skipIf(usesS3)("assetd's signed PUT (local disk)", () => {
  async function start() {
    const init = await postJson(
      '/v3/assets/direct-uploads',
      { filename: 'p.png', content_type: 'image/png', size_bytes: media.png().length },
      randomUUID(),
    );
    return init.json.data as { upload_url: string; asset_id: string };
  }

  it('takes a content-type sent twice with the same value (`a, a`) as that value', async () => {
    const { upload_url: url } = await start();
    const headers = new Headers();
    headers.append('content-type', 'image/png');
    headers.append('Content-Type', 'image/png');
    const res = await fetch(url, { method: 'PUT', headers, body: media.png() });
    expect(res.status, await res.text()).toBe(200);
  });

  it('refuses another content-type, or two different ones, with 403 naming the header', async () => {
    const { upload_url: url } = await start();
    for (const value of ['image/jpeg', 'image/png, image/jpeg', 'not a type']) {
      const res = await fetch(url, { method: 'PUT', headers: { 'content-type': value }, body: media.png() });
      const body = (await res.json()) as { error: { code: string; param: string } };
      expect(res.status, value).toBe(403);
      expect(body.error).toMatchObject({ code: 'forbidden', param: 'Content-Type' });
    }
  });
});
