// The client (src/client) and `assetd upload` against the real server: each flow picked by size and type, the
// asset it makes, the server's refusals passed on as AssetdError, and the command's output and exit codes.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssetdClient, AssetdError } from '../../src/client/index.js';
import { spawnAssetd } from '../support/cli.js';
import * as media from '../support/media.js';
import { makeDataDir, startTestServer, TENANT_A, TENANT_B, type TestServer } from '../support/server.js';

let t: TestServer;
let dir: string;
let client: AssetdClient;
beforeAll(async () => {
  t = await startTestServer();
  dir = await makeDataDir();
  client = new AssetdClient({ baseUrl: t.url, apiKey: TENANT_A.key });
});
afterAll(async () => {
  await t.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function file(name: string, bytes: Buffer): Promise<string> {
  const where = path.join(dir, name);
  await fs.writeFile(where, bytes);
  return where;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('AssetdClient', () => {
  it('sends a small file in one request and keeps its name', async () => {
    const bytes = media.png({ width: 4, height: 2 });
    const uploaded = await client.upload(await file('tiny picture.png', bytes));
    expect(uploaded).toMatchObject({ flow: 'single', mime_type: 'image/png', size_bytes: bytes.length });
    expect(await client.get(uploaded.asset_id)).toMatchObject({
      status: 'completed', filename: 'tiny picture.png', sha256: sha256(bytes), width: 4, height: 2,
    });
    expect(Buffer.from(await (await fetch(uploaded.url)).arrayBuffer())).toEqual(bytes);
  });

  it('sends a file over 32 MiB by direct upload, verified end to end by its SHA-256', async () => {
    const size = 33 * 1024 * 1024;
    const head = media.mp4({ video: { width: 640, height: 480 }, durationSeconds: 5 });
    const where = path.join(dir, 'big.mp4');
    await pipeline(media.sizedStream(head, size), createWriteStream(where));
    const hash = createHash('sha256');
    await pipeline(media.sizedStream(head, size), hash);

    const uploaded = await client.upload(where);
    expect(uploaded).toMatchObject({ flow: 'direct', mime_type: 'video/mp4', size_bytes: size });
    expect(await client.get(uploaded.asset_id)).toMatchObject({
      status: 'completed', sha256: hash.digest('hex'), filename: 'big.mp4', width: 640, height: 480, duration_seconds: 5,
    });
    expect((await fetch(uploaded.url, { method: 'HEAD' })).headers.get('content-length')).toBe(String(size));
  });

  it('sends the types only direct upload takes (zip) that way, whatever their size', async () => {
    const uploaded = await client.upload(await file('bundle.zip', media.zip()));
    expect(uploaded).toMatchObject({ flow: 'direct', mime_type: 'application/zip' });
  });

  it('uses direct upload below the limit when asked', async () => {
    const uploaded = await client.upload(await file('a.wav', media.wav({ samples: 8000 })), { directAbove: 0 });
    expect(uploaded.flow).toBe('direct');
    expect(await client.get(uploaded.asset_id)).toMatchObject({ status: 'completed', duration_seconds: 1 });
  });

  it('falls back to direct upload when the server takes less in one request than the contract\'s 32 MiB', async () => {
    const small = await startTestServer({ env: { ASSETD_MAX_UPLOAD_BYTES: '1024' } });
    try {
      const strict = new AssetdClient({ baseUrl: small.url, apiKey: TENANT_A.key });
      const uploaded = await strict.upload(await file('long.wav', media.wav({ samples: 4000 })));
      expect(uploaded).toMatchObject({ flow: 'direct', mime_type: 'audio/wav', size_bytes: 8044 });
      expect(await small.objects('assets/')).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  it('refuses a retry count it could not honour', () => {
    expect(() => new AssetdClient({ baseUrl: t.url, apiKey: 'k', attempts: 0 })).toThrow(RangeError);
    expect(() => new AssetdClient({ baseUrl: t.url, apiKey: 'k', attempts: Number.NaN })).toThrow(RangeError);
    expect(() => new AssetdClient({ baseUrl: t.url, apiKey: 'k', retryForMs: -1 })).toThrow(RangeError);
  });

  it('outlasts a server that is down for a restart: the upload goes through once it is back', async () => {
    const port = await freePort();
    const picture = await file('restart.png', media.png());
    const patient = new AssetdClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: TENANT_A.key, retryForMs: 20_000 });
    const uploading = patient.upload(picture);
    // Down for longer than the four quick tries take (about 1.4 s).
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const back = await startTestServer({ env: { ASSETD_PORT: String(port) } });
    try {
      const asset = await uploading;
      expect(asset.flow).toBe('single');
      expect((await back.api(`/v3/assets/${asset.asset_id}`)).status).toBe(200);
    } finally {
      await back.close();
    }
  });

  it('passes the server\'s refusals on as AssetdError', async () => {
    const textFile = await file('notes.txt', media.text());
    const refused = await client.upload(textFile).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AssetdError);
    expect(refused).toMatchObject({ status: 400, code: 'unsupported_media_type', param: 'file' });

    const direct = await client.upload(textFile, { directAbove: 0 }).catch((e: unknown) => e);
    expect(direct).toMatchObject({ status: 400, code: 'unsupported_media_type' });

    const stranger = new AssetdClient({ baseUrl: t.url, apiKey: 'not-a-key' });
    expect(await stranger.upload(await file('b.png', media.png())).catch((e: unknown) => e)).toMatchObject({ status: 401, code: 'unauthorized' });

    const others = new AssetdClient({ baseUrl: t.url, apiKey: TENANT_B.key });
    const mine = await client.upload(await file('c.png', media.png()));
    expect(await others.get(mine.asset_id).catch((e: unknown) => e)).toMatchObject({ status: 404, code: 'not_found' });
    await client.delete(mine.asset_id);
    expect(await client.get(mine.asset_id).catch((e: unknown) => e)).toMatchObject({ status: 404 });
  });
});

async function runUpload(args: string[], env: Record<string, string> = {}) {
  const { child, output } = spawnAssetd(['upload', ...args], env);
  const [code] = await once(child, 'close'); // after stdout and stderr have ended
  return { code: code as number, ...output() };
}

describe('assetd upload --json', () => {
  it('prints one JSON line per asset and exits 0', async () => {
    const png = await file('one.png', media.png());
    const mp3 = await file('two.mp3', media.mp3({ frames: 10 }));
    const run = await runUpload([png, mp3, '--json', '--url', t.url], { ASSETD_CLIENT_API_KEY: TENANT_A.key });
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    // Files go a few at a time: lines come as each finishes.
    expect(lines).toHaveLength(2);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: png, mime_type: 'image/png', flow: 'single' }),
        expect.objectContaining({ file: mp3, mime_type: 'audio/mpeg', flow: 'single' }),
      ]),
    );
    expect((await client.get(lines[1]!.asset_id as string)).status).toBe('completed');
  });

  it('goes on past a failure, says why on stderr, and exits 1', async () => {
    const good = await file('good.png', media.png());
    const run = await runUpload([path.join(dir, 'missing.png'), good, '--json', '--url', t.url, '--api-key', TENANT_A.key]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('missing.png: ENOENT');
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('finds the key npm start generated, and exits 2 without any key', async () => {
    const dataDir = await makeDataDir();
    const good = await file('k.png', media.png());
    const none = await runUpload([good, '--url', t.url], { ASSETD_DATA_DIR: dataDir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no API key');
    await fs.writeFile(path.join(dataDir, 'api-key'), `${TENANT_B.key}\n`);
    const found = await runUpload([good, '--json', '--url', t.url], { ASSETD_DATA_DIR: dataDir });
    expect(found.code).toBe(0);
    const asset = JSON.parse(found.stdout) as { asset_id: string };
    expect(await new AssetdClient({ baseUrl: t.url, apiKey: TENANT_B.key }).get(asset.asset_id)).toMatchObject({ status: 'completed' });
    await fs.rm(dataDir, { recursive: true, force: true });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
