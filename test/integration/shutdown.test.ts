// Graceful shutdown of the real `assetd serve` process: on SIGTERM it stops taking connections, readiness answers
// 503, uploads in flight get ASSETD_SHUTDOWN_GRACE_SECONDS to finish, and what has not finished by then is aborted,
// leaving no temp file (or multipart upload) and no record; the process exits 0, and what finished is there after
// a restart.
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { backendEnv, dropDatabase, pendingWrites } from '../support/backends.js';
import { spawnAssetd } from '../support/cli.js';
import { SlowClient, startUpload } from '../support/slow-client.js';
import { eventually, makeDataDir, TENANT_A } from '../support/server.js';

const GRACE_S = 4;
let databaseUrl: string | undefined;
afterAll(async () => {
  if (databaseUrl) await dropDatabase(databaseUrl);
});

function serve(env: Record<string, string>) {
  const run = spawnAssetd(['serve'], env);
  const waitFor = async (pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { stdout, stderr } = run.output();
      const match = pattern.exec(stdout);
      if (match) return match;
      if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`no ${pattern} in output:\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const address = async () => (await waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  return { ...run, waitFor, address };
}

async function uploadsInFlight(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(/^assetd_uploads_in_flight\{flow="\w+"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe('assetd serve on SIGTERM', () => {
  it('finishes the upload that can, aborts the one that cannot after the grace period, is not ready meanwhile, exits 0', async () => {
    const backend = await backendEnv();
    databaseUrl = backend.ASSETD_DATABASE_URL;
    const dataDir = await makeDataDir();
    const env = {
      ASSETD_DATA_DIR: dataDir,
      ASSETD_PORT: '0',
      ASSETD_API_KEYS: `${TENANT_A.key}=${TENANT_A.tenant}`,
      ASSETD_SHUTDOWN_GRACE_SECONDS: String(GRACE_S),
      ASSETD_LOG_LEVEL: 'info',
      ...backend,
    };
    const first = serve(env);
    const url = await first.address();
    // 12 MiB each, 9 MiB sent: on S3 each has a multipart upload under way, on disk a temp file.
    const file = media.padTo(media.png(), 12 * 1024 * 1024);
    const finishing = await startUpload(url, TENANT_A.key, file, 9 * 1024 * 1024);
    const stalled = await startUpload(url, TENANT_A.key, file, 9 * 1024 * 1024);
    await eventually(async () => (await uploadsInFlight(url)) === 2, 10_000);
    await eventually(async () => (await pendingWrites(dataDir, backend)) === 2, 10_000);
    // A load balancer's probe on a connection it already has open.
    const probe = await SlowClient.connect(url);
    await probe.write('GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n');

    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    await first.waitFor(/"msg":"shutting down"/);
    await probe.write('\r\n');
    expect(await probe.response()).toMatchObject({
      status: 503,
      headers: { 'retry-after': '5', connection: 'close' },
      json: { error: { code: 'service_unavailable', message: 'This server is shutting down.' } },
    });
    // No new connections.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();

    await finishing.client.write(finishing.rest);
    const finished = await finishing.client.response();
    expect(finished?.status).toBe(200);
    const asset = finished!.json.data as { asset_id: string; url: string };

    await stalled.client.closed;
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(GRACE_S * 1000 - 100);
    const [code] = (await once(first.child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(first.output().stdout).toMatch(/shutdown grace period over: aborting requests in flight/);
    expect(await pendingWrites(dataDir, backend)).toBe(0);

    const second = serve(env);
    try {
      const again = await second.address();
      const listed = (await (await fetch(`${again}/v3/assets`, { headers: { 'x-api-key': TENANT_A.key } })).json()) as {
        data: Array<{ asset_id: string; status: string }>;
      };
      expect(listed.data).toEqual([expect.objectContaining({ asset_id: asset.asset_id, status: 'completed' })]);
      const bytes = Buffer.from(await (await fetch(`${again}${new URL(asset.url).pathname}`)).arrayBuffer());
      expect(bytes.equals(file)).toBe(true);
    } finally {
      second.child.kill('SIGTERM');
    }
    const [secondCode] = (await once(second.child, 'exit')) as [number];
    expect(secondCode).toBe(0);
  });
});
