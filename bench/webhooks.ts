// `npm run bench:webhooks`: how fast one assetd process delivers webhook events to a fast receiver on 127.0.0.1, and
// how long from the state change to the delivery. Starts the real service in this process (startServer, as the tests
// do) with a fresh data directory, on SQLite or, with ASSETD_DATABASE_URL, on PostgreSQL; a node:http receiver
// answers 204 at once. Throughput: BENCH_EVENTS (3,000) events recorded beforehand through the port, then one pass
// times their delivery. Delay: BENCH_UPLOADS (300) uploads one after another through the API, each asset.completed
// timed from its created_at to its arrival. BENCH_POSTGRES=1 uses a fresh database on the test PostgreSQL
// (ASSETD_TEST_DATABASE_URL, scripts/services-up.sh), dropped after. Prints a line per figure and one JSON line.
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { startServer } from '../src/cli/server.js';
import { AssetEvents } from '../src/domain/events.js';
import { anAsset } from '../test/contract/asset-records.case.js';
import { dropDatabase, freshDatabaseUrl } from '../test/support/backends.js';
import { png } from '../test/support/media.js';

const KEY = 'bench-key-000000000000000000';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000);
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 300);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<void> {
  const arrivals: { body: string; at: number }[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrivals.push({ body: Buffer.concat(chunks).toString(), at: Date.now() });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'assetd-bench-webhooks-'));
  const databaseUrl = process.env.BENCH_POSTGRES === '1' ? await freshDatabaseUrl() : null;
  const config = loadConfig({
    ASSETD_HOST: '127.0.0.1',
    ASSETD_PORT: '0',
    ASSETD_DATA_DIR: dataDir,
    ASSETD_API_KEYS: `${KEY}=bench`,
    ASSETD_URL_FETCH_ALLOW_HTTP: 'true',
    ASSETD_URL_FETCH_ALLOW_CIDRS: '127.0.0.1/32',
    ...(databaseUrl ? { ASSETD_DATABASE_URL: databaseUrl } : {}),
  });
  const server = await startServer(config, { logger: false, callbackPollMs: 3_600_000 });
  const backend = server.metadata.dialect;
  try {
    const api = (pathname: string, init: RequestInit = {}) =>
      fetch(`${server.address}${pathname}`, { ...init, headers: { 'x-api-key': KEY, ...(init.headers ?? {}) } });
    const made = await api('/v3/webhooks/endpoints', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: hook, events: ['asset.completed'] }),
    });
    if (made.status !== 200) throw new Error(`endpoint: ${made.status} ${await made.text()}`);

    const events = new AssetEvents();
    for (let i = 0; i < EVENTS; i++) {
      const asset = anAsset('bench');
      await server.metadata.assets.insertAsset(asset, { event: events.asset('asset.completed', asset) });
    }
    const started = performance.now();
    const tried = await server.webhooks.runOnce();
    const seconds = (performance.now() - started) / 1000;
    if (arrivals.length < EVENTS) throw new Error(`one pass delivered ${arrivals.length} of ${EVENTS} (tried ${tried})`);
    const perSecond = Math.round(EVENTS / seconds);
    console.log(`${backend}: ${EVENTS} events recorded beforehand delivered by one pass in ${seconds.toFixed(2)} s (${perSecond}/s)`);

    arrivals.length = 0;
    const bytes = png();
    for (let i = 0; i < UPLOADS; i++) {
      const form = new FormData();
      form.append('file', new Blob([bytes], { type: 'image/png' }), 'p.png');
      const res = await api('/v3/assets', { method: 'POST', body: form });
      if (res.status !== 200) throw new Error(`upload: ${res.status}`);
      await res.arrayBuffer();
    }
    const deadline = Date.now() + 30_000;
    while (arrivals.length < UPLOADS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const delays = arrivals
      .map(({ body, at }) => at - Date.parse((JSON.parse(body) as { created_at: string }).created_at))
      .sort((a, b) => a - b);
    const p50 = percentile(delays, 50);
    const p99 = percentile(delays, 99);
    console.log(`${backend}: state change to delivery over ${UPLOADS} uploads one after another: p50 ${p50} ms, p99 ${p99} ms, max ${delays.at(-1)} ms`);
    console.log(JSON.stringify({ bench: 'webhooks', backend, events: EVENTS, seconds: Number(seconds.toFixed(3)), perSecond, uploads: UPLOADS, p50, p99, cores: os.cpus().length, load1: os.loadavg()[0] }));
  } finally {
    await server.close();
    receiver.closeAllConnections();
    receiver.close();
    await fs.rm(dataDir, { recursive: true, force: true });
    if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
