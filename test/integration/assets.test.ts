// Reading, listing, deleting and serving assets through the real server: auth, tenant isolation, pagination, the
// public url with ranges and caching, the error envelope, and data surviving a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { uploadFile } from '../support/multipart.js';
import { startTestServer, TENANT_A, TENANT_B, type TestServer } from '../support/server.js';

interface Uploaded {
  asset_id: string;
  url: string;
  mime_type: string;
  size_bytes: number;
}

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

async function upload(bytes: Buffer = media.png(), key = TENANT_A.key, filename = 'pic.png'): Promise<Uploaded> {
  const res = await uploadFile(t.url, key, bytes, filename, 'image/png');
  expect(res.status).toBe(200);
  return res.json.data as Uploaded;
}

async function json(res: Response): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return res.json();
}

describe('authentication', () => {
  it('refuses a missing key and a wrong key with 401 in the envelope', async () => {
    for (const key of [null, 'not-a-real-key-000000000']) {
      const res = await t.api('/v3/assets', { key });
      expect(res.status).toBe(401);
      expect((await json(res)).error.code).toBe('unauthorized');
    }
  });

  it('accepts Authorization: Bearer', async () => {
    const res = await t.api('/v3/assets', { key: null, headers: { authorization: `Bearer ${TENANT_A.key}` } });
    expect(res.status).toBe(200);
  });

  it('refuses an upload without a key before reading it', async () => {
    const res = await uploadFile(t.url, null, media.sizedStream(media.png(), 4 * 1024 * 1024));
    expect(res.status).toBe(401);
  });
});

describe('tenant isolation', () => {
  it('hides one tenant’s assets from another: read, list and delete all say not found', async () => {
    const mine = await upload();
    expect((await t.api(`/v3/assets/${mine.asset_id}`, { key: TENANT_B.key })).status).toBe(404);
    const list = await json(await t.api('/v3/assets?limit=100', { key: TENANT_B.key }));
    expect(list.data.map((a: Uploaded) => a.asset_id)).not.toContain(mine.asset_id);
    const del = await t.api(`/v3/assets/${mine.asset_id}`, { key: TENANT_B.key, method: 'DELETE' });
    expect(del.status).toBe(404);
    expect((await json(del)).error.code).toBe('not_found');
    expect((await t.api(`/v3/assets/${mine.asset_id}`)).status).toBe(200);
    expect((await fetch(mine.url)).status).toBe(200);
  });
});

describe('GET /v3/assets', () => {
  it('pages newest first with an opaque token until has_more is false', async () => {
    const tenant = { key: TENANT_B.key };
    const uploaded: string[] = [];
    for (let i = 0; i < 5; i++) uploaded.push((await upload(media.png({ width: i + 1 }), TENANT_B.key)).asset_id);
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const query: string = token ? `&token=${encodeURIComponent(token)}` : '';
      const page = await json(await t.api(`/v3/assets?limit=2${query}`, tenant));
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((a: Uploaded) => a.asset_id));
      expect(page.has_more).toBe(page.next_token !== null);
      token = page.next_token;
      pages += 1;
    } while (token && pages < 10);
    expect(seen.slice(0, 5)).toEqual([...uploaded].reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses a bad token and an out-of-range limit', async () => {
    const badToken = await t.api('/v3/assets?token=garbage!');
    expect(badToken.status).toBe(400);
    expect((await json(badToken)).error).toMatchObject({ code: 'invalid_parameter', param: 'token' });
    const badLimit = await t.api('/v3/assets?limit=0');
    expect(badLimit.status).toBe(400);
    expect((await json(badLimit)).error).toMatchObject({ code: 'invalid_parameter', param: 'limit' });
  });
});

