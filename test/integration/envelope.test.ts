// Every refusal is in the envelope, including those made before a route runs: a path that does not decode, headers
// too large for Node's parser, and bytes that are not HTTP; a HEAD gets no body.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

/** Sends raw bytes and reads everything until the server closes. */
function raw(request: string): Promise<{ status: number; headers: string; body: string }> {
  const { port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(request));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString();
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body });
    });
  });
}

describe('the envelope, before any route runs', () => {
  it('for a path that does not decode', async () => {
    const res = await t.api('/v3/assets/%zz');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_parameter', param: 'path' } });
  });

  it('for headers too large (431), with no body to a HEAD', async () => {
    const big = 'x'.repeat(20_000);
    const get = await raw(`GET /v3/assets HTTP/1.1\r\nHost: a\r\nX-Big: ${big}\r\n\r\n`);
    expect(get.status).toBe(431);
    expect(JSON.parse(get.body)).toMatchObject({ error: { code: 'invalid_parameter', param: 'headers' } });
    const head = await raw(`HEAD /v3/assets HTTP/1.1\r\nHost: a\r\nX-Big: ${big}\r\n\r\n`);
    expect(head.status).toBe(431);
    expect(head.headers).toMatch(/Content-Length: 0/i);
    expect(head.body).toBe('');
  });

  it('for an Expect header other than 100-continue (417), with no body to a HEAD', async () => {
    const get = await raw('GET /v3/assets HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n');
    expect(get.status).toBe(417);
    expect(JSON.parse(get.body)).toMatchObject({ error: { code: 'invalid_parameter', param: 'Expect' } });
    const head = await raw('HEAD /v3/assets HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n');
    expect(head.status).toBe(417);
    expect(head.body).toBe('');
  });

  it('for a path or query holding a NUL character, on every metadata store', async () => {
    for (const path of ['/v3/assets/asset_%00x', '/v3/assets/statuses?asset_ids=a%00b', '/v3/assets/batches/b%00']) {
      const res = await t.api(path);
      expect(res.status, path).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_parameter', param: 'path' } });
    }
  });

  it('for bytes that are not HTTP', async () => {
    const res = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'invalid_parameter' } });
  });
});
