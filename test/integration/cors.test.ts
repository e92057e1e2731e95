// CORS for browser uploads (ASSETD_CORS_ORIGINS): preflights of the API and of the signed PUT endpoint answered for
// the listed origins with the headers a browser upload sends, the CORS headers on every answer, refusals included
// (a page cannot read a 4xx without them), and nothing for an origin that is not listed or when none is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ORIGIN = 'http://127.0.0.1:5173';
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ env: { ASSETD_CORS_ORIGINS: `${ORIGIN},https://console.example.com` } });
});
afterAll(async () => {
  await t.close();
});

function preflight(pathname: string, method: string, headers: string, origin = ORIGIN) {
  return t.api(pathname, {
    method: 'OPTIONS',
    key: null,
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });
}

describe('CORS', () => {
  it('answers the preflights of an API call and of the signed PUT, without a key', async () => {
    const api = await preflight('/v3/assets/direct-uploads', 'POST', 'content-type,x-api-key,idempotency-key');
    expect(api.status).toBe(204);
    expect(api.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(api.headers.get('vary')).toMatch(/origin/i);
    expect(api.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = api.headers.get('access-control-allow-headers')!;
    for (const header of ['content-type', 'x-api-key', 'authorization', 'idempotency-key', 'x-amz-checksum-sha256']) expect(allowed).toContain(header);
    expect(api.headers.get('access-control-max-age')).toBe('600');

    const put = await preflight('/uploads/asset_0123?expires=1&size=2&type=image%2Fpng&signature=x', 'PUT', 'content-type,x-amz-checksum-sha256');
    expect(put.status).toBe(204);
    expect(put.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(put.headers.get('access-control-allow-methods')).toContain('PUT');
  });

  it('puts the CORS headers on answers and on refusals alike', async () => {
    const ok = await t.api('/v3/assets', { headers: { origin: ORIGIN } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('access-control-expose-headers')).toContain('x-request-id');

    const unauthorized = await t.api('/v3/assets', { key: null, headers: { origin: ORIGIN } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const unknown = await t.api('/v3/nothing-here', { headers: { origin: ORIGIN } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const form = new FormData();
    form.append('file', new Blob([media.text()]), 'notes.txt');
    const refused = await t.api('/v3/assets', { method: 'POST', body: form, headers: { origin: ORIGIN } });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('access-control-allow-origin')).toBe(ORIGIN);

    const initiated = await t.api('/v3/assets/direct-uploads', {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'p.png', content_type: 'image/png', size_bytes: media.png().length }),
    });
    const { upload_url } = ((await initiated.json()) as { data: { upload_url: string } }).data;
    // A signed PUT refused (the wrong type: 403 on local disk) still tells the page why.
    if (upload_url.startsWith(t.url)) {
      const forbidden = await fetch(upload_url, { method: 'PUT', body: media.png(), headers: { origin: ORIGIN, 'content-type': 'image/jpeg' } });
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    }
  });

  it('says nothing to an origin that is not listed', async () => {
    const other = await preflight('/v3/assets', 'GET', 'x-api-key', 'https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const res = await t.api('/v3/assets', { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('is off by default: no CORS headers, and OPTIONS is an unknown route', async () => {
    const plain = await startTestServer();
    try {
      const res = await plain.api('/v3/assets', { headers: { origin: ORIGIN } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const options = await plain.api('/v3/assets', { method: 'OPTIONS', key: null, headers: { origin: ORIGIN, 'access-control-request-method': 'GET' } });
      expect(options.status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
