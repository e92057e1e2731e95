// `npm run bench:multipart`: a multipart upload (64 MiB parts, 4 at once) against a single presigned PUT of the same
// bytes, in the same run, on one assetd (a child process: node --import tsx src/cli/main.ts serve), with assetd's RSS
// sampled throughout and `complete` timed for each. Local disk by default; BENCH_S3=1 uses the S3 server of
// scripts/services-up.sh (ASSETD_TEST_S3_*: a fresh bucket, emptied and removed at the end). The bytes are made on the
// fly (an MP4 head, then zeros), never read from a file, so the client's disk is not measured. Knobs: BENCH_BYTES
// (default 2 GiB on disk, 512 MiB on S3), BENCH_ROUNDS (default 1), BENCH_PART_BYTES (default 64 MiB),
// BENCH_PARALLEL (default 4). Prints a table and one JSON line; exit 0 unless something broke.
import { mkdtempSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mp4 } from '../test/support/media.js';
import { collectGarbage } from './scaleout.js';
import {
  childEnv,
  cleanUpOnExit,
  freePort,
  median,
  MiB,
  mibPerSecond,
  positiveIntEnv,
  procStatusKiB,
  putGenerated,
  requestJson,
  RssSampler,
  startChild,
  waitForHealthy,
  type Child,
} from './lib.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const API_KEY = 'bench-key-000000000000';
const ON_S3 = process.env.BENCH_S3 === '1';

const BYTES = positiveIntEnv('BENCH_BYTES', ON_S3 ? 512 * MiB : 2 * 1024 * MiB);
const ROUNDS = positiveIntEnv('BENCH_ROUNDS', 1);
const PART_BYTES = positiveIntEnv('BENCH_PART_BYTES', 64 * MiB);
const PARALLEL = positiveIntEnv('BENCH_PARALLEL', 4);
const HEAD = mp4();
const auth = { 'x-api-key': API_KEY };

const children: Child[] = [];
const tempDirs: string[] = [];
cleanUpOnExit(children, tempDirs);

function s3Client(): S3Client {
  const { ASSETD_TEST_S3_ENDPOINT: endpoint, ASSETD_TEST_S3_ACCESS_KEY_ID: id, ASSETD_TEST_S3_SECRET_ACCESS_KEY: secret } = process.env;
  if (!endpoint || !id || !secret) throw new Error('BENCH_S3=1 needs ASSETD_TEST_S3_* (source the env of scripts/services-up.sh)');
  return new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: id, secretAccessKey: secret } });
}

async function startAssetd(bucket: string | null): Promise<{ child: Child; baseUrl: string }> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'assetd-bench-mp-'));
  tempDirs.push(dataDir);
  const s3: Record<string, string> = bucket
    ? {
        ASSETD_S3_BUCKET: bucket,
        ASSETD_S3_ENDPOINT: process.env.ASSETD_TEST_S3_ENDPOINT!,
        ASSETD_S3_ACCESS_KEY_ID: process.env.ASSETD_TEST_S3_ACCESS_KEY_ID!,
        ASSETD_S3_SECRET_ACCESS_KEY: process.env.ASSETD_TEST_S3_SECRET_ACCESS_KEY!,
        ASSETD_S3_FORCE_PATH_STYLE: 'true',
      }
    : {};
  const child = startChild(
    'assetd',
    ['--import', 'tsx', 'src/cli/main.ts', 'serve'],
    childEnv({
      ASSETD_HOST: '127.0.0.1',
      ASSETD_PORT: String(port),
      ASSETD_DATA_DIR: dataDir,
      ASSETD_API_KEYS: `${API_KEY}=bench`,
      ASSETD_LOG_LEVEL: 'warn',
      ASSETD_DIRECT_UPLOAD_MAX_BYTES: String(BYTES),
      ...s3,
    }),
    ROOT,
  );
  children.push(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealthy(child, baseUrl);
  return { child, baseUrl };
}

