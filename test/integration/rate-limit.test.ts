// ASSETD_RATE_LIMIT_PER_MINUTE through the real server: counted per API key on /v3 only, refused in the error
// envelope with Retry-After, after authentication and before idempotency.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { uploadFile } from '../support/multipart.js';
import { AssetdClient } from '../../src/client/index.js';
import { startTestServer, TENANT_A, TENANT_B, type TestServer } from '../support/server.js';

const LIMIT = 5;
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ env: { ASSETD_RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
});
afterAll(async () => {
  await t.close();
});

describe('rate limit', () => {
  it('refuses the request after the limit with 429 rate_limit_exceeded, per key, on /v3 only', async () => {
    const uploaded = await uploadFile(t.url, TENANT_B.key, media.png(), 'a.png'); // tenant B: 1 of 5
    expect(uploaded.status).toBe(200);
    for (let i = 0; i < LIMIT; i++) expect((await t.api('/v3/assets')).status).toBe(200);
    const refused = await t.api('/v3/assets', { method: 'POST', headers: { 'idempotency-key': 'k-1', 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });

    // Another key has its own count; no key is still 401; public file urls and health are not counted.
    expect((await t.api('/v3/assets', { key: TENANT_B.key })).status).toBe(200);
    expect((await t.api('/v3/assets', { key: null })).status).toBe(401);
    expect((await fetch(uploaded.json.data.url)).status).toBe(200);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('reaches a client as AssetdError rate_limit_exceeded once its retries are spent', async () => {
    const client = new AssetdClient({ baseUrl: t.url, apiKey: TENANT_A.key, attempts: 1, retryForMs: 0 });
    const refused = await client.get('asset_00000000000000000000000000000000').catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded' }); // tenant A spent its 5 above
  });
});
