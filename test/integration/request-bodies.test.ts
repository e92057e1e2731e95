// One rule for every JSON body: the fields the platform documents are taken, any other is 400 invalid_parameter
// naming it; and a body nested absurdly deep, or huge, is a 400 or 413 in the envelope, never a 500.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ env: { ASSETD_MAX_JSON_BYTES: String(4 * 1024 * 1024) } });
});
afterAll(async () => {
  await t.close();
});

async function post(pathname: string, body: string, idempotent = false) {
  const res = await t.api(pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(idempotent ? { 'idempotency-key': randomUUID() } : {}) },
    body,
  });
  return { status: res.status, json: (await res.json()) as { error?: { code: string; param?: string } } };
}

const nested = (depth: number) => `{"filename":"a.png","content_type":"image/png","size_bytes":1,"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;

describe('JSON bodies', () => {
  it('names an unknown field, top-level or nested', async () => {
    const top = await post('/v3/assets/direct-uploads', JSON.stringify({ filename: 'a.png', content_type: 'image/png', size_bytes: 1, colour: 'red' }));
    expect(top.status).toBe(400);
    expect(top.json.error).toMatchObject({ code: 'invalid_parameter', param: 'colour' });
    const inner = await post(
      '/v3/assets/direct-uploads/batches',
      JSON.stringify({ files: [{ filename: 'a.png', content_type: 'image/png', size_bytes: 1, colour: 'red' }] }),
    );
    expect(inner.status).toBe(400);
    expect(inner.json.error).toMatchObject({ code: 'invalid_parameter', param: 'files[0].colour' });
  });

  for (const depth of [100, 20_000, 1_000_000]) {
    for (const idempotent of [false, true]) {
      it(`refuses a body nested ${depth} deep with 400${idempotent ? ', with an Idempotency-Key' : ''}`, async () => {
        for (const path of ['/v3/assets/direct-uploads', '/v3/video-agents', '/v3/lipsyncs']) {
          const res = await post(path, nested(depth), idempotent);
          expect(res.status, path).toBe(400);
          expect(res.json.error).toMatchObject({ code: 'invalid_parameter', param: 'body' });
        }
      });
    }
  }

  it('names a field holding a NUL character, wherever it is', async () => {
    const res = await post('/v3/lipsyncs', JSON.stringify({ video: { type: 'asset_id', asset_id: 'asset_\u0000' }, audio: { type: 'url', url: 'https://a/b' } }));
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid_parameter', param: 'video.asset_id' });
    const batch = await post('/v3/assets/complete/batches', JSON.stringify({ batch_id: 'b\u0000' }), true);
    expect(batch.json.error).toMatchObject({ code: 'invalid_parameter', param: 'batch_id' });
  });

  it('takes a body nested as deep as real requests go', async () => {
    const res = await post('/v3/assets/direct-uploads', JSON.stringify({ filename: 'a.png', content_type: 'image/png', size_bytes: 1 }));
    expect(res.status).toBe(200);
  });

  it('refuses a body over the JSON limit with 413', async () => {
    const res = await post('/v3/assets/direct-uploads', JSON.stringify({ filename: 'a'.repeat(5 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.json.error?.code).toBe('payload_too_large');
  });
});