function expectOk(what: string, response: { status: number; json: unknown }): void {
  if (response.status !== 200) throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.json)}`);
}
const dataOf = <T>(json: unknown): T => (json as { data: T }).data;

interface Measured {
  readonly sendSeconds: number;
  readonly completeSeconds: number;
  readonly rssBeforeKiB: number;
  readonly rssPeakKiB: number;
}

async function timedComplete(baseUrl: string, assetId: string): Promise<number> {
  const started = process.hrtime.bigint();
  const done = await requestJson('POST', `${baseUrl}/v3/assets/${assetId}/complete`, auth, {});
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  expectOk('complete', done);
  const asset = dataOf<{ status: string; size_bytes: number }>(done.json);
  if (asset.status !== 'completed' || asset.size_bytes !== BYTES) throw new Error(`complete answered ${JSON.stringify(asset)}`);
  expectOk('delete', await requestJson('DELETE', `${baseUrl}/v3/assets/${assetId}`, auth));
  return seconds;
}

async function single(server: { child: Child; baseUrl: string }): Promise<Measured> {
  const init = await requestJson('POST', `${server.baseUrl}/v3/assets/direct-uploads`, auth, { filename: 'single.mp4', content_type: 'video/mp4', size_bytes: BYTES });
  expectOk('initiate', init);
  const upload = dataOf<{ asset_id: string; upload_url: string; upload_headers: Record<string, string> }>(init.json);
  const rssBeforeKiB = procStatusKiB(server.child.pid, 'VmRSS');
  const sampler = new RssSampler(server.child.pid).start();
  try {
    const put = await putGenerated(upload.upload_url, upload.upload_headers, BYTES, HEAD);
    expectOk('PUT', put);
    const completeSeconds = await timedComplete(server.baseUrl, upload.asset_id);
    return { sendSeconds: put.seconds, completeSeconds, rssBeforeKiB, rssPeakKiB: sampler.stop() };
  } finally {
    sampler.stop();
  }
}

async function multipart(server: { child: Child; baseUrl: string }): Promise<Measured & { parts: number }> {
  const init = await requestJson('POST', `${server.baseUrl}/v3/assets/multipart-uploads`, auth, {
    filename: 'multipart.mp4',
    content_type: 'video/mp4',
    size_bytes: BYTES,
    part_size_bytes: PART_BYTES,
  });
  expectOk('initiate', init);
  const upload = dataOf<{ asset_id: string; part_count: number; parts: { part_number: number; size_bytes: number; upload_url: string; upload_headers: Record<string, string> }[] }>(init.json);
  const rssBeforeKiB = procStatusKiB(server.child.pid, 'VmRSS');
  const sampler = new RssSampler(server.child.pid).start();
  try {
    const queue = [...upload.parts];
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        for (let part = queue.shift(); part; part = queue.shift()) {
          expectOk(`PUT part ${part.part_number}`, await putGenerated(part.upload_url, part.upload_headers, part.size_bytes, part.part_number === 1 ? HEAD : Buffer.alloc(0)));
        }
      }),
    );
    const sendSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const completeSeconds = await timedComplete(server.baseUrl, upload.asset_id);
    return { sendSeconds, completeSeconds, rssBeforeKiB, rssPeakKiB: sampler.stop(), parts: upload.part_count };
  } finally {
    sampler.stop();
  }
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const mb = (kib: number) => kib / 1024;

async function main(): Promise<void> {
  let bucket: string | null = null;
  const client = ON_S3 ? s3Client() : null;
  try {
    if (client) {
      bucket = `assetd-bench-mp-${Date.now().toString(36)}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    }
    const server = await startAssetd(bucket);
    const singles: Measured[] = [];
    const multis: (Measured & { parts: number })[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      singles.push(await single(server));
      // The test RGW is a 4 GiB memory store shared with every suite: have it free what was just deleted.
      if (ON_S3) collectGarbage();
      multis.push(await multipart(server));
      if (ON_S3) collectGarbage();
    }
    const hwmKiB = procStatusKiB(server.child.pid, 'VmHWM');
    const rate = (rows: Measured[]) => median(rows.map((r) => mibPerSecond(BYTES, r.sendSeconds)));
    const complete = (rows: Measured[]) => median(rows.map((r) => r.completeSeconds));
    const growth = (rows: Measured[]) => Math.max(...rows.map((r) => mb(r.rssPeakKiB - r.rssBeforeKiB)));
    const peak = (rows: Measured[]) => Math.max(...rows.map((r) => mb(r.rssPeakKiB)));
    const backend = ON_S3 ? 'S3 (Ceph RGW, loopback)' : 'local disk';
    const lines = [
      `assetd multipart vs single PUT: ${BYTES} bytes (${f2(BYTES / MiB / 1024)} GiB), ${backend}, ${ROUNDS} round(s), ${os.availableParallelism()} cores (shared).`,
      `multipart: ${multis[0]!.parts} parts of ${PART_BYTES / MiB} MiB, ${PARALLEL} at once; single: one presigned PUT. Bytes made on the fly (MP4 head + zeros).`,
      '',
      `flow       send MiB/s  complete s  RSS before MB  RSS peak MB  growth MB`,
      `single     ${f1(rate(singles)).padStart(10)}  ${f2(complete(singles)).padStart(10)}  ${f1(mb(singles[0]!.rssBeforeKiB)).padStart(13)}  ${f1(peak(singles)).padStart(11)}  ${f1(growth(singles)).padStart(9)}`,
      `multipart  ${f1(rate(multis)).padStart(10)}  ${f2(complete(multis)).padStart(10)}  ${f1(mb(multis[0]!.rssBeforeKiB)).padStart(13)}  ${f1(peak(multis)).padStart(11)}  ${f1(growth(multis)).padStart(9)}`,
      '',
      `multipart/single send throughput: ${f2(rate(multis) / rate(singles))}x; assetd VmHWM (lifetime) ${f1(mb(hwmKiB))} MB`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const r2 = (n: number) => Math.round(n * 100) / 100;
    process.stdout.write(
      `${JSON.stringify({
        backend: ON_S3 ? 's3' : 'local-disk',
        bytes: BYTES,
        rounds: ROUNDS,
        part_bytes: PART_BYTES,
        parallel: PARALLEL,
        single_mib_s: r2(rate(singles)),
        multipart_mib_s: r2(rate(multis)),
        ratio: r2(rate(multis) / rate(singles)),
        single_complete_s: r2(complete(singles)),
        multipart_complete_s: r2(complete(multis)),
        single_rss_peak_mb: r2(peak(singles)),
        multipart_rss_peak_mb: r2(peak(multis)),
        multipart_rss_growth_mb: r2(growth(multis)),
        hwm_mb: r2(mb(hwmKiB)),
      })}\n`,
    );
  } finally {
    await Promise.allSettled(children.map((child) => child.stop()));
    await Promise.allSettled(tempDirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
    if (client && bucket) await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => {});
    client?.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