describe('DELETE /v3/assets/{asset_id}', () => {
  it('removes the record and the bytes, and the url stops serving', async () => {
    const asset = await upload();
    const before = await t.objects();
    const res = await t.api(`/v3/assets/${asset.asset_id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect((await json(res)).data).toEqual({ id: asset.asset_id, deleted: true });
    expect((await t.api(`/v3/assets/${asset.asset_id}`)).status).toBe(404);
    expect((await fetch(asset.url)).status).toBe(404);
    expect(await t.objects()).toHaveLength(before.length - 1);
    expect((await t.api(`/v3/assets/${asset.asset_id}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('the public url', () => {
  const bytes = media.padTo(media.png(), 1000);
  let asset: Uploaded;
  beforeAll(async () => {
    asset = await upload(bytes, TENANT_A.key, 'résumé final.png');
  });

  it('serves the bytes with type, length, etag, caching and safe headers, without a key', async () => {
    const res = await fetch(asset.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-length')).toBe('1000');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toContain('immutable');
    const disposition = res.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(/^inline; /);
    expect(disposition).toContain("filename*=UTF-8''r%C3%A9sum%C3%A9%20final.png");
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await fetch(asset.url, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('1000');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=900-', 900, 999],
    ['bytes=-10', 990, 999],
    ['bytes=990-5000', 990, 999],
  ])('serves Range %s as 206', async (range, start, end) => {
    const res = await fetch(asset.url, { headers: { range } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/1000`);
    expect(res.headers.get('content-length')).toBe(String(end - start + 1));
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(start, end + 1))).toBe(true);
  });

  it('answers an unsatisfiable range with 416 and the size', async () => {
    const res = await fetch(asset.url, { headers: { range: 'bytes=1000-2000' } });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */1000');
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('ignores a malformed range, and a range for another version (If-Range)', async () => {
    expect((await fetch(asset.url, { headers: { range: 'pages=1-2' } })).status).toBe(200);
    expect((await fetch(asset.url, { headers: { range: 'bytes=0-1', 'if-range': '"other"' } })).status).toBe(200);
  });

  it('answers If-None-Match with 304', async () => {
    const etag = (await fetch(asset.url, { method: 'HEAD' })).headers.get('etag') ?? '';
    const res = await fetch(asset.url, { headers: { 'if-none-match': etag } });
    expect(res.status).toBe(304);
  });

  it('answers 404 for an unknown or malformed token', async () => {
    const base = asset.url.slice(0, asset.url.lastIndexOf('/') + 1);
    expect((await fetch(`${base}${'A'.repeat(43)}.png`)).status).toBe(404);
    expect((await fetch(`${base}..%2f..%2fetc%2fpasswd`)).status).toBe(404);
  });
});

describe('the error envelope', () => {
  it('covers unknown routes, malformed JSON and validation errors', async () => {
    const unknown = await t.api('/v3/nothing-here');
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).error.code).toBe('not_found');

    const malformed = await t.api('/v3/assets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"oops":',
    });
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).error.code).toBe('invalid_parameter');

    const poisoned = await t.api('/v3/assets/direct-uploads', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"filename":"a.png","size_bytes":1,"content_type":"image/png","__proto__":{"admin":true}}',
    });
    expect(poisoned.status).toBe(400);
    expect((await json(poisoned)).error.code).toBe('invalid_parameter');
  });

  it('echoes a request id on every response', async () => {
    const res = await t.api('/v3/assets', { headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    expect((await t.api('/v3/assets')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('service endpoints', () => {
  it('reports health and publishes an OpenAPI document', async () => {
    expect(await json(await fetch(`${t.url}/healthz`))).toEqual({ status: 'ok' });
    const doc = await json(await fetch(`${t.url}/openapi.json`));
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v3/assets', '/v3/assets/{asset_id}']));
  });
});

describe('restart', () => {
  it('keeps assets, their bytes and their urls across a restart', async () => {
    const asset = await upload(media.wav(), TENANT_A.key, 'sound.wav');
    t = await t.restart();
    const record = await json(await t.api(`/v3/assets/${asset.asset_id}`));
    expect(record.data).toMatchObject({ asset_id: asset.asset_id, mime_type: 'audio/wav', filename: 'sound.wav' });
    const fileUrl = new URL(asset.url);
    const res = await fetch(`${t.url}${fileUrl.pathname}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(media.wav())).toBe(true);
  });
});
